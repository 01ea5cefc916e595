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
     * The previews of a window of a store: its decision-log lines that name a check, read twice a page at a time (the
     * window's lines are never all in the heap), and its requests allowed with none, counted by the UTC days the
     * window touches (the store counts those by day, not one by one).
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
        private final Map<String, Set<String>> requests = new TreeMap<>();
        private final Map<String, Set<String>> rejected = new TreeMap<>();
        private final Map<String, Map<String, Map<String, Long>>> byCheck = new TreeMap<>();
        private final Map<String, Map<String, Set<String>>> names = new TreeMap<>();
        private final Set<String> ownObjectRejected = new java.util.HashSet<>();

        /** The first pass: notes a workload's own object rejected for a check. */
        public void ownObject(AdmissionDecision d) {
            if (wouldReject(d) && isWorkloadsOwnObject(d)) {
                ownObjectRejected.add(d.namespace() + "\u0000" + d.workload() + "\u0000" + d.check());
            }
        }

        /** The second pass: counts the line's request, and its rejection. */
        public void add(AdmissionDecision d) {
            if (d.namespace() == null || d.namespace().isEmpty()) {
                return;
            }
            requests.computeIfAbsent(d.namespace(), k -> new TreeSet<>()).add(d.uid());
            if (wouldReject(d)
                    && (isWorkloadsOwnObject(d)
                            || !ownObjectRejected.contains(
                                    d.namespace() + "\u0000" + d.workload() + "\u0000" + d.check()))) {
                rejected.computeIfAbsent(d.namespace(), k -> new TreeSet<>()).add(d.uid());
                String workload =
                        d.workload() == null || d.workload().isEmpty() ? d.kind() + "/" + d.name() : d.workload();
                byCheck.computeIfAbsent(d.namespace(), k -> new TreeMap<>())
                        .computeIfAbsent(d.check(), k -> new TreeMap<>())
                        .merge(workload, 1L, Long::sum);
                names.computeIfAbsent(d.namespace(), k -> new TreeMap<>())
                        .computeIfAbsent(
                                d.check() + "\u0000" + workload + "\u0000"
                                        + d.kind().toLowerCase(java.util.Locale.ROOT),
                                k -> new TreeSet<>())
                        .add(d.name());
            }
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
                List<String> examples = new ArrayList<>();
                names.getOrDefault(ns, Map.of()).forEach((key, objectNames) -> {
                    String[] parts = key.split("\u0000");
                    int others = objectNames.size() - 1;
                    examples.add(objectNames.iterator().next()
                            + (others == 0
                                    ? ""
                                    : " (and " + others + " other " + parts[2] + (others == 1 ? "" : "s") + ")")
                            + " of " + parts[1] + ": " + parts[0]);
                });
                out.put(
                        ns,
                        new EnforcePreview(
                                requests.getOrDefault(ns, Set.of()).size() + allowed.getOrDefault(ns, 0L),
                                rejected.getOrDefault(ns, Set.of()).size(),
                                byCheck.getOrDefault(ns, Map.of()),
                                examples.stream().limit(EXAMPLES).toList()));
            }
            return out;
        }
    }
}
