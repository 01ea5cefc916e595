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

    /**
     * Opens an input and adds every byte read from it (compressed bytes, for gzip) to {@code bytesRead}. One that
     * cannot be opened or read throws an IOException whose message names it and says why ("x.log: no such file",
     * "/tmp: Is a directory").
     */
    public static InputStream open(String name, java.util.concurrent.atomic.AtomicLong bytesRead) throws IOException {
        try {
            return openStream(name, bytesRead);
        } catch (IOException e) {
            throw named(name, e);
        }
    }

    /** {@code e} as the failure to read {@code name}: its message names the input and the reason. */
    public static IOException named(String name, IOException e) {
        return new IOException((name.equals("-") ? "standard input" : name) + ": " + reason(e), e);
    }

    /** Why reading failed, without the file's name (which a file system exception's message starts with). */
    private static String reason(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        if (e instanceof java.io.EOFException) {
            return "it ends early" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private static InputStream openStream(String name, java.util.concurrent.atomic.AtomicLong bytesRead)
            throws IOException {
        InputStream file = name.equals("-") ? System.in : Files.newInputStream(Path.of(name));
        InputStream raw = new java.io.FilterInputStream(file) {
            @Override
            public int available() {
                return 0; // as OneReadAtATime: a read error loses nothing a read before it gave
            }

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
            return new BufferedInputStream(new OneReadAtATime(new GZIPInputStream(in, 64 * 1024)), 256 * 1024);
        }
        return in;
    }

    /**
     * Says no bytes are ready ({@link #available} is 0), so that a {@link BufferedInputStream} over it (or a reader)
     * hands back what one read gave instead of reading on to fill the caller's buffer: when a gzip file is cut off,
     * the read that finds the cut throws, and what the reads before it in the same call decompressed — up to a whole
     * buffer of lines — would be lost with it.
     */
    private static final class OneReadAtATime extends java.io.FilterInputStream {
        OneReadAtATime(InputStream in) {
            super(in);
        }

        @Override
        public int available() {
            return 0;
        }
    }

    /** A part of a file, bytes {@code [start, end)}, that starts where a line starts. */
    public record Part(long start, long end) {}

    /**
     * Splits a plain (not gzip) file into {@code n} parts of about equal size, each starting at a line's start, so
     * that each can be read on a thread of its own; a gzip file, or one smaller than {@code minPartBytes} per
     * part, stays one part, and standard input (or a pipe) has none: it can only be read as a stream.
     */
    public static java.util.List<Part> split(String name, int n, long minPartBytes) throws IOException {
        if (name.equals("-") || !Files.isRegularFile(Path.of(name))) {
            return java.util.List.of();
        }
        try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(Path.of(name))) {
            long size = file.size();
            java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(2);
            file.read(head, 0);
            if (head.position() == 2 && (head.get(0) & 0xff) == 0x1f && (head.get(1) & 0xff) == 0x8b) {
                return java.util.List.of(new Part(0, size));
            }
            int parts = (int) Math.max(1, Math.min(n, size / Math.max(1, minPartBytes)));
            java.util.List<Part> out = new java.util.ArrayList<>();
            long start = 0;
            for (int k = 1; k < parts; k++) {
                long end = lineStartAtOrAfter(file, Math.max(start, size * k / parts), size);
                if (end > start && end < size) {
                    out.add(new Part(start, end));
                    start = end;
                }
            }
            out.add(new Part(start, size));
            return out;
        }
    }

    /** The first position at or after {@code from} where a line starts (just after a newline), or {@code size}. */
    private static long lineStartAtOrAfter(java.nio.channels.FileChannel file, long from, long size)
            throws IOException {
        if (from == 0) {
            return 0;
        }
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(64 * 1024);
        long pos = from - 1; // a line starts at "from" when the byte before it is a newline
        while (pos < size) {
            buf.clear();
            int read = file.read(buf, pos);
            if (read <= 0) {
                break;
            }
            int nl = indexOf(buf.array(), (byte) '\n', 0, read);
            if (nl >= 0) {
                return pos + nl + 1;
            }
            pos += read;
        }
        return size;
    }

    /** Opens a part of a plain file, counting the bytes read into {@code bytesRead}. */
    public static InputStream open(String name, Part part, java.util.concurrent.atomic.AtomicLong bytesRead)
            throws IOException {
        java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(Path.of(name));
        file.position(part.start());
        InputStream whole = java.nio.channels.Channels.newInputStream(file);
        InputStream bounded = new java.io.FilterInputStream(whole) {
            private long left = part.end() - part.start();

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = super.read(buffer, offset, (int) Math.min(length, left));
                if (n > 0) {
                    left -= n;
                    bytesRead.addAndGet(n);
                }
                return n;
            }
        };
        return new BufferedInputStream(bounded, 256 * 1024);
    }

    /** The first line of a stream that supports mark/reset, without consuming it; "" for an empty stream. */
    public static String peekFirstLine(InputStream in) throws IOException {
        return peekFirstLine(in, PEEK, null);
    }

    /**
     * The first non-blank line within the first {@code bytes} of a stream that supports mark/reset, skipping lines
     * that start with {@code commentPrefix} (when not null), without consuming anything; "" when there is none.
     */
    public static String peekFirstLine(InputStream in, int bytes, String commentPrefix) throws IOException {
        in.mark(bytes);
        byte[] head = new byte[Math.min(bytes, 64 * 1024)];
        int n = 0;
        try {
            for (int r; n < bytes && (r = in.read(head, n, head.length - n)) >= 0; ) {
                n += r;
                if (n == head.length && n < bytes) {
                    head = java.util.Arrays.copyOf(head, (int) Math.min(bytes, 2L * head.length));
                }
            }
        } catch (IOException e) {
            if (n == 0) {
                throw e;
            }
            // A gzip file cut off within its first bytes: the format is told by what came before the cut, and the
            // reading that follows reports the cut at its line.
        }
        in.reset();
        String text = new String(head, 0, n, StandardCharsets.UTF_8);
        for (String line : text.split("\n", -1)) {
            if (!line.isBlank() && (commentPrefix == null || !line.startsWith(commentPrefix))) {
                return line.strip();
            }
        }
        return "";
    }

    /** A line as an error message shows it: its first 80 characters. */
    public static String shown(String line) {
        return line.length() > 80 ? line.substring(0, 80) + "…" : line;
    }

    /** What a reader does with one line of its input. */
    @FunctionalInterface
    public interface LineHandler {
        void line(long number, String line) throws IOException;
    }

    /** What a reader does with one line of its input, as the bytes of {@code buffer[offset, offset + length)}. */
    @FunctionalInterface
    public interface ByteLineHandler {
        void line(long number, byte[] buffer, int offset, int length) throws IOException;
    }

    /** What a reader does with a line longer than it holds in memory: reads it as a stream, as far as it likes. */
    @FunctionalInterface
    public interface LongLineHandler {
        /** {@code line} ends at the line's end; what the handler leaves unread of it is skipped. */
        void line(long number, InputStream line) throws IOException;
    }

    /**
     * Reads an input line by line as bytes (no decoding, no String per line: the JSON readers parse UTF-8 bytes
     * directly), skipping blank lines; a line longer than {@code maxBytes} is reported as "line too long" and
     * skipped. A line's bytes are valid only during the call. Returns how many lines there were.
     */
    public static long forEachLine(
            String name, InputStream in, int maxBytes, Problems problems, ByteLineHandler handler) throws IOException {
        return forEachLine(name, in, maxBytes, problems, handler, null);
    }

    /**
     * As {@link #forEachLine(String, InputStream, int, Problems, ByteLineHandler)}, but a line longer than {@code
     * maxBytes} goes to {@code longLines} as a stream (when it is not null) instead of being reported: never more than
     * {@code maxBytes} of it held here.
     */
    public static long forEachLine(
            String name,
            InputStream in,
            int maxBytes,
            Problems problems,
            ByteLineHandler handler,
            LongLineHandler longLines)
            throws IOException {
        byte[] buf = new byte[Math.min(maxBytes + 1, 1 << 20)];
        int start = 0;
        int end = 0;
        long lines = 0;
        boolean skipping = false; // inside a line already reported as too long
        while (true) {
            int n;
            try {
                n = in.read(buf, end, buf.length - end);
            } catch (IOException e) {
                cutShort(name, lines + 1, e, problems);
                return lines;
            }
            boolean eof = n < 0;
            if (!eof) {
                end += n;
            }
            int scan = start;
            while (true) {
                int nl = indexOf(buf, (byte) '\n', scan, end);
                if (nl < 0) {
                    break;
                }
                if (skipping) {
                    skipping = false;
                } else {
                    lines++;
                    line(name, lines, buf, start, nl, maxBytes, problems, handler);
                }
                start = nl + 1;
                scan = start;
            }
            if (eof) {
                if (start < end && !skipping) {
                    lines++;
                    line(name, lines, buf, start, end, maxBytes, problems, handler);
                }
                return lines;
            }
            if (start == 0 && end == buf.length) {
                if (buf.length > maxBytes && longLines != null && !skipping) {
                    lines++;
                    LongLine line = new LongLine(buf, end, in);
                    try {
                        longLines.line(lines, line);
                        line.skipRest();
                    } catch (IOException e) {
                        if (!line.failedReading()) {
                            throw e;
                        }
                        cutShort(name, lines, e, problems);
                        return lines;
                    }
                    if (line.atEnd()) {
                        return lines;
                    }
                    end = line.leftOver(buf); // what followed the line's newline, now at the buffer's start
                } else if (buf.length > maxBytes) {
                    // No newline within maxBytes: report the line and drop what is buffered of it.
                    if (!skipping) {
                        lines++;
                        problems.add(name, lines, "line too long", "line longer than " + maxBytes + " characters");
                    }
                    skipping = true;
                    end = 0;
                } else {
                    buf = java.util.Arrays.copyOf(buf, Math.min(buf.length * 2, maxBytes + 1));
                }
            } else if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            }
        }
    }

    /**
     * The rest of a line too long to hold: the bytes already buffered, then the input's up to the next newline (not
     * included). What the input gave beyond the newline is kept for the line reader to go on with.
     */
    private static final class LongLine extends InputStream {
        private final InputStream in;
        private byte[] chunk;
        private int at;
        private int until;
        private boolean ended; // the line's newline (or the input's end) has been reached
        private boolean inputEnded;
        private boolean failed;

        LongLine(byte[] buffered, int length, InputStream in) {
            this.in = in;
            this.chunk = java.util.Arrays.copyOf(buffered, Math.max(length, 64 * 1024));
            this.until = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (ended) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            while (at == until) {
                fill();
                if (ended) {
                    return -1;
                }
            }
            int available = until - at;
            int nl = indexOf(chunk, (byte) '\n', at, until);
            if (nl == at) {
                ended = true;
                at++; // the newline is the line's end, not its content
                return -1;
            }
            int n = Math.min(len, nl < 0 ? available : nl - at);
            System.arraycopy(chunk, at, b, off, n);
            at += n;
            return n;
        }

        private void fill() throws IOException {
            int n;
            try {
                n = in.read(chunk, 0, chunk.length);
            } catch (IOException e) {
                failed = true;
                throw e;
            }
            if (n < 0) {
                ended = true;
                inputEnded = true;
                at = until = 0;
                return;
            }
            at = 0;
            until = n;
        }

        /** Reads to the line's end, dropping what the handler left. */
        void skipRest() throws IOException {
            byte[] drop = new byte[64 * 1024];
            while (read(drop, 0, drop.length) >= 0) {
                // dropped
            }
        }

        boolean failedReading() {
            return failed;
        }

        /** Whether the input ended with the line. */
        boolean atEnd() {
            return inputEnded && at == until;
        }

        /** Copies what the input gave after the newline to the start of {@code buf}; returns how many bytes. */
        int leftOver(byte[] buf) {
            int n = until - at;
            System.arraycopy(chunk, at, buf, 0, n);
            return n;
        }
    }

    /** What cannot be read of an input ends it: the lines read before stay read, the run goes on with the next. */
    static final String CUT_SHORT = "input cut short";

    /**
     * An input that cannot be read on at line {@code number} — a gzip file cut off (a log copied while it was
     * written, a partial download) or corrupt, a read error — is reported there; what was read of it before stays
     * read, and the run goes on with the next input.
     */
    private static void cutShort(String name, long number, IOException e, Problems problems) {
        String why = e instanceof java.io.EOFException ? reason(e) : "it cannot be read on (" + reason(e) + ")";
        problems.add(name, number, CUT_SHORT, why + ": this line and any after it are lost");
    }

    private static void line(
            String name,
            long number,
            byte[] buf,
            int from,
            int to,
            int maxBytes,
            Problems problems,
            ByteLineHandler handler)
            throws IOException {
        int end = to > from && buf[to - 1] == '\r' ? to - 1 : to;
        if (end - from > maxBytes) {
            problems.add(name, number, "line too long", "line longer than " + maxBytes + " characters");
            return;
        }
        for (int i = from; i < end; i++) {
            byte b = buf[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                handler.line(number, buf, from, end - from);
                return;
            }
        }
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /**
     * The first {@code b} in {@code buf[from, to)}, or -1; eight bytes at a time (the classic "has zero byte" test
     * on the word XORed with the byte repeated), since a byte-by-byte scan for newlines took a tenth of reading.
     */
    static int indexOf(byte[] buf, byte b, int from, int to) {
        long pattern = ONES * (b & 0xff);
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long word = (long) LONGS.get(buf, i) ^ pattern;
            long found = (word - ONES) & ~word & HIGHS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Reads an input line by line (UTF-8), skipping blank lines; a line longer than {@code maxBytes} is reported to
     * {@code problems} as "line too long" and skipped, never held whole. Returns how many lines there were.
     */
    public static long forEachLine(String name, InputStream in, int maxBytes, Problems problems, LineHandler handler)
            throws IOException {
        return forEachLine(
                name,
                in,
                maxBytes,
                problems,
                (number, buffer, offset, length) ->
                        handler.line(number, new String(buffer, offset, length, StandardCharsets.UTF_8)));
    }
}
