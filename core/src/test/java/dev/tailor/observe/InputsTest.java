package dev.tailor.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InputsTest {

    @Test
    void wordAtATimeSearchFindsWhatAByteScanFinds() {
        Random random = new Random(3);
        for (int round = 0; round < 20_000; round++) {
            byte[] buf = new byte[random.nextInt(40)];
            for (int i = 0; i < buf.length; i++) {
                // Mostly bytes next to '\n' (0x0a) and with the high bit set: where a carry or borrow would err.
                buf[i] = (byte)
                        (random.nextInt(4) == 0
                                ? '\n'
                                : random.nextBoolean() ? 0x0b + random.nextInt(3) - 2 : 0x80 | random.nextInt(128));
            }
            int from = buf.length == 0 ? 0 : random.nextInt(buf.length);
            int to = from + (buf.length == from ? 0 : random.nextInt(buf.length - from + 1));
            int expected = -1;
            for (int i = from; i < to; i++) {
                if (buf[i] == '\n') {
                    expected = i;
                    break;
                }
            }
            assertEquals(expected, Inputs.indexOf(buf, (byte) '\n', from, to));
        }
    }

    @Test
    void linesAreNumberedAcrossBlankAndOverlongLines() throws Exception {
        String text = "a\r\n\n  \nbb\n" + "x".repeat(50) + "\nlast";
        List<String> seen = new ArrayList<>();
        Problems problems = new Problems();
        long lines = Inputs.forEachLine(
                "f",
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                20,
                problems,
                (number, buffer, offset, length) ->
                        seen.add(number + ":" + new String(buffer, offset, length, StandardCharsets.UTF_8)));
        assertEquals(6, lines);
        assertEquals(List.of("1:a", "4:bb", "6:last"), seen);
        assertEquals(
                "f:5: line longer than 20 characters", problems.first().get(0).toString());
    }

    /**
     * Lines longer than the reader holds go to the long-line handler as streams of exactly their bytes, read as far as
     * it likes (the rest skipped), the lines around them as before — also one that ends the input without a newline.
     * Read through a stream that hands out a few bytes at a time, as a pipe does.
     */
    @Test
    void longLinesAreStreamedWhole() throws Exception {
        String long1 = "L".repeat(3000) + "1";
        String long2 = "M".repeat(2500) + "2";
        String long3 = "N".repeat(4000) + "3";
        String text = "a\n" + long1 + "\r\nbb\n" + long2 + "\n\n" + long3;
        List<String> seen = new ArrayList<>();
        Problems problems = new Problems();
        java.io.InputStream trickle =
                new java.io.FilterInputStream(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))) {
                    @Override
                    public int read(byte[] b, int off, int len) throws java.io.IOException {
                        return super.read(b, off, Math.min(len, 7));
                    }
                };
        long lines = Inputs.forEachLine(
                "f",
                trickle,
                1000,
                problems,
                (number, buffer, offset, length) ->
                        seen.add(number + ":" + new String(buffer, offset, length, StandardCharsets.UTF_8)),
                (number, line) -> {
                    byte[] head = line.readNBytes(number == 4 ? 10 : Integer.MAX_VALUE); // the second read only in part
                    seen.add(number + ":long " + head.length + " "
                            + new String(head, StandardCharsets.UTF_8).charAt(head.length - 1));
                });
        assertEquals(6, lines);
        assertEquals(List.of("1:a", "2:long 3002 \r", "3:bb", "4:long 10 M", "6:long 4001 3"), seen);
        assertEquals(0, problems.total());
    }

    /**
     * A gzip file cut off (a log copied while it was written) or corrupt: the lines before the cut are read, the cut
     * is reported at the line where it is, and nothing is thrown — by both ways of reading lines, and for a file that
     * cannot be opened, a message that names it.
     */
    @Test
    void aGzipFileCutOffIsReadUpToTheCutAndTheCutIsReported(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        byte[] whole = gzippedLines(20_000);
        java.nio.file.Path cut = dir.resolve("cut.log.gz");
        java.nio.file.Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2));
        java.nio.file.Path corrupt = dir.resolve("corrupt.log.gz");
        byte[] damaged = whole.clone();
        for (int i = whole.length / 2; i < whole.length / 2 + 64; i++) {
            damaged[i] ^= 0x5a;
        }
        java.nio.file.Files.write(corrupt, damaged);

        for (java.nio.file.Path file : List.of(cut, corrupt)) {
            // The whole lines a byte-at-a-time read gets before the cut: every one of them must come out.
            long before = 0;
            try (java.io.InputStream in = new java.util.zip.GZIPInputStream(java.nio.file.Files.newInputStream(file))) {
                for (int b; (b = in.read()) >= 0; ) {
                    before += b == '\n' ? 1 : 0;
                }
            } catch (java.io.IOException expected) {
                // the cut
            }
            for (boolean bytes : List.of(true, false)) {
                assertCutReported(file, bytes, before);
            }
        }
        // Cut within the first bytes the format checks look at: the check reads what came before the cut.
        java.nio.file.Path early = dir.resolve("early.log.gz");
        java.nio.file.Files.write(early, java.util.Arrays.copyOf(whole, 2000));
        try (java.io.InputStream in = Inputs.open(early.toString())) {
            assertEquals("{\"line\":1,\"pad\":\"1eef\"}", Inputs.peekFirstLine(in));
            Problems problems = new Problems();
            long lines =
                    Inputs.forEachLine(early.toString(), in, 1 << 20, problems, (number, buffer, offset, length) -> {});
            assertTrue(lines > 10, "lines before the cut: " + lines);
            assertEquals(Map.of(Inputs.CUT_SHORT, 1L), problems.byReason());
        }
        java.io.IOException missing = org.junit.jupiter.api.Assertions.assertThrows(
                java.io.IOException.class,
                () -> Inputs.open(dir.resolve("nothing.log").toString()));
        assertEquals(dir.resolve("nothing.log") + ": no such file", missing.getMessage());
        java.io.IOException directory = org.junit.jupiter.api.Assertions.assertThrows(
                java.io.IOException.class, () -> Inputs.open(dir.toString()));
        assertTrue(directory.getMessage().startsWith(dir + ": "), directory.getMessage());
    }

    @Test
    void partsOfAFileStartWhereLinesStartAndTogetherAreTheFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        StringBuilder text = new StringBuilder();
        Random random = new Random(5);
        for (int i = 0; i < 2000; i++) {
            text.append("line ")
                    .append(i)
                    .append(" ")
                    .append("x".repeat(random.nextInt(300)))
                    .append('\n');
        }
        text.append("last line without a newline");
        java.nio.file.Path file = dir.resolve("lines.json");
        java.nio.file.Files.writeString(file, text);
        List<Inputs.Part> parts = Inputs.split(file.toString(), 5, 1000);
        assertEquals(5, parts.size());
        java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
        java.util.concurrent.atomic.AtomicLong read = new java.util.concurrent.atomic.AtomicLong();
        long at = 0;
        for (Inputs.Part part : parts) {
            assertEquals(at, part.start());
            try (java.io.InputStream in = Inputs.open(file.toString(), part, read)) {
                byte[] bytes = in.readAllBytes();
                assertEquals(part.end() - part.start(), bytes.length);
                if (part.start() > 0) {
                    assertEquals('\n', text.charAt((int) part.start() - 1), "a part starts after a newline");
                }
                joined.write(bytes);
            }
            at = part.end();
        }
        assertEquals(text.toString(), joined.toString(StandardCharsets.UTF_8));
        assertEquals(text.length(), read.get());
        // Too small to be worth a thread per part, or not splittable at all.
        assertEquals(1, Inputs.split(file.toString(), 5, 10_000_000).size());
        assertEquals(List.of(), Inputs.split("-", 5, 1000));
    }

    /** {@code n} JSON lines, gzipped. */
    private static byte[] gzippedLines(int n) throws java.io.IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            text.append("{\"line\":")
                    .append(i)
                    .append(",\"pad\":\"")
                    .append(Integer.toHexString(i * 7919))
                    .append("\"}\n");
        }
        java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(zipped)) {
            gz.write(text.toString().getBytes(StandardCharsets.UTF_8));
        }
        return zipped.toByteArray();
    }

    /** The file read line by line (as bytes or as text) up to its cut: every whole line handed over, the cut reported. */
    private static void assertCutReported(java.nio.file.Path file, boolean bytes, long before) throws Exception {
        List<Long> numbers = new ArrayList<>();
        Problems problems = new Problems();
        long lines;
        try (java.io.InputStream in = Inputs.open(file.toString())) {
            // A reader's limit: each read asks for up to a MiB.
            lines = bytes
                    ? Inputs.forEachLine(
                            file.toString(),
                            in,
                            1 << 20,
                            problems,
                            (number, buffer, offset, length) -> numbers.add(number))
                    : Inputs.forEachLine(file.toString(), in, 1 << 20, problems, (number, line) -> numbers.add(number));
        }
        String what = file.getFileName() + (bytes ? " as bytes" : " as text");
        assertEquals(1, problems.total(), what + ": " + problems.first());
        Problems.Problem p = problems.first().get(0);
        assertEquals(lines + 1, p.line(), what);
        assertEquals(Map.of(Inputs.CUT_SHORT, 1L), problems.byReason(), what);
        assertTrue(p.reason().endsWith("this line and any after it are lost"), p.reason());
        assertTrue(before > 1000 && before < 20_000, what + ": " + before);
        assertEquals(before, numbers.size(), what + ": lines handed over");
        assertTrue(java.util.stream.IntStream.range(0, numbers.size()).allMatch(i -> numbers.get(i) == i + 1), what);
        assertEquals(before, lines, what);
    }
}
