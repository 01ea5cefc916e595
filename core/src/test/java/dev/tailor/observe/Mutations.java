package dev.tailor.observe;

import java.util.Random;

/** Seeded edits of real lines, for the tests that hold the readers to what Jackson makes of the same text. */
public final class Mutations {
    private Mutations() {}

    /**
     * One edit of {@code line}: a character deleted, inserted or replaced by one of {@code alphabet} — or, when
     * {@code cut}, the line cut short there.
     */
    public static String edit(String line, String alphabet, Random random, boolean cut) {
        StringBuilder m = new StringBuilder(line);
        int at = random.nextInt(m.length());
        char c = alphabet.charAt(random.nextInt(alphabet.length()));
        switch (random.nextInt(cut ? 4 : 3)) {
            case 0 -> m.deleteCharAt(at);
            case 1 -> m.insert(at, c);
            case 2 -> m.setCharAt(at, c);
            default -> m.setLength(at);
        }
        return m.toString();
    }
}
