package dev.tailor.observe.flows;

import dev.tailor.identity.Workload;
import dev.tailor.observe.Inputs;
import dev.tailor.observe.JsonCursor;
import dev.tailor.observe.JsonNames;
import dev.tailor.observe.JsonStrings;
import dev.tailor.observe.Keys;
import dev.tailor.observe.Problems;
import dev.tailor.observe.Times;
import dev.tailor.observe.UnknownFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads Cilium Hubble flows as {@code hubble observe -o json} prints them and the Hubble exporter writes them: one
 * {@code {"flow": {…}, "node_name": …, "time": …}} per line (lines starting with {@code //} are comments).
 */
public final class HubbleFlowReader {

    private static final int MAX_LINE_CHARS = 1024 * 1024;

    /** What one input held. */
    public record Stats(long lines, long flows) {}

    /** Fails before anything is read when the input does not start like Hubble flows. */
    public static void checkFormat(String name, InputStream in) throws IOException, UnknownFormatException {
        String first = Inputs.peekFirstLine(in, 64 * 1024, "//");
        if (first.isEmpty()) {
            return;
        }
        if (JsonStrings.topLevelField(first, "flow", HubbleFlowReader::isObject, false)) {
            return;
        }
        throw new UnknownFormatException(
                name + ": not Hubble flows (hubble observe -o json lines); its first line is: " + Inputs.shown(first));
    }

    private static boolean isObject(JsonCursor c) throws JsonCursor.Malformed {
        boolean object = c.peek() == '{';
        c.skip();
        return object;
    }

    public Stats read(String name, InputStream in, Consumer<Flow> sink, Problems problems) throws IOException {
        long[] flows = {0};
        JsonCursor cursor = new JsonCursor();
        FlowFields fields = new FlowFields();
        long lines = Inputs.forEachLine(name, in, MAX_LINE_CHARS, problems, (number, buffer, offset, length) -> {
            if (length >= 2 && buffer[offset] == '/' && buffer[offset + 1] == '/') {
                return;
            }
            try {
                Flow flow = parse(cursor.reset(buffer, offset, offset + length), buffer, fields);
                if (flow == null) {
                    problems.add(name, number, "no flow", "no flow: the line has no \"flow\" object");
                    return;
                }
                sink.accept(flow);
                flows[0]++;
            } catch (MissingField e) {
                problems.add(name, number, "missing field", "missing field: flow.time or flow.verdict");
            } catch (BadField e) {
                problems.add(name, number, "bad field", "bad field: " + e.getMessage());
            } catch (JsonCursor.Malformed e) {
                problems.add(name, number, "not JSON", "not JSON (" + e.getMessage() + ")");
            } catch (DateTimeParseException e) {
                problems.add(name, number, "bad timestamp", "bad timestamp: " + e.getParsedString());
            } catch (dev.tailor.observe.BadEvent e) {
                problems.add(name, number, e.kind(), e.getMessage());
            }
        });
        return new Stats(lines, flows[0]);
    }

    /** flow.time or flow.verdict is missing or not a string. */
    private static final class MissingField extends Exception {
        private static final long serialVersionUID = 1L;
    }

    /** A field Tailor reads holds what it cannot hold (a port beyond 65535). */
    private static final class BadField extends Exception {
        private static final long serialVersionUID = 1L;

        BadField(String message) {
            super(message, null, false, false);
        }
    }

    private static final JsonNames ROOT = JsonNames.of("flow");
    private static final JsonNames FLOW = JsonNames.of(
            "time",
            "verdict",
            "traffic_direction",
            "is_reply",
            "reply",
            "Type",
            "source",
            "destination",
            "destination_names",
            "IP",
            "l4",
            "l7");
    private static final JsonNames IP = JsonNames.of("source", "destination");
    private static final JsonNames PORTS = JsonNames.of("destination_port");
    private static final JsonNames PROTOCOLS = JsonNames.of("TCP", "UDP", "SCTP", "ICMPv4", "ICMPv6");
    private static final JsonNames L7 = JsonNames.of("dns");
    private static final JsonNames DNS = JsonNames.of("query");
    private static final JsonNames ENDPOINT = JsonNames.of("namespace", "identity", "pod_name", "labels", "workloads");
    private static final JsonNames WORKLOAD = JsonNames.of("kind", "name");

    /**
     * One line to a flow: only the fields Tailor uses are read, the rest passed over (and checked) by the cursor.
     * The key is the hash of the {@code flow} object's text as the line has it. Null when the line has no
     * {@code flow} object.
     */
    private static Flow parse(JsonCursor c, byte[] line, FlowFields fields)
            throws JsonCursor.Malformed, MissingField, BadField {
        if (!c.beginObject()) {
            c.skip();
            c.end();
            return null;
        }
        FlowFields flow = null;
        int from = 0;
        int to = 0;
        for (String field; (field = c.nextField(ROOT)) != null; ) {
            if (field.equals("flow") && c.peek() == '{') {
                from = c.position();
                flow = flowFields(c, line, fields);
                to = c.position();
            } else {
                c.skip();
            }
        }
        c.end();
        if (flow == null) {
            return null;
        }

        // A reply, or a flow without L4, aggregates into nothing and is never stored: it needs no key (the hash of
        // 1.4 KB is a tenth of the cost of a flow, and a third of flows are replies).
        long[] fingerprint = flow.fingerprint;
        fingerprint[0] = 0;
        fingerprint[1] = 0;
        if (!flow.replyFlow() && !flow.protocol.isEmpty()) {
            Keys.fingerprintOfHash(line, from, to - from, fingerprint, 0);
        }
        return flow.toFlow(fingerprint[0], fingerprint[1]);
    }

    /**
     * The fields of a flow object as read, before they are checked. One per reading thread, {@link #reset} for each
     * flow object: made anew for each, with its two endpoints, it was a seventh of what reading a flow allocated.
     */
    private static final class FlowFields {
        String time;
        String verdict;
        String direction;
        Boolean isReply;
        Boolean reply;
        String protocol;
        int port;
        final RawEndpoint source = new RawEndpoint();
        final RawEndpoint destination = new RawEndpoint();
        String sourceIp;
        String destinationIp;
        String type;
        String dnsQuery;
        final List<String> destinationNames = new ArrayList<>();
        /** What is wrong with a field that holds what it cannot (a port beyond 65535), or null. */
        String badField;
        /** Where the flow's fingerprint is taken. */
        final long[] fingerprint = new long[2];

        FlowFields() {
            reset(null);
        }

        /** As if nothing was read, of the flow object in {@code line}. */
        void reset(byte[] line) {
            time = null;
            verdict = null;
            direction = "";
            isReply = null;
            reply = null;
            protocol = "";
            port = 0;
            source.reset(line);
            destination.reset(line);
            sourceIp = "";
            destinationIp = "";
            type = "";
            dnsQuery = "";
            destinationNames.clear();
            badField = null;
        }

        /** Hubble writes is_reply (a BoolValue, so absent means unknown); older versions wrote reply. */
        boolean replyFlow() {
            return isReply != null ? isReply : reply != null && reply;
        }

        /** The flow, once the whole line is known to be JSON (a line that is not is reported as that first). */
        Flow toFlow(long fingerprintHigh, long fingerprintLow) throws MissingField, BadField {
            if (time == null || verdict == null) {
                throw new MissingField();
            }
            if (badField != null) {
                throw new BadField(badField);
            }
            return new Flow(
                    fingerprintHigh,
                    fingerprintLow,
                    Times.parse(time),
                    verdict,
                    direction,
                    replyFlow(),
                    protocol,
                    port,
                    source.toEndpoint(sourceIp, List.of()),
                    destination.toEndpoint(destinationIp, destinationNames),
                    type,
                    dnsQuery);
        }
    }

    /** An endpoint's fields as read. */
    private static final class RawEndpoint {
        String namespace;
        String podName;
        /** The labels, when they were the same as the last time this identity was seen. */
        CiliumLabels labels;
        /** Otherwise the line, and where in it the labels array is: split only when no flow before had the same. */
        byte[] line;

        int labelsFrom;
        int labelsTo;
        /** Cilium's security identity of the endpoint: one label set per number in a cluster; -1 when absent. */
        long identity;

        String workloadKind;
        String workloadName;

        void reset(byte[] line) {
            namespace = "";
            podName = "";
            labels = null;
            this.line = line;
            labelsFrom = -1;
            labelsTo = -1;
            identity = -1;
            workloadKind = "";
            workloadName = "";
        }

        Endpoint toEndpoint(String ip, List<String> dnsNames) {
            CiliumLabels l = labels != null
                    ? labels
                    : labelsFrom < 0 ? CiliumLabels.NONE : CiliumLabels.of(line, labelsFrom, labelsTo, identity);
            Workload workload = workloadKind.isEmpty() || workloadName.isEmpty() || namespace.isEmpty()
                    ? null
                    : new Workload(namespace, workloadKind, workloadName);
            return new Endpoint(
                    namespace,
                    podName,
                    l.pod(),
                    l.namespace(),
                    l.serviceAccount(),
                    l.reserved(),
                    ip,
                    List.copyOf(dnsNames),
                    workload);
        }
    }

    /** Reads a flow object's fields; the cursor is on its '{' and ends past its '}'. */
    private static FlowFields flowFields(JsonCursor c, byte[] line, FlowFields f) throws JsonCursor.Malformed {
        f.reset(line);
        c.beginObject();
        for (String field; (field = c.nextField(FLOW)) != null; ) {
            switch (field) {
                case "time" -> f.time = c.string();
                case "verdict" -> f.verdict = c.peek() == '"' ? c.text() : c.string(); // the same String each time
                case "traffic_direction" -> f.direction = c.text();
                case "is_reply" -> f.isReply = c.bool();
                case "reply" -> f.reply = c.bool();
                case "Type" -> f.type = c.text();
                case "source" -> endpointFields(c, f.source);
                case "destination" -> endpointFields(c, f.destination);
                case "destination_names" -> {
                    f.destinationNames.clear();
                    if (c.beginArray()) {
                        while (c.nextElement()) {
                            f.destinationNames.add(c.text());
                        }
                    } else {
                        c.skip();
                    }
                }
                case "IP" -> {
                    if (c.beginObject()) {
                        for (String ip; (ip = c.nextField(IP)) != null; ) {
                            if (ip.equals("source")) {
                                f.sourceIp = c.text();
                            } else if (ip.equals("destination")) {
                                f.destinationIp = c.text();
                            } else {
                                c.skip();
                            }
                        }
                    } else {
                        c.skip();
                    }
                }
                case "l4" -> l4(c, f);
                case "l7" -> f.dnsQuery = dnsQuery(c);
                default -> c.skip();
            }
        }
        return f;
    }

    /** l4: one field, named by the protocol: {@code {"TCP": {"source_port": …, "destination_port": …}}}. */
    private static void l4(JsonCursor c, FlowFields f) throws JsonCursor.Malformed {
        f.protocol = "";
        f.port = 0;
        if (!c.beginObject()) {
            c.skip();
            return;
        }
        boolean first = true;
        for (String name; (name = c.nextField(PROTOCOLS)) != null; ) {
            if (first) {
                f.protocol = name != JsonCursor.OTHER ? name : c.name(); // a protocol Hubble names: no String made
                if (c.beginObject()) {
                    for (String port; (port = c.nextField(PORTS)) != null; ) {
                        if (port.equals("destination_port") && isNumber(c.peek())) {
                            long value = c.integer(-1);
                            if (value < 0 || value > 65535) {
                                f.badField = "flow.l4." + f.protocol + ".destination_port is no port number";
                            } else {
                                f.port = (int) value;
                            }
                        } else {
                            c.skip();
                        }
                    }
                } else {
                    c.skip();
                }
            } else {
                c.skip();
            }
            first = false;
        }
    }

    private static boolean isNumber(int first) {
        return first == '-' || first >= '0' && first <= '9';
    }

    /** l7.dns.query, passing everything else of the L7 record. */
    private static String dnsQuery(JsonCursor c) throws JsonCursor.Malformed {
        String query = "";
        if (!c.beginObject()) {
            c.skip();
            return query;
        }
        for (String field; (field = c.nextField(L7)) != null; ) {
            if (field.equals("dns") && c.beginObject()) {
                for (String dns; (dns = c.nextField(DNS)) != null; ) {
                    if (dns.equals("query")) {
                        query = c.text();
                    } else {
                        c.skip();
                    }
                }
            } else {
                c.skip();
            }
        }
        return query;
    }

    private static void endpointFields(JsonCursor c, RawEndpoint e) throws JsonCursor.Malformed {
        if (!c.beginObject()) {
            c.skip();
            return;
        }
        for (String field; (field = c.nextField(ENDPOINT)) != null; ) {
            switch (field) {
                case "namespace" -> e.namespace = c.text();
                case "identity" -> e.identity = c.integer(-1);
                case "pod_name" -> e.podName = c.text();
                case "labels" -> labels(c, e);
                case "workloads" -> {
                    // Cilium names the workload from the pod's owner references (a ReplicaSet's Deployment resolved).
                    e.workloadKind = "";
                    e.workloadName = "";
                    if (c.beginArray()) {
                        boolean first = true;
                        while (c.nextElement()) {
                            if (first && c.beginObject()) {
                                for (String w; (w = c.nextField(WORKLOAD)) != null; ) {
                                    if (w.equals("kind")) {
                                        e.workloadKind = c.text();
                                    } else if (w.equals("name")) {
                                        e.workloadName = c.text();
                                    } else {
                                        c.skip();
                                    }
                                }
                            } else {
                                c.skip();
                            }
                            first = false;
                        }
                    } else {
                        c.skip();
                    }
                }
                default -> c.skip();
            }
        }
    }

    /**
     * An endpoint's labels: when its identity came with the same labels last time (Cilium derives the identity from
     * exactly these labels), they are compared byte for byte and passed, not read again; otherwise only where the
     * array is is noted, to be split (or found by its hash) once the line is known to be good.
     */
    private static void labels(JsonCursor c, RawEndpoint e) throws JsonCursor.Malformed {
        e.labels = null;
        e.labelsFrom = -1;
        if (c.peek() != '[') {
            c.skip();
            return;
        }
        if (e.identity >= 0) {
            CiliumLabels.Known known = CiliumLabels.known(e.identity);
            if (known != null && c.skipIfSame(known.raw())) {
                e.labels = known.labels();
                return;
            }
        }
        e.labelsFrom = c.position();
        c.skip();
        e.labelsTo = c.position();
    }
}
