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
        return open(name, new java.util.concurrent.atomic.AtomicLong());
    }

    /** Opens an input and adds every byte read from it (compressed bytes, for gzip) to {@code bytesRead}. */
    public static InputStream open(String name, java.util.concurrent.atomic.AtomicLong bytesRead) throws IOException {
        InputStream file = name.equals("-") ? System.in : Files.newInputStream(Path.of(name));
        InputStream raw = new java.io.FilterInputStream(file) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    bytesRead.incrementAndGet();
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    bytesRead.addAndGet(n);
                }
                return n;
            }
        };
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
