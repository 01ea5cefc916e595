package dev.tailor.observe.flows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.identity.Workload;
import dev.tailor.observe.Inputs;
import dev.tailor.observe.Problems;
import dev.tailor.observe.UnknownFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Reads Cilium Hubble flows as {@code hubble observe -o json} prints them and the Hubble exporter writes them: one
 * {@code {"flow": {…}, "node_name": …, "time": …}} per line (lines starting with {@code //} are comments).
 */
public final class HubbleFlowReader {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_LINE_CHARS = 1024 * 1024;
    private static final String NAMESPACE_LABEL = "io.cilium.k8s.namespace.labels.";
    private static final String SERVICE_ACCOUNT_LABEL = "io.cilium.k8s.policy.serviceaccount";

    /** What one input held. */
    public record Stats(long lines, long flows) {}

    /** Fails before anything is read when the input does not start like Hubble flows. */
    public static void checkFormat(String name, InputStream in) throws IOException, UnknownFormatException {
        String first = Inputs.peekFirstLine(in, 64 * 1024, "//");
        if (first.isEmpty()) {
            return;
        }
        try {
            if (JSON.readTree(first).path("flow").isObject()) {
                return;
            }
        } catch (JsonProcessingException e) {
            // falls through
        }
        throw new UnknownFormatException(name + ": not Hubble flows (hubble observe -o json lines); its first line is: "
                + Inputs.shown(first));
    }

    public Stats read(String name, InputStream in, Consumer<Flow> sink, Problems problems) throws IOException {
        long[] flows = {0};
        long lines = Inputs.forEachLine(name, in, MAX_LINE_CHARS, problems, (number, line) -> {
            if (line.startsWith("//")) {
                return;
            }
            JsonNode flow;
            try {
                flow = JSON.readTree(line).path("flow");
            } catch (JsonProcessingException e) {
                problems.add(name, number, "not JSON", "not JSON (" + e.getOriginalMessage() + ")");
                return;
            }
            if (!flow.isObject()) {
                problems.add(name, number, "no flow", "no flow: the line has no \"flow\" object");
                return;
            }
            if (!flow.path("time").isTextual() || !flow.path("verdict").isTextual()) {
                problems.add(name, number, "missing field", "missing field: flow.time or flow.verdict");
                return;
            }
            try {
                sink.accept(toFlow(flow));
                flows[0]++;
            } catch (DateTimeParseException e) {
                problems.add(name, number, "bad timestamp", "bad timestamp: " + e.getParsedString());
            }
        });
        return new Stats(lines, flows[0]);
    }

    private static Flow toFlow(JsonNode flow) {
        String protocol = "";
        int port = 0;
        JsonNode l4 = flow.path("l4");
        if (l4.isObject() && l4.size() > 0) {
            protocol = l4.fieldNames().next();
            port = l4.path(protocol).path("destination_port").asInt(0);
        }
        // Hubble writes is_reply (a BoolValue, so absent means unknown); older versions wrote reply.
        boolean reply = flow.path("is_reply").asBoolean(flow.path("reply").asBoolean(false));
        List<String> names = new ArrayList<>();
        flow.path("destination_names").forEach(n -> names.add(n.asText()));
        return new Flow(
                sha256(flow.toString()),
                Instant.parse(flow.path("time").asText()),
                flow.path("verdict").asText(),
                flow.path("traffic_direction").asText(""),
                reply,
                protocol,
                port,
                endpoint(flow.path("source"), flow.path("IP").path("source").asText(""), List.of()),
                endpoint(flow.path("destination"), flow.path("IP").path("destination").asText(""), names),
                flow.path("Type").asText(""),
                flow.path("l7").path("dns").path("query").asText(""));
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Endpoint endpoint(JsonNode node, String ip, List<String> dnsNames) {
        Map<String, String> podLabels = new TreeMap<>();
        Map<String, String> namespaceLabels = new TreeMap<>();
        String serviceAccount = "";
        String reserved = "";
        for (JsonNode l : node.path("labels")) {
            String label = l.asText();
            int colon = label.indexOf(':');
            String source = colon < 0 ? "" : label.substring(0, colon);
            String keyValue = colon < 0 ? label : label.substring(colon + 1);
            int eq = keyValue.indexOf('=');
            String key = eq < 0 ? keyValue : keyValue.substring(0, eq);
            String value = eq < 0 ? "" : keyValue.substring(eq + 1);
            if (source.equals("reserved")) {
                reserved = key;
            } else if (source.equals("k8s")) {
                if (key.startsWith(NAMESPACE_LABEL)) {
                    namespaceLabels.put(key.substring(NAMESPACE_LABEL.length()), value);
                } else if (key.equals(SERVICE_ACCOUNT_LABEL)) {
                    serviceAccount = value;
                } else if (!key.startsWith("io.cilium.") && !key.equals("io.kubernetes.pod.namespace")) {
                    podLabels.put(key, value);
                }
            }
        }
        // Cilium names the workload from the pod's owner references (a ReplicaSet's Deployment already resolved).
        JsonNode named = node.path("workloads").path(0);
        Workload workload = named.path("kind").asText("").isEmpty() || named.path("name").asText("").isEmpty()
                || node.path("namespace").asText("").isEmpty() ? null
                : new Workload(node.path("namespace").asText(), named.path("kind").asText(), named.path("name").asText());
        return new Endpoint(node.path("namespace").asText(""), node.path("pod_name").asText(""), podLabels,
                namespaceLabels, serviceAccount, reserved, ip, List.copyOf(dnsNames), workload);
    }
}
