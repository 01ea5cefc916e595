package dev.tailor.generate;

import dev.tailor.identity.Workload;
import dev.tailor.rbac.PolicyRule;
import dev.tailor.rbac.RbacAuthorizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code tailor generate}: from the observed window to least-privilege Roles, NetworkPolicies and seccomp profiles
 * per workload, for the workloads that have been learned well enough ({@link LearningState}), and a report
 * ({@code REPORT.md}) of what was proposed, what is still learning and why, and what was observed but not allowed.
 * The same store gives byte-identical output.
 */
public final class PolicyGenerator {

    /** Every widening is an option; the defaults are the conservative ones. */
    public record Options(
            Duration window,
            Duration quiet,
            int maxResourceNames,
            int clusterRoleAtNamespaces,
            List<PolicyRule> keptRules,
            int externalPrefixV4,
            boolean worldIngress,
            boolean defaultDeny,
            String runtime,
            String architecture,
            RbacAuthorizer currentRbac,
            List<String> apiServer) {

        /** The same options over another window. */
        public Options withWindow(Duration other) {
            return new Options(
                    other,
                    quiet,
                    maxResourceNames,
                    clusterRoleAtNamespaces,
                    keptRules,
                    externalPrefixV4,
                    worldIngress,
                    defaultDeny,
                    runtime,
                    architecture,
                    currentRbac,
                    apiServer);
        }

        public static Options defaults() {
            return new Options(
                    Duration.ofDays(7),
                    Duration.ofHours(24),
                    5,
                    0,
                    List.of(),
                    32,
                    false,
                    false,
                    "runc-v1.4.2",
                    "x86_64",
                    null,
                    List.of());
        }
    }

    private final Options options;

    /** @throws IllegalArgumentException for options that cannot work (an unknown runtime) */
    public PolicyGenerator(Options options) {
        SeccompGenerator.runtimeSyscalls(options.runtime());
        this.options = options;
    }

    public Generated generate(Observations obs) {
        Generated out = new Generated();
        Map<Workload, LearningState> states =
                LearningState.assess(obs, options.window(), options.quiet(), options.worldIngress());
        List<PolicyRule> kept = new ArrayList<>(dev.tailor.rbac.Bootstrap.everyonesRules());
        kept.addAll(options.keptRules());
        new RbacGenerator(new RbacGenerator.Options(
                        options.maxResourceNames(), options.clusterRoleAtNamespaces(), kept, options.currentRbac()))
                .generate(obs, states, out);
        new NetworkPolicyGenerator(new NetworkPolicyGenerator.Options(
                        options.externalPrefixV4(), options.worldIngress(), options.defaultDeny(), options.apiServer()))
                .generate(obs, states, out);
        new SeccompGenerator(new SeccompGenerator.Options(options.runtime(), options.architecture()))
                .generate(obs, states, out);
        out.file("REPORT.md", report(obs, states, out));
        return out;
    }

    private String report(Observations obs, Map<Workload, LearningState> states, Generated out) {
        StringBuilder r = new StringBuilder();
        r.append("# Tailor: generated policies\n\n");
        r.append("Window: ")
                .append(Manifests.rfc3339(obs.from))
                .append(" to ")
                .append(Manifests.rfc3339(obs.until))
                .append(" (")
                .append(options.window().toDays())
                .append(" days); a workload is proposed after data on every day ")
                .append("and ")
                .append(options.quiet().toHours())
                .append(" h without new behavior. Runtime start-up syscalls: ")
                .append(options.runtime())
                .append(".\n\n");
        if (obs.nothingObserved()) {
            r.append(
                    "**Nothing was observed in this window**: no API access, flow or syscall, so no policy is proposed. "
                            + "`tailor observe` fills the store; `--until` and `--since` move the window.\n\n");
        }
        long proposed = states.values().stream().filter(LearningState::proposed).count();
        r.append(proposed)
                .append(" of ")
                .append(states.size())
                .append(" workloads proposed; ")
                .append(out.files.size())
                .append(" files.\n\n");
        learningStates(r, obs, states);
        out.notes.forEach((section, lines) -> {
            r.append("\n## ").append(section).append("\n\n");
            lines.forEach(l -> r.append("- ").append(l).append('\n'));
        });
        return r.toString();
    }

    /** REPORT.md's table: each workload's evidence and whether it is proposed or still learning, and why. */
    private static void learningStates(StringBuilder r, Observations obs, Map<Workload, LearningState> states) {
        r.append("## Learning state\n\n");
        r.append(
                "| workload | first seen | last seen | days with data | last new behavior | quiet for | runs | state |\n");
        r.append("|---|---|---|---|---|---|---|---|\n");
        for (LearningState s : states.values()) {
            r.append("| ")
                    .append(s.workload())
                    .append(" | ")
                    .append(time(s.firstSeen()))
                    .append(" | ")
                    .append(time(s.lastSeen()))
                    .append(" | ")
                    .append(s.daysWithData())
                    .append(" | ")
                    .append(time(s.lastNewBehavior()))
                    .append(" | ")
                    .append(
                            s.lastNewBehavior() == null
                                    ? ""
                                    : java.time.Duration.between(s.lastNewBehavior(), obs.until)
                                                    .toHours() + " h")
                    .append(" | ")
                    .append(s.workload().kind().endsWith("Job") ? String.valueOf(s.runs()) : "")
                    .append(" | ")
                    .append(s.proposed() ? "proposed" : "learning: " + String.join("; ", s.learningBecause()))
                    .append(s.partial() && s.proposed() ? " (partial)" : "")
                    .append(" |\n");
        }
    }

    private static String time(java.time.Instant t) {
        return t == null ? "" : Manifests.rfc3339(t);
    }
}
