package dev.tailor.impact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    private final JsonNode profile;
    /** Each rule's syscall names, read once: a profile is asked about hundreds of syscalls. */
    private final List<Set<String>> ruleNames = new ArrayList<>();
    /** Answers already given, by architecture and syscall. */
    private final Map<String, Boolean> answers = new java.util.concurrent.ConcurrentHashMap<>();

    public SeccompEvaluator(JsonNode profile) {
        this.profile = profile;
        profile.path("syscalls").forEach(rule -> ruleNames.add(names(rule)));
    }

    /** The container runtime's default ({@code RuntimeDefault}): Moby's default profile, kept as data. */
    public static SeccompEvaluator runtimeDefault() {
        try (InputStream in = SeccompEvaluator.class.getResourceAsStream("runtime-default.json")) {
            return new SeccompEvaluator(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean allows(String syscall, String architecture) {
        return answers.computeIfAbsent(architecture + "/" + syscall, k -> decide(syscall, architecture));
    }

    private boolean decide(String syscall, String architecture) {
        boolean defaultRuns = RUNS.contains(profile.path("defaultAction").asText());
        if (!architectureListed(architecture)) {
            return defaultRuns;
        }
        Boolean byRule = null;
        int i = 0;
        for (JsonNode rule : profile.path("syscalls")) {
            if (!ruleNames.get(i++).contains(syscall) || !applies(rule, architecture)) {
                continue;
            }
            boolean runs = RUNS.contains(rule.path("action").asText());
            byRule = byRule == null ? runs : byRule || runs;
        }
        return byRule != null ? byRule : defaultRuns;
    }

    /** How many syscalls of {@code universe} the profile lets run (for "how much access a proposal removes"). */
    public int allowedCount(Set<String> universe, String architecture) {
        return (int) universe.stream().filter(s -> allows(s, architecture)).count();
    }

    /** Every syscall some rule names. */
    public Set<String> namedSyscalls() {
        Set<String> out = new TreeSet<>();
        ruleNames.forEach(out::addAll);
        return out;
    }

    private boolean architectureListed(String architecture) {
        JsonNode arches = profile.path("architectures");
        if (architecture == null || architecture.isEmpty() || !arches.isArray() || arches.isEmpty()) {
            return true;
        }
        String scmp = SCMP.getOrDefault(architecture, architecture);
        for (JsonNode a : arches) {
            if (a.asText().equals(scmp)) {
                return true;
            }
        }
        // Moby's archMap: a native architecture listed with its sub-architectures.
        for (JsonNode m : profile.path("archMap")) {
            if (m.path("architecture").asText().equals(scmp)) {
                return true;
            }
        }
        return false;
    }

    private static boolean applies(JsonNode rule, String architecture) {
        JsonNode includes = rule.path("includes");
        if (includes.path("caps").size() > 0) {
            return false;
        }
        if (includes.path("arches").size() > 0 && architecture != null && !architecture.isEmpty()) {
            boolean listed = false;
            for (JsonNode a : includes.path("arches")) {
                listed |= a.asText().equals(MOBY.getOrDefault(architecture, architecture));
            }
            if (!listed) {
                return false;
            }
        }
        JsonNode excludes = rule.path("excludes");
        if (excludes.path("arches").size() > 0 && architecture != null) {
            for (JsonNode a : excludes.path("arches")) {
                if (a.asText().equals(MOBY.getOrDefault(architecture, architecture))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Set<String> names(JsonNode rule) {
        Set<String> out = new TreeSet<>();
        rule.path("names").forEach(n -> out.add(n.asText()));
        if (rule.hasNonNull("name")) {
            out.add(rule.path("name").asText());
        }
        return out;
    }
}
