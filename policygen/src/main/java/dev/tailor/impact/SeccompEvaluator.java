package dev.tailor.impact;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.seccomp.OciSeccompProfile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Is a syscall allowed by an OCI seccomp profile? The default action applies unless a rule names the syscall;
 * {@code SCMP_ACT_ALLOW} and {@code SCMP_ACT_LOG} let it run, every other action (ERRNO, KILL, TRAP, TRACE without a
 * tracer) stops it. A rule with argument conditions counts as allowing the syscall (it does for some arguments). A
 * call from an architecture the profile does not list fails (the kernel kills it as a bad arch) unless the default
 * action lets everything run. Moby-style {@code includes}/{@code excludes}: rules that need capabilities apply only
 * to containers that add them (assumed none), rules for other architectures do not apply, kernel versions are
 * assumed new enough.
 */
public final class SeccompEvaluator {

    private static final Set<String> RUNS = Set.of("SCMP_ACT_ALLOW", "SCMP_ACT_LOG");
    private static final Map<String, String> SCMP = Map.of(
            "x86_64",
            "SCMP_ARCH_X86_64",
            "aarch64",
            "SCMP_ARCH_AARCH64",
            "i386",
            "SCMP_ARCH_X86",
            "arm",
            "SCMP_ARCH_ARM",
            "ppc64le",
            "SCMP_ARCH_PPC64LE",
            "s390x",
            "SCMP_ARCH_S390X",
            "riscv64",
            "SCMP_ARCH_RISCV64");
    /** Moby's names for architectures in {@code includes.arches}. */
    private static final Map<String, String> MOBY = Map.of(
            "x86_64", "amd64", "aarch64", "arm64", "i386", "x86", "arm", "arm", "ppc64le", "ppc64le", "s390x", "s390x",
            "riscv64", "riscv64");

    private final OciSeccompProfile profile;
    /** Each rule's syscall names, read once: a profile is asked about hundreds of syscalls. */
    private final List<Set<String>> ruleNames = new ArrayList<>();
    /** Answers already given, by architecture and syscall. */
    private final Map<String, Boolean> answers = new java.util.concurrent.ConcurrentHashMap<>();

    public SeccompEvaluator(OciSeccompProfile profile) {
        this.profile = profile;
        rules().forEach(rule -> ruleNames.add(names(rule)));
    }

    /** The container runtime's default ({@code RuntimeDefault}): Moby's default profile, kept as data. */
    public static SeccompEvaluator runtimeDefault() {
        return new SeccompEvaluator(runtimeDefaultProfile());
    }

    /** Moby's default profile, as {@link #runtimeDefault} judges by it (read once). */
    static OciSeccompProfile runtimeDefaultProfile() {
        return RuntimeDefault.PROFILE;
    }

    private static final class RuntimeDefault {
        static final OciSeccompProfile PROFILE = read();

        private static OciSeccompProfile read() {
            try (InputStream in = SeccompEvaluator.class.getResourceAsStream("runtime-default.json")) {
                return new ObjectMapper().readValue(in, OciSeccompProfile.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public boolean allows(String syscall, String architecture) {
        return answers.computeIfAbsent(architecture + "/" + syscall, k -> decide(syscall, architecture));
    }

    private List<OciSeccompProfile.Rule> rules() {
        return profile.syscalls() == null ? List.of() : profile.syscalls();
    }

    private boolean decide(String syscall, String architecture) {
        boolean defaultRuns = RUNS.contains(profile.defaultAction());
        if (!architectureListed(architecture)) {
            return defaultRuns;
        }
        Boolean byRule = null;
        int i = 0;
        for (OciSeccompProfile.Rule rule : rules()) {
            if (!ruleNames.get(i++).contains(syscall) || !applies(rule, architecture)) {
                continue;
            }
            boolean runs = RUNS.contains(rule.action());
            byRule = byRule == null ? runs : byRule || runs;
        }
        return byRule != null ? byRule : defaultRuns;
    }

    /** How many syscalls of {@code universe} the profile lets run (for "how much access a proposal removes"). */
    public int allowedCount(Set<String> universe, String architecture) {
        // Each syscall asked once: decided without keeping the answer, which no one asks again.
        return (int) universe.stream().filter(s -> decide(s, architecture)).count();
    }

    /** A syscall two profiles disagree on: whether it runs under the first. */
    public record Difference(String syscall, String architecture, boolean runsUnderFirst) {}

    /**
     * Where two profiles disagree on whether a syscall runs, at most {@code limit} of them: every syscall of the architectures either lists (x86_64 if neither does) and every one
     * either names. Empty when they let the same syscalls run, however their rules are written.
     */
    public static List<Difference> differences(OciSeccompProfile first, OciSeccompProfile second, int limit) {
        if (first.equals(second)) {
            return List.of();
        }
        SeccompEvaluator a = new SeccompEvaluator(first);
        SeccompEvaluator b = new SeccompEvaluator(second);
        Set<String> architectures = new TreeSet<>();
        for (OciSeccompProfile p : List.of(first, second)) {
            listOf(p.architectures())
                    .forEach(scmp -> dev.tailor.observe.syscalls.SyscallTable.fromSeccomp(scmp)
                            .ifPresent(architectures::add));
        }
        if (architectures.isEmpty()) {
            architectures.add("x86_64");
        }
        List<Difference> out = new ArrayList<>();
        for (String architecture : architectures) {
            Set<String> universe = dev.tailor.observe.syscalls.SyscallTable.names(architecture);
            universe.addAll(a.namedSyscalls());
            universe.addAll(b.namedSyscalls());
            for (String syscall : universe) {
                boolean inFirst = a.decide(syscall, architecture);
                if (inFirst != b.decide(syscall, architecture) && out.size() < limit) {
                    out.add(new Difference(syscall, architecture, inFirst));
                }
            }
        }
        return out;
    }

    /** Every syscall some rule names. */
    public Set<String> namedSyscalls() {
        Set<String> out = new TreeSet<>();
        ruleNames.forEach(out::addAll);
        return out;
    }

    private boolean architectureListed(String architecture) {
        List<String> arches = profile.architectures();
        if (architecture == null || architecture.isEmpty() || arches == null || arches.isEmpty()) {
            return true;
        }
        String scmp = SCMP.getOrDefault(architecture, architecture);
        // Moby's archMap: a native architecture listed with its sub-architectures.
        return arches.contains(scmp)
                || (profile.archMap() != null
                        && profile.archMap().stream().anyMatch(m -> scmp.equals(m.architecture())));
    }

    private static boolean applies(OciSeccompProfile.Rule rule, String architecture) {
        String moby =
                architecture == null || architecture.isEmpty() ? null : MOBY.getOrDefault(architecture, architecture);
        OciSeccompProfile.Filter includes = rule.includes();
        if (includes != null) {
            if (!listOf(includes.caps()).isEmpty()) {
                return false;
            }
            if (!listOf(includes.arches()).isEmpty()
                    && moby != null
                    && !includes.arches().contains(moby)) {
                return false;
            }
        }
        OciSeccompProfile.Filter excludes = rule.excludes();
        return excludes == null || moby == null || !listOf(excludes.arches()).contains(moby);
    }

    private static <T> List<T> listOf(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static Set<String> names(OciSeccompProfile.Rule rule) {
        Set<String> out = new TreeSet<>(listOf(rule.names()));
        if (rule.name() != null) {
            out.add(rule.name());
        }
        return out;
    }
}
