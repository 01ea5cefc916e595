package dev.tailor.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.tailor.testing.RepositoryPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The cursor must accept exactly the lines Jackson accepts (with its defaults, and text after the value refused),
 * and read the same values from them: checked on hand-picked cases, and on tens of thousands of mutations of the
 * real Hubble and audit lines in test-fixtures/third_party.
 */
class JsonCursorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectReader STRICT = JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Walks a whole line through the cursor's public API (every value read as a reader would, or skipped). */
    private static JsonNode walk(String line, boolean skipAll) throws JsonCursor.Malformed {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        JsonCursor c = new JsonCursor().reset(bytes, 0, bytes.length);
        JsonNode node;
        if (skipAll) {
            c.skip();
            node = null;
        } else {
            node = value(c);
        }
        c.end();
        return node;
    }

    private static JsonNode value(JsonCursor c) throws JsonCursor.Malformed {
        int first = c.peek();
        if (c.beginObject()) {
            var object = JSON.createObjectNode();
            while (c.nextField(JsonNames.NONE) != null) {
                String name = c.name();
                object.set(name, value(c));
            }
            return object;
        }
        if (c.beginArray()) {
            var array = JSON.createArrayNode();
            while (c.nextElement()) {
                array.add(value(c));
            }
            return array;
        }
        if (first == 'n') {
            c.skip();
            return JSON.nullNode();
        }
        if (first == 't' || first == 'f') {
            return JSON.getNodeFactory().booleanNode(c.bool());
        }
        if (first == '"') {
            return JSON.getNodeFactory().textNode(c.text());
        }
        String number = c.text(); // validated by the cursor; compared as Jackson reads the same text
        try {
            return JSON.readTree(number);
        } catch (JsonProcessingException e) {
            throw new AssertionError("the cursor took " + number + " for a number", e);
        }
    }

    private static JsonNode jackson(String line) {
        try {
            JsonNode node = STRICT.readTree(line);
            return node == null || node.isMissingNode() ? null : node; // "" is no JSON text
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean cursorAccepts(String line, boolean skipAll) {
        try {
            walk(line, skipAll);
            return true;
        } catch (JsonCursor.Malformed e) {
            return false;
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{}",
                "[]",
                " { } ",
                "{\"a\":1}",
                "{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}",
                "[true,false,null]",
                "\"x\"",
                "0",
                "-0",
                "-12.5e+3",
                "1E9",
                "[0.5,1e-2]",
                "{\"\\u00e9\\n\\\"\":\"\\ud83d\\ude00\"}",
                "[\"é\",\"日本\",\"😀\"]",
                "{\"a\":1,\"a\":2}",
                "\t[1 , 2 ]\r",
                // rejected by both
                "",
                "{",
                "}",
                "[1,]",
                "[,1]",
                "{\"a\":1,}",
                "{,\"a\":1}",
                "{\"a\" 1}",
                "{\"a\":}",
                "{a:1}",
                "{'a':1}",
                "[01]",
                "[1.]",
                "[.5]",
                "[1e]",
                "[-]",
                "[+1]",
                "[1x]",
                "[truex]",
                "[nul]",
                "[NaN]",
                "[\"a\"\"b\"]",
                "{\"a\":1}}",
                "{\"a\":1} x",
                "[1][2]",
                "[\"\\x\"]",
                "[\"\\u12g4\"]",
                "[\"\\u12\"]",
                "[\"a]",
                "[\"a\\\"]",
                "[\"tab\there\"]",
                "[1]/*c*/",
                "// comment",
                "[1,\u000b2]",
                "{\"a\":1 \"b\":2}",
                "[1 2]"
            })
    void acceptsWhatJacksonAcceptsAndReadsTheSame(String line) throws Exception {
        JsonNode expected = jackson(line);
        assertEquals(expected != null, cursorAccepts(line, true), "skipping " + line);
        assertEquals(expected != null, cursorAccepts(line, false), "reading " + line);
        if (expected != null) {
            assertEquals(expected, walk(line, false), line);
        }
    }

    @Test
    void everyMutationOfTheRealLinesIsAcceptedOrRejectedAsJacksonDoes() throws Exception {
        List<String> lines = new ArrayList<>();
        Path fixtures = RepositoryPaths.fixtures().resolve("third_party");
        try (Stream<Path> files = Files.list(fixtures.resolve("hubble-flows/cilium-hubble-otel/testdata"))) {
            for (Path f : files.sorted().toList()) {
                Files.readAllLines(f).stream()
                        .filter(l -> l.startsWith("{"))
                        .limit(40)
                        .forEach(lines::add);
            }
        }
        Files.readAllLines(fixtures.resolve("audit-audit2rbac/testdata/demo.log")).stream()
                .filter(l -> l.startsWith("{"))
                .limit(100)
                .forEach(lines::add);
        // Bytes that change a JSON text's meaning, and some that never belong in one.
        String alphabet = "{}[],:\"\\ \t0123456789-+.eEtrufalsn/xu'\u0001";
        Random random = new Random(20261126);
        int mutations = 0;
        int rejected = 0;
        for (String line : lines) {
            assertEquals(jackson(line), walk(line, false), "the real line itself");
            for (int i = 0; i < 60; i++) {
                String once = Mutations.edit(line, alphabet, random, true);
                String mutated =
                        random.nextBoolean() && !once.isEmpty() ? Mutations.edit(once, alphabet, random, true) : once;
                JsonNode expected = jackson(mutated);
                boolean skipped = cursorAccepts(mutated, true);
                assertEquals(expected != null, skipped, () -> "skipping: " + mutated);
                assertEquals(expected != null, cursorAccepts(mutated, false), () -> "reading: " + mutated);
                if (expected != null) {
                    assertEquals(expected, walk(mutated, false), mutated);
                } else {
                    rejected++;
                }
                mutations++;
            }
        }
        System.out.printf(
                "JsonCursor against Jackson: %d mutations of %d real lines, %d rejected by both, %d accepted by both%n",
                mutations, lines.size(), rejected, mutations - rejected);
        assertTrue(rejected > mutations / 3 && rejected < mutations, rejected + " of " + mutations + " rejected");
    }

    @Test
    void stringsComeBackAsJacksonWroteThem() throws Exception {
        Random random = new Random(3);
        for (int i = 0; i < 2000; i++) {
            StringBuilder s = new StringBuilder();
            for (int n = random.nextInt(40); n > 0; n--) {
                int kind = random.nextInt(4);
                s.appendCodePoint(
                        kind == 0
                                ? random.nextInt(0x80)
                                : kind == 1
                                        ? 0x80 + random.nextInt(0x780)
                                        : kind == 2
                                                ? 0xE000 + random.nextInt(0x2000)
                                                : 0x10000 + random.nextInt(0x100000));
            }
            String text = s.toString();
            String line = JSON.writeValueAsString(List.of(text, text));
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            JsonCursor c = new JsonCursor().reset(bytes, 0, bytes.length);
            assertTrue(c.beginArray());
            assertTrue(c.nextElement());
            assertEquals(text, c.text(), line);
            assertTrue(c.nextElement());
            assertEquals(text, c.string(), line);
            assertFalse(c.nextElement());
            c.end();
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "C3 28",
                "C0 AF",
                "C1 BF",
                "E0 80 AF",
                "ED A0 80",
                "F4 90 80 80",
                "F8 88 80 80 80",
                "80",
                "E2 82",
                "FF"
            })
    void bytesThatAreNotUtf8AreRejectedInAString(String hex) {
        byte[] bad = java.util.HexFormat.ofDelimiter(" ").parseHex(hex);
        byte[] line = new byte[bad.length + 4];
        line[0] = '[';
        line[1] = '"';
        System.arraycopy(bad, 0, line, 2, bad.length);
        line[bad.length + 2] = '"';
        line[bad.length + 3] = ']';
        JsonCursor.Malformed e = assertThrows(
                JsonCursor.Malformed.class,
                () -> new JsonCursor().reset(line, 0, line.length).skip());
        assertTrue(e.getMessage().contains("is not UTF-8 (at byte 3)"), e.getMessage());
    }

    @Test
    void nestingIsLimitedAsJacksonLimitsIt() throws Exception {
        String ok = "[".repeat(JsonCursor.MAX_DEPTH) + "]".repeat(JsonCursor.MAX_DEPTH);
        String deep = "[".repeat(JsonCursor.MAX_DEPTH + 1) + "]".repeat(JsonCursor.MAX_DEPTH + 1);
        assertTrue(jackson(ok) != null && cursorAccepts(ok, true) && cursorAccepts(ok, false));
        assertTrue(jackson(deep) == null);
        JsonCursor.Malformed e = assertThrows(JsonCursor.Malformed.class, () -> walk(deep, true));
        assertEquals("nested deeper than 1000 (at byte 1001)", e.getMessage());
    }

    @Test
    void integersBooleansAndStringsAreReadOnlyFromValuesOfTheirKind() throws Exception {
        byte[] line = "[42,-7,9223372036854775807,9223372036854775808,1.5,\"3\",true,null,{\"a\":[1]},\"x\"]"
                .getBytes(StandardCharsets.UTF_8);
        JsonCursor c = new JsonCursor().reset(line, 0, line.length);
        c.beginArray();
        List<Long> read = new ArrayList<>();
        while (c.nextElement()) {
            read.add(c.integer(-1));
        }
        c.end();
        assertEquals(List.of(42L, -7L, Long.MAX_VALUE, -1L, -1L, -1L, -1L, -1L, -1L, -1L), read);

        c.reset(line, 0, line.length).beginArray();
        c.nextElement();
        assertNull(c.bool());
        c.nextElement();
        assertNull(c.string());
        c.nextElement();
        assertEquals("9223372036854775807", c.text());
    }

    @Test
    void theSameShortStringIsOneString() throws Exception {
        byte[] line = "[\"checkout\",\"cart\",\"checkout\"]".getBytes(StandardCharsets.UTF_8);
        JsonCursor c = new JsonCursor().reset(line, 0, line.length);
        c.beginArray();
        c.nextElement();
        String first = c.text();
        c.nextElement();
        c.skip();
        c.nextElement();
        assertSame(first, c.text());
        assertEquals("checkout", first);
    }

    @Test
    void aValueReadBeforeIsPassedWhenTheBytesAreTheSame() throws Exception {
        byte[] line = "{\"labels\":[\"k8s:app=cart\"],\"n\":1}".getBytes(StandardCharsets.UTF_8);
        JsonCursor c = new JsonCursor().reset(line, 0, line.length);
        JsonNames names = JsonNames.of("labels", "n");
        c.beginObject();
        assertSame("labels", c.nextField(names));
        assertFalse(c.skipIfSame("[\"k8s:app=checkout\"]".getBytes(StandardCharsets.UTF_8)));
        assertTrue(c.skipIfSame("[\"k8s:app=cart\"]".getBytes(StandardCharsets.UTF_8)));
        assertSame("n", c.nextField(names));
        assertEquals(1, c.integer(-1));
        assertNull(c.nextField(names));
        c.end();
    }

    @Test
    void whereALineGoesWrongIsSaid() {
        byte[] line = "{\"flow\":{\"time\":\"2026\" \"verdict\":1}}".getBytes(StandardCharsets.UTF_8);
        JsonCursor.Malformed e = assertThrows(
                JsonCursor.Malformed.class,
                () -> new JsonCursor().reset(line, 0, line.length).skip());
        assertEquals("expected ',' or '}', found '\"' (at byte 24)", e.getMessage());
    }
}
