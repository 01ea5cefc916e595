package dev.tailor.generate;

import dev.tailor.identity.Workload;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What selects each workload's pods and no other workload's. A workload's pods are selected by the labels all of them
 * carry ({@link Observations#labels}); where another workload's pods in its namespace carry all of those too — a
 * chart whose main component lacks the component label its others have, a bare pod labelled like a Deployment's —
 * that selector takes them in, and the policy's rules, and every rule that names the workload as a peer, apply to them
 * as well. Each such pod is left out by a requirement on a label that tells it apart: one it has and the workload's
 * pods never have ({@code DoesNotExist}), else one whose value the workload's pods never have ({@code NotIn}); the
 * other workload's common labels are tried first, so that its pods as a whole are left out. Pods no label tells apart
 * (the same labels) are named, for the report to say.
 */
final class WorkloadSelectors {

    private final Observations obs;
    private final Map<Workload, LabelSelector> selectors = new HashMap<>();
    private final Map<Workload, Set<Workload>> inseparable = new HashMap<>();
    /** The workloads of each namespace that have labels, in order. */
    private final Map<String, List<Workload>> byNamespace = new HashMap<>();
    /** Each of those workloads' common labels, then its pods' label sets in order: what another's selector may take in. */
    private final Map<Workload, List<Map<String, String>>> labelSets = new HashMap<>();

    WorkloadSelectors(Observations obs) {
        this.obs = obs;
        for (Workload w : obs.workloads()) {
            if (!obs.labels(w).isEmpty()) {
                byNamespace
                        .computeIfAbsent(w.namespace(), k -> new ArrayList<>())
                        .add(w);
                List<Map<String, String>> sets = new ArrayList<>();
                sets.add(obs.labels(w));
                obs.podLabelSets(w).stream() // each sorted by key: its printed form orders them
                        .sorted(java.util.Comparator.comparing(Object::toString))
                        .forEach(sets::add);
                labelSets.put(w, sets);
            }
        }
    }

    /** The selector of a workload's pods; null when no labels of them are known. */
    LabelSelector of(Workload w) {
        Map<String, String> labels = obs.labels(w);
        if (labels.isEmpty()) {
            return null;
        }
        LabelSelector made = selectors.get(w);
        if (made == null) {
            made = build(w, labels);
            selectors.put(w, made);
        }
        return made;
    }

    /** The workloads whose pods its selector takes in for want of a label that tells them apart (after {@link #of}). */
    Set<Workload> inseparableFrom(Workload w) {
        return inseparable.getOrDefault(w, Set.of());
    }

    private LabelSelector build(Workload w, Map<String, String> common) {
        Set<Map<String, String>> own = obs.podLabelSets(w);
        // key → the values left out (NotIn), or null (DoesNotExist): which, as the workload's own pods have the key
        Map<String, Set<String>> leftOut = new TreeMap<>();
        for (Workload other : byNamespace.getOrDefault(w.namespace(), List.of())) {
            if (other.equals(w)) {
                continue;
            }
            Map<String, String> otherCommon = obs.labels(other);
            for (Map<String, String> pod : labelSets.get(other)) {
                if (!pod.entrySet().containsAll(common.entrySet()) || excluded(pod, leftOut)) {
                    continue;
                }
                String key = distinguishing(pod, otherCommon, common, own, leftOut);
                if (key == null) {
                    inseparable.computeIfAbsent(w, k -> new TreeSet<>()).add(other);
                }
            }
        }
        LabelSelectorBuilder selector = new LabelSelectorBuilder().withMatchLabels(new LinkedHashMap<>(common));
        leftOut.forEach((key, values) -> selector.addToMatchExpressions(requirement(key, values)));
        return selector.build();
    }

    /** Whether the requirements so far leave a pod with these labels out. */
    private static boolean excluded(Map<String, String> pod, Map<String, Set<String>> leftOut) {
        for (Map.Entry<String, Set<String>> r : leftOut.entrySet()) {
            String value = pod.get(r.getKey());
            if (value != null && (r.getValue() == null || r.getValue().contains(value))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Adds a requirement that leaves {@code pod} out and none of {@code own}: on a key of the other workload's common
     * labels first, then on its pod's others, each in order; the key, or null when no label tells them apart.
     */
    private static String distinguishing(
            Map<String, String> pod,
            Map<String, String> otherCommon,
            Map<String, String> common,
            Set<Map<String, String>> own,
            Map<String, Set<String>> leftOut) {
        List<String> keys = new ArrayList<>(new TreeSet<>(otherCommon.keySet()));
        new TreeSet<>(pod.keySet()).stream().filter(k -> !keys.contains(k)).forEach(keys::add);
        for (String key : keys) {
            if (common.containsKey(key)) {
                continue; // the same value as the workload's own pods: it selects them
            }
            if (own.stream().noneMatch(o -> o.containsKey(key))) {
                leftOut.put(key, null); // and so never NotIn: that is for keys the workload's own pods have
                return key;
            }
            String value = pod.get(key);
            if (own.stream().noneMatch(o -> value.equals(o.get(key)))) {
                leftOut.computeIfAbsent(key, k -> new TreeSet<>()).add(value);
                return key;
            }
        }
        return null;
    }

    private static LabelSelectorRequirement requirement(String key, Set<String> values) {
        LabelSelectorRequirementBuilder r = new LabelSelectorRequirementBuilder().withKey(key);
        return values == null
                ? r.withOperator("DoesNotExist").build()
                : r.withOperator("NotIn").withValues(new ArrayList<>(values)).build();
    }
}
