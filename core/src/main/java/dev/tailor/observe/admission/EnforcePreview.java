package dev.tailor.observe.admission;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.tailor.contract.AdmissionDecision;
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
        Map<String, Set<String>> requests = new TreeMap<>();
        Map<String, Set<String>> rejected = new TreeMap<>();
        Map<String, Map<String, Map<String, Long>>> byCheck = new TreeMap<>();
        Map<String, Map<String, Set<String>>> names = new TreeMap<>();
        Set<String> ownObjectRejected = new java.util.HashSet<>();
        for (AdmissionDecision d : decisions) {
            if (wouldReject(d) && isWorkloadsOwnObject(d)) {
                ownObjectRejected.add(d.namespace() + "\u0000" + d.workload() + "\u0000" + d.check());
            }
        }
        for (AdmissionDecision d : decisions) {
            if (d.namespace() == null || d.namespace().isEmpty()) {
                continue;
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
        Map<String, EnforcePreview> out = new TreeMap<>();
        requests.forEach((ns, uids) -> {
            List<String> examples = new ArrayList<>();
            names.getOrDefault(ns, Map.of()).forEach((key, objectNames) -> {
                String[] parts = key.split("\u0000");
                int others = objectNames.size() - 1;
                examples.add(objectNames.iterator().next()
                        + (others == 0 ? "" : " (and " + others + " other " + parts[2] + (others == 1 ? "" : "s") + ")")
                        + " of " + parts[1] + ": " + parts[0]);
            });
            out.put(
                    ns,
                    new EnforcePreview(
                            uids.size(),
                            rejected.getOrDefault(ns, Set.of()).size(),
                            byCheck.getOrDefault(ns, Map.of()),
                            examples.stream().limit(EXAMPLES).toList()));
        });
        return out;
    }
}
