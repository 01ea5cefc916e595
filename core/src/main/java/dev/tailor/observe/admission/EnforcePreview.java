package dev.tailor.observe.admission;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.tailor.contract.AdmissionDecision;
import dev.tailor.store.ObservationStore.StoredAccess;
import dev.tailor.store.StoredObservations;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A namespace's enforce preview: of its admission requests in a window, how many enforce mode would have rejected,
 * by check and workload, with a few named. What {@code tailor enforce} refuses on, what the webhook's
 * {@code enforcepreviews} serve and what {@code tailor impact} reports — all from the decision log.
 */
@JsonPropertyOrder({"requests", "wouldReject", "byCheck", "examples"})
public record EnforcePreview(
        long requests, long wouldReject, Map<String, Map<String, Long>> byCheck, List<String> examples) {

    /** Examples named at most. */
    static final int EXAMPLES = 10;

    private static boolean wouldReject(AdmissionDecision d) {
        // A write to the Namespace object itself is judged by the guard alone, the same in every mode.
        return !d.kind().equals("Namespace")
                && (d.verdict().equals("warned")
                        || (d.verdict().equals("denied") && d.mode().equals("enforce")));
    }

    /** True for a Deployment's own request in {@code deployment.web}, false for its ReplicaSet's or Pods'. */
    private static boolean isWorkloadsOwnObject(AdmissionDecision d) {
        String workload = d.workload() == null ? "" : d.workload();
        int dot = workload.indexOf('.');
        return dot < 0 || workload.substring(0, dot).equalsIgnoreCase(d.kind());
    }

    /**
     * What switching each namespace to enforce would have rejected of what audit mode let through: its warned
     * requests, and what enforce mode denied while the namespace was enforced. Not counted as rejections:
     * <ul>
     *   <li>writes to the Namespace object (the annotation guard's denials): they are judged the same in every mode;
     *   <li>a controller's object (a Deployment's ReplicaSet, its Pods; a CronJob's Job) rejected for a check its
     *       workload's own object was rejected for in the window — enforce mode would have stopped the workload
     *       itself, and the rest would never have been made. One rejection, not three.
     * </ul>
     */
    public static Map<String, EnforcePreview> perNamespace(List<AdmissionDecision> decisions) {
        return perNamespace(decisions, Map.of());
    }

    /**
     * The previews of a window of a store's decision-log lines that name a check, handed over twice (a store hands
     * them a page at a time: never all in the heap), with its requests allowed with none counted by the UTC days the
     * window touches (the store counts those by day, not one by one). What a store that can count them itself does
     * instead ({@link dev.tailor.store.ObservationStore#enforcePreviews}) must come to the same.
     */
    public static Map<String, EnforcePreview> perNamespace(StoredObservations store, Instant from, Instant until)
            throws java.sql.SQLException {
        Tally tally = new Tally();
        try {
            store.forEachDecision(from, until, tally::ownObject);
            store.forEachDecision(from, until, tally::add);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // a tally writes nowhere
        }
        return tally.previews(allowedByNamespace(store.allowedRequests(), from, until));
    }

    /**
     * A namespace's preview from its counts: its {@code requests}, those enforce mode would have {@code rejected},
     * the rejections by check and workload, and the objects rejected by key ({@link #namedKey}); the first {@link
     * #EXAMPLES} keys in order are named.
     */
    public static EnforcePreview of(
            long requests,
            long rejected,
            Map<String, Map<String, Long>> byCheck,
            java.util.SortedMap<String, Named> named) {
        List<String> examples = new ArrayList<>();
        for (Map.Entry<String, Named> e : named.entrySet()) {
            if (examples.size() == EXAMPLES) {
                break;
            }
            String[] parts = e.getKey().split("\u0000");
            long others = e.getValue().objects() - 1;
            examples.add(e.getValue().first()
                    + (others == 0 ? "" : " (and " + others + " other " + parts[2] + (others == 1 ? "" : "s") + ")")
                    + " of " + parts[1] + ": " + parts[0]);
        }
        return new EnforcePreview(requests, rejected, byCheck, examples);
    }

    /** The objects rejected for one check of one workload, of one kind: how many, and the first of their names. */
    public record Named(long objects, String first) {}

    /** What {@link #of}'s objects are keyed by: the check, the workload (or kind/name) and the kind in lower case. */
    public static String namedKey(String check, String workload, String kind) {
        return check + "\u0000" + workload + "\u0000" + kind.toLowerCase(java.util.Locale.ROOT);
    }

    /** The workload a rejection is counted under: its own, or for an object of none, its kind and name. */
    public static String workloadOf(AdmissionDecision d) {
        return d.workload() == null || d.workload().isEmpty() ? d.kind() + "/" + d.name() : d.workload();
    }

    /**
     * The requests allowed with no check against them, by namespace, on the UTC days from {@code from}'s to the one
     * before {@code until} (exclusive), both whole.
     */
    public static Map<String, Long> allowedByNamespace(
            Map<AllowedRequests, StoredAccess> counts, Instant from, Instant until) {
        LocalDate first = LocalDate.ofInstant(from, ZoneOffset.UTC);
        LocalDate last = LocalDate.ofInstant(until.minusNanos(1), ZoneOffset.UTC);
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((allowed, seen) -> seen.days().forEach((day, n) -> {
            if (!day.isBefore(first) && !day.isAfter(last)) {
                out.merge(allowed.namespace(), n, Long::sum);
            }
        }));
        return out;
    }

    /**
     * {@link #perNamespace(List)}, with {@code allowed} requests (by namespace) that the decisions do not list one by
     * one counted among each namespace's requests.
     */
    public static Map<String, EnforcePreview> perNamespace(
            List<AdmissionDecision> decisions, Map<String, Long> allowed) {
        Tally tally = new Tally();
        decisions.forEach(tally::ownObject);
        decisions.forEach(tally::add);
        return tally.previews(allowed);
    }

    /**
     * The previews' counts as the lines come: each line of the window handed first to {@link #ownObject}, then each
     * again to {@link #add} — the second pass needs what the first found (which workloads' own objects were
     * rejected), so that a store can hand them a page at a time twice; what is kept is the requests' UIDs and the
     * rejected objects' names, not the lines.
     */
    public static final class Tally {
        private final long limit;
        private long kept;
        private final Map<String, Set<String>> requests = new TreeMap<>();
        private final Map<String, Set<String>> rejected = new TreeMap<>();
        private final Map<String, Map<String, Map<String, Long>>> byCheck = new TreeMap<>();
        private final Map<String, Map<String, Set<String>>> names = new TreeMap<>();
        private final Set<String> ownObjectRejected = new java.util.HashSet<>();

        /** A tally of any number of lines: what the lines handed over hold already. */
        public Tally() {
            this(Long.MAX_VALUE);
        }

        /**
         * A tally that keeps at most {@code limit} UIDs and names (133 bytes of heap each, measured), and throws {@link
         * Full} when a line would take it past that.
         */
        public Tally(long limit) {
            this.limit = limit;
        }

        /** A tally's lines would keep more than its limit. */
        public static final class Full extends RuntimeException {
            Full(long limit) {
                super("more than " + limit + " requests and objects to tell apart", null, false, false);
            }
        }

        private void kept(boolean added) {
            if (added && ++kept > limit) {
                throw new Full(limit);
            }
        }

        /** The first pass: notes a workload's own object rejected for a check. */
        public void ownObject(AdmissionDecision d) {
            if (wouldReject(d) && isWorkloadsOwnObject(d)) {
                ownObjectRejected.add(ownObjectKey(d));
            }
        }

        /** The second pass: counts the line's request, and its rejection. */
        public void add(AdmissionDecision d) {
            if (d.namespace() == null || d.namespace().isEmpty()) {
                return;
            }
            kept(requests.computeIfAbsent(d.namespace(), k -> new TreeSet<>()).add(d.uid()));
            if (rejects(d)) {
                kept(rejected.computeIfAbsent(d.namespace(), k -> new TreeSet<>())
                        .add(d.uid()));
                String workload = workloadOf(d);
                byCheck.computeIfAbsent(d.namespace(), k -> new TreeMap<>())
                        .computeIfAbsent(d.check(), k -> new TreeMap<>())
                        .merge(workload, 1L, Long::sum);
                kept(names.computeIfAbsent(d.namespace(), k -> new TreeMap<>())
                        .computeIfAbsent(namedKey(d.check(), workload, d.kind()), k -> new TreeSet<>())
                        .add(d.name()));
            }
        }

        /**
         * After the first pass: whether the line counts as a rejection — one enforce mode would have made, and not a
         * controller's object for a check its workload's own object was rejected for.
         */
        private boolean rejects(AdmissionDecision d) {
            return wouldReject(d) && (isWorkloadsOwnObject(d) || !ownObjectRejected.contains(ownObjectKey(d)));
        }

        /** What a workload's own object rejected for a check is noted by: its namespace, workload and check. */
        private static String ownObjectKey(AdmissionDecision d) {
            return d.namespace() + "\u0000" + d.workload() + "\u0000" + d.check();
        }

        /** The previews, with {@code allowed} requests (by namespace) counted among each namespace's requests. */
        public Map<String, EnforcePreview> previews(Map<String, Long> allowed) {
            Map<String, EnforcePreview> out = new TreeMap<>();
            Set<String> namespaces = new TreeSet<>(requests.keySet());
            allowed.forEach((ns, n) -> {
                if (n > 0) {
                    namespaces.add(ns);
                }
            });
            for (String ns : namespaces) {
                java.util.SortedMap<String, Named> named = new TreeMap<>();
                names.getOrDefault(ns, Map.of())
                        .forEach((key, objectNames) -> named.put(
                                key,
                                new Named(
                                        objectNames.size(),
                                        objectNames.iterator().next())));
                out.put(
                        ns,
                        of(
                                requests.getOrDefault(ns, Set.of()).size() + allowed.getOrDefault(ns, 0L),
                                rejected.getOrDefault(ns, Set.of()).size(),
                                byCheck.getOrDefault(ns, Map.of()),
                                named));
            }
            return out;
        }
    }
}
