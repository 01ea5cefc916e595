package dev.tailor.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Kubernetes' label selector ({@code metav1.LabelSelector}): {@code matchLabels} and {@code matchExpressions}
 * ({@code In}, {@code NotIn}, {@code Exists}, {@code DoesNotExist}) all ANDed; an empty selector matches
 * everything. An unknown operator matches nothing (the API server would have refused it).
 */
public final class LabelSelector {
    private LabelSelector() {}

    public static boolean matches(io.fabric8.kubernetes.api.model.LabelSelector selector, Map<String, String> labels) {
        return compile(selector).matches(labels);
    }

    /** One requirement: a key, an operator and its values ({@code matchLabels} entries are {@code In} one value). */
    private record Requirement(String key, String operator, Set<String> values) {
        boolean matches(Map<String, String> labels) {
            boolean has = labels.containsKey(key);
            return switch (operator) {
                case "In" -> has && values.contains(labels.get(key));
                case "NotIn" -> !has || !values.contains(labels.get(key));
                case "Exists" -> has;
                case "DoesNotExist" -> !has;
                default -> false;
            };
        }
    }

    /** A selector read once, to be matched against many label sets. */
    public static final class Compiled {
        private final List<Requirement> requirements;

        private Compiled(List<Requirement> requirements) {
            this.requirements = requirements;
        }

        /** True when it selects everything (no requirement). */
        public boolean isEmpty() {
            return requirements.isEmpty();
        }

        public boolean matches(Map<String, String> labels) {
            for (Requirement r : requirements) {
                if (!r.matches(labels)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Reads a selector once; a null selector selects everything. */
    public static Compiled compile(io.fabric8.kubernetes.api.model.LabelSelector selector) {
        List<Requirement> requirements = new ArrayList<>();
        if (selector != null) {
            if (selector.getMatchLabels() != null) {
                selector.getMatchLabels()
                        .forEach((key, value) ->
                                requirements.add(new Requirement(key, "In", Set.of(value == null ? "" : value))));
            }
            if (selector.getMatchExpressions() != null) {
                for (LabelSelectorRequirement expr : selector.getMatchExpressions()) {
                    requirements.add(new Requirement(
                            expr.getKey(),
                            expr.getOperator(),
                            expr.getValues() == null ? Set.of() : new HashSet<>(expr.getValues())));
                }
            }
        }
        return new Compiled(List.copyOf(requirements));
    }

    /** An object's labels ({@code metadata.labels}) as a sorted map. */
    public static Map<String, String> labels(HasMetadata object) {
        Map<String, String> labels =
                object.getMetadata() == null ? null : object.getMetadata().getLabels();
        return labels == null ? new TreeMap<>() : new TreeMap<>(labels);
    }
}
