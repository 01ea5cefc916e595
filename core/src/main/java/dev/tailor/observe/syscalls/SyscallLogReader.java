package dev.tailor.observe.syscalls;

import dev.tailor.observe.Inputs;
import dev.tailor.observe.Problems;
import dev.tailor.observe.UnknownFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the seccomp records real nodes write, in their three shapes:
 * <ul>
 *   <li>auditd: {@code type=SECCOMP msg=audit(1613596317.899:6461): … pid=2039886 … arch=c000003e syscall=3 …}
 *       (auditd may glue its enriched {@code AUID="unset" … SYSCALL=close} onto the end);</li>
 *   <li>kernel log / syslog: {@code [… kernel: [270.85]] audit: type=1326 audit(1625740283.502:574): …};</li>
 *   <li>the Security Profiles Operator's log enricher: {@code log-enricher "msg"="audit" "container"="redis" …
 *       "syscallID"=232 "syscallName"="epoll_wait" "timestamp"="1625486870.273:187492" "type"="seccomp"}.</li>
 * </ul>
 * Other audit records in the same stream (SELinux AVC, AppArmor type=1400) are skipped and counted.
 */
public final class SyscallLogReader {

    private static final Pattern AUDIT_STAMP = Pattern.compile("audit\\((\\d+(?:\\.\\d+)?):(\\d+)\\)");
    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S+)");
    private static final Pattern ENRICHER_FIELD = Pattern.compile("\"(\\w+)\"=(\"[^\"]*\"|[^\\s\"]+)");
    /**
     * The longest line read: a kernel audit record is at most 8,970 bytes (MAX_AUDIT_MESSAGE_LENGTH), an enricher's
     * line less; a longer line is no record, and is reported, never held whole (a file of one line of gigabytes had
     * been read into memory before it was matched).
     */
    private static final int MAX_LINE_CHARS = 1 << 20;
    /** seccomp return actions (SECCOMP_RET_*, the top 16 bits of code=). */
    private static final Map<Long, String> ACTIONS = Map.of(
            0x80000000L,
            "kill_process",
            0x00000000L,
            "kill_thread",
            0x00030000L,
            "trap",
            0x00050000L,
            "errno",
            0x7fc00000L,
            "user_notif",
            0x7ff00000L,
            "trace",
            0x7ffc0000L,
            "log",
            0x7fff0000L,
            "allow");

    /** What one input held. */
    public record Stats(long lines, long records, Map<String, Long> skipped) {}

    /** Fails before anything is read when no line of the input's start is a seccomp or audit record. */
    public static void checkFormat(String name, InputStream in) throws IOException, UnknownFormatException {
        String first = Inputs.peekFirstLine(in);
        if (first.isEmpty() || first.contains("audit(") || first.contains("log-enricher")) {
            return;
        }
        throw new UnknownFormatException(name + ": not syscall records (kernel audit type=SECCOMP/1326 lines or "
                + "SPO log-enricher lines); its first line is: " + Inputs.shown(first));
    }

    public Stats read(String name, InputStream in, Consumer<SyscallRecord> sink, Problems problems) throws IOException {
        Map<String, Long> skipped = new TreeMap<>();
        long[] records = {0};
        long lines = Inputs.forEachLine(name, in, MAX_LINE_CHARS, problems, (number, line) -> {
            try {
                SyscallRecord record;
                if (line.contains("log-enricher")) {
                    record = enricher(line, skipped);
                } else if (line.contains("type=SECCOMP") || line.contains("type=1326")) {
                    record = kernel(line);
                } else {
                    skipped.merge(
                            line.contains("audit(")
                                    ? "other audit records (not seccomp)"
                                    : "lines that are no audit record",
                            1L,
                            Long::sum);
                    return;
                }
                if (record != null) {
                    sink.accept(record);
                    records[0]++;
                }
            } catch (IllegalArgumentException e) {
                problems.add(name, number, e.getMessage().split(":")[0], e.getMessage());
            } catch (dev.tailor.observe.BadEvent e) {
                problems.add(name, number, e.kind(), e.getMessage());
            }
        });
        return new Stats(lines, records[0], skipped);
    }

    private static SyscallRecord kernel(String line) {
        Matcher stamp = AUDIT_STAMP.matcher(line);
        if (!stamp.find()) {
            throw new IllegalArgumentException("no audit stamp: missing audit(TIME:SERIAL)");
        }
        Map<String, String> f = fields(FIELD, line.substring(stamp.end()));
        String arch = require(f, "arch");
        String architecture = SyscallTable.architecture(arch)
                .orElseThrow(() -> new IllegalArgumentException("unknown architecture: arch=" + arch));
        int number = number(require(f, "syscall"), "syscall");
        String syscall = SyscallTable.name(architecture, number)
                .orElseThrow(() -> new IllegalArgumentException("unknown syscall: " + number + " on " + architecture));
        long pid = number(require(f, "pid"), "pid");
        String action = "";
        if (f.containsKey("code")) {
            String code = f.get("code");
            // auditd glues its enriched fields onto code= without a space ("code=0x7ffc0000AUID=..."), and the "A"
            // of AUID is a hex digit: code is a 32-bit value, so at most 8 digits belong to it.
            Matcher hex = Pattern.compile("0x[0-9a-fA-F]{1,8}").matcher(code);
            if (hex.lookingAt()) {
                action = ACTIONS.getOrDefault(Long.parseLong(hex.group().substring(2), 16) & 0xffff0000L, "unknown");
            }
        }
        Instant time = seconds(stamp.group(1));
        return new SyscallRecord(
                stamp.group(1) + ":" + stamp.group(2) + ":" + pid,
                time,
                pid,
                unquote(f.getOrDefault("exe", "")),
                architecture,
                number,
                syscall,
                action,
                "",
                "",
                "",
                null);
    }

    private static SyscallRecord enricher(String line, Map<String, Long> skipped) {
        Map<String, String> f = fields(ENRICHER_FIELD, line);
        if (!"seccomp".equals(f.get("type"))) {
            skipped.merge("log-enricher records that are not seccomp", 1L, Long::sum);
            return null;
        }
        int number = number(require(f, "syscallID"), "syscallID");
        String syscall = require(f, "syscallName");
        String stamp = require(f, "timestamp");
        int colon = stamp.indexOf(':');
        Instant time = seconds(colon < 0 ? stamp : stamp.substring(0, colon));
        long pid = number(require(f, "pid"), "pid");
        return new SyscallRecord(
                stamp + ":" + pid,
                time,
                pid,
                f.getOrDefault("executable", ""),
                "",
                number,
                syscall,
                "",
                f.getOrDefault("namespace", ""),
                f.getOrDefault("pod", ""),
                f.getOrDefault("container", ""),
                null);
    }

    private static Map<String, String> fields(Pattern pattern, String text) {
        Map<String, String> fields = new HashMap<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            fields.putIfAbsent(m.group(1), unquote(m.group(2)));
        }
        return fields;
    }

    private static String require(Map<String, String> fields, String name) {
        String value = fields.get(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("missing field: " + name);
        }
        return value;
    }

    private static int number(String value, String field) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number: " + field + "=" + value);
        }
    }

    /** An audit stamp's time, {@code SECONDS[.FRACTION]} since the epoch (digits only, as the regex and SPO give it). */
    static Instant seconds(String epoch) {
        int dot = epoch.indexOf('.');
        String whole = dot < 0 ? epoch : epoch.substring(0, dot);
        String fraction = dot < 0 ? "" : epoch.substring(dot + 1);
        if (whole.isEmpty() || whole.length() > 18 || !digits(whole) || !digits(fraction)) {
            throw new IllegalArgumentException("bad time: " + epoch + " (seconds since 1970, as SECONDS.FRACTION)");
        }
        long nanos = 0; // the fraction's first nine digits (a tenth of a nanosecond is no time an audit record has)
        for (int i = 0; i < 9; i++) {
            nanos = nanos * 10 + (i < fraction.length() ? fraction.charAt(i) - '0' : 0);
        }
        return Instant.ofEpochSecond(Long.parseLong(whole), nanos);
    }

    private static boolean digits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1)
                : value;
    }
}
