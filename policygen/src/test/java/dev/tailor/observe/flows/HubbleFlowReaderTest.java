package dev.tailor.observe.flows;

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

    private static final Path SAMPLES = RepositoryPaths.fixtures().resolve("third_party/hubble-flows/cilium-hubble-otel/testdata");
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
        assertEquals(457, FLOWS.stream().filter(f -> f.verdict().equals("REDIRECTED")).count());
        assertEquals(631, FLOWS.stream().filter(Flow::reply).count());
    }

    @Test
    void theBookinfoCallGraphComesOutOfTheNonReplyFlows() {
        Map<String, Long> edges = new TreeMap<>();
        for (Flow f : FLOWS) {
            if (f.reply() || !(f.source().namespace().equals("bookinfo") || f.destination().namespace().equals("bookinfo"))) {
                continue;
            }
            edges.merge(app(f.source()) + " -> " + app(f.destination()) + " " + f.protocol() + "/" + f.port(), 1L, Long::sum);
        }
        assertEquals(145L, edges.get("productpage -> reviews TCP/9080"));
        assertEquals(147L, edges.get("productpage -> details TCP/9080"));
        assertEquals(10L, edges.get("reviews -> ratings TCP/9080"));
        assertEquals(227L, edges.get("productpage -> - UDP/53"), "DNS to kube-dns, which has no app label");
        assertEquals(35L, edges.get("ratings -> reserved:world TCP/9080"));
    }

    @Test
    void labelsAreSplitIntoPodNamespaceServiceAccountAndReserved() {
        Flow f = FLOWS.stream().filter(x -> x.source().podName().startsWith("prometheus-6655946b9f")).findFirst().orElseThrow();
        assertEquals(Map.of("app", "prometheus", "release", "istio"), f.source().podLabels());
        assertEquals("prometheus", f.source().serviceAccount());
        assertEquals("disabled", f.source().namespaceLabels().get("istio-injection"));
        assertEquals("10.0.1.4", f.source().ip());
        assertTrue(FLOWS.stream().anyMatch(x -> x.destination().reserved().equals("world")));
        assertEquals(29, FLOWS.stream().filter(x -> !x.reply() && x.dnsQuery().equals("productpage.bookinfo.svc.cluster.local.")).count(),
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
        new HubbleFlowReader().read("f", new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                flows::add, new Problems());
        assertEquals(List.of("cart", "cart", "checkout"), flows.stream().map(f -> app(f.source())).toList());
        assertEquals(List.of("world", "world", "world"), flows.stream().map(f -> f.destination().reserved()).toList());
    }

    @Test
    void anAuditLogIsNotTakenForFlows(@TempDir Path dir) throws Exception {
        Path log = RepositoryPaths.fixtures().resolve("third_party/audit-audit2rbac/testdata/demo.log");
        try (InputStream in = Inputs.open(log.toString())) {
            UnknownFormatException e = assertThrows(UnknownFormatException.class, () -> HubbleFlowReader.checkFormat(log.toString(), in));
            assertTrue(e.getMessage().startsWith(log + ": not Hubble flows"), e.getMessage());
        }
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
}
