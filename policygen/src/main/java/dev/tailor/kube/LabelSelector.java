package dev.tailor.kube;

import com.fasterxml.jackson.databind.JsonNode;
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

    public static boolean matches(JsonNode selector, Map<String, String> labels) {
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

    /** Reads a selector once; a missing or null selector selects everything. */
    public static Compiled compile(JsonNode selector) {
        List<Requirement> requirements = new ArrayList<>();
        if (selector != null && !selector.isMissingNode() && !selector.isNull()) {
            selector.path("matchLabels")
                    .properties()
                    .forEach(e -> requirements.add(new Requirement(
                            e.getKey(), "In", Set.of(e.getValue().asText()))));
            for (JsonNode expr : selector.path("matchExpressions")) {
                Set<String> values = new HashSet<>();
                expr.path("values").forEach(v -> values.add(v.asText()));
                requirements.add(new Requirement(
                        expr.path("key").asText(), expr.path("operator").asText(), values));
            }
        }
        return new Compiled(List.copyOf(requirements));
    }

    /** An object's labels ({@code metadata.labels}) as a map. */
    public static Map<String, String> labels(JsonNode object) {
        Map<String, String> labels = new TreeMap<>();
        object.path("metadata")
                .path("labels")
                .properties()
                .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }
}
