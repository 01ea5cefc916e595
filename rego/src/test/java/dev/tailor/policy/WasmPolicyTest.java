package dev.tailor.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Inputs built in the module's heap from a Jackson tree: the policies see exactly the JSON they were given. */
class WasmPolicyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyKindOfJsonValueReachesThePoliciesUnchanged() throws Exception {
        ObjectNode input = (ObjectNode) JSON.readTree("""
                {"request": {"object": {"metadata": {"name": "api", "labels": {}, "annotations": {"a": ""}},
                  "spec": {"containers": [{"name": "app", "ports": [{"containerPort": 8080}], "args": []}]}}},
                 "escaped": "quote \\" backslash \\\\ newline \\n tab \\t nul \\u0000 line separator \\u2028",
                 "unicode": "Grüße, 日本, 🙂",
                 "numbers": [0, -1, 9007199254740992, -9007199254740992, 9007199254740993, 9223372036854775807,
                   18446744073709551617, 1.5, -2.5e-3, 1e300, 0.1],
                 "booleans": [true, false], "null": null, "nested": [[[]], [{}], {"": {"": [null]}}]}""");
        ArrayNode numbers = (ArrayNode) input.get("numbers");
        numbers.add(new BigDecimal("1E+2")).add(new BigInteger("-170141183460469231731687303715884105728"));
        input.put("float", 3.25f);

        JsonNode seen = JSON.readTree(new WasmPolicy(64).asPoliciesSeeIt(input));

        List<String> notNumbers = List.of("numbers", "float");
        assertEquals(
                input.deepCopy().without(notNumbers),
                ((ObjectNode) seen).deepCopy().without(notNumbers));
        // Numbers keep their value (OPA keeps each number's text; Jackson may read it back as another type).
        assertEquals(numbers.size(), seen.get("numbers").size());
        for (int i = 0; i < numbers.size(); i++) {
            assertEquals(
                    0,
                    numbers.get(i)
                            .decimalValue()
                            .compareTo(seen.get("numbers").get(i).decimalValue()),
                    "number " + i + ": " + numbers.get(i) + " became "
                            + seen.get("numbers").get(i));
        }
        assertEquals(3.25, seen.get("float").doubleValue());
    }

    @Test
    void aLargeInputGrowsTheMemoryAndOneTooLargeIsRefusedByName() {
        ObjectNode input = JSON.createObjectNode();
        input.put("blob", "x".repeat(3 << 19));
        // 128 pages (8 MiB) hold a 1.5 MiB string and its serialization; the memory grows past its 512 KiB start.
        assertEquals(3 << 19, new WasmPolicy(128).asPoliciesSeeIt(input).length - "{\"blob\":\"\"}".length());

        input.put("blob", "x".repeat(9 << 20));
        PolicyEvaluationException refused =
                assertThrows(PolicyEvaluationException.class, () -> new WasmPolicy(128).evaluate(0, input));
        assertTrue(refused.getMessage().contains("does not fit the policy's 8192 KiB of memory"), refused.getMessage());
    }

    @Test
    void indicesWrittenForAnotherModuleAreRefusedByName() {
        Map<PolicyFunctions, Integer> actual = PolicyFunctions.load(CompiledPolicy.load());
        Properties swapped = new Properties();
        actual.forEach((function, index) -> swapped.setProperty(function.wasmName, index.toString()));
        swapped.setProperty(
                "functions",
                String.valueOf(CompiledPolicy.load()
                                .importSection()
                                .count(com.dylibso.chicory.wasm.types.ExternalType.FUNCTION)
                        + CompiledPolicy.load().functionSection().functionCount()));
        // opa_malloc(i32) -> i32 where opa_object() -> i32 is: the types differ, so the wrong function is never called.
        swapped.setProperty("opa_malloc", actual.get(PolicyFunctions.OBJECT).toString());
        IllegalStateException wrong =
                assertThrows(IllegalStateException.class, () -> PolicyFunctions.load(CompiledPolicy.load(), swapped));
        assertTrue(wrong.getMessage().contains("is not opa_malloc"), wrong.getMessage());

        Properties fewer = new Properties();
        fewer.putAll(swapped);
        fewer.setProperty("opa_malloc", actual.get(PolicyFunctions.MALLOC).toString());
        fewer.setProperty("functions", "12");
        IllegalStateException count =
                assertThrows(IllegalStateException.class, () -> PolicyFunctions.load(CompiledPolicy.load(), fewer));
        assertTrue(count.getMessage().contains("written for one with 12"), count.getMessage());

        swapped.remove("opa_malloc");
        IllegalStateException missing =
                assertThrows(IllegalStateException.class, () -> PolicyFunctions.load(CompiledPolicy.load(), swapped));
        assertTrue(missing.getMessage().contains("no index for opa_malloc"), missing.getMessage());
    }

    @Test
    void eachConstructorIsTheCompiledMethodOfItsIndexAndType() throws Throwable {
        Map<PolicyFunctions, Integer> actual = PolicyFunctions.load(CompiledPolicy.load());
        assertEquals(
                java.util.Set.of(PolicyFunctions.values()),
                PolicyFunctions.handles(actual).keySet());

        // opa_string_allocated's method does not take opa_malloc's arguments: refused, by name, not called.
        IllegalStateException wrongType = assertThrows(
                IllegalStateException.class,
                () -> PolicyFunctions.handles(Map.of(PolicyFunctions.MALLOC, actual.get(PolicyFunctions.STRING))));
        assertTrue(
                wrongType.getMessage().contains("no method func_" + actual.get(PolicyFunctions.STRING)),
                wrongType.getMessage());
        assertTrue(wrongType.getMessage().contains("(opa_malloc)"), wrongType.getMessage());
    }
}
