package dev.tailor.observe;

import java.nio.charset.StandardCharsets;

/** Strings as the JSON readers meet them: the decoding of an escaped string, the peek at a file's first line. */
public final class JsonStrings {
    private JsonStrings() {}

    /** The checked string {@code b[from, to)}, escapes and UTF-8 decoded. */
    static String decode(byte[] b, int from, int to) {
        StringBuilder s = new StringBuilder(to - from);
        int i = from;
        while (i < to) {
            int c = b[i] & 0xff;
            if (c == '\\') {
                char e = (char) b[i + 1];
                switch (e) {
                    case 'b' -> s.append('\b');
                    case 'f' -> s.append('\f');
                    case 'n' -> s.append('\n');
                    case 'r' -> s.append('\r');
                    case 't' -> s.append('\t');
                    case 'u' ->
                        s.append((char) Integer.parseInt(new String(b, i + 2, 4, StandardCharsets.ISO_8859_1), 16));
                    default -> s.append(e); // " \ /
                }
                i += e == 'u' ? 6 : 2;
            } else if (c < 0x80) {
                s.append((char) c);
                i++;
            } else {
                int n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
                int cp = c & (0x3F >> n);
                for (int k = 1; k <= n; k++) {
                    cp = cp << 6 | (b[i + k] & 0x3F);
                }
                s.appendCodePoint(cp);
                i += n + 1;
            }
        }
        return s.toString();
    }

    /** Reads a value the cursor is on, passing all of it. */
    @FunctionalInterface
    public interface ValueReader<T> {
        T read(JsonCursor cursor) throws JsonCursor.Malformed;
    }

    /**
     * What {@code read} makes of the value of the top-level field {@code name} of the JSON object that {@code text}
     * starts with (its last value, if the name comes twice, as Jackson's tree has it); {@code otherwise} when the text
     * is no object, has no such field, or is not JSON up to the object's end. For a file's first line, to tell its
     * format.
     */
    public static <T> T topLevelField(String text, String name, ValueReader<T> read, T otherwise) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        JsonCursor cursor = new JsonCursor().reset(bytes, 0, bytes.length);
        JsonNames names = JsonNames.of(name);
        T value = otherwise;
        try {
            if (!cursor.beginObject()) {
                return otherwise;
            }
            for (String field; (field = cursor.nextField(names)) != null; ) {
                if (field == name) {
                    value = read.read(cursor);
                } else {
                    cursor.skip();
                }
            }
            return value;
        } catch (JsonCursor.Malformed e) {
            return otherwise;
        }
    }

    /**
     * Past the UTF-8 sequence at {@code b[i]} (its lead byte beyond ASCII), or -1 when it is not well-formed: no
     * overlong form, no surrogate, nothing beyond U+10FFFF, not cut by {@code end}.
     */
    static int pastUtf8(byte[] b, int i, int end) {
        int lead = b[i] & 0xff;
        int n;
        int min = 0x80;
        int max = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            n = 1;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            n = 2;
            min = lead == 0xE0 ? 0xA0 : 0x80; // no overlong forms
            max = lead == 0xED ? 0x9F : 0xBF; // no surrogates
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            n = 3;
            min = lead == 0xF0 ? 0x90 : 0x80;
            max = lead == 0xF4 ? 0x8F : 0xBF; // nothing beyond U+10FFFF
        } else {
            return -1;
        }
        for (int k = 1; k <= n; k++) {
            int c = i + k < end ? b[i + k] & 0xff : -1;
            if (c < (k == 1 ? min : 0x80) || c > (k == 1 ? max : 0xBF)) {
                return -1;
            }
        }
        return i + n + 1;
    }

    /**
     * Short plain strings as the same String as the last time the same bytes were read: names, namespaces and
     * addresses repeat from line to line, and one String for each saves making it again and hashing it again
     * wherever it is looked up. One slot per hash of {@value #SLOTS}; not thread-safe (one per cursor).
     */
    static final class Interned {
        private static final int SLOTS = 1024;
        /** Longer strings are made anew each time. */
        private static final int MAX_BYTES = 64;

        private final byte[][] bytes = new byte[SLOTS][];
        private final String[] strings = new String[SLOTS];

        /** The plain (ASCII, unescaped) string {@code b[from, to)}. */
        String of(byte[] b, int from, int to) {
            int length = to - from;
            if (length > MAX_BYTES) {
                return new String(b, from, length, StandardCharsets.ISO_8859_1);
            }
            int h = length;
            for (int i = from; i < to; i++) {
                h = 31 * h + b[i];
            }
            int slot = (h ^ h >>> 16) & (SLOTS - 1);
            byte[] known = bytes[slot];
            if (known != null && java.util.Arrays.equals(known, 0, known.length, b, from, to)) {
                return strings[slot];
            }
            String text = new String(b, from, length, StandardCharsets.ISO_8859_1);
            bytes[slot] = java.util.Arrays.copyOfRange(b, from, to);
            strings[slot] = text;
            return text;
        }
    }
}
