package dev.tailor.observe.admission;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.tailor.contract.AdmissionDecision;
import dev.tailor.store.ObservationStore.StoredAccess;
import dev.tailor.store.StoredObservations;
import dev.tailor.util.FingerprintSet;
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
@JsonPropertyOrder({"requests", "wouldReject", "byCheck", "otherWorkloads", "examples"})
public record EnforcePreview(
        long requests,
        long wouldReject,
        Map<String, Map<String, Long>> byCheck,
        List<String> examples,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Others> otherWorkloads) {

    /** Examples named at most. */
    public static final int EXAMPLES = 10;

    /**
     * Workloads {@link #byCheck} names for a check at most, those with the most rejections (of equal counts, the first
     * by name); the rest are summed in {@link #otherWorkloads}. A namespace of one-off workloads — bare pods, a CI
     * system's runs — has a workload per object, and the preview stays the size of a page.
     */
    public static final int WORKLOADS_PER_CHECK = 100;

    /** A preview whose checks name every workload they reject. */
    public EnforcePreview(
            long requests, long wouldReject, Map<String, Map<String, Long>> byCheck, List<String> examples) {
        this(requests, wouldReject, byCheck, examples, Map.of());
    }

    public EnforcePreview {
        otherWorkloads = otherWorkloads == null ? Map.of() : otherWorkloads; // a preview from before they were counted
    }

    /** Of a check's rejections, those of the workloads {@link #byCheck} leaves out: how many workloads, how many. */
    public record Others(long workloads, long rejected) {}

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
     * the rejections by check and workload, and the objects rejected by key ({@link #namedKey}) — at least the first
     * {@link #EXAMPLES} keys in order, which are named.
     */
    public static EnforcePreview of(
            long requests, long rejected, Map<String, ByWorkload> byCheck, java.util.SortedMap<String, Named> named) {
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
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        Map<String, Others> others = new TreeMap<>();
        byCheck.forEach((check, workloads) -> {
            counts.put(check, workloads.named());
            Others left = workloads.others();
            if (left.workloads() > 0) {
                others.put(check, left);
            }
        });
        return new EnforcePreview(requests, rejected, counts, examples, others);
    }

    /**
     * A check's rejections by workload as they are counted, each workload handed over once with its count: the {@link
     * #WORKLOADS_PER_CHECK} with the most kept, the rest summed — the same whatever order they come in.
     */
    public static final class ByWorkload {
        /** The kept workloads, the one to leave out first at the head: the fewest rejections, then the last name. */
        private final java.util.PriorityQueue<Map.Entry<String, Long>> kept =
                new java.util.PriorityQueue<>(Map.Entry.<String, Long>comparingByValue()
                        .thenComparing(Map.Entry.comparingByKey(java.util.Comparator.reverseOrder())));

        private long otherWorkloads;
        private long otherRejected;

        /** One workload's rejections for the check. */
        public void add(String workload, long rejected) {
            kept.add(Map.entry(workload, rejected));
            if (kept.size() > WORKLOADS_PER_CHECK) {
                otherWorkloads++;
                otherRejected += kept.poll().getValue();
            }
        }

        Map<String, Long> named() {
            Map<String, Long> out = new TreeMap<>();
            kept.forEach(e -> out.put(e.getKey(), e.getValue()));
            return out;
        }

        Others others() {
            return new Others(otherWorkloads, otherRejected);
        }
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
        // Each namespace's lines in time order, as a store hands them over.
        List<AdmissionDecision> ordered = new ArrayList<>(decisions);
        ordered.sort(java.util.Comparator.comparing(AdmissionDecision::time));
        Tally tally = new Tally();
        ordered.forEach(tally::ownObject);
        ordered.forEach(tally::add);
        return tally.previews(allowed);
    }

    /**
     * A namespace's requests, told apart as their lines come in time order, and those with a line counted as a
     * rejection. A request's lines are made by one review, at one instant (several reviews of it, one per webhook the
     * API server calls, within its longest timeout): only the UIDs first seen in the last {@link #SPREAD} are kept —
     * the heap of that while's requests, whatever the window's size — and a store hands each namespace's lines over
     * in time order, which the database reads from its index (namespace, time) without sorting them. Lines of one UID
     * further apart than that, which no API server sends, would be counted as two requests: more, never fewer.
     */
    public static final class Requests {
        /** Kubernetes' longest admission webhook timeout ({@code timeoutSeconds} at most 30). */
        public static final java.time.Duration SPREAD = java.time.Duration.ofSeconds(30);

        /** The heap of a request kept: its UID, when it was first seen, whether it was counted a rejection. */
        private static final long KEPT = 2 * Tally.ENTRY + Tally.STRING + 36 + 24;

        /** The UIDs first seen in the last {@link #SPREAD}, in the order they were first seen. */
        private final java.util.LinkedHashMap<String, Seen> recent = new java.util.LinkedHashMap<>();

        private Instant latest = Instant.MIN;
        private long requests;
        private long rejected;

        private static final class Seen {
            final Instant first;
            boolean rejected;

            Seen(Instant first) {
                this.first = first;
            }
        }

        /**
         * Counts a line of the request {@code uid} made at {@code time} (a rejection when {@code rejects}); the heap
         * kept more (less, when negative) after it.
         */
        public long add(String uid, Instant time, boolean rejects) {
            long before = recent.size();
            if (time.isAfter(latest)) {
                latest = time;
                Instant horizon = latest.minus(SPREAD);
                for (var it = recent.values().iterator();
                        it.hasNext() && it.next().first.isBefore(horizon); ) {
                    it.remove();
                }
            }
            Seen seen = recent.get(uid);
            if (seen == null) {
                seen = new Seen(time);
                recent.put(uid, seen);
                requests++;
            }
            if (rejects && !seen.rejected) {
                seen.rejected = true;
                rejected++;
            }
            return (recent.size() - before) * KEPT;
        }

        /** The requests counted. */
        public long requests() {
            return requests;
        }

        /** The requests with a line counted as a rejection. */
        public long rejected() {
            return rejected;
        }
    }

    /**
     * The previews' counts as the lines come: each line of the window handed first to {@link #ownObject}, then each
     * again to {@link #add} — the second pass needs what the first found (which workloads' own objects were
     * rejected), so that a store can hand them a page at a time twice, each namespace's in time order. What is kept is
     * not the lines: the last while's requests ({@link Requests}), each example's objects' names as 128-bit
     * fingerprints ({@link FingerprintSet}), each check's count by workload, and only the first {@link #EXAMPLES}
     * examples' — with the heap that takes counted as it grows.
     */
    public static final class Tally {
        /** The heap of a tree map's entry, and of a string beside its characters. */
        static final long ENTRY = 40;

        static final long STRING = 40;

        private final long limit;
        private long bytes;
        private final Map<String, Namespace> namespaces = new TreeMap<>();
        private final Set<String> ownObjectRejected = new java.util.HashSet<>();
        private final long[] fingerprint = new long[2];

        /**
         * In the first pass of a tally with a limit, the keys the second pass will count rejections under (namespace,
         * check and workload, fingerprinted) and the heap their counts will take, reckoned ahead: a namespace of
         * one-off workloads runs out of room within the first pass, not after a whole pass over its lines. Let go when
         * the second pass begins.
         */
        private FingerprintSet ahead;

        private long aheadBytes;

        /** One namespace's counts. */
        private static final class Namespace {
            final Requests requests = new Requests();
            final Map<String, Map<String, long[]>> byCheck = new TreeMap<>();
            /** The first {@link #EXAMPLES} of the keys ({@link #namedKey}) seen, in order, with their objects. */
            final TreeMap<String, Objects> named = new TreeMap<>();
        }

        /** The objects rejected under one key: their names' fingerprints, and the first name. */
        private static final class Objects {
            final FingerprintSet names = new FingerprintSet();
            String first;
        }

        /** A tally of any number of lines: what the lines handed over hold already. */
        public Tally() {
            this(Long.MAX_VALUE);
        }

        /**
         * A tally that takes at most {@code limit} bytes of heap for what it keeps, and throws {@link Full} when a line
         * would take it past that (a table that grows holds its old one too for a moment: half as much again).
         */
        public Tally(long limit) {
            this.limit = limit;
            this.ahead = limit == Long.MAX_VALUE ? null : new FingerprintSet();
        }

        /** A tally's lines would keep more than its limit. */
        public static final class Full extends RuntimeException {
            Full(long limit) {
                super("more than " + limit + " bytes of requests and objects to tell apart", null, false, false);
            }
        }

        /** The heap the tally takes, as it counts it. */
        public long bytes() {
            return bytes;
        }

        private void took(long more) {
            bytes += more;
            if (bytes > limit) {
                throw new Full(limit);
            }
        }

        /** A string's heap: a byte a character, as Kubernetes' names, kinds and the checks' are ASCII (Latin-1). */
        private static long string(String s) {
            return STRING + s.length();
        }

        /** Adds {@code key}'s fingerprint to {@code set}; true when it was not there. */
        private boolean add(FingerprintSet set, String key) {
            dev.tailor.observe.Keys.fingerprint(key, fingerprint, 0);
            long before = set.bytes();
            boolean added = set.add(fingerprint[0], fingerprint[1]);
            took(set.bytes() - before);
            return added;
        }

        /** The first pass: notes a workload's own object rejected for a check. */
        public void ownObject(AdmissionDecision d) {
            if (!wouldReject(d)) {
                return;
            }
            if (isWorkloadsOwnObject(d)) {
                String key = ownObjectKey(d);
                if (ownObjectRejected.add(key)) {
                    took(ENTRY + string(key));
                }
            }
            // Every key the second pass counts a rejection under is such a line's, and only such lines': a controller's
            // object it leaves out has the key its workload's own object is counted under.
            if (ahead != null && d.namespace() != null && !d.namespace().isEmpty()) {
                String workload = workloadOf(d);
                long before = bytes;
                if (add(ahead, d.namespace() + "\u0000" + d.check() + "\u0000" + workload)) {
                    took(ENTRY + string(workload) + 24);
                }
                aheadBytes += bytes - before;
            }
        }

        /** The second pass: counts the line's request, and its rejection. */
        public void add(AdmissionDecision d) {
            if (ahead != null) {
                bytes -= aheadBytes;
                ahead = null;
            }
            if (d.namespace() == null || d.namespace().isEmpty()) {
                return;
            }
            Namespace ns = namespaces.get(d.namespace());
            if (ns == null) {
                ns = new Namespace();
                namespaces.put(d.namespace(), ns);
                took(ENTRY + string(d.namespace()) + 4 * ENTRY);
            }
            boolean rejects = rejects(d);
            took(ns.requests.add(d.uid(), d.time(), rejects));
            if (!rejects) {
                return;
            }
            String workload = workloadOf(d);
            Map<String, long[]> workloads = ns.byCheck.get(d.check());
            if (workloads == null) {
                workloads = new TreeMap<>();
                ns.byCheck.put(d.check(), workloads);
                took(2 * ENTRY + string(d.check()));
            }
            long[] count = workloads.get(workload);
            if (count == null) {
                count = new long[1];
                workloads.put(workload, count);
                took(ENTRY + string(workload) + 24);
            }
            count[0]++;
            String key = namedKey(d.check(), workload, d.kind());
            Objects objects = ns.named.get(key);
            if (objects == null) {
                if (ns.named.size() == EXAMPLES && key.compareTo(ns.named.lastKey()) > 0) {
                    return; // after the first EXAMPLES keys seen, so after the first EXAMPLES of all
                }
                objects = new Objects();
                ns.named.put(key, objects);
                took(named(key, objects));
                if (ns.named.size() > EXAMPLES) {
                    var last = ns.named.pollLastEntry();
                    bytes -= named(last.getKey(), last.getValue());
                }
            }
            if (add(objects.names, d.name())
                    && (objects.first == null || d.name().compareTo(objects.first) < 0)) {
                objects.first = d.name();
                took(string(d.name()));
            }
        }

        /** The heap of a key's objects but for their first names. */
        private static long named(String key, Objects objects) {
            return ENTRY + string(key) + 24 + objects.names.bytes();
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
            Set<String> names = new TreeSet<>(namespaces.keySet());
            allowed.forEach((ns, n) -> {
                if (n > 0) {
                    names.add(ns);
                }
            });
            for (String name : names) {
                Namespace ns = namespaces.getOrDefault(name, new Namespace());
                Map<String, ByWorkload> byCheck = new TreeMap<>();
                ns.byCheck.forEach((check, workloads) -> {
                    ByWorkload counted = new ByWorkload();
                    workloads.forEach((workload, count) -> counted.add(workload, count[0]));
                    byCheck.put(check, counted);
                });
                java.util.SortedMap<String, Named> named = new TreeMap<>();
                ns.named.forEach((key, objects) -> named.put(key, new Named(objects.names.size(), objects.first)));
                out.put(
                        name,
                        of(
                                ns.requests.requests() + allowed.getOrDefault(name, 0L),
                                ns.requests.rejected(),
                                byCheck,
                                named));
            }
            return out;
        }
    }
}
