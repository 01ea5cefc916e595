package dev.tailor.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
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
        if (selector == null || selector.isMissingNode() || selector.isNull()) {
            return true;
        }
        var it = selector.path("matchLabels").fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().asText().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (JsonNode expr : selector.path("matchExpressions")) {
            String key = expr.path("key").asText();
            Set<String> values = new HashSet<>();
            expr.path("values").forEach(v -> values.add(v.asText()));
            boolean has = labels.containsKey(key);
            boolean ok = switch (expr.path("operator").asText()) {
                case "In" -> has && values.contains(labels.get(key));
                case "NotIn" -> !has || !values.contains(labels.get(key));
                case "Exists" -> has;
                case "DoesNotExist" -> !has;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** An object's labels ({@code metadata.labels}) as a map. */
    public static Map<String, String> labels(JsonNode object) {
        Map<String, String> labels = new TreeMap<>();
        object.path("metadata").path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }
}
