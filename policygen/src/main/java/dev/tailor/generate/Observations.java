package dev.tailor.generate;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.identity.Workload;
import dev.tailor.observe.audit.ApiAccess;
import dev.tailor.observe.flows.NetworkEdge;
import dev.tailor.observe.syscalls.SyscallUse;
import dev.tailor.store.ObservationStore.StoredAccess;
import dev.tailor.store.PodIdentity;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What the store holds about the observation window, read once and grouped for the generators: API accesses,
 * network edges, syscall uses and pods, each with first and last sighting, count and days. Rows not seen in the
 * window are left out, and days outside it are dropped.
 *
 * <p>The window ends at {@link #until}: the last observation in the store unless given — never the wall clock, so
 * the same store always gives the same policies.
 */
public final class Observations {

    private static final ObjectMapper JSON = new ObjectMapper();

    public final Instant from;
    public final Instant until;
    public final Map<ApiAccess, StoredAccess> api;
    public final Map<NetworkEdge, StoredAccess> edges;
    public final Map<SyscallUse, StoredAccess> syscalls;
    public final Map<PodIdentity, StoredAccess> pods;
    /** Pods ({@code namespace/pod}) whose creation the admission stream showed. */
    public final Set<String> podsSeenCreated;
    /** The containers of the workloads' pods ({@code spec.containers}), as {@code namespace/kind.name/container}. */
    public final Set<String> workloadContainers;
    /** The workloads' init containers, as {@code namespace/kind.name/container}. */
    public final Set<String> initContainers;
    /** The ephemeral containers added to the workloads' pods ({@code kubectl debug}), as {@code namespace/kind.name/container}. */
    public final Set<String> ephemeralContainers;

    private Observations(
            Instant from,
            Instant until,
            Map<ApiAccess, StoredAccess> api,
            Map<NetworkEdge, StoredAccess> edges,
            Map<SyscallUse, StoredAccess> syscalls,
            Map<PodIdentity, StoredAccess> pods,
            Set<String> podsSeenCreated,
            Set<String> workloadContainers,
            Set<String> initContainers,
            Set<String> ephemeralContainers) {
        this.from = from;
        this.until = until;
        // A read model: the generators and the replay read it, none may change what the window holds.
        this.api = Collections.unmodifiableMap(api);
        this.edges = Collections.unmodifiableMap(edges);
        this.syscalls = Collections.unmodifiableMap(syscalls);
        this.pods = Collections.unmodifiableMap(pods);
        this.podsSeenCreated = Collections.unmodifiableSet(podsSeenCreated);
        this.workloadContainers = Collections.unmodifiableSet(workloadContainers);
        this.initContainers = Collections.unmodifiableSet(initContainers);
        this.ephemeralContainers = Collections.unmodifiableSet(ephemeralContainers);
    }

    /** Reads the window of {@code length} that ends at {@code until} (null: the last observation). */
    public static Observations load(dev.tailor.store.StoredObservations store, Duration length, Instant until)
            throws SQLException {
        Map<ApiAccess, StoredAccess> api = store.apiAccesses();
        Map<NetworkEdge, StoredAccess> edges = store.networkEdges();
        Map<SyscallUse, StoredAccess> syscalls = store.syscallUses();
        Map<PodIdentity, StoredAccess> pods = store.podIdentities();
        Instant end = until != null ? until : StoredAccess.latest(List.of(api, edges, syscalls));
        Instant start = end.minus(length);
        // Pods are identity, not behavior: a pod created before the window and running through it is still the one
        // the window's flows came from, so every pod sighting is kept.
        return new Observations(
                start,
                end,
                window(api, start, end),
                window(edges, start, end),
                window(syscalls, start, end),
                pods,
                store.podsSeenCreated(),
                store.workloadContainers(),
                store.initContainers(),
                store.ephemeralContainers());
    }

    /** The rows seen within the window, with their days in it, in key order. */
    private static <K extends dev.tailor.util.Joined.Ordered<K>> Map<K, StoredAccess> window(
            Map<K, StoredAccess> rows, Instant from, Instant until) {
        LocalDate firstDay = LocalDate.ofInstant(from, ZoneOffset.UTC);
        LocalDate lastDay = LocalDate.ofInstant(until, ZoneOffset.UTC);
        Map<K, StoredAccess> out = new java.util.LinkedHashMap<>();
        rows.forEach((k, s) -> {
            if (s.lastSeen().isBefore(from) || s.firstSeen().isAfter(until)) {
                return;
            }
            Map<LocalDate, Long> days;
            if (s.days() instanceof java.util.NavigableMap<LocalDate, Long> sorted) {
                // A view of the window's days, not a copy: a month's rows have some 257,000 day rows, and the
                // preview loads three windows of them. The store's maps are not changed after they are read.
                days = Collections.unmodifiableNavigableMap(sorted.subMap(firstDay, true, lastDay, true));
            } else {
                days = new TreeMap<>();
                for (var d : s.days().entrySet()) {
                    if (!d.getKey().isBefore(firstDay) && !d.getKey().isAfter(lastDay)) {
                        days.put(d.getKey(), d.getValue());
                    }
                }
            }
            long count = 0;
            for (long n : days.values()) {
                count += n;
            }
            out.put(k, new StoredAccess(s.firstSeen(), s.lastSeen(), count, days));
        });
        return dev.tailor.util.Joined.inOrder(out); // the store's rows are; a snapshot's may not be
    }

    /** True when the window holds no API access, flow or syscall (pods alone are no behavior). */
    public boolean nothingObserved() {
        return api.isEmpty() && edges.isEmpty() && syscalls.isEmpty();
    }

    /** The workloads whose pods run as a service account. */
    public Set<Workload> runningAs(String namespace, String serviceAccount) {
        Set<Workload> out = index().byAccount().get(namespace + ":" + serviceAccount);
        return out == null ? Set.of() : java.util.Collections.unmodifiableSet(out);
    }

    /** The pod sightings of a workload (by a scan of every pod once, for every workload). */
    public List<PodIdentity> identities(Workload w) {
        return index().byWorkload().getOrDefault(w, List.of());
    }

    /** Every workload some pod was seen of, in order. */
    public Set<Workload> workloads() {
        return java.util.Collections.unmodifiableSet(index().byWorkload().keySet());
    }

    /**
     * The pods by workload and by {@code namespace:serviceAccount}, and each workload's common labels: callers ask per
     * row, per edge and per workload, and a scan of every pod each time made the preview quadratic in the cluster.
     */
    private record Index(
            Map<Workload, List<PodIdentity>> byWorkload,
            Map<String, Set<Workload>> byAccount,
            Map<Workload, Map<String, String>> commonLabels,
            Map<Workload, Set<Map<String, String>>> labelSets) {}

    private volatile Index index;

    private Index index() {
        Index made = index;
        return made != null ? made : buildIndex();
    }

    /** Built once, by one thread: the labels' map instances are what the NetworkPolicy evaluator remembers. */
    private synchronized Index buildIndex() {
        Index made = index;
        if (made == null) {
            Map<Workload, List<PodIdentity>> byWorkload = new TreeMap<>();
            Map<String, Set<Workload>> byAccount = new java.util.HashMap<>();
            Map<Workload, Map<String, String>> common = new java.util.HashMap<>();
            Map<Workload, Set<Map<String, String>>> labelSets = new java.util.HashMap<>();
            for (PodIdentity p : pods.keySet()) {
                Workload w = workload(p);
                byWorkload.computeIfAbsent(w, k -> new ArrayList<>()).add(p);
                byAccount
                        .computeIfAbsent(p.namespace() + ":" + p.serviceAccount(), k -> new TreeSet<>())
                        .add(w);
                Map<String, String> podLabels = java.util.Collections.unmodifiableMap(parse(p.labels()));
                labelSets.computeIfAbsent(w, k -> new java.util.HashSet<>()).add(podLabels);
                common.merge(w, new TreeMap<>(podLabels), (labels, next) -> {
                    labels.entrySet().retainAll(next.entrySet());
                    return labels;
                });
            }
            common.replaceAll((k, labels) -> java.util.Collections.unmodifiableMap(labels));
            made = new Index(byWorkload, byAccount, common, labelSets);
            index = made;
        }
        return made;
    }

    /** Every service account some admitted pod ran as, as {@code namespace → names}. */
    public Map<String, Set<String>> serviceAccounts() {
        Map<String, Set<String>> out = new TreeMap<>();
        pods.keySet().stream()
                .filter(p -> !p.serviceAccount().isEmpty()) // a pod only a flow named, without its account
                .forEach(p ->
                        out.computeIfAbsent(p.namespace(), k -> new TreeSet<>()).add(p.serviceAccount()));
        return out;
    }

    /**
     * The labels every pod of a workload carries (per-instance labels were never stored): what selects the whole
     * workload and nothing else of it changes with a rollout. Empty when no pod of it was seen — admitted, or named
     * with its labels by a flow (kube-system's pods, which the webhook is never sent).
     */
    public Map<String, String> labels(Workload w) {
        // The same instance every time: the NetworkPolicy evaluator remembers what selects a pod by it.
        return index().commonLabels().getOrDefault(w, Map.of());
    }

    /** The label sets its pods were seen with (each once; per-instance labels were never stored). */
    public Set<Map<String, String>> podLabelSets(Workload w) {
        return java.util.Collections.unmodifiableSet(index().labelSets().getOrDefault(w, Set.of()));
    }

    /**
     * The network edges with the workload at one end or both, in the order of {@link #edges} (an edge from a workload
     * to itself once).
     */
    public List<Map.Entry<NetworkEdge, StoredAccess>> edgesOf(Workload w) {
        Map<String, List<Map.Entry<NetworkEdge, StoredAccess>>> made = edgesByEnd;
        return (made != null ? made : edgeIndex()).getOrDefault(w.namespace() + "/" + w.key(), List.of());
    }

    /** API requests by subject ({@code system:serviceaccount:NS:NAME}, a user), summed over what each did. */
    public long apiRequestsBy(String subject) {
        return apiAccessesBy(subject).values().stream()
                .mapToLong(StoredAccess::count)
                .sum();
    }

    /** The API accesses a subject made, in the order of {@link #api}. */
    public Map<ApiAccess, StoredAccess> apiAccessesBy(String subject) {
        Map<String, Map<ApiAccess, StoredAccess>> made = apiRowsBySubject;
        return java.util.Collections.unmodifiableMap(
                (made != null ? made : apiIndex()).getOrDefault(subject, Map.of()));
    }

    private synchronized Map<String, Map<ApiAccess, StoredAccess>> apiIndex() {
        Map<String, Map<ApiAccess, StoredAccess>> made = apiRowsBySubject;
        if (made == null) {
            made = new java.util.HashMap<>();
            for (var e : api.entrySet()) {
                made.computeIfAbsent(e.getKey().subject(), k -> new java.util.LinkedHashMap<>())
                        .put(e.getKey(), e.getValue());
            }
            apiRowsBySubject = made;
        }
        return made;
    }

    private volatile Map<String, Map<ApiAccess, StoredAccess>> apiRowsBySubject;
    private volatile Map<String, List<Map.Entry<NetworkEdge, StoredAccess>>> edgesByEnd;

    private synchronized Map<String, List<Map.Entry<NetworkEdge, StoredAccess>>> edgeIndex() {
        Map<String, List<Map.Entry<NetworkEdge, StoredAccess>>> made = edgesByEnd;
        if (made == null) {
            made = new java.util.HashMap<>();
            for (var e : edges.entrySet()) {
                NetworkEdge edge = e.getKey();
                String src = edge.srcNamespace() + "/" + edge.srcWorkload();
                String dst = edge.dstNamespace() + "/" + edge.dstWorkload();
                if (!edge.srcNamespace().isEmpty()) {
                    made.computeIfAbsent(src, k -> new ArrayList<>()).add(e);
                }
                if (!edge.dstNamespace().isEmpty() && !dst.equals(src)) {
                    made.computeIfAbsent(dst, k -> new ArrayList<>()).add(e);
                }
            }
            edgesByEnd = made;
        }
        return made;
    }

    /** Whether a syscall's container is one {@code kubectl debug} added to a pod of its workload, not the template's. */
    public boolean debugContainer(SyscallUse u) {
        return ephemeralContainers.contains(containerId(u.namespace(), u.workload(), u.container()));
    }

    /** A workload's container as the container sets name it: {@code namespace/kind.name/container}. */
    public static String containerId(String namespace, String workloadKey, String container) {
        return namespace + "/" + workloadKey + "/" + container;
    }

    /** The pods (name → first sighting: its creation) of a workload. */
    public Map<String, Instant> podsOf(Workload w) {
        Map<String, Instant> out = new TreeMap<>();
        for (PodIdentity p : identities(w)) {
            out.merge(p.pod(), pods.get(p).firstSeen(), (a, b) -> a.isBefore(b) ? a : b);
        }
        return out;
    }

    /** Was any pod of the workload seen created (its start observed)? */
    public boolean startSeen(Workload w) {
        return identities(w).stream().anyMatch(p -> podsSeenCreated.contains(p.namespace() + "/" + p.pod()));
    }

    public static Workload workload(PodIdentity p) {
        return new Workload(p.namespace(), p.workloadKind(), p.workloadName());
    }

    private static Map<String, String> parse(String labels) {
        try {
            return JSON.readValue(labels, new TypeReference<TreeMap<String, String>>() {});
        } catch (IOException e) {
            throw new IllegalStateException("pod_identity.labels is not JSON: " + labels, e);
        }
    }

    /** Rows of a table that belong to a workload, by a function naming each row's workload (or null). */
    public static <K> List<StoredAccess> rowsOf(
            Map<K, StoredAccess> rows, Function<K, List<Workload>> owners, Workload w) {
        List<StoredAccess> out = new ArrayList<>();
        rows.forEach((k, s) -> {
            if (owners.apply(k).contains(w)) {
                out.add(s);
            }
        });
        return out;
    }
}
