package dev.tailor.generate;

import dev.tailor.identity.Workload;
import dev.tailor.rbac.PolicyRule;
import dev.tailor.rbac.RbacAuthorizer;
import dev.tailor.util.Background;
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
            return toBuilder().window(other).build();
        }

        /** Tailor's defaults: a 7-day window, 24 h quiet, no widening, runc's start-up syscalls on x86_64. */
        public static Options defaults() {
            return builder().build();
        }

        /** A builder with the defaults ({@link #defaults}). */
        public static Builder builder() {
            return new Builder();
        }

        /** A builder starting from these options. */
        public Builder toBuilder() {
            Builder b = new Builder();
            b.window = window;
            b.quiet = quiet;
            b.maxResourceNames = maxResourceNames;
            b.clusterRoleAtNamespaces = clusterRoleAtNamespaces;
            b.keptRules = keptRules;
            b.externalPrefixV4 = externalPrefixV4;
            b.worldIngress = worldIngress;
            b.defaultDeny = defaultDeny;
            b.runtime = runtime;
            b.architecture = architecture;
            b.currentRbac = currentRbac;
            b.apiServer = apiServer;
            return b;
        }

        /** Options by name; each starts at its default. */
        public static final class Builder {
            private Duration window = Duration.ofDays(7);
            private Duration quiet = Duration.ofHours(24);
            private int maxResourceNames = 5;
            private int clusterRoleAtNamespaces = 0;
            private List<PolicyRule> keptRules = List.of();
            private int externalPrefixV4 = 32;
            private boolean worldIngress = false;
            private boolean defaultDeny = false;
            private String runtime = "runc-v1.4.2";
            private String architecture = "x86_64";
            private RbacAuthorizer currentRbac = null;
            private List<String> apiServer = List.of();

            private Builder() {}

            /** The observed window a workload must have data for on every day. */
            public Builder window(Duration v) {
                window = v;
                return this;
            }

            /** How long a workload must show nothing new to be proposed. */
            public Builder quiet(Duration v) {
                quiet = v;
                return this;
            }

            /** Resource names listed in a rule before it covers every name. */
            public Builder maxResourceNames(int v) {
                maxResourceNames = v;
                return this;
            }

            /** Namespaces a rule must be used in to move to the ClusterRole (0: never). */
            public Builder clusterRoleAtNamespaces(int v) {
                clusterRoleAtNamespaces = v;
                return this;
            }

            /** Rules every account keeps (granted already, never proposed again). */
            public Builder keptRules(List<PolicyRule> v) {
                keptRules = v;
                return this;
            }

            /** IPv4 peers outside the cluster as /N (32: the addresses seen). */
            public Builder externalPrefixV4(int v) {
                externalPrefixV4 = v;
                return this;
            }

            /** A workload reached from outside accepts any address on those ports. */
            public Builder worldIngress(boolean v) {
                worldIngress = v;
                return this;
            }

            /** A default-deny policy per namespace beside the workloads'. */
            public Builder defaultDeny(boolean v) {
                defaultDeny = v;
                return this;
            }

            /** The container runtime whose start-up syscalls every profile allows. */
            public Builder runtime(String v) {
                runtime = v;
                return this;
            }

            /** The architecture of syscalls observed without one. */
            public Builder architecture(String v) {
                architecture = v;
                return this;
            }

            /** The cluster's RBAC as it is, for REPORT.md's granted-versus-used (null: not given). */
            public Builder currentRbac(RbacAuthorizer v) {
                currentRbac = v;
                return this;
            }

            /** The API server's endpoints (ADDRESS:PORT), for workloads that call it. */
            public Builder apiServer(List<String> v) {
                apiServer = v;
                return this;
            }

            public Options build() {
                return new Options(
                        window,
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
        // The three generators read the same observations and write files of their own: seccomp's (the largest)
        // runs beside the other two, and their files and notes are added in this order, as one after another did.
        Background<Generated> seccomp = Background.start("seccomp", () -> {
            Generated profiles = new Generated();
            new SeccompGenerator(new SeccompGenerator.Options(options.runtime(), options.architecture()))
                    .generate(obs, states, profiles);
            return profiles;
        });
        new RbacGenerator(new RbacGenerator.Options(
                        options.maxResourceNames(), options.clusterRoleAtNamespaces(), kept, options.currentRbac()))
                .generate(obs, states, out);
        new NetworkPolicyGenerator(new NetworkPolicyGenerator.Options(
                        options.externalPrefixV4(), options.worldIngress(), options.defaultDeny(), options.apiServer()))
                .generate(obs, states, out);
        out.add(joined(seccomp));
        out.file("REPORT.md", report(obs, states, out));
        return out;
    }

    /** A generator's result; it throws nothing checked, so only what it threw unchecked is thrown again. */
    private static Generated joined(Background<Generated> generator) {
        try {
            return generator.join();
        } catch (java.io.IOException | java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
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
                .append(out.size())
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
