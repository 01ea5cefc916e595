package dev.tailor.observe.flows;

import static dev.tailor.observe.JsonValues.text;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.identity.Workload;
import dev.tailor.observe.Inputs;
import dev.tailor.observe.Keys;
import dev.tailor.observe.Problems;
import dev.tailor.observe.Times;
import dev.tailor.observe.UnknownFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
    private static final com.fasterxml.jackson.core.JsonFactory FACTORY = JSON.getFactory();
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
        long lines = Inputs.forEachLine(name, in, MAX_LINE_CHARS, problems, (number, buffer, offset, length) -> {
            if (length >= 2 && buffer[offset] == '/' && buffer[offset + 1] == '/') {
                return;
            }
            try {
                Flow flow = parse(buffer, offset, length);
                if (flow == null) {
                    problems.add(name, number, "no flow", "no flow: the line has no \"flow\" object");
                    return;
                }
                sink.accept(flow);
                flows[0]++;
            } catch (MissingField e) {
                problems.add(name, number, "missing field", "missing field: flow.time or flow.verdict");
            } catch (JsonProcessingException e) {
                problems.add(name, number, "not JSON", "not JSON (" + e.getOriginalMessage() + ")");
            } catch (DateTimeParseException e) {
                problems.add(name, number, "bad timestamp", "bad timestamp: " + e.getParsedString());
            }
        });
        return new Stats(lines, flows[0]);
    }

    /** flow.time or flow.verdict is missing or not a string. */
    private static final class MissingField extends Exception {
        private static final long serialVersionUID = 1L;
    }

    /**
     * One line to a flow, with Jackson's streaming parser: only the fields Tailor uses are read, the rest skipped
     * without building anything (a tree of the whole record, and writing it again for its key, cost four times the
     * parse). The key is the digest of the {@code flow} object's text as the line has it. Null when the line has
     * no {@code flow} object.
     */
    private Flow parse(byte[] buffer, int offset, int length) throws IOException, MissingField {
        try (JsonParser p = FACTORY.createParser(buffer, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Flow flow = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("flow") && value == JsonToken.START_OBJECT) {
                    // Byte offsets within the line (Jackson counts from the start of the slice it parses).
                    int start = (int) p.currentTokenLocation().getByteOffset();
                    FlowFields f = flowFields(p, buffer, offset);
                    int end = (int) p.currentLocation().getByteOffset();
                    // A reply, or a flow without L4, aggregates into nothing and is never stored: it needs no key
                    // (the digest of 1.4 KB is a tenth of the cost of a flow, and a third of flows are replies).
                    flow = f.toFlow(f.replyFlow() || f.protocol.isEmpty() ? ""
                            : Keys.hash(buffer, offset + start, end - start));
                } else {
                    p.skipChildren();
                }
            }
            return flow;
        }
    }

    /** The fields of a flow object as read, before they are checked. */
    private static final class FlowFields {
        String time;
        String verdict;
        String direction = "";
        Boolean isReply;
        Boolean reply;
        String protocol = "";
        int port;
        RawEndpoint source = new RawEndpoint();
        RawEndpoint destination = new RawEndpoint();
        String sourceIp = "";
        String destinationIp = "";
        String type = "";
        String dnsQuery = "";
        final List<String> destinationNames = new ArrayList<>();

        /** Hubble writes is_reply (a BoolValue, so absent means unknown); older versions wrote reply. */
        boolean replyFlow() {
            return isReply != null ? isReply : reply != null && reply;
        }

        Flow toFlow(String key) throws MissingField, IOException {
            if (time == null || verdict == null) {
                throw new MissingField();
            }
            return new Flow(key, Times.parse(time), verdict, direction, replyFlow(), protocol, port,
                    source.toEndpoint(sourceIp, List.of()), destination.toEndpoint(destinationIp, List.copyOf(destinationNames)),
                    type, dnsQuery);
        }
    }

    /** An endpoint's fields as read. */
    private static final class RawEndpoint {
        String namespace = "";
        String podName = "";
        /** The line, and where in it the labels array is: parsed only when no flow before had the same labels. */
        byte[] line;
        int lineOffset;
        int labelsFrom = -1;
        int labelsTo = -1;
        /** Cilium's security identity of the endpoint: one label set per number in a cluster; -1 when absent. */
        long identity = -1;
        String workloadKind = "";
        String workloadName = "";

        Endpoint toEndpoint(String ip, List<String> dnsNames) throws IOException {
            return endpoint(this, ip, dnsNames);
        }
    }

    /** Reads a flow object's fields; the parser is on its START_OBJECT and ends on its END_OBJECT. */
    private static FlowFields flowFields(JsonParser p, byte[] line, int lineOffset) throws IOException {
        FlowFields f = new FlowFields();
        f.source.line = line;
        f.source.lineOffset = lineOffset;
        f.destination.line = line;
        f.destination.lineOffset = lineOffset;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "time" -> f.time = value == JsonToken.VALUE_STRING ? p.getText() : null;
                case "verdict" -> f.verdict = value == JsonToken.VALUE_STRING ? p.getText() : null;
                case "traffic_direction" -> f.direction = text(p, value);
                case "is_reply" -> f.isReply = value.isBoolean() ? p.getBooleanValue() : null;
                case "reply" -> f.reply = value.isBoolean() ? p.getBooleanValue() : null;
                case "Type" -> f.type = text(p, value);
                case "source" -> endpointFields(p, value, f.source);
                case "destination" -> endpointFields(p, value, f.destination);
                case "destination_names" -> {
                    if (value == JsonToken.START_ARRAY) {
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            f.destinationNames.add(p.getValueAsString(""));
                            p.skipChildren();
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                case "IP" -> {
                    if (value == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String name = p.currentName();
                            JsonToken v = p.nextToken();
                            if (name.equals("source")) {
                                f.sourceIp = text(p, v);
                            } else if (name.equals("destination")) {
                                f.destinationIp = text(p, v);
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                case "l4" -> {
                    // One field, named by the protocol: {"TCP": {"source_port": …, "destination_port": …}}.
                    if (value == JsonToken.START_OBJECT) {
                        boolean first = true;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String protocol = p.currentName();
                            JsonToken v = p.nextToken();
                            if (first && v == JsonToken.START_OBJECT) {
                                f.protocol = protocol;
                                while (p.nextToken() == JsonToken.FIELD_NAME) {
                                    String name = p.currentName();
                                    JsonToken n = p.nextToken();
                                    if (name.equals("destination_port") && n.isNumeric()) {
                                        f.port = p.getIntValue();
                                    } else {
                                        p.skipChildren();
                                    }
                                }
                            } else {
                                if (first) {
                                    f.protocol = protocol;
                                }
                                p.skipChildren();
                            }
                            first = false;
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                case "l7" -> f.dnsQuery = dnsQuery(p, value);
                default -> p.skipChildren();
            }
        }
        return f;
    }

    /** l7.dns.query, skipping everything else of the L7 record. */
    private static String dnsQuery(JsonParser p, JsonToken value) throws IOException {
        String query = "";
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return query;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("dns") && v == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String dnsField = p.currentName();
                    JsonToken d = p.nextToken();
                    if (dnsField.equals("query")) {
                        query = text(p, d);
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        return query;
    }

    private static void endpointFields(JsonParser p, JsonToken value, RawEndpoint e) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "namespace" -> e.namespace = text(p, v);
                case "identity" -> e.identity = v == JsonToken.VALUE_NUMBER_INT ? p.getValueAsLong(-1) : skipped(p);
                case "pod_name" -> e.podName = text(p, v);
                case "labels" -> {
                    if (v == JsonToken.START_ARRAY) {
                        e.labelsFrom = e.lineOffset + (int) p.currentTokenLocation().getByteOffset();
                        p.skipChildren();
                        e.labelsTo = e.lineOffset + (int) p.currentLocation().getByteOffset();
                    } else {
                        p.skipChildren();
                    }
                }
                case "workloads" -> {
                    // Cilium names the workload from the pod's owner references (a ReplicaSet's Deployment resolved).
                    if (v == JsonToken.START_ARRAY) {
                        boolean first = true;
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            if (first && p.currentToken() == JsonToken.START_OBJECT) {
                                while (p.nextToken() == JsonToken.FIELD_NAME) {
                                    String w = p.currentName();
                                    JsonToken wv = p.nextToken();
                                    if (w.equals("kind")) {
                                        e.workloadKind = text(p, wv);
                                    } else if (w.equals("name")) {
                                        e.workloadName = text(p, wv);
                                    } else {
                                        p.skipChildren();
                                    }
                                }
                            } else {
                                p.skipChildren();
                            }
                            first = false;
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
    }

    /** Skips a value that is not what the field should hold; reads as -1. */
    private static long skipped(JsonParser p) throws IOException {
        p.skipChildren();
        return -1;
    }

    private static Endpoint endpoint(RawEndpoint node, String ip, List<String> dnsNames) throws IOException {
        Labels labels = node.labelsFrom < 0 ? Labels.NONE
                : Labels.of(node.line, node.labelsFrom, node.labelsTo, node.identity);
        Workload workload = node.workloadKind.isEmpty() || node.workloadName.isEmpty() || node.namespace.isEmpty() ? null
                : new Workload(node.namespace, node.workloadKind, node.workloadName);
        return new Endpoint(node.namespace, node.podName, labels.pod(), labels.namespace(), labels.serviceAccount(),
                labels.reserved(), ip, List.copyOf(dnsNames), workload);
    }

    /**
     * An endpoint's labels as Cilium writes them ({@code k8s:app=cart}, {@code reserved:world}), split into the
     * pod's, its namespace's, its service account and its reserved identity. Immutable: flows share them.
     */
    private record Labels(Map<String, String> pod, Map<String, String> namespace, String serviceAccount, String reserved) {

        static final Labels NONE = new Labels(Map.of(), Map.of(), "", "");

        /** 128-bit MurmurHash3 of a labels array's JSON text, as the cache's key. */
        private record Key(long hi, long lo) {}

        /**
         * Labels already split, by the text of their array: every flow of an endpoint repeats the same labels, and
         * splitting them (a dozen strings, two sorted maps) cost more than the rest of the flow. Shared by the
         * reading threads; forgotten all at once beyond {@value #KEPT} distinct arrays.
         */
        private static final Map<Key, Labels> SEEN = new java.util.concurrent.ConcurrentHashMap<>();
        private static final int KEPT = 10_000;

        /** The labels array seen last with a security identity, as its bytes, and what it split into. */
        private record Known(byte[] raw, Labels labels) {}

        private static final Map<Long, Known> BY_IDENTITY = new java.util.concurrent.ConcurrentHashMap<>();

        /**
         * The labels array in {@code line[from, to)} of an endpoint with Cilium security identity {@code identity}
         * (-1: none). Cilium derives an identity from exactly these labels, so the array an identity had last time
         * is compared byte for byte — far cheaper than hashing it — and only a different array is looked up by its
         * hash.
         */
        static Labels of(byte[] line, int from, int to, long identity) throws IOException {
            if (identity < 0) {
                return of(line, from, to);
            }
            Known known = BY_IDENTITY.get(identity);
            if (known != null && java.util.Arrays.equals(known.raw(), 0, known.raw().length, line, from, to)) {
                return known.labels();
            }
            Labels labels = of(line, from, to);
            if (BY_IDENTITY.size() >= KEPT) {
                BY_IDENTITY.clear();
            }
            BY_IDENTITY.put(identity, new Known(java.util.Arrays.copyOfRange(line, from, to), labels));
            return labels;
        }

        /** The labels array in {@code line[from, to)}. */
        static Labels of(byte[] line, int from, int to) throws IOException {
            long[] hash = org.apache.commons.codec.digest.MurmurHash3.hash128x64(line, from, to - from, 0);
            Key key = new Key(hash[0], hash[1]);
            Labels labels = SEEN.get(key);
            if (labels == null) {
                List<String> texts = new ArrayList<>();
                try (JsonParser p = FACTORY.createParser(line, from, to - from)) {
                    p.nextToken(); // the array's start
                    for (JsonToken t = p.nextToken(); t != null && t != JsonToken.END_ARRAY; t = p.nextToken()) {
                        texts.add(p.getValueAsString(""));
                        p.skipChildren();
                    }
                }
                labels = split(texts);
                if (SEEN.size() >= KEPT) {
                    SEEN.clear();
                }
                SEEN.put(key, labels);
            }
            return labels;
        }

        private static Labels split(List<String> texts) {
            Map<String, String> podLabels = new TreeMap<>();
            Map<String, String> namespaceLabels = new TreeMap<>();
            String serviceAccount = "";
            String reserved = "";
            for (String label : texts) {
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
            return new Labels(java.util.Collections.unmodifiableMap(podLabels),
                    java.util.Collections.unmodifiableMap(namespaceLabels), serviceAccount, reserved);
        }
    }
}
