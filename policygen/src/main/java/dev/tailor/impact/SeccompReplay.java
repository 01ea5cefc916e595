package dev.tailor.impact;

import dev.tailor.generate.Observations;
import dev.tailor.identity.Workload;
import dev.tailor.impact.ImpactAnalyzer.Access;
import dev.tailor.seccomp.OciSeccompProfile;
import dev.tailor.store.ObservationStore.StoredAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/** The seccomp side of the replay: each syscall observed, judged by the runtime default and the proposed profile. */
final class SeccompReplay {

    private SeccompReplay() {}

    /** The actions by which a syscall was refused, not run: nothing a profile must allow. */
    private static final Set<String> REFUSED = Set.of("errno", "kill_process", "kill_thread", "trap");

    static Map<Workload, Tally> replay(
            Observations obs, PolicySet next, SeccompEvaluator runtimeDefault, Predicate<StoredAccess> rows) {
        Map<Workload, Tally> seccomp = new TreeMap<>();
        Map<OciSeccompProfile, SeccompEvaluator> profiles =
                new java.util.IdentityHashMap<>(); // one evaluator per profile
        obs.syscalls.forEach((u, s) -> {
            if (u.workload().isEmpty() || !rows.test(s) || REFUSED.contains(u.action())) {
                return;
            }
            String container = Observations.containerId(u.namespace(), u.workload(), u.container());
            String unjudged = next.unjudged.get(container);
            if (unjudged != null) {
                seccomp.computeIfAbsent(Workload.parse(u.namespace(), u.workload()), k -> new Tally())
                        .notJudged(u.syscall() + " in " + u.container() + " (" + unjudged + ")", u.syscall());
                return;
            }
            OciSeccompProfile profile = next.seccomp.get(container);
            if (profile == null) {
                return;
            }
            String arch = u.architecture().isEmpty() ? "x86_64" : u.architecture();
            seccomp.computeIfAbsent(Workload.parse(u.namespace(), u.workload()), k -> new Tally())
                    .add(
                            runtimeDefault.allows(u.syscall(), arch),
                            profiles.computeIfAbsent(profile, SeccompEvaluator::new)
                                    .allows(u.syscall(), arch),
                            u.syscall() + " in " + u.container(),
                            u.syscall());
        });

        return seccomp;
    }

    /** The syscalls x86_64 has by name (a new set each time from the table; read once here). */
    private static final Set<String> X86_64 = dev.tailor.observe.syscalls.SyscallTable.names("x86_64");

    static int syscallCount(SeccompEvaluator profile) {
        return profile.allowedCount(X86_64, "x86_64");
    }

    static Access proposed(PolicySet next, Workload w) {
        List<String> parts = new ArrayList<>();
        long most = 0;
        // The workload's profiles, by their keys' common prefix (a scan of every profile for each workload made the
        // preview quadratic in the cluster's size).
        String prefix = w.namespace() + "/" + w.key() + "/";
        for (var e : next.seccomp.subMap(prefix, prefix + Character.MAX_VALUE).entrySet()) {
            int n = syscallCount(new SeccompEvaluator(e.getValue()));
            most = Math.max(most, n);
            parts.add(n + " syscalls in " + e.getKey().substring(e.getKey().lastIndexOf('/') + 1));
        }
        return new Access(most, "proposed: " + String.join(", ", parts));
    }
}
