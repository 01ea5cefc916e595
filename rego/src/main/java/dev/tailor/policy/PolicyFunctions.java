package dev.tailor.policy;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.NameCustomSection;
import com.dylibso.chicory.wasm.types.ValType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The functions of OPA's WebAssembly runtime that {@link WasmPolicy} calls although the module does not export them:
 * the value constructors ({@code opa_object}, {@code opa_string_allocated}, …) with which it builds an input in the
 * module's heap directly from a Jackson tree, instead of writing JSON for the module to parse again byte by byte
 * (a third of an evaluation's time when it was parsed).
 *
 * <p>A module's internal functions have indices, not names, once compiled. The rego build runs {@link #main} on the
 * module the OPA compiler wrote, which finds each by the name its name section gives it and writes the indices next
 * to the compiled classes ({@value #RESOURCE}); {@link #load} reads them back and checks the module's function count
 * and every function's type in the compiled module, so indices written for another module fail when the first
 * instance is made, by name, rather than calling the wrong function.
 */
public enum PolicyFunctions {
    MALLOC("opa_malloc", List.of(ValType.I32), ValType.I32),
    STRING("opa_string_allocated", List.of(ValType.I32, ValType.I32), ValType.I32),
    NUMBER("opa_number_ref_allocated", List.of(ValType.I32, ValType.I32), ValType.I32),
    BOOLEAN("opa_boolean", List.of(ValType.I32), ValType.I32),
    NULL("opa_null", List.of(), ValType.I32),
    OBJECT("opa_object", List.of(), ValType.I32),
    OBJECT_INSERT("opa_object_insert", List.of(ValType.I32, ValType.I32, ValType.I32), null),
    ARRAY("opa_array_with_cap", List.of(ValType.I32), ValType.I32),
    ARRAY_APPEND("opa_array_append", List.of(ValType.I32, ValType.I32), null);

    /** Where the build writes the indices, as a resource beside {@code CompiledPolicy}. */
    static final String RESOURCE = "CompiledPolicy.functions";
    /** The classes Chicory's compiler writes the module's functions into, numbered from 0. */
    private static final String FUNCTION_GROUPS = "dev.tailor.policy.CompiledPolicyMachineFuncGroup_";
    /** The key under which the build records how many functions the module has (imported ones included). */
    private static final String FUNCTION_COUNT = "functions";

    final String wasmName;
    private final List<ValType> params;
    private final ValType result;

    PolicyFunctions(String wasmName, List<ValType> params, ValType result) {
        this.wasmName = wasmName;
        this.params = params;
        this.result = result;
    }

    private FunctionType type() {
        return FunctionType.of(params, result == null ? List.of() : List.of(result));
    }

    /**
     * Each function's compiled method, found by index: Chicory's build-time compiler writes a module's function
     * {@code N} as {@code public static func_N(params…, Memory, Instance)} in one of the classes
     * {@code CompiledPolicyMachineFuncGroup_0, _1, …}. Called through these handles the few hundred constructor
     * calls that build an input allocate nothing; through the machine's generic {@code call(int, long[])} each boxed
     * its arguments and its result in arrays (most of the webhook's garbage) and went through a switch of every
     * function. A module compiled another way has no such method, and the first instance fails, by name.
     */
    static Map<PolicyFunctions, MethodHandle> handles(Map<PolicyFunctions, Integer> indices) {
        List<Class<?>> groups = new ArrayList<>();
        for (int group = 0; ; group++) {
            try {
                groups.add(Class.forName(FUNCTION_GROUPS + group, true, PolicyFunctions.class.getClassLoader()));
            } catch (ClassNotFoundException noMore) {
                break;
            }
        }
        Map<PolicyFunctions, MethodHandle> handles = new EnumMap<>(PolicyFunctions.class);
        indices.forEach((function, index) -> {
            MethodType type = function.methodType();
            for (Class<?> group : groups) {
                try {
                    handles.put(function, MethodHandles.lookup().findStatic(group, "func_" + index, type));
                    return;
                } catch (NoSuchMethodException notInThisGroup) {
                    // the next group
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("func_" + index + " of the compiled policy module", e);
                }
            }
            throw new IllegalStateException("the compiled policy module has no method func_" + index + type + " ("
                    + function.wasmName + ") in " + FUNCTION_GROUPS + "0…" + (groups.size() - 1)
                    + ": was it compiled by another version of Chicory's compiler?");
        });
        return handles;
    }

    private MethodType methodType() {
        List<Class<?>> parameters = new ArrayList<>();
        for (ValType param : params) {
            if (!param.equals(ValType.I32)) {
                throw new IllegalStateException(wasmName + " takes a " + param + ", not an i32");
            }
            parameters.add(int.class);
        }
        parameters.add(Memory.class);
        parameters.add(Instance.class);
        return MethodType.methodType(result == null ? void.class : int.class, parameters);
    }

    /** Each function's index in the compiled module, its type checked. */
    static Map<PolicyFunctions, Integer> load(WasmModule compiled) {
        Properties indices = new Properties();
        try (InputStream in = PolicyFunctions.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        RESOURCE + " is missing beside CompiledPolicy: the rego build writes it (PolicyFunctions)");
            }
            indices.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return load(compiled, indices);
    }

    /** Each function's index as {@code indices} gives it, its type checked against {@code compiled}. */
    static Map<PolicyFunctions, Integer> load(WasmModule compiled, Properties indices) {
        int imported = compiled.importSection().count(ExternalType.FUNCTION);
        int defined = compiled.functionSection().functionCount();
        if (!String.valueOf(imported + defined).equals(indices.getProperty(FUNCTION_COUNT))) {
            throw new IllegalStateException("the policy module has " + (imported + defined) + " functions, " + RESOURCE
                    + " was written for one with " + indices.getProperty(FUNCTION_COUNT));
        }
        Map<PolicyFunctions, Integer> found = new EnumMap<>(PolicyFunctions.class);
        for (PolicyFunctions function : values()) {
            String value = indices.getProperty(function.wasmName);
            if (value == null) {
                throw new IllegalStateException(RESOURCE + " has no index for " + function.wasmName);
            }
            int index = Integer.parseInt(value);
            FunctionType actual = index >= imported && index < imported + defined
                    ? compiled.functionSection().getFunctionType(index - imported, compiled.typeSection())
                    : null;
            if (actual == null || !actual.equals(function.type())) {
                throw new IllegalStateException("function " + index + " of the policy module is not "
                        + function.wasmName + " " + function.type() + " (it is " + actual + "): " + RESOURCE
                        + " was written for another module");
            }
            found.put(function, index);
        }
        return found;
    }

    /**
     * Run by the rego build: {@code PolicyFunctions MODULE.wasm OUT} writes each function's index, found by name in
     * the module's name section, to OUT (sorted by name, so the same module gives the same bytes).
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: PolicyFunctions MODULE.wasm OUT");
        }
        WasmModule module = Parser.parse(Path.of(args[0]));
        NameCustomSection names = module.nameSection();
        if (names == null) {
            throw new IllegalStateException(args[0] + " has no name section: its functions cannot be found by name");
        }
        int count = module.importSection().count(ExternalType.FUNCTION)
                + module.functionSection().functionCount();
        Map<String, Integer> indices = new java.util.TreeMap<>();
        for (int index = 0; index < count; index++) {
            String name = names.nameOfFunction(index);
            for (PolicyFunctions function : values()) {
                if (function.wasmName.equals(name) && indices.putIfAbsent(name, index) != null) {
                    throw new IllegalStateException(args[0] + " names two functions " + name);
                }
            }
        }
        StringBuilder out = new StringBuilder(
                "# written by the rego build (PolicyFunctions) from the policy module's name section\n");
        for (PolicyFunctions function : values()) {
            Integer index = indices.get(function.wasmName);
            if (index == null) {
                throw new IllegalStateException(args[0] + " has no function named " + function.wasmName);
            }
        }
        out.append(FUNCTION_COUNT).append('=').append(count).append('\n');
        indices.forEach(
                (name, index) -> out.append(name).append('=').append(index).append('\n'));
        Path target = Path.of(args[1]);
        Files.createDirectories(target.getParent());
        Files.writeString(target, out, StandardCharsets.ISO_8859_1);
    }
}
