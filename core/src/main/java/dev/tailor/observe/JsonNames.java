package dev.tailor.observe;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The field names a reader looks for; {@link JsonCursor#nextField} gives back the very String given here, to switch on. */
public final class JsonNames {
    /** No names: a reader that wants a field's name itself ({@link JsonCursor#name}), or none. */
    public static final JsonNames NONE = new JsonNames();

    private final String[] strings;
    /** The names' bytes and Strings by their length in bytes: a name is compared only with those as long. */
    private final byte[][][] bytesByLength;

    private final String[][] stringsByLength;

    private JsonNames(String... names) {
        this.strings = names.clone();
        byte[][] bytes = new byte[names.length][];
        int longest = 0;
        for (int i = 0; i < names.length; i++) {
            bytes[i] = names[i].getBytes(StandardCharsets.UTF_8);
            longest = Math.max(longest, bytes[i].length);
        }
        bytesByLength = new byte[longest + 1][][];
        stringsByLength = new String[longest + 1][];
        for (int length = 0; length <= longest; length++) {
            List<Integer> same = new ArrayList<>();
            for (int i = 0; i < names.length; i++) {
                if (bytes[i].length == length) {
                    same.add(i);
                }
            }
            bytesByLength[length] = same.stream().map(i -> bytes[i]).toArray(byte[][]::new);
            stringsByLength[length] = same.stream().map(i -> names[i]).toArray(String[]::new);
        }
    }

    public static JsonNames of(String... names) {
        return new JsonNames(names);
    }

    String find(byte[] b, int from, int length) {
        if (length >= bytesByLength.length) {
            return JsonCursor.OTHER;
        }
        byte[][] candidates = bytesByLength[length];
        for (int i = 0; i < candidates.length; i++) {
            byte[] name = candidates[i];
            int k = 0;
            while (k < length && name[k] == b[from + k]) {
                k++;
            }
            if (k == length) {
                return stringsByLength[length][i];
            }
        }
        return JsonCursor.OTHER;
    }

    String find(String name) {
        for (String known : strings) {
            if (known.equals(name)) {
                return known;
            }
        }
        return JsonCursor.OTHER;
    }
}
