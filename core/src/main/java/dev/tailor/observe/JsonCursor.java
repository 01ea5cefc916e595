package dev.tailor.observe;

import java.nio.charset.StandardCharsets;

/**
 * A strict JSON reader over the UTF-8 bytes of one line (or one request body), for the readers' hot paths: it walks
 * them once, hands out only the values a reader asks for and skips the rest — checking every byte it passes against
 * RFC 8259 as it goes, so a line it reads to the end is valid JSON, and one that is not is rejected with the byte
 * where it goes wrong.
 *
 * <p>Why not Jackson's streaming parser, which the readers used before: a Hubble flow is 1.4 KB of which Tailor
 * reads a tenth, and Jackson turns every name and value it skips into a token (its tokenizer was a third of a
 * flow's cost), with a parse method so big that the JIT took seconds to compile it on two cores. This walks a
 * string it skips eight bytes at a time and compares a field's name bytes against the few names a reader knows.
 * It accepts exactly what Jackson accepts with its defaults, and is stricter in two places: text after the value
 * (Jackson's streaming parser stops reading at the end of the value) and bytes that are not UTF-8 inside a string.
 * {@code JsonCursorTest} checks it against Jackson on mutations of real lines.
 *
 * <p>Use: {@link #reset} on a line, then {@link #beginObject} / {@link #nextField} / {@link #beginArray} /
 * {@link #nextElement} to walk the structure, a value method ({@link #string}, {@link #text}, {@link #integer},
 * {@link #bool}, {@link #skip}) on every value reached, and {@link #end} to check nothing follows. Not thread-safe:
 * one per reading thread.
 */
public final class JsonCursor {

    /** Deepest nesting accepted, as Jackson's default (StreamReadConstraints). */
    public static final int MAX_DEPTH = 1000;

    /** {@link #nextField} on a field whose name is not among those asked for. */
    public static final String OTHER = "";

    /** The input is not JSON: what is wrong, and at which byte of it (1-based: the column, in a line). */
    public static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private byte[] b;
    private int start;
    private int pos;
    private int end;
    private int depth;
    /** Just past a '{' or '[': the next field or element takes no comma before it. */
    private boolean opened;
    /** Where the string {@link #scanString} last passed starts and ends (its quotes excluded), and whether it
     *  holds an escape or a byte beyond ASCII (and so needs decoding). */
    private int stringFrom;

    private int stringTo;
    private boolean stringPlain;
    /** Short plain strings {@link #text} read ({@link JsonStrings.Interned}). */
    private final JsonStrings.Interned interned = new JsonStrings.Interned();

    /** The same for the name of the field {@link #nextField} moved to last. */
    private int nameFrom;

    private int nameTo;
    private boolean namePlain;

    /** Starts on the text {@code buffer[from, to)} (past a UTF-8 byte order mark, which Jackson skips too). */
    public JsonCursor reset(byte[] buffer, int from, int to) {
        b = buffer;
        start = from;
        pos = to - from >= 3
                        && buffer[from] == (byte) 0xEF
                        && buffer[from + 1] == (byte) 0xBB
                        && buffer[from + 2] == (byte) 0xBF
                ? from + 3
                : from;
        end = to;
        depth = 0;
        opened = false;
        return this;
    }

    /** Where the cursor is, as an index into the buffer. */
    public int position() {
        return pos;
    }

    /** The first byte of the next value ('{', '[', '"', a digit, '-', 't', 'f', 'n'), after whitespace; -1 at the end. */
    public int peek() {
        skipWhitespace();
        return pos < end ? b[pos] : -1;
    }

    /** Enters the object that is the next value; false (nothing read) when the next value is not an object. */
    public boolean beginObject() throws Malformed {
        if (peek() != '{') {
            return false;
        }
        enter();
        return true;
    }

    /** Enters the array that is the next value; false (nothing read) when the next value is not an array. */
    public boolean beginArray() throws Malformed {
        if (peek() != '[') {
            return false;
        }
        enter();
        return true;
    }

    private void enter() throws Malformed {
        if (++depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH);
        }
        pos++;
        opened = true;
    }

    /**
     * Moves to the next field of the object entered last: returns its name as {@code names} has it (the cursor then
     * on its value, which must be read or skipped), {@link #OTHER} for a name not there, or null when the object
     * ends (the cursor past its '}').
     */
    public String nextField(JsonNames names) throws Malformed {
        if (!nextMember('}')) {
            return null;
        }
        if (pos >= end || b[pos] != '"') {
            throw error(
                    pos >= end
                            ? "unexpected end of the input in an object"
                            : "expected a field name, found " + shown());
        }
        scanString();
        nameFrom = stringFrom;
        nameTo = stringTo;
        namePlain = stringPlain;
        String field = stringPlain ? names.find(b, stringFrom, stringTo - stringFrom) : names.find(decodeString());
        skipWhitespace();
        if (pos >= end || b[pos] != ':') {
            throw error(
                    pos >= end ? "unexpected end of the input after a field name" : "expected ':', found " + shown());
        }
        pos++;
        return field;
    }

    /** The name of the field {@link #nextField} moved to last. */
    public String name() {
        if (namePlain) {
            return new String(b, nameFrom, nameTo - nameFrom, StandardCharsets.ISO_8859_1);
        }
        return JsonStrings.decode(b, nameFrom, nameTo);
    }

    /** Moves to the next element of the array entered last: true (the cursor on it), or false past its ']'. */
    public boolean nextElement() throws Malformed {
        return nextMember(']');
    }

    /** Past the comma before the next member, or past the closing bracket (false). */
    private boolean nextMember(char close) throws Malformed {
        skipWhitespace();
        if (pos >= end) {
            throw error("unexpected end of the input in " + (close == '}' ? "an object" : "an array"));
        }
        byte c = b[pos];
        if (c == close) {
            pos++;
            depth--;
            opened = false;
            return false;
        }
        if (opened) {
            opened = false;
        } else if (c == ',') {
            pos++;
            skipWhitespace();
        } else {
            throw error("expected ',' or '" + close + "', found " + shown());
        }
        return true;
    }

    /** The next value if it is a string; null (the value skipped) otherwise. */
    public String string() throws Malformed {
        if (peek() != '"') {
            skip();
            return null;
        }
        scanString();
        return stringPlain
                ? new String(b, stringFrom, stringTo - stringFrom, StandardCharsets.ISO_8859_1)
                : decodeString();
    }

    /**
     * The next value's text if it is a string, number or boolean (a number as written); "" for null, an object or
     * an array (skipped). A short string comes back as the same String as the last time the same bytes were read
     * here: names, namespaces and addresses repeat from line to line, and one String for each saves making it
     * again and hashing it again wherever it is looked up.
     */
    public String text() throws Malformed {
        int c = peek();
        if (c == '"') {
            scanString();
            if (!stringPlain) {
                return decodeString();
            }
            return interned.of(b, stringFrom, stringTo);
        }
        if (c == '{' || c == '[' || c == 'n') {
            skip();
            return "";
        }
        int from = pos;
        skip();
        return new String(b, from, pos - from, StandardCharsets.ISO_8859_1);
    }

    /** The next value if it is an integer that fits a long; {@code otherwise} (the value skipped) if it is not. */
    public long integer(long otherwise) throws Malformed {
        int c = peek();
        if (c != '-' && (c < '0' || c > '9')) {
            skip();
            return otherwise;
        }
        int from = pos;
        boolean integral = scanNumber();
        if (!integral) {
            return otherwise;
        }
        int i = from;
        boolean negative = b[i] == '-';
        if (negative) {
            i++;
        }
        if (pos - i > 18) {
            try {
                return Long.parseLong(new String(b, from, pos - from, StandardCharsets.ISO_8859_1));
            } catch (NumberFormatException e) {
                return otherwise;
            }
        }
        long value = 0;
        for (; i < pos; i++) {
            value = value * 10 + (b[i] - '0');
        }
        return negative ? -value : value;
    }

    /** The next value if it is true or false; null (the value skipped) otherwise. */
    public Boolean bool() throws Malformed {
        int c = peek();
        if (c == 't' || c == 'f') {
            skip();
            return c == 't';
        }
        skip();
        return null;
    }

    /**
     * If the next value is exactly the bytes {@code raw} (a value read before, and so valid), passes it without
     * looking further and returns true; otherwise moves nothing and returns false.
     */
    public boolean skipIfSame(byte[] raw) {
        skipWhitespace();
        if (end - pos >= raw.length && java.util.Arrays.equals(raw, 0, raw.length, b, pos, pos + raw.length)) {
            pos += raw.length;
            return true;
        }
        return false;
    }

    /** Passes the next value, whatever it is, checking it. */
    public void skip() throws Malformed {
        skipWhitespace();
        if (pos >= end) {
            throw error("unexpected end of the input where a value should be");
        }
        switch (b[pos]) {
            case '"' -> scanString();
            case '{' -> {
                enter();
                while (nextField(JsonNames.NONE) != null) {
                    skip();
                }
            }
            case '[' -> {
                enter();
                while (nextElement()) {
                    skip();
                }
            }
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> {
                byte c = b[pos];
                if (c != '-' && (c < '0' || c > '9')) {
                    throw error("expected a value, found " + shown());
                }
                scanNumber();
            }
        }
    }

    /** Checks that only whitespace is left. */
    public void end() throws Malformed {
        skipWhitespace();
        if (pos < end) {
            throw error("unexpected " + shown() + " after the end of the value");
        }
    }

    private void literal(String word) throws Malformed {
        int n = word.length();
        for (int i = 0; i < n; i++) {
            if (pos + i >= end || b[pos + i] != word.charAt(i)) {
                throw error("expected a value, found " + shown());
            }
        }
        pos += n;
    }

    /** Passes a number (RFC 8259's grammar: no leading zeros, '+' or bare '.'); true when it has no fraction or
     *  exponent. */
    private boolean scanNumber() throws Malformed {
        int i = pos;
        if (b[i] == '-') {
            i++;
        }
        if (i >= end || b[i] < '0' || b[i] > '9') {
            pos = i;
            throw error("expected a digit, found " + shown());
        }
        if (b[i] == '0') {
            i++;
        } else {
            while (i < end && b[i] >= '0' && b[i] <= '9') {
                i++;
            }
        }
        boolean integral = true;
        if (i < end && b[i] == '.') {
            integral = false;
            i = digits(i + 1);
        }
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            integral = false;
            i++;
            if (i < end && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            i = digits(i);
        }
        pos = i; // what follows ("01", "1x") is for the caller to find out of place
        return integral;
    }

    /** Past one or more digits from {@code i}. */
    private int digits(int i) throws Malformed {
        int from = i;
        while (i < end && b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        if (i == from) {
            pos = i;
            throw error("expected a digit, found " + shown());
        }
        return i;
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long QUOTES = ONES * '"';
    private static final long BACKSLASHES = ONES * '\\';

    /**
     * Passes the string the cursor is on (its opening quote), checking its escapes, that it holds no control
     * character and that its bytes are UTF-8; sets {@link #stringFrom}, {@link #stringTo} and {@link #stringPlain}.
     * Eight bytes at a time while they are plain ASCII.
     */
    private void scanString() throws Malformed {
        int i = pos + 1;
        stringFrom = i;
        boolean plain = true;
        while (true) {
            while (i + 8 <= end) {
                long w = (long) LONGS.get(b, i);
                long q = w ^ QUOTES;
                long s = w ^ BACKSLASHES;
                // A byte that is '"', '\', below 0x20, or 0x80 and above.
                long special = ((q - ONES) & ~q | (s - ONES) & ~s | (w - ONES * 0x20) | w) & HIGHS;
                if (special != 0) {
                    i += Long.numberOfTrailingZeros(special) >>> 3;
                    break;
                }
                i += 8;
            }
            if (i >= end) {
                pos = end;
                throw error("unexpected end of the input in a string");
            }
            byte c = b[i];
            if (c == '"') {
                break;
            }
            if (c == '\\') {
                plain = false;
                i = escape(i);
            } else if (c < 0) {
                plain = false;
                i = utf8(i);
            } else if (c < 0x20) {
                pos = i;
                throw error(
                        "control character " + String.format("U+%04X", (int) c) + " in a string (it must be escaped)");
            } else {
                i++;
            }
        }
        stringTo = i;
        stringPlain = plain;
        pos = i + 1;
    }

    /** Past the escape at {@code i} ('\' and what follows). */
    private int escape(int i) throws Malformed {
        if (i + 1 >= end) {
            pos = end;
            throw error("unexpected end of the input in a string");
        }
        switch (b[i + 1]) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                return i + 2;
            }
            case 'u' -> {
                for (int k = i + 2; k < i + 6; k++) {
                    if (k >= end || Character.digit(b[k], 16) < 0) {
                        pos = Math.min(k, end);
                        throw error("bad \\u escape in a string");
                    }
                }
                return i + 6;
            }
            default -> {
                pos = i + 1;
                throw error("bad escape \\" + (char) (b[i + 1] & 0xff) + " in a string");
            }
        }
    }

    /** Past the UTF-8 sequence starting at {@code i} (its lead byte beyond ASCII), which must be well-formed. */
    private int utf8(int i) throws Malformed {
        int next = JsonStrings.pastUtf8(b, i, end);
        if (next < 0) {
            pos = i;
            throw error(String.format("byte 0x%02X in a string is not UTF-8", b[i] & 0xff));
        }
        return next;
    }

    /** The string {@link #scanString} passed last, escapes and UTF-8 decoded (it was checked then). */
    private String decodeString() {
        return JsonStrings.decode(b, stringFrom, stringTo);
    }

    private void skipWhitespace() {
        if (pos < end && (b[pos] & 0xff) > ' ') {
            return; // compact JSON, as the producers write it: small enough to be inlined wherever it is called
        }
        skipSpaces();
    }

    private void skipSpaces() {
        while (pos < end) {
            byte c = b[pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private String shown() {
        if (pos >= end) {
            return "the end of the input";
        }
        int c = b[pos] & 0xff;
        return c >= 0x20 && c < 0x7F ? "'" + (char) c + "'" : String.format("byte 0x%02X", c);
    }

    private Malformed error(String what) {
        return new Malformed(what + " (at byte " + (Math.min(pos, end) - start + 1) + ")");
    }
}
