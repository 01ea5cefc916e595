package dev.tailor.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tailor observe} under faults, as a separate process on an embedded store: SIGKILL at 20 random moments
 * (seeded) from its start — store creation and migration included — a file-size limit that fills the "disk"
 * half-way, and a read-only store. Afterwards every store is either whole (each stored event counted in the
 * aggregates) or refused with a message, and a re-run stores exactly what a clean run stores.
 */
class FaultInjectionIT {

    private static final int EVENTS = 10_000;

    @TempDir
    Path dir;

    private record Run(int code, String output) {}

    private static List<String> command(String store, Path log) {
        return List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.tailor.cli.TailorCli",
                "observe",
                "--store",
                store,
                "--audit-log",
                log.toString());
    }

    private static Run run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }

    /** What a store holds: each access with its count, and how many events it took as stored. */
    private static Map<String, Long> contents(String url) throws SQLException {
        Map<String, Long> out = new TreeMap<>();
        try (ObservationStore store = ObservationStore.openExisting(url)) {
            store.apiAccesses().forEach((a, s) -> out.put(a.toString(), s.count()));
            long counted = out.values().stream().mapToLong(Long::longValue).sum();
            assertEquals(
                    store.ingestedEvents("audit"),
                    counted,
                    "every stored event is in the aggregates, and nothing else is");
            out.put("(events stored)", store.ingestedEvents("audit"));
        }
        return out;
    }

    /** Whole, or refused with a message that says why; returns what it holds (empty when refused). */
    private static Map<String, Long> wholeOrRefused(String url, String context) {
        try {
            return contents(url);
        } catch (SQLException e) {
            System.out.printf("%s: refused: %s%n", context, e.getMessage());
            assertTrue(
                    e.getMessage() != null && e.getMessage().startsWith("there is no store there"), context + ": " + e);
            return Map.of();
        }
    }

    @Test
    void killsAFullDiskAndAReadOnlyStoreLeaveEveryStoreWholeOrRefused() throws Exception {
        Path log = dir.resolve("audit.log");
        KillDuringIngestIT.writeLog(log, EVENTS, 0);
        String cleanUrl = ObservationStore.embeddedUrl(dir.resolve("clean"));
        Run clean = run(command(cleanUrl, log));
        assertEquals(0, clean.code(), clean.output());
        Map<String, Long> expected = contents(cleanUrl);
        assertEquals((long) EVENTS, expected.get("(events stored)"));

        killedTwentyTimes(log, expected);
        diskFull(log, expected);
        readOnly(cleanUrl);
        assertEquals(expected, contents(cleanUrl));
    }

    /** Killed at random moments, twenty times: each store is whole or refused, and a re-run completes it. */
    private void killedTwentyTimes(Path log, Map<String, Long> expected) throws Exception {
        Random random = new Random(20261203);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String url = ObservationStore.embeddedUrl(dir.resolve("killed-" + i));
            long delay = random.nextInt(2500);
            Process p = new ProcessBuilder(command(url, log))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("killed-" + i + ".out").toFile())
                    .start();
            Thread.sleep(delay);
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            Map<String, Long> after = wholeOrRefused(url, "killed after " + delay + " ms");
            seen.add(delay + " ms: " + (after.isEmpty() ? "no store" : after.get("(events stored)") + " events"));
            Run again = run(command(url, log));
            assertEquals(0, again.code(), "re-run after a kill at " + delay + " ms: " + again.output());
            assertEquals(expected, contents(url), "re-run after a kill at " + delay + " ms");
        }
        System.out.println("fault injection, 20 kills of tailor observe: " + seen);
    }

    /** A full disk: the file-size limit (ulimit -f) stops the store's file from growing half-way. */
    private void diskFull(Path log, Map<String, Long> expected) throws Exception {
        String fullUrl = ObservationStore.embeddedUrl(dir.resolve("full"));
        List<String> limited = new ArrayList<>(List.of("bash", "-c", "ulimit -f 1024; exec \"$@\"", "bash"));
        limited.addAll(command(fullUrl, log));
        Run full = run(limited);
        System.out.println("fault injection, disk full: exit " + full.code() + ": "
                + full.output()
                        .lines()
                        .filter(l -> l.startsWith("tailor observe:"))
                        .findFirst()
                        .orElse(""));
        assertEquals(1, full.code(), full.output());
        assertTrue(
                full.output().contains("tailor observe: ") && full.output().contains("the disk is full"),
                full.output());
        assertFalse(full.output().contains("database has been closed"), full.output());
        wholeOrRefused(fullUrl, "disk full");
        Run afterFull = run(command(fullUrl, log));
        assertEquals(0, afterFull.code(), afterFull.output());
        assertEquals(expected, contents(fullUrl));
    }

    /** A read-only store: refused with its path and the reason, nothing changed. */
    private void readOnly(String cleanUrl) throws Exception {
        Path store = dir.resolve("clean");
        Path file = store.resolve("observations.mv.db");
        Path log2 = dir.resolve("audit-2.log");
        KillDuringIngestIT.writeLog(log2, 100, 1_000_000);
        // Root writes whatever the permission bits say: as root the store's directory is bind-mounted read-only.
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            Run bind = run(List.of(
                    "bash",
                    "-c",
                    "mount --bind \"$1\" \"$1\" && mount -o remount,ro,bind \"$1\"",
                    "bash",
                    store.toString()));
            assertEquals(
                    0,
                    bind.code(),
                    "as root, a read-only bind mount is how this test makes the store read-only: " + bind.output());
        } else {
            assertTrue(file.toFile().setWritable(false, false) && store.toFile().setWritable(false, false));
        }
        try {
            Run readOnly = run(command(cleanUrl, log2));
            System.out.println("fault injection, read-only store: exit " + readOnly.code() + ": "
                    + readOnly.output()
                            .lines()
                            .filter(l -> l.startsWith("tailor observe:"))
                            .findFirst()
                            .orElse(""));
            assertEquals(1, readOnly.code(), readOnly.output());
            assertTrue(readOnly.output().contains("read-only"), readOnly.output());
        } finally {
            if (root) {
                run(List.of("umount", store.toString()));
            } else {
                store.toFile().setWritable(true, true);
                file.toFile().setWritable(true, true);
            }
        }
    }
}
