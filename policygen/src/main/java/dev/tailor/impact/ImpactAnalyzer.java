package dev.tailor.impact;

import dev.tailor.contract.Names;
import dev.tailor.generate.Observations;
import dev.tailor.generate.PolicyGenerator;
import dev.tailor.identity.Workload;
import dev.tailor.impact.ImpactReport.Backtest;
import dev.tailor.impact.ImpactReport.BacktestResult;
import dev.tailor.impact.ImpactReport.KindImpact;
import dev.tailor.impact.ImpactReport.WorkloadImpact;
import dev.tailor.kube.LabelSelector;
import dev.tailor.netpol.NetworkPolicyEvaluator;
import dev.tailor.netpol.NetworkPolicyEvaluator.Peer;
import dev.tailor.observe.admission.EnforcePreview;
import dev.tailor.rbac.Bootstrap;
import dev.tailor.rbac.RbacAuthorizer;
import dev.tailor.store.ObservationStore.StoredAccess;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Replays what was observed against the current and the proposed policies, with the same evaluators for both:
 * Kubernetes' RBAC ({@link RbacAuthorizer}), NetworkPolicy ({@link NetworkPolicyEvaluator}) and seccomp
 * ({@link SeccompEvaluator}). A proposal covers the workloads it has policies for (and the service accounts they
 * run as); the others keep what they have and are not replayed.
 *
 * <ul>
 *   <li>RBAC under the proposal: the proposal's objects plus what every account keeps (the bootstrap roles bound
 *       to {@code system:authenticated}) — the proposal replaces the accounts' current bindings.</li>
 *   <li>Network under the proposal: the current NetworkPolicies plus the proposed ones (policies add up). Traffic
 *       from a pod's own node is always allowed and is not replayed; drops already observed are not replayed.</li>
 *   <li>Seccomp now: the runtime's default profile; under the proposal: the proposed profile of the container.</li>
 * </ul>
 */
public final class ImpactAnalyzer {

    static final int EXAMPLES = 5;
    /** An address no ipBlock of a generated policy names: stands for "anywhere outside" in the access summaries. */
    private final PolicySet current;

    private final PolicySet proposed;

    public ImpactAnalyzer(PolicySet current, PolicySet proposed) {
        this.current = current;
        this.proposed = proposed;
    }

    /** The full report: replay, backtest (with {@code options}) and enforce preview. */
    public ImpactReport analyze(
            dev.tailor.store.StoredObservations store, Observations obs, PolicyGenerator.Options options)
            throws SQLException, IOException {
        // The backtest (a generation of its own from the window without its last day, that day replayed on it)
        // needs nothing the report's replay makes: it runs beside it.
        dev.tailor.util.Background<Backtest> backtest =
                dev.tailor.util.Background.start("backtest", () -> backtest(store, obs, options));
        Map<String, WorkloadImpact> workloads = replay(obs, current, proposed);
        long breakage = workloads.values().stream()
                .mapToLong(w -> denied(w.rbac()) + denied(w.network()) + denied(w.seccomp()))
                .sum();
        long notJudged = workloads.values().stream()
                .mapToLong(w -> notJudged(w.rbac()) + notJudged(w.network()) + notJudged(w.seccomp()))
                .sum();
        // Clean only when everything observed was judged and nothing would be denied.
        return new ImpactReport(
                ImpactReport.SCHEMA,
                new ImpactReport.Window(obs.from.toString(), obs.until.toString()),
                breakage == 0 && notJudged == 0,
                breakage,
                notJudged,
                workloads,
                connectivity(obs),
                backtest.join(),
                enforcePreview(store, obs));
    }

    private static long denied(KindImpact k) {
        return k == null ? 0 : k.deniedCount();
    }

    private static long notJudged(KindImpact k) {
        return k == null ? 0 : k.notJudged();
    }

    /** The workloads a policy set has policies for (by Tailor's {@code tailor.dev/workload} label or profile path). */
    static Set<Workload> covered(PolicySet set) {
        Set<Workload> out = new TreeSet<>();
        for (NetworkPolicy p : set.networkPolicies) {
            String label = LabelSelector.labels(p).getOrDefault(Names.WORKLOAD, "");
            if (!label.isEmpty() && !label.startsWith("namespace.")) {
                out.add(Workload.parse(p.getMetadata().getNamespace(), label));
            }
        }
        set.seccomp.keySet().forEach(k -> {
            String[] parts = k.split("/");
            out.add(Workload.parse(parts[0], parts[1]));
        });
        return out;
    }

    /** The service accounts a policy set has RBAC objects for, as users. */
    private static Set<String> accountsWithRbac(PolicySet set) {
        Set<String> out = new TreeSet<>();
        for (HasMetadata o : set.rbacObjects) {
            List<Subject> subjects = o instanceof RoleBinding b
                    ? b.getSubjects()
                    : o instanceof ClusterRoleBinding c ? c.getSubjects() : null;
            for (Subject s : subjects == null ? List.<Subject>of() : subjects) {
                if ("ServiceAccount".equals(s.getKind())) {
                    out.add("system:serviceaccount:" + s.getNamespace() + ":" + s.getName());
                }
            }
        }
        return out;
    }

    /**
     * The proposed workloads whose own NetworkPolicy selects none of their pods as the window saw them (a selector that
     * pinned a label the next release changed, a policy edited by hand): it would deny nothing and protect nothing, so
     * their connections are not judged — never called clean. Keyed by workload, with why.
     */
    static Map<Workload, String> unselected(Observations obs, PolicySet next, Set<Workload> workloads) {
        Map<Workload, String> out = new TreeMap<>();
        for (NetworkPolicy policy : next.networkPolicies) {
            String key = LabelSelector.labels(policy).getOrDefault(Names.WORKLOAD, "");
            String namespace = String.valueOf(policy.getMetadata().getNamespace());
            if (key.isEmpty() || namespace.isEmpty() || !key.contains(".")) {
                continue;
            }
            Workload w = Workload.parse(namespace, key);
            Map<String, String> labels = obs.labels(w);
            if (workloads.contains(w)
                    && !labels.isEmpty()
                    && !LabelSelector.matches(
                            policy.getSpec() == null ? null : policy.getSpec().getPodSelector(), labels)) {
                out.put(
                        w,
                        "the proposed NetworkPolicy "
                                + policy.getMetadata().getName()
                                + " selects none of its pods, whose labels are " + new TreeMap<>(labels));
            }
        }
        return out;
    }

    /** Per workload and kind: the window's behavior under {@code now} and {@code next}. */
    Map<String, WorkloadImpact> replay(Observations obs, PolicySet now, PolicySet next) {
        return replay(obs, now, next, r -> true, true);
    }

    /** Access not measured: the backtest counts what would have been denied, not how much access a policy grants. */
    private static final Access NOT_MEASURED = new Access(null, "not measured");

    /**
     * @param measureAccess whether to measure how much access each side grants (a count over every pair of workloads:
     *                      the report's, not the backtest's)
     */
    private Map<String, WorkloadImpact> replay(
            Observations obs, PolicySet now, PolicySet next, Predicate<StoredAccess> rows, boolean measureAccess) {
        Set<Workload> workloads = covered(next);
        Set<String> withRbac = accountsWithRbac(next);
        Set<String> accounts = new TreeSet<>(withRbac);
        for (Workload w : workloads) {
            obs.identities(w)
                    .forEach(p -> accounts.add("system:serviceaccount:" + p.namespace() + ":" + p.serviceAccount()));
        }
        RbacAuthorizer proposedRbac = next.rbac(Bootstrap.everyonesObjects());
        // The cluster's RBAC as it is: a binding may reference a bootstrap ClusterRole (cluster-admin, admin, edit,
        // view) that a dump of the user's own objects leaves out, and every account has what system:authenticated is
        // bound to — on both sides, or every workload would seem to gain access. The dump's own roles win.
        RbacAuthorizer currentRbac = now.hasRbac() ? now.rbac(bootstrapDefaults()) : null;
        List<NetworkPolicy> union = new ArrayList<>(now.networkPolicies);
        union.addAll(next.networkPolicies);
        Map<String, Map<String, String>> namespaces = new TreeMap<>(now.namespaceLabels);
        namespaces.putAll(next.namespaceLabels);
        NetworkPolicyEvaluator netNow = new NetworkPolicyEvaluator(now.networkPolicies, namespaces);
        NetworkPolicyEvaluator netNext = new NetworkPolicyEvaluator(union, namespaces);
        SeccompEvaluator runtimeDefault = SeccompEvaluator.runtimeDefault();

        Map<Workload, String> unselected = unselected(obs, next, workloads);
        Map<Workload, Tally> rbac =
                RbacReplay.replay(obs, workloads, withRbac, accounts, currentRbac, proposedRbac, rows);
        Map<Workload, Tally> network = NetworkReplay.replay(obs, workloads, unselected, netNow, netNext, rows);
        Map<Workload, Tally> seccomp = SeccompReplay.replay(obs, next, runtimeDefault, rows);

        Map<String, WorkloadImpact> out = new TreeMap<>();
        Set<Workload> all = new TreeSet<>(workloads);
        all.addAll(rbac.keySet());
        Access defaultSyscalls = new Access(
                (long) SeccompReplay.syscallCount(runtimeDefault),
                "runtime default: " + SeccompReplay.syscallCount(runtimeDefault) + " syscalls");
        Map<Workload, Access> networkNow = measureAccess ? NetworkReplay.access(netNow, obs, all) : Map.of();
        Map<Workload, Access> networkNext = measureAccess ? NetworkReplay.access(netNext, obs, all) : Map.of();
        for (Workload w : all) {
            out.put(
                    w.toString(),
                    new WorkloadImpact(
                            rbac.containsKey(w) || workloads.contains(w)
                                    ? rbac.getOrDefault(w, new Tally())
                                            .impact(
                                                    !measureAccess
                                                            ? NOT_MEASURED
                                                            : currentRbac == null
                                                                    ? new Access(null, "unknown (no --current)")
                                                                    : RbacReplay.access(currentRbac, obs, w),
                                                    measureAccess
                                                            ? RbacReplay.access(proposedRbac, obs, w)
                                                            : NOT_MEASURED)
                                    : null,
                            network.getOrDefault(w, new Tally())
                                    .impact(
                                            networkNow.getOrDefault(w, NOT_MEASURED),
                                            networkNext.getOrDefault(w, NOT_MEASURED)),
                            seccomp.containsKey(w)
                                    ? seccomp.get(w).impact(defaultSyscalls, SeccompReplay.proposed(next, w))
                                    : null));
        }
        return out;
    }

    /** Kubernetes' bootstrap ClusterRoles and the bindings every authenticated user has, as a cluster has them. */
    private static List<HasMetadata> bootstrapDefaults() {
        List<HasMetadata> out = new ArrayList<>(Bootstrap.clusterRoles());
        out.addAll(Bootstrap.everyonesObjects());
        return out;
    }

    /** The count of an access that wildcards make unbounded (every resource). */
    static final long ALL = -1;

    /** An amount of access: counted (null when unknown, {@link #ALL} when unbounded) and in words. */
    record Access(Long count, String words) {}

    // --- connectivity graphs ------------------------------------------------------------------------------------

    /** Per namespace with proposals: which of its workloads may reach which, before and after, and what flowed. */
    private Map<String, ImpactReport.Connectivity> connectivity(Observations obs) {
        Map<String, Map<String, String>> namespaces = new TreeMap<>(current.namespaceLabels);
        namespaces.putAll(proposed.namespaceLabels);
        List<NetworkPolicy> union = new ArrayList<>(current.networkPolicies);
        union.addAll(proposed.networkPolicies);
        NetworkPolicyEvaluator before = new NetworkPolicyEvaluator(current.networkPolicies, namespaces);
        NetworkPolicyEvaluator after = new NetworkPolicyEvaluator(union, namespaces);
        Map<String, ImpactReport.Connectivity> out = new TreeMap<>();
        Set<String> withProposals = new TreeSet<>();
        covered(proposed).forEach(w -> withProposals.add(w.namespace()));
        for (String ns : withProposals) {
            Map<String, Peer> nodes = new TreeMap<>();
            obs.workloads().stream().filter(w -> w.namespace().equals(ns)).forEach(w -> {
                Peer p = NetworkReplay.peer(obs, w, "");
                if (p != null) {
                    nodes.put(w.key(), p);
                }
            });
            List<List<String>> b = new ArrayList<>();
            List<List<String>> a = new ArrayList<>();
            nodes.forEach((x, px) -> nodes.forEach((y, py) -> {
                if (!x.equals(y)) {
                    if (!before.allowed(px, py).isEmpty()) {
                        b.add(List.of(x, y));
                    }
                    if (!after.allowed(px, py).isEmpty()) {
                        a.add(List.of(x, y));
                    }
                }
            }));
            Set<List<String>> seen = new java.util.LinkedHashSet<>();
            obs.edges.forEach((e, s) -> {
                if (!e.dropped()
                        && e.srcNamespace().equals(ns)
                        && e.dstNamespace().equals(ns)
                        && nodes.containsKey(e.srcWorkload())
                        && nodes.containsKey(e.dstWorkload())) {
                    boolean kept = after.allows(
                            nodes.get(e.srcWorkload()), nodes.get(e.dstWorkload()), e.protocol(), e.port());
                    seen.add(List.of(e.srcWorkload(), e.dstWorkload(), kept ? "allowed" : "denied"));
                }
            });
            List<List<String>> observed = new ArrayList<>(seen);
            observed.sort(java.util.Comparator.comparing(Object::toString));
            out.put(ns, new ImpactReport.Connectivity(List.copyOf(nodes.keySet()), b, a, observed));
        }
        return out;
    }

    // --- backtest -----------------------------------------------------------------------------------------------

    /**
     * Policies generated from the window without its last 24 hours of data, replayed on those hours: how often they
     * would have denied something legitimate, and whether it was new then. The held-out day is the last day of data
     * — not the last complete UTC day, which left the newest data out unless {@code --until} fell on a midnight.
     */
    private Backtest backtest(
            dev.tailor.store.StoredObservations store, Observations obs, PolicyGenerator.Options options)
            throws SQLException, IOException {
        Instant trainUntil = heldOutFrom(obs.until);
        Duration trainWindow = options.window().minusDays(1);
        Observations training = Observations.load(store, trainWindow, trainUntil);
        PolicyGenerator.Options trainingOptions = options.withWindow(trainWindow);
        PolicySet trained = PolicySet.of(new PolicyGenerator(trainingOptions).generate(training));
        Observations day = Observations.load(store, Duration.ofDays(1), obs.until);
        Map<String, BacktestResult> results = new TreeMap<>();
        Set<String> newOnTheDay = newSince(day, trainUntil);
        replay(day, current, trained, s -> !s.lastSeen().isBefore(trainUntil), false)
                .forEach((w, impact) -> {
                    long replayed = 0;
                    long denied = 0;
                    List<String> examples = new ArrayList<>();
                    for (KindImpact k : java.util.Arrays.asList(impact.rbac(), impact.network(), impact.seccomp())) {
                        if (k != null) {
                            replayed += k.observed();
                            denied += k.deniedCount();
                            examples.addAll(k.denied());
                        }
                    }
                    if (replayed > 0) {
                        List<String> fresh =
                                examples.stream().filter(newOnTheDay::contains).toList();
                        results.put(
                                w,
                                new BacktestResult(
                                        replayed,
                                        denied,
                                        replayed == 0 ? 0 : Math.round(1e4 * denied / replayed) / 1e4,
                                        fresh,
                                        examples.stream().limit(EXAMPLES).toList()));
                    }
                });
        // A workload first seen on the held-out day has no policy of its own from the six days before: named as new
        // (what it did counted, nothing denied by a policy that does not exist), not left out.
        Map<Workload, Instant> firstPod = new TreeMap<>();
        obs.pods.forEach(
                (p, s) -> firstPod.merge(Observations.workload(p), s.firstSeen(), (a, b) -> a.isBefore(b) ? a : b));
        firstPod.forEach((w, first) -> {
            if (!first.isBefore(trainUntil) && !results.containsKey(w.toString())) {
                long did = day.edges.keySet().stream()
                        .filter(e -> (e.srcNamespace().equals(w.namespace())
                                        && e.srcWorkload().equals(w.key()))
                                || (e.dstNamespace().equals(w.namespace())
                                        && e.dstWorkload().equals(w.key())))
                        .count();
                results.put(
                        w.toString(),
                        new BacktestResult(did, 0, 0, List.of("new workload: first seen " + first), List.of()));
            }
        });
        return new Backtest(
                new ImpactReport.Window(training.from.toString(), trainUntil.toString()),
                new ImpactReport.Window(trainUntil.toString(), obs.until.toString()),
                results);
    }

    /** Where the backtest's held-out day starts: 24 hours before the window's end (its last data, unless --until). */
    static Instant heldOutFrom(Instant until) {
        return until.minus(Duration.ofDays(1));
    }

    /** Of the denied examples, those describing behavior first seen at or after {@code since}. */
    /**
     * What was first seen at or after {@code since}, described as the replay names what it denies: worked out once
     * per backtest (asked per workload, it described every row of the day again for each of them).
     */
    private static Set<String> newSince(Observations obs, Instant since) {
        Set<String> fresh = new java.util.HashSet<>();
        obs.edges.forEach((e, s) -> {
            if (!s.firstSeen().isBefore(since)) {
                fresh.add(dev.tailor.generate.Reports.describe(e));
            }
        });
        obs.api.forEach((a, s) -> {
            if (!s.firstSeen().isBefore(since)) {
                fresh.add(RbacReplay.describe(a));
            }
        });
        obs.syscalls.forEach((u, s) -> {
            if (!s.firstSeen().isBefore(since)) {
                fresh.add(u.syscall() + " in " + u.container());
            }
        });
        return fresh;
    }

    // --- enforce preview ----------------------------------------------------------------------------------------

    /** Per namespace: of the window's admission requests, how many enforce mode would have rejected, and for what. */
    static Map<String, EnforcePreview> enforcePreview(dev.tailor.store.StoredObservations store, Observations obs)
            throws SQLException {
        return store.enforcePreviews(obs.from, obs.until.plusNanos(1));
    }
}
