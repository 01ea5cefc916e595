package dev.tailor.observe;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opening an input: a file or standard input ("-"), plain or gzip (told apart by its first bytes, not its name). */
public final class Inputs {
    private Inputs() {}

    /** How many bytes of the start of an input the format checks may look at. */
    static final int PEEK = 64 * 1024;

    public static InputStream open(String name) throws IOException {
        InputStream raw = name.equals("-") ? System.in : Files.newInputStream(Path.of(name));
        BufferedInputStream in = new BufferedInputStream(raw, 256 * 1024);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        if (b1 == 0x1f && b2 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(in, 64 * 1024), 256 * 1024);
        }
        return in;
    }

    /** The first line of a stream that supports mark/reset, without consuming it; "" for an empty stream. */
    public static String peekFirstLine(InputStream in) throws IOException {
        in.mark(PEEK);
        byte[] head = in.readNBytes(PEEK);
        in.reset();
        String text = new String(head, StandardCharsets.UTF_8);
        for (String line : text.split("\n", -1)) {
            if (!line.isBlank()) {
                return line.strip();
            }
        }
        return "";
    }
}
