package dev.tailor.observe.flows;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.observe.Inputs;
import dev.tailor.observe.Problems;
import dev.tailor.observe.UnknownFormatException;
import dev.tailor.testing.RepositoryPaths;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Hubble flows from Cilium's hubble-otel samples (Istio bookinfo on GKE and kind, 1,916 flows). The expected
 * counts were derived from the raw JSON by a separate script, not by this reader.
 */
class HubbleFlowReaderTest {

    private static final Path SAMPLES =
            RepositoryPaths.fixtures().resolve("third_party/hubble-flows/cilium-hubble-otel/testdata");
    private static final List<Flow> FLOWS = new ArrayList<>();
    private static final Problems PROBLEMS = new Problems();

    @BeforeAll
    static void readAll() throws Exception {
        List<Path> files;
        try (Stream<Path> list = Files.list(SAMPLES)) {
            files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        for (Path file : files) {
            try (InputStream in = Inputs.open(file.toString())) {
                HubbleFlowReader.checkFormat(file.toString(), in);
                new HubbleFlowReader().read(file.getFileName().toString(), in, FLOWS::add, PROBLEMS);
            }
        }
    }

    private static String app(Endpoint e) {
        String app = e.podLabels().get("app");
        return app != null ? app : e.reserved().isEmpty() ? "-" : "reserved:" + e.reserved();
    }

    @Test
    void everyFlowIsReadWithItsTypeVerdictAndDirection() {
        assertEquals(0, PROBLEMS.total(), PROBLEMS.first().toString());
        assertEquals(1916, FLOWS.size());
        assertEquals(1015, FLOWS.stream().filter(f -> f.type().equals("L3_L4")).count());
        assertEquals(901, FLOWS.stream().filter(f -> f.type().equals("L7")).count());
        assertEquals(
                457,
                FLOWS.stream().filter(f -> f.verdict().equals("REDIRECTED")).count());
        assertEquals(631, FLOWS.stream().filter(Flow::reply).count());
    }

    @Test
    void theBookinfoCallGraphComesOutOfTheNonReplyFlows() {
        Map<String, Long> edges = new TreeMap<>();
        for (Flow f : FLOWS) {
            if (f.reply()
                    || !(f.source().namespace().equals("bookinfo")
                            || f.destination().namespace().equals("bookinfo"))) {
                continue;
            }
            edges.merge(
                    app(f.source()) + " -> " + app(f.destination()) + " " + f.protocol() + "/" + f.port(),
                    1L,
                    Long::sum);
        }
        assertEquals(145L, edges.get("productpage -> reviews TCP/9080"));
        assertEquals(147L, edges.get("productpage -> details TCP/9080"));
        assertEquals(10L, edges.get("reviews -> ratings TCP/9080"));
        assertEquals(227L, edges.get("productpage -> - UDP/53"), "DNS to kube-dns, which has no app label");
        assertEquals(35L, edges.get("ratings -> reserved:world TCP/9080"));
    }

    @Test
    void labelsAreSplitIntoPodNamespaceServiceAccountAndReserved() {
        Flow f = FLOWS.stream()
                .filter(x -> x.source().podName().startsWith("prometheus-6655946b9f"))
                .findFirst()
                .orElseThrow();
        assertEquals(Map.of("app", "prometheus", "release", "istio"), f.source().podLabels());
        assertEquals("prometheus", f.source().serviceAccount());
        assertEquals("disabled", f.source().namespaceLabels().get("istio-injection"));
        assertEquals("10.0.1.4", f.source().ip());
        assertTrue(FLOWS.stream().anyMatch(x -> x.destination().reserved().equals("world")));
        assertEquals(
                29,
                FLOWS.stream()
                        .filter(x -> !x.reply() && x.dnsQuery().equals("productpage.bookinfo.svc.cluster.local."))
                        .count(),
                "DNS queries (their replies carry the same name)");
    }

    @Test
    void labelsAreTakenFromEachFlowEvenWhenAnIdentityNumberComesBackWithOthers() throws Exception {
        // Identity 4242 in one cluster, then the same number for other labels (another cluster's file): the labels
        // remembered for a number are only used when the flow's are the same, byte for byte.
        String line = "{\"flow\":{\"time\":\"2026-11-16T00:00:0%dZ\",\"verdict\":\"FORWARDED\","
                + "\"l4\":{\"TCP\":{\"destination_port\":80}},\"source\":{\"identity\":4242,\"namespace\":\"shop\","
                + "\"pod_name\":\"%s-7d4b9c-x2x8z\",\"labels\":[\"k8s:app=%s\"]},\"destination\":{\"identity\":2,"
                + "\"labels\":[\"reserved:world\"]}}}";
        String text = String.format(line, 1, "cart", "cart") + "\n" + String.format(line, 2, "cart", "cart") + "\n"
                + String.format(line, 3, "checkout", "checkout") + "\n";
        List<Flow> flows = new ArrayList<>();
        new HubbleFlowReader()
                .read(
                        "f",
                        new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                        flows::add,
                        new Problems());
        assertEquals(
                List.of("cart", "cart", "checkout"),
                flows.stream().map(f -> app(f.source())).toList());
        assertEquals(
                List.of("world", "world", "world"),
                flows.stream().map(f -> f.destination().reserved()).toList());
    }

    @Test
    void anAuditLogIsNotTakenForFlows(@TempDir Path dir) throws Exception {
        Path log = RepositoryPaths.fixtures().resolve("third_party/audit-audit2rbac/testdata/demo.log");
        try (InputStream in = Inputs.open(log.toString())) {
            UnknownFormatException e =
                    assertThrows(UnknownFormatException.class, () -> HubbleFlowReader.checkFormat(log.toString(), in));
            assertTrue(e.getMessage().startsWith(log + ": not Hubble flows"), e.getMessage());
        }
    }

    @Test
    void theFirstLineDecidesTheFormat() {
        for (String first : List.of(
                "{\"flow\": {}}",
                "{\"time\": \"2026-11-20T00:00:00Z\", \"flow\": {\"verdict\": 1}}",
                "\uFEFF{\"flow\":{}}",
                "{\"flow\": 1, \"flow\": {}}")) {
            assertDoesNotThrow(() -> checkFormat(first), first);
        }
        for (String first : List.of(
                "{\"flow\": []}",
                "[{\"flow\": {}}]",
                "{\"flow\": {}",
                "{\"flow\": {}, \"flow\": null}",
                "{\"Flow\": {}}",
                "flow",
                "{\"flow\": {\"a\": tru}}")) {
            assertThrows(UnknownFormatException.class, () -> checkFormat(first), first);
        }
    }

    private static void checkFormat(String firstLine) throws Exception {
        HubbleFlowReader.checkFormat(
                "f",
                new java.io.BufferedInputStream(new java.io.ByteArrayInputStream(
                        (firstLine + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }

    @Test
    void aBrokenLineIsLocatedAndTheRestIsRead(@TempDir Path dir) throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(SAMPLES.resolve("basic-sample-10-flows.json")));
        lines.add(4, "{\"flow\": {\"verdict\": \"FORWARDED\"");
        Path file = dir.resolve("flows.json");
        Files.write(file, lines);
        Problems problems = new Problems();
        List<Flow> flows = new ArrayList<>();
        try (InputStream in = Inputs.open(file.toString())) {
            new HubbleFlowReader().read("flows.json", in, flows::add, problems);
        }
        assertEquals(10, flows.size());
        assertEquals(1, problems.total());
        assertEquals(5, problems.first().get(0).line());
    }

    private static final com.fasterxml.jackson.databind.ObjectReader STRICT =
            new com.fasterxml.jackson.databind.ObjectMapper()
                    .reader()
                    .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * Mutations of the real flow lines (bytes deleted, inserted, replaced): each comes out as Jackson's tree of the
     * same line says — not JSON, no flow, a missing field — or as a flow with the same fields. Labels of an identity
     * seen before with other labels must be read from the line, not remembered.
     */
    @Test
    void mutatedLinesComeOutAsJacksonsTreeOfThemSays() throws Exception {
        List<String> lines = sampleLines();
        String alphabet = "{}[],:\"\\ 0123456789-.eaklsyz=/";
        java.util.Random random = new java.util.Random(11);
        Map<String, Integer> outcomes = new TreeMap<>();
        for (String line : lines) {
            for (int i = 0; i < 40; i++) {
                String mutated = dev.tailor.observe.Mutations.edit(line, alphabet, random, false);
                Problems problems = new Problems();
                List<Flow> flows = new ArrayList<>();
                new HubbleFlowReader()
                        .read(
                                "f",
                                new java.io.ByteArrayInputStream(
                                        mutated.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                                flows::add,
                                problems);
                String outcome = flows.isEmpty()
                        ? problems.byReason().keySet().iterator().next()
                        : "flow";
                assertEquals(expectedOutcome(mutated), outcome, mutated);
                if (!flows.isEmpty()) {
                    assertSameFields(STRICT.readTree(mutated).get("flow"), flows.get(0), mutated);
                }
                outcomes.merge(outcome, 1, Integer::sum);
            }
        }
        System.out.println("HubbleFlowReader against Jackson's tree: " + outcomes);
        assertTrue(outcomes.get("flow") > 1000 && outcomes.get("not JSON") > 500, outcomes.toString());
    }

    /**
     * The same mutations read in one go, as a file is: each line's flow comes out as Jackson's tree of that line
     * says, whatever the lines before it held (the reader reuses what it reads a flow into).
     */
    @Test
    void mutatedLinesReadInOneGoComeOutAsJacksonsTreesSay() throws Exception {
        List<String> lines = sampleLines();
        java.util.Random random = new java.util.Random(13);
        List<String> mutated = new ArrayList<>();
        for (String line : lines) {
            for (int i = 0; i < 10; i++) {
                String m = dev.tailor.observe.Mutations.edit(line, "{}[],:\"\\ 0123456789-.eaklsyz=/", random, false);
                if (!m.startsWith("//") && !m.isBlank()) {
                    mutated.add(m);
                    // An intact flow between mutations, every other one with the fields the samples lack.
                    String intact = lines.get(random.nextInt(lines.size()));
                    mutated.add(
                            i % 2 == 1
                                    ? intact
                                    : intact.replaceFirst(
                                                    "\\{\"flow\":\\{",
                                                    "{\"flow\":{\"destination_names\":"
                                                            + "[\"api.example.com\"],\"traffic_direction\":\"EGRESS\",\"Type\":\"L7\",")
                                            .replaceFirst(
                                                    "\"source\":\\{",
                                                    "\"source\":{\"workloads\":[{\"name\":\"cart\",\"kind\":\"Deployment\"}],"));
                }
            }
        }
        List<Flow> flows = new ArrayList<>();
        new HubbleFlowReader()
                .read(
                        "f",
                        new java.io.ByteArrayInputStream(
                                String.join("\n", mutated).getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                        flows::add,
                        new Problems());
        int next = 0;
        for (String line : mutated) {
            if (expectedOutcome(line).equals("flow")) {
                assertTrue(next < flows.size(), "fewer flows than lines that hold one");
                assertSameFields(STRICT.readTree(line).get("flow"), flows.get(next++), line);
            }
        }
        assertEquals(next, flows.size());
        assertTrue(next > 1500, "flows compared: " + next);
    }

    /** The first 25 flow lines of each sample file. */
    private static List<String> sampleLines() throws java.io.IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(SAMPLES)) {
            for (Path f : files.sorted().toList()) {
                Files.readAllLines(f).stream()
                        .filter(l -> l.startsWith("{"))
                        .limit(25)
                        .forEach(lines::add);
            }
        }
        return lines;
    }

    private static String expectedOutcome(String line) {
        com.fasterxml.jackson.databind.JsonNode tree;
        try {
            tree = STRICT.readTree(line);
        } catch (java.io.IOException e) {
            return "not JSON";
        }
        com.fasterxml.jackson.databind.JsonNode flow = tree.path("flow");
        if (!flow.isObject()) {
            return "no flow";
        }
        if (!flow.path("time").isTextual() || !flow.path("verdict").isTextual()) {
            return "missing field";
        }
        for (var l4 : flow.path("l4")) {
            var port = l4.path("destination_port");
            if (port.isNumber()
                    && !(port.isIntegralNumber()
                            && port.canConvertToInt()
                            && port.intValue() >= 0
                            && port.intValue() <= 65535)) {
                return "bad field";
            }
            break;
        }
        try {
            dev.tailor.observe.Times.parse(flow.path("time").textValue());
        } catch (java.time.format.DateTimeParseException e) {
            return "bad timestamp";
        }
        return "flow";
    }

    private static void assertSameFields(com.fasterxml.jackson.databind.JsonNode f, Flow flow, String line) {
        assertEquals(f.get("verdict").textValue(), flow.verdict(), line);
        assertEquals(dev.tailor.observe.Times.parse(f.get("time").textValue()), flow.time(), line);
        boolean reply = f.path("is_reply").isBoolean()
                ? f.path("is_reply").booleanValue()
                : f.path("reply").asBoolean(false);
        assertEquals(reply, flow.reply(), line);
        var l4 = f.path("l4").properties().iterator();
        String protocol = l4.hasNext() ? l4.next().getKey() : "";
        assertEquals(protocol, flow.protocol(), line);
        if (!protocol.isEmpty()
                && f.path("l4").path(protocol).path("destination_port").isInt()) {
            assertEquals(f.path("l4").path(protocol).path("destination_port").intValue(), flow.port(), line);
        }
        assertTextEquals(f.path("l7").path("dns").path("query"), flow.dnsQuery(), line);
        assertTextEquals(f.path("traffic_direction"), flow.direction(), line);
        assertTextEquals(f.path("Type"), flow.type(), line);
        List<String> names = new ArrayList<>();
        f.path("destination_names").forEach(n -> names.add(n.isTextual() ? n.textValue() : null));
        if (!names.contains(null)) {
            assertEquals(names, flow.destination().dnsNames(), line);
        }
        assertTextEquals(f.path("IP").path("source"), flow.source().ip(), line);
        assertTextEquals(f.path("IP").path("destination"), flow.destination().ip(), line);
        for (var side :
                List.of(List.of(f.path("source"), flow.source()), List.of(f.path("destination"), flow.destination()))) {
            assertSameEndpoint((com.fasterxml.jackson.databind.JsonNode) side.get(0), (Endpoint) side.get(1), line);
        }
    }

    /** An end of the flow as Jackson's tree has it: namespace, pod, pod labels (Cilium's k8s: ones), workload. */
    private static void assertSameEndpoint(
            com.fasterxml.jackson.databind.JsonNode node, Endpoint endpoint, String line) {
        assertTextEquals(node.path("namespace"), endpoint.namespace(), line);
        assertTextEquals(node.path("pod_name"), endpoint.podName(), line);
        Map<String, String> podLabels = new TreeMap<>();
        for (var label : node.path("labels")) {
            String text = label.asText("");
            if (text.startsWith("k8s:")) {
                String kv = text.substring(4);
                int eq = kv.indexOf('=');
                String key = eq < 0 ? kv : kv.substring(0, eq);
                if (!key.startsWith("io.cilium.") && !key.equals("io.kubernetes.pod.namespace")) {
                    podLabels.put(key, eq < 0 ? "" : kv.substring(eq + 1));
                }
            }
        }
        if (node.path("labels").isArray()) {
            assertEquals(podLabels, endpoint.podLabels(), line);
        }
        var workload = node.path("workloads").path(0);
        if (node.path("namespace").isTextual()
                && workload.path("kind").isTextual()
                && workload.path("name").isTextual()
                && !node.path("namespace").textValue().isEmpty()
                && !workload.path("kind").textValue().isEmpty()
                && !workload.path("name").textValue().isEmpty()) {
            assertEquals(
                    new dev.tailor.identity.Workload(
                            node.path("namespace").textValue(),
                            workload.path("kind").textValue(),
                            workload.path("name").textValue()),
                    endpoint.workload(),
                    line);
        } else if (!node.has("workloads")) {
            assertEquals(null, endpoint.workload(), line);
        }
    }

    /** A string field as Jackson has it (other kinds of value are not compared: the reader keeps a number's text as written). */
    private static void assertTextEquals(com.fasterxml.jackson.databind.JsonNode node, String actual, String line) {
        if (node.isTextual()) {
            assertEquals(node.textValue(), actual, line);
        } else if (node.isMissingNode() || node.isNull() || node.isContainerNode()) {
            assertEquals("", actual, line);
        }
    }

    @Test
    void aPortNoPortCanBeIsABadFieldAndALineThatIsNoJsonIsReportedAsThat() throws Exception {
        String flow =
                "{\"flow\":{\"time\":\"2026-11-16T00:00:00Z\",\"verdict\":\"FORWARDED\",\"l4\":{\"TCP\":{\"destination_port\":%s}}}%s";
        String text = String.format(flow, "70000", "}") + "\n" + String.format(flow, "70000", "") + "\n"
                + String.format(flow, "-1", "}") + "\n" + String.format(flow, "8080", "}") + "\n";
        Problems problems = new Problems();
        List<Flow> flows = new ArrayList<>();
        new HubbleFlowReader()
                .read(
                        "f",
                        new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                        flows::add,
                        problems);
        assertEquals(List.of(8080), flows.stream().map(Flow::port).toList());
        assertEquals(
                List.of(
                        "f:1: bad field: flow.l4.TCP.destination_port is no port number",
                        "f:2: not JSON (unexpected end of the input in an object (at byte 102))",
                        "f:3: bad field: flow.l4.TCP.destination_port is no port number"),
                problems.first().stream().map(Object::toString).toList());
    }
}
