package dev.tailor.observe.syscalls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.observe.Inputs;
import dev.tailor.observe.Problems;
import dev.tailor.observe.UnknownFormatException;
import dev.tailor.testing.RepositoryPaths;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real seccomp records, from the Security Profiles Operator's tests and docs: kernel audit lines in the auditd,
 * dmesg and syslog shapes, mixed with SELinux and AppArmor records, and a log-enricher line.
 */
class SyscallLogReaderTest {

    private static final Path LINES =
            RepositoryPaths.fixtures().resolve("third_party/seccomp/security-profiles-operator/audit-lines");

    private static List<SyscallRecord> read(Path file, Problems problems, List<SyscallLogReader.Stats> stats)
            throws Exception {
        List<SyscallRecord> records = new ArrayList<>();
        try (InputStream in = Inputs.open(file.toString())) {
            SyscallLogReader.checkFormat(file.toString(), in);
            stats.add(new SyscallLogReader().read(file.getFileName().toString(), in, records::add, problems));
        }
        return records;
    }

    @Test
    void kernelAuditLinesAreDecodedPerArchitecture() throws Exception {
        Problems problems = new Problems();
        List<SyscallLogReader.Stats> stats = new ArrayList<>();
        List<SyscallRecord> records = read(LINES.resolve("spo-auditsource-test-lines.log"), problems, stats);
        assertEquals(0, problems.total(), problems.first().toString());
        // The decodings the source documents: syscall=1 write, 13 rt_sigaction, 3 close, 56 clone, 0 read (x86_64).
        assertEquals(
                List.of("write", "rt_sigaction", "close", "clone", "read"),
                records.stream().map(SyscallRecord::syscall).toList());
        assertTrue(records.stream()
                .allMatch(r -> r.architecture().equals("x86_64") && r.action().equals("log")));
        assertEquals(
                4, stats.get(0).skipped().get("other audit records (not seccomp)"), "2 SELinux AVC + 2 AppArmor lines");
        SyscallRecord ls = records.get(2);
        assertEquals("/bin/ls", ls.executable());
        assertEquals(2039886, ls.pid());
        assertEquals(Instant.parse("2021-02-17T21:11:57.899Z"), ls.time());
    }

    /**
     * A line longer than any audit record (here 3 MB with no newline, as a binary file or a broken writer makes) is
     * reported as too long and skipped unread; the records around it are read.
     */
    @Test
    void aLineLongerThanAnyRecordIsReportedNotHeld(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        List<String> real = java.nio.file.Files.readAllLines(LINES.resolve("spo-auditsource-test-lines.log"));
        String record =
                real.stream().filter(l -> l.contains("syscall=")).findFirst().orElseThrow();
        Path file = dir.resolve("audit.log");
        java.nio.file.Files.writeString(file, record + "\n" + "x".repeat(3 << 20) + "\n" + record + "\n");
        Problems problems = new Problems();
        List<SyscallRecord> records = read(file, problems, new ArrayList<>());
        assertEquals(2, records.size());
        assertEquals(1, problems.total());
        assertEquals(
                "audit.log:2: line longer than 1048576 characters",
                problems.first().get(0).toString());
    }

    @Test
    void theLogEnricherNamesTheContainer() throws Exception {
        List<SyscallRecord> records = read(
                LINES.resolve("spo-log-enricher-output.from-installation-usage-md-L633.log"),
                new Problems(),
                new ArrayList<>());
        assertEquals(1, records.size());
        SyscallRecord r = records.get(0);
        assertEquals("epoll_wait", r.syscall());
        assertEquals(232, r.number());
        assertEquals("default/my-pod/redis", r.namespace() + "/" + r.pod() + "/" + r.container());
        // The enricher's own name agrees with Tailor's x86_64 table.
        assertEquals("epoll_wait", SyscallTable.name("x86_64", 232).orElseThrow());
    }

    @Test
    void aLineWithAnUnknownSyscallIsLocated(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("audit.log");
        Files.writeString(file, """
                type=SECCOMP msg=audit(1613596317.899:6461): pid=1 comm="x" exe="/x" sig=0 arch=c000003e syscall=99999 compat=0 code=0x7ffc0000
                type=SECCOMP msg=audit(1613596317.899:6462): pid=1 comm="x" exe="/x" sig=0 arch=deadbeef syscall=3 compat=0 code=0x7ffc0000
                type=SECCOMP msg=audit(1613596317.899:6463): pid=1 comm="x" exe="/x" sig=0 arch=c00000b7 syscall=57 compat=0 code=0x00050001
                """);
        Problems problems = new Problems();
        List<SyscallRecord> records = read(file, problems, new ArrayList<>());
        assertEquals(
                List.of(
                        "audit.log:1: unknown syscall: 99999 on x86_64",
                        "audit.log:2: unknown architecture: arch=deadbeef"),
                problems.first().stream().map(Object::toString).toList());
        assertEquals("close", records.get(0).syscall(), "57 is close on aarch64");
        assertEquals("errno", records.get(0).action());
    }

    @Test
    void stampTimesAreReadExactly() {
        assertEquals(Instant.parse("2026-10-05T00:00:04.183Z"), SyscallLogReader.seconds("1791158404.183"));
        assertEquals(Instant.ofEpochSecond(1625486870, 273_000_001), SyscallLogReader.seconds("1625486870.2730000019"));
        assertEquals(Instant.ofEpochSecond(1625486870), SyscallLogReader.seconds("1625486870"));
        assertEquals(Instant.ofEpochSecond(1625486870, 5_000_000), SyscallLogReader.seconds("1625486870.005"));
    }

    @Test
    void anEnricherLineWithABadTimeIsLocated(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("enricher.log");
        String line =
                "I1005 00:00:04.583000 1843190 enricher.go:136] log-enricher \"msg\"=\"audit\"  \"container\"=\"app\""
                        + " \"namespace\"=\"t\" \"pid\"=1 \"pod\"=\"p\" \"syscallID\"=1 \"syscallName\"=\"write\""
                        + " \"timestamp\"=\"%s:236964\" \"type\"=\"seccomp\"\n";
        Files.writeString(file, line.formatted("1791158404.183") + line.formatted("-5.1") + line.formatted("17x.2"));
        Problems problems = new Problems();
        List<SyscallRecord> records = read(file, problems, new ArrayList<>());
        assertEquals(1, records.size());
        assertEquals(
                List.of(
                        "enricher.log:2: bad time: -5.1 (seconds since 1970, as SECONDS.FRACTION)",
                        "enricher.log:3: bad time: 17x.2 (seconds since 1970, as SECONDS.FRACTION)"),
                problems.first().stream().map(Object::toString).toList());
    }

    @Test
    void aFileOfAnotherKindIsRefusedBeforeReading(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("profile.json");
        Files.writeString(json, "{\"defaultAction\": \"SCMP_ACT_ERRNO\"}\n");
        try (InputStream in = Inputs.open(json.toString())) {
            assertThrows(UnknownFormatException.class, () -> SyscallLogReader.checkFormat(json.toString(), in));
        }
    }
}
