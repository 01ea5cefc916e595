package dev.tailor.generate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tailor.contract.Names;
import dev.tailor.identity.Workload;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writing generated objects: the labels and annotations every one of them carries (DESIGN.md's contract), and the
 * one writer of YAML and JSON: typed fabric8 objects in, the same bytes for the same objects out, fields in the order
 * a reader scans them ({@link #FIELD_ORDER}) rather than the model's alphabetical one.
 */
final class Manifests {
    private Manifests() {}

    /**
     * Fields in the order they are written: identity first (apiVersion, kind, metadata's name and namespace), then
     * what the object grants. A field not listed follows the listed ones in the model's order. Maps (labels,
     * annotations, matchLabels) keep their own order.
     */
    static final List<String> FIELD_ORDER = List.of(
            "apiVersion",
            "apiGroup",
            "kind",
            "metadata",
            "name",
            "namespace",
            "labels",
            "annotations",
            "spec",
            "rules",
            "roleRef",
            "subjects",
            "namespaceSelector",
            "podSelector",
            "matchLabels",
            "matchExpressions",
            "policyTypes",
            "ingress",
            "egress",
            "from",
            "to",
            "ipBlock",
            "cidr",
            "except",
            "ports",
            "protocol",
            "port",
            "endPort",
            "apiGroups",
            "resources",
            "resourceNames",
            "nonResourceURLs",
            "verbs",
            "defaultAction",
            "defaultErrnoRet",
            "architectures",
            "syscalls",
            "names",
            "action",
            "errnoRet",
            "jobTemplate",
            "template",
            "containers",
            "securityContext",
            "seccompProfile",
            "type",
            "localhostProfile");

    private static final Map<String, Integer> RANK = rank(FIELD_ORDER);

    /**
     * Every object's properties in {@link #FIELD_ORDER} (a stable sort: the model's order for the rest), as the
     * serializer writes them: no tree built and reordered per object. Maps — labels, annotations, selectors — are
     * written in their own order.
     */
    private static final SimpleModule ORDERED = new SimpleModule().setSerializerModifier(new BeanSerializerModifier() {
        @Override
        public List<BeanPropertyWriter> orderProperties(
                SerializationConfig config, BeanDescription bean, List<BeanPropertyWriter> properties) {
            List<BeanPropertyWriter> ordered = new ArrayList<>(properties);
            ordered.sort(Comparator.comparingInt(p -> RANK.getOrDefault(p.getName(), Integer.MAX_VALUE)));
            return ordered;
        }
    });

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .addModule(ORDERED)
            .build();
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(ORDERED);

    /** {@code metadata} with Tailor's labels and the evidence annotations. */
    static ObjectMeta metadata(
            String name, String namespace, String workloadLabel, Instant from, Instant until, String evidence) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(namespace)
                .addToLabels(Names.MANAGED_BY, Names.MANAGER)
                .addToLabels(Names.WORKLOAD, workloadLabel)
                .addToAnnotations(Names.OBSERVED_FROM, rfc3339(from))
                .addToAnnotations(Names.OBSERVED_UNTIL, rfc3339(until))
                .addToAnnotations(Names.EVIDENCE, evidence)
                .build();
    }

    /** The service account the workload ran as, when it was one: what the webhook approves for it once merged. */
    static <T extends HasMetadata> T withServiceAccount(T object, Observations obs, Workload w) {
        Set<String> accounts = new TreeSet<>();
        obs.identities(w).forEach(p -> accounts.add(p.serviceAccount()));
        if (accounts.size() == 1) {
            object.setMetadata(new ObjectMetaBuilder(object.getMetadata())
                    .addToAnnotations(Names.SERVICE_ACCOUNT, accounts.iterator().next())
                    .build());
        }
        return object;
    }

    static String rfc3339(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static LabelSelector matchLabels(Map<String, String> labels) {
        return new LabelSelectorBuilder()
                .withMatchLabels(new LinkedHashMap<>(labels))
                .build();
    }

    /** Several objects as one YAML file, separated by {@code ---}. */
    static String yaml(List<? extends KubernetesResource> objects) {
        StringBuilder out = new StringBuilder();
        for (KubernetesResource o : objects) {
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

    /** An object as indented JSON, in the same field order as {@link #yaml}. */
    static String json(Object o) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An object as one line of JSON, in the written field order: a sort key that orders objects as they read. */
    static String compact(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Integer> rank(List<String> order) {
        Map<String, Integer> rank = new HashMap<>();
        for (int i = 0; i < order.size(); i++) {
            if (rank.put(order.get(i), i) != null) {
                throw new IllegalStateException("listed twice: " + order.get(i));
            }
        }
        return rank;
    }

    /** The directory of a workload's policies: {@code <namespace>/<kind>.<name>}. */
    static String dir(Workload w) {
        return w.namespace() + "/" + w.key();
    }
}
