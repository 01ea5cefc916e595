package dev.tailor.generate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tailor.contract.Names;
import dev.tailor.identity.Workload;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Writing generated objects: the labels and annotations every one of them carries (DESIGN.md's contract), and
 * YAML and JSON that are the same bytes for the same objects.
 */
final class Manifests {
    private Manifests() {}

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .build();
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** {@code metadata} with Tailor's labels and the evidence annotations. */
    static ObjectNode metadata(
            String name, String namespace, String workloadLabel, Instant from, Instant until, String evidence) {
        ObjectNode meta = NODES.objectNode();
        meta.put("name", name);
        if (namespace != null) {
            meta.put("namespace", namespace);
        }
        ObjectNode labels = meta.putObject("labels");
        labels.put(Names.MANAGED_BY, Names.MANAGER);
        labels.put(Names.WORKLOAD, workloadLabel);
        ObjectNode annotations = meta.putObject("annotations");
        annotations.put(Names.OBSERVED_FROM, rfc3339(from));
        annotations.put(Names.OBSERVED_UNTIL, rfc3339(until));
        annotations.put(Names.EVIDENCE, evidence);
        return meta;
    }

    /** The service account the workload ran as, when it was one: what the webhook approves for it once merged. */
    static ObjectNode withServiceAccount(ObjectNode object, Observations obs, Workload w) {
        java.util.Set<String> accounts = new java.util.TreeSet<>();
        obs.identities(w).forEach(p -> accounts.add(p.serviceAccount()));
        if (accounts.size() == 1) {
            ((ObjectNode) object.path("metadata").path("annotations"))
                    .put(Names.SERVICE_ACCOUNT, accounts.iterator().next());
        }
        return object;
    }

    static ObjectNode object(String apiVersion, String kind, ObjectNode metadata) {
        ObjectNode o = NODES.objectNode().put("apiVersion", apiVersion).put("kind", kind);
        o.set("metadata", metadata);
        return o;
    }

    static String rfc3339(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static ArrayNode strings(Collection<String> values) {
        ArrayNode a = NODES.arrayNode();
        values.forEach(a::add);
        return a;
    }

    static ObjectNode matchLabels(Map<String, String> labels) {
        ObjectNode selector = NODES.objectNode();
        ObjectNode match = selector.putObject("matchLabels");
        labels.forEach(match::put);
        return selector;
    }

    /** Several objects as one YAML file, separated by {@code ---}. */
    static String yaml(List<ObjectNode> objects) {
        StringBuilder out = new StringBuilder();
        for (ObjectNode o : objects) {
            if (out.length() > 0) {
                out.append("---\n");
            }
            try {
                out.append(YAML.writeValueAsString(o));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return out.toString();
    }

    static String json(ObjectNode o) {
        try {
            return JSON.writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The directory of a workload's policies: {@code <namespace>/<kind>.<name>}. */
    static String dir(Workload w) {
        return w.namespace() + "/" + w.key();
    }
}
