package dev.tailor.observe.audit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.observe.Inputs;
import dev.tailor.observe.Problems;
import dev.tailor.observe.UnknownFormatException;
import dev.tailor.testing.RepositoryPaths;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real audit logs from other projects: audit2rbac's demo (37 events) and Falco's trace files. */
class AuditLogReaderTest {

    private static final Path DEMO =
            RepositoryPaths.fixtures().resolve("third_party/audit-audit2rbac/testdata/demo.log");

    private static AuditLogReader.Stats read(Path file, ApiAccessAggregator sink, Problems problems) throws Exception {
        try (InputStream in = Inputs.open(file.toString())) {
            AuditLogReader.checkFormat(file.toString(), in);
            return new AuditLogReader().read(file.getFileName().toString(), in, sink, problems);
        }
    }

    @Test
    void audit2rbacDemoIsAttributedToTheImpersonatedUsers() throws Exception {
        ApiAccessAggregator accesses = new ApiAccessAggregator();
        Problems problems = new Problems();
        AuditLogReader.Stats stats = read(DEMO, accesses, problems);
        assertEquals(37, stats.requests());
        assertEquals(0, problems.total());
        assertEquals(
                Map.of("bob", 29L, "system:serviceaccount:ns1:sa1", 5L, "alice", 3L), accesses.requestsBySubject());
        List<ApiAccess> alice = accesses.accesses().keySet().stream()
                .filter(a -> a.subject().equals("alice"))
                .toList();
        assertTrue(alice.stream().allMatch(ApiAccess::denied), "alice was refused everything: " + alice);
        assertEquals(
                List.of("configmaps", "pods", "secrets"),
                alice.stream().map(ApiAccess::resource).sorted().toList());
        assertTrue(accesses.accesses().keySet().stream()
                .anyMatch(a -> a.subject().equals("bob")
                        && a.nonResourceUrl().equals("/apis")
                        && a.verb().equals("get")
                        && !a.denied()));
        // The query string is not part of what was accessed: two URIs, one access.
        ApiAccess bobListsPods = new ApiAccess("bob", "list", "", "pods", "", "default", "", "", false);
        assertEquals(2, accesses.accesses().get(bobListsPods).count());
        assertEquals(
                "2017-09-11",
                accesses.accesses().get(bobListsPods).days().first().toString());
    }

    @Test
    void falcoTracesCountOnlyFinalStagesAndNameTheFileThatIsNoAuditLog() throws Exception {
        Path dir = RepositoryPaths.fixtures().resolve("third_party/audit-falco-traces/test/trace_files/k8s_audit");
        ApiAccessAggregator accesses = new ApiAccessAggregator();
        Problems problems = new Problems();
        long requests = 0;
        long responseStarted = 0;
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.sorted().toList();
        }
        List<String> refused = new ArrayList<>();
        for (Path file : files) {
            AuditLogReader.Stats stats;
            try {
                stats = read(file, accesses, problems);
            } catch (UnknownFormatException e) {
                refused.add(file.getFileName().toString());
                continue;
            }
            requests += stats.requests();
            responseStarted += stats.skipped().entrySet().stream()
                    .filter(e -> e.getKey().startsWith("stage ResponseStarted"))
                    .mapToLong(Map.Entry::getValue)
                    .sum();
        }
        assertEquals(49, requests, "ResponseComplete events in v1, v1beta1 and unversioned lines");
        assertEquals(2, responseStarted);
        assertEquals(0, problems.total(), problems.first().toString());
        // One trace file holds only {"kind": 0}: not an audit log, and said so before it is read.
        assertEquals(List.of("fal_01_003.json"), refused);
    }

    @Test
    void gzipInputAndASecondReadingCountEachEventOnce(@TempDir Path dir) throws Exception {
        Path gz = dir.resolve("audit.log.1");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(DEMO));
        }
        ApiAccessAggregator accesses = new ApiAccessAggregator();
        read(gz, accesses, new Problems());
        read(DEMO, accesses, new Problems());
        assertEquals(37, accesses.duplicates());
        assertEquals(
                37L,
                accesses.requestsBySubject().values().stream()
                        .mapToLong(Long::longValue)
                        .sum());
    }

    @Test
    void aMalformedLineIsLocatedAndTheRestIsRead(@TempDir Path dir) throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(DEMO));
        lines.add(5, "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":");
        lines.add(9, "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"stage\":\"ResponseComplete\"}");
        Path file = dir.resolve("audit.log");
        Files.write(file, lines, StandardCharsets.UTF_8);
        ApiAccessAggregator accesses = new ApiAccessAggregator();
        Problems problems = new Problems();
        assertEquals(37, read(file, accesses, problems).requests());
        assertEquals(2, problems.total());
        assertEquals(
                "audit.log:6: not JSON",
                problems.first().get(0).toString().substring(0, "audit.log:6: not JSON".length()));
        assertEquals(
                "audit.log:10: missing field: auditID", problems.first().get(1).toString());
    }

    @Test
    void theFirstLineDecidesTheFormat() {
        for (String first : List.of(
                "{\"kind\": \"Event\"}",
                "{\"apiVersion\": \"audit.k8s.io/v1\", \"kind\":\"EventList\", \"items\": []}",
                "{\"kind\": \"Pod\", \"kind\": \"Event\"}",
                "{\"kind\": \"\\u0045vent\"}")) {
            assertDoesNotThrow(() -> checkFormat(first), first);
        }
        for (String first : List.of(
                "{\"kind\": \"Pod\"}",
                "{\"kind\": \"Event\"",
                "\"Event\"",
                "{\"kind\": {\"kind\": \"Event\"}}",
                "[{\"kind\": \"Event\"}]",
                "{\"kind\": \"Event\", \"kind\": \"Pod\"}",
                "{\"kind\": \"Event\", \"x\": nul}")) {
            assertThrows(UnknownFormatException.class, () -> checkFormat(first), first);
        }
    }

    private static void checkFormat(String firstLine) throws Exception {
        AuditLogReader.checkFormat(
                "a",
                new java.io.BufferedInputStream(new java.io.ByteArrayInputStream(
                        (firstLine + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }

    @Test
    void aFileInAnotherFormatIsNamedBeforeAnythingIsRead(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("pod.yaml");
        Files.writeString(yaml, "apiVersion: v1\nkind: Pod\n");
        UnknownFormatException e =
                assertThrows(UnknownFormatException.class, () -> read(yaml, new ApiAccessAggregator(), new Problems()));
        assertTrue(e.getMessage().startsWith(yaml + ": not a Kubernetes audit log"), e.getMessage());
    }

    private static final com.fasterxml.jackson.databind.ObjectReader STRICT =
            new com.fasterxml.jackson.databind.ObjectMapper()
                    .reader()
                    .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** The bytes the mutation tests delete, insert and replace with: JSON's own, and some of the events' letters. */
    private static final String MUTATIONS = "{}[],:\"\\ 0123456789-.eaklsnu=/";

    /** The events the mutation tests change: audit2rbac's, and a user with extra (the pod its token was bound to). */
    private static List<String> mutated() throws java.io.IOException {
        List<String> lines = new ArrayList<>(
                Files.readAllLines(DEMO).stream().filter(l -> l.startsWith("{")).toList());
        lines.add(BOUND_TOKEN);
        return lines;
    }

    /** An EventList read to its end ({@link AuditLogReader.EventListStream}), as the webhook reads one. */
    private static AuditLogReader.Stats readEventList(
            String name, InputStream body, java.util.function.Consumer<ApiRequest> sink, Problems problems)
            throws java.io.IOException {
        try (AuditLogReader.EventListStream list = new AuditLogReader.EventListStream(name, body, problems)) {
            while (list.read(Integer.MAX_VALUE, sink)) {
                // to the end
            }
            return list.stats();
        }
    }

    /**
     * Mutations of audit2rbac's real events (bytes deleted, inserted, replaced): a line is "not JSON" exactly when
     * Jackson refuses it, and a request read from a line has the fields Jackson's tree of it has.
     */
    @Test
    void mutatedEventsComeOutAsJacksonsTreeOfThemSays() throws Exception {
        List<String> lines = mutated();
        String alphabet = MUTATIONS;
        java.util.Random random = new java.util.Random(5);
        Map<String, Integer> outcomes = new java.util.TreeMap<>();
        for (String line : lines) {
            for (int i = 0; i < 120; i++) {
                String mutated = dev.tailor.observe.Mutations.edit(line, alphabet, random, false);
                Problems problems = new Problems();
                List<ApiRequest> requests = new ArrayList<>();
                AuditLogReader.Stats stats = new AuditLogReader()
                        .read(
                                "audit.log",
                                new java.io.ByteArrayInputStream(mutated.getBytes(StandardCharsets.UTF_8)),
                                requests::add,
                                problems);
                com.fasterxml.jackson.databind.JsonNode tree = null;
                try {
                    tree = STRICT.readTree(mutated);
                } catch (java.io.IOException e) {
                    // refused: the reader must say "not JSON"
                }
                boolean notJson = problems.byReason().containsKey("not JSON");
                assertEquals(tree == null, notJson, mutated);
                String outcome = notJson
                        ? "not JSON"
                        : !requests.isEmpty()
                                ? "request"
                                : !stats.skipped().isEmpty()
                                        ? "skipped stage"
                                        : problems.byReason()
                                                .keySet()
                                                .iterator()
                                                .next();
                outcomes.merge(outcome, 1, Integer::sum);
                if (!requests.isEmpty()) {
                    assertSameRequest(tree, requests.get(0), mutated);
                }
            }
        }
        System.out.println("AuditLogReader against Jackson's tree: " + outcomes);
        assertTrue(outcomes.get("request") > 1000 && outcomes.get("not JSON") > 500, outcomes.toString());
    }

    /**
     * The same mutations as items of an EventList read as it arrives: the list is "not JSON" exactly when Jackson
     * refuses it, and a request read from an item has the fields Jackson's tree of the item has — and is the request
     * the line reader makes of the item as a line, where that one makes one (an item may leave out its kind, a line
     * may not).
     */
    @Test
    void mutatedItemsOfAListComeOutAsJacksonsTreeOfThemSays() throws Exception {
        List<String> lines = mutated();
        String alphabet = MUTATIONS;
        java.util.Random random = new java.util.Random(7);
        Map<String, Integer> outcomes = new java.util.TreeMap<>();
        for (String line : lines) {
            for (int i = 0; i < 120; i++) {
                String mutated = dev.tailor.observe.Mutations.edit(line, alphabet, random, false);
                String list = "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":[" + mutated + "]}";
                List<ApiRequest> requests = new ArrayList<>();
                String outcome;
                try {
                    Problems problems = new Problems();
                    AuditLogReader.Stats stats = readEventList(
                            "POST /ingest/audit",
                            new java.io.ByteArrayInputStream(list.getBytes(StandardCharsets.UTF_8)),
                            requests::add,
                            problems);
                    outcome = !requests.isEmpty()
                            ? "request"
                            : !stats.skipped().isEmpty()
                                    ? "skipped stage"
                                    : problems.byReason().keySet().iterator().next();
                } catch (java.io.IOException e) {
                    outcome = e.getMessage().startsWith("not JSON (") ? "not JSON" : e.getMessage();
                }
                com.fasterxml.jackson.databind.JsonNode tree = null;
                try {
                    tree = STRICT.readTree(list);
                } catch (java.io.IOException e) {
                    // refused: so must the stream be
                }
                assertEquals(tree == null, outcome.equals("not JSON"), list);
                outcomes.merge(outcome, 1, Integer::sum);
                // (A list that breaks after its item has handed the item on: what came before a break stands.)
                if (tree != null && !requests.isEmpty()) {
                    assertSameRequest(tree.path("items").path(0), requests.get(0), mutated);
                    List<ApiRequest> asLine = new ArrayList<>();
                    new AuditLogReader()
                            .read(
                                    "audit.log",
                                    new java.io.ByteArrayInputStream(mutated.getBytes(StandardCharsets.UTF_8)),
                                    asLine::add,
                                    new Problems());
                    if (!asLine.isEmpty()) {
                        assertEquals(asLine, requests, mutated);
                    }
                }
            }
        }
        System.out.println("EventListStream against Jackson's tree: " + outcomes);
        assertTrue(outcomes.get("request") > 1000 && outcomes.get("not JSON") > 500, outcomes.toString());
    }

    /** What the reader made of a line is what Jackson's tree of it says. */
    private static void assertSameRequest(com.fasterxml.jackson.databind.JsonNode tree, ApiRequest r, String mutated) {
        var user = tree.path("impersonatedUser").isObject() ? tree.path("impersonatedUser") : tree.path("user");
        assertEquals(tree.path("auditID").textValue(), r.auditId(), mutated);
        assertEquals(tree.path("verb").textValue(), r.verb(), mutated);
        assertEquals(user.path("username").asText(""), r.subject(), mutated);
        var podNames = user.path("extra").path("authentication.kubernetes.io/pod-name");
        List<String> named = new ArrayList<>();
        podNames.forEach(n -> {
            if (n.isTextual()) {
                named.add(n.textValue());
            }
        });
        assertEquals(podNames.isArray() && named.size() == 1 ? named.get(0) : "", r.pod(), mutated);
        var ref = tree.path("objectRef");
        for (String[] field : new String[][] {
            {"resource", r.resource()},
            {"namespace", r.namespace()},
            {"name", r.name()},
            {"apiGroup", r.apiGroup()},
            {"subresource", r.subresource()}
        }) {
            if (ref.path(field[0]).isTextual() || ref.path(field[0]).isMissingNode()) {
                assertEquals(ref.path(field[0]).asText(""), field[1], field[0] + " of " + mutated);
            }
        }
        if (tree.path("responseStatus").path("code").isInt()) {
            assertEquals(tree.path("responseStatus").path("code").intValue(), r.code(), mutated);
        }
    }

    /** A request made with a pod's projected service-account token, as kube-apiserver 1.30+ logs it (node name too). */
    private static final String BOUND_TOKEN =
            "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\","
                    + "\"auditID\":\"5d8e2c1a-7f3b-4c2e-9a61-0b2f4e6d8c10\",\"stage\":\"ResponseComplete\","
                    + "\"requestURI\":\"/api/v1/namespaces/shop/configmaps/settings\",\"verb\":\"get\","
                    + "\"user\":{\"username\":\"system:serviceaccount:shop:default\",\"uid\":\"0c8d0f0e-1b9a-4d55-8e43-7a3f2b1c9d20\","
                    + "\"groups\":[\"system:serviceaccounts\",\"system:serviceaccounts:shop\",\"system:authenticated\"],"
                    + "\"extra\":{\"authentication.kubernetes.io/credential-id\":[\"JTI=3f1c2b7e-5a9d-4e80-b6c1-9d2e8f7a4b35\"],"
                    + "\"authentication.kubernetes.io/node-name\":[\"node-1\"],"
                    + "\"authentication.kubernetes.io/pod-name\":[\"cart-7d4b9c-x2x8z\"],"
                    + "\"authentication.kubernetes.io/pod-uid\":[\"6a1d9e3c-2f4b-4a87-9c05-e8b7d1f2a364\"]}},"
                    + "\"sourceIPs\":[\"10.244.1.17\"],\"userAgent\":\"cart/v0.0.0\","
                    + "\"objectRef\":{\"resource\":\"configmaps\",\"namespace\":\"shop\",\"name\":\"settings\",\"apiVersion\":\"v1\"},"
                    + "\"responseStatus\":{\"metadata\":{},\"code\":200},"
                    + "\"requestReceivedTimestamp\":\"2026-11-16T10:00:00.000000Z\",\"stageTimestamp\":\"2026-11-16T10:00:00.004000Z\"}";

    /**
     * An event logged at RequestResponse level for a cluster-wide list carries the whole list: here 6 MB of
     * ConfigMaps, longer than a line the reader holds. Its access is read all the same (the bodies, which Tailor does
     * not read, dropped as the line streams), and so are the lines after it; an event that is long without its bodies
     * is a line too long.
     */
    @Test
    void anEventWithABodyLongerThanALineIsReadWithoutIt() throws Exception {
        StringBuilder items = new StringBuilder();
        for (int i = 0; items.length() < 6 * 1024 * 1024; i++) {
            items.append(i == 0 ? "" : ",")
                    .append("{\"metadata\":{\"name\":\"settings-")
                    .append(i)
                    .append("\",\"namespace\":\"tenant-")
                    .append(i % 300)
                    .append("\",\"uid\":\"6a1d9e3c-2f4b-4a87-9c05-e8b7d1f2a364\",\"resourceVersion\":\"")
                    .append(1000 + i)
                    .append("\"},\"data\":{\"config.yaml\":\"")
                    .append("log:\\n  level: info\\nlisten: :8080\\n".repeat(20))
                    .append("\"}}");
        }
        String listed = BOUND_TOKEN
                .replace("\"level\":\"Metadata\"", "\"level\":\"RequestResponse\"")
                .replace("5d8e2c1a", "5d8e2c2a")
                .replace("/api/v1/namespaces/shop/configmaps/settings", "/api/v1/configmaps?limit=500")
                .replace("\"verb\":\"get\"", "\"verb\":\"list\"")
                .replace(
                        "\"objectRef\":{\"resource\":\"configmaps\",\"namespace\":\"shop\",\"name\":\"settings\",\"apiVersion\":\"v1\"},",
                        "\"objectRef\":{\"resource\":\"configmaps\",\"apiVersion\":\"v1\"},")
                .replace(
                        "\"responseStatus\":{\"metadata\":{},\"code\":200},",
                        "\"responseStatus\":{\"metadata\":{},\"code\":200},\"responseObject\":{\"kind\":\"ConfigMapList\","
                                + "\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"98765\"},\"items\":["
                                + items + "]},");
        String annotated = BOUND_TOKEN
                .replace("5d8e2c1a", "5d8e2c2b")
                .replace(
                        "\"sourceIPs\"",
                        "\"annotations\":{\"note\":\"" + "x".repeat(5 * 1024 * 1024) + "\"},\"sourceIPs\"");
        assertTrue(listed.length() > 6 * 1024 * 1024);
        List<ApiRequest> requests = new ArrayList<>();
        Problems problems = new Problems();
        new AuditLogReader()
                .read(
                        "audit.log",
                        new java.io.ByteArrayInputStream(String.join(
                                        "\n",
                                        listed,
                                        BOUND_TOKEN,
                                        annotated,
                                        BOUND_TOKEN.replace("5d8e2c1a", "5d8e2c2c"))
                                .getBytes(StandardCharsets.UTF_8)),
                        requests::add,
                        problems);
        assertEquals(3, requests.size(), problems.first().toString());
        assertEquals("list", requests.get(0).verb());
        assertEquals("configmaps", requests.get(0).resource());
        assertEquals("", requests.get(0).namespace(), "cluster-wide");
        assertEquals("system:serviceaccount:shop:default", requests.get(0).subject());
        assertEquals("cart-7d4b9c-x2x8z", requests.get(0).pod());
        assertEquals(1, problems.total());
        assertTrue(
                problems.first()
                        .get(0)
                        .toString()
                        .startsWith("audit.log:3: line longer than 4194304 characters without"),
                problems.first().get(0).toString());
    }

    /**
     * The pod a request's token was bound to comes from the effective user's extra: one pod name, or none when the
     * token names none or (impossibly, but then nothing is sure) several.
     */
    @Test
    void theTokensPodIsTheOneItsExtraNames() throws Exception {
        String two = BOUND_TOKEN
                .replace("[\"cart-7d4b9c-x2x8z\"]", "[\"cart-7d4b9c-x2x8z\",\"cart-7d4b9c-q9w8e\"]")
                .replace("5d8e2c1a", "5d8e2c1b");
        String impersonating = BOUND_TOKEN
                .replace("\"sourceIPs\"", "\"impersonatedUser\":{\"username\":\"alice\"},\"sourceIPs\"")
                .replace("5d8e2c1a", "5d8e2c1c");
        String withoutExtra =
                BOUND_TOKEN.replaceAll(",\"extra\":\\{.*?\\]\\}\\}", "}").replace("5d8e2c1a", "5d8e2c1d");
        List<ApiRequest> requests = new ArrayList<>();
        Problems problems = new Problems();
        new AuditLogReader()
                .read(
                        "audit.log",
                        new java.io.ByteArrayInputStream(
                                String.join("\n", BOUND_TOKEN, two, impersonating, withoutExtra)
                                        .getBytes(StandardCharsets.UTF_8)),
                        requests::add,
                        problems);
        assertEquals(0, problems.total(), problems.first().toString());
        assertEquals(
                List.of("cart-7d4b9c-x2x8z", "", "", ""),
                requests.stream().map(ApiRequest::pod).toList());
        assertEquals(
                List.of(
                        "system:serviceaccount:shop:default",
                        "system:serviceaccount:shop:default",
                        "alice",
                        "system:serviceaccount:shop:default"),
                requests.stream().map(ApiRequest::subject).toList());
    }

    /** What kube-apiserver's webhook backend really sends: items without kind and apiVersion, all read. */
    @Test
    void theApiServersOwnBodyIsReadWhole() throws Exception {
        byte[] body = Files.readAllBytes(RepositoryPaths.fixtures().resolve("audit-webhook-backend/eventlist.json"));
        List<ApiRequest> requests = new ArrayList<>();
        Problems problems = new Problems();
        AuditLogReader.Stats stats =
                readEventList("POST /ingest/audit", new java.io.ByteArrayInputStream(body), requests::add, problems);
        assertEquals(0, problems.total(), problems.first().toString());
        assertEquals(9, stats.requests());
        assertEquals(
                List.of(
                        "e2e-admin",
                        "e2e-admin",
                        "e2e-admin",
                        "e2e-admin",
                        "e2e-admin",
                        "system:serviceaccount:shop:reader",
                        "system:serviceaccount:shop:reader",
                        "system:serviceaccount:shop:reader",
                        "system:serviceaccount:shop:reader"),
                requests.stream().map(ApiRequest::subject).toList());

        // An item that names another kind is still refused, with its index.
        byte[] pod = "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":[{\"kind\":\"Pod\"}]}"
                .getBytes(StandardCharsets.UTF_8);
        Problems refused = new Problems();
        readEventList("POST /ingest/audit", new java.io.ByteArrayInputStream(pod), r -> {}, refused);
        assertEquals(
                "POST /ingest/audit:1: not an audit Event: kind is \"Pod\"",
                refused.first().get(0).toString());
    }

    /** The audit webhook backend's body, indented as a person (or a proxy) may send it, reads as the same log. */
    @Test
    void anIndentedEventListReadsAsTheLogItWasMadeOf() throws Exception {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var list = mapper.createObjectNode().put("kind", "EventList").put("apiVersion", "audit.k8s.io/v1");
        var items = list.putArray("items");
        for (String line : Files.readAllLines(DEMO)) {
            if (line.startsWith("{")) {
                items.add(mapper.readTree(line));
            }
        }
        byte[] body = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(list);
        assertTrue(new String(body, StandardCharsets.UTF_8).contains("\n    \"kind\""), "indented");
        List<ApiRequest> fromBody = new ArrayList<>();
        AuditLogReader.Stats stats = readEventList(
                "POST /ingest/audit", new java.io.ByteArrayInputStream(body), fromBody::add, new Problems());
        List<ApiRequest> fromLog = new ArrayList<>();
        try (InputStream in = Inputs.open(DEMO.toString())) {
            new AuditLogReader().read("demo.log", in, fromLog::add, new Problems());
        }
        assertEquals(37, stats.requests());
        assertEquals(fromLog, fromBody);

        byte[] cut = java.util.Arrays.copyOf(body, body.length / 2);
        java.io.IOException e = assertThrows(
                java.io.IOException.class,
                () -> readEventList(
                        "POST /ingest/audit", new java.io.ByteArrayInputStream(cut), r -> {}, new Problems()));
        assertTrue(e.getMessage().startsWith("not JSON (Unexpected end-of-input"), e.getMessage());
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** kube-apiserver's own EventList (items without kind and apiVersion), as a tree to change. */
    private static com.fasterxml.jackson.databind.node.ObjectNode apiServersList() throws Exception {
        return (com.fasterxml.jackson.databind.node.ObjectNode) MAPPER.readTree(RepositoryPaths.fixtures()
                .resolve("audit-webhook-backend/eventlist.json")
                .toFile());
    }

    /** Reads {@code body} {@code max} items at a time; the requests of each read, in order. */
    private static List<List<ApiRequest>> readInParts(byte[] body, int max, Problems problems) throws Exception {
        List<List<ApiRequest>> parts = new ArrayList<>();
        try (AuditLogReader.EventListStream list = new AuditLogReader.EventListStream(
                "POST /ingest/audit", new java.io.ByteArrayInputStream(body), problems)) {
            boolean more = true;
            while (more) {
                List<ApiRequest> part = new ArrayList<>();
                more = list.read(max, part::add);
                parts.add(part);
            }
        }
        return parts;
    }

    /**
     * An EventList logged at RequestResponse level: a list of ConfigMaps whose response holds eight of 512 KiB each,
     * a create with its object. Read a few items at a time, each without its bodies: every request is there, each
     * read hands on no more than it was asked for. An item whose own fields are beyond what an item may be (a user
     * whose extra is 300 KiB) is refused alone, by its index.
     */
    @Test
    void aListOfLargeEventsIsReadAFewItemsAtATimeAndAnItemTooLongCostsOnlyItself() throws Exception {
        var list = apiServersList();
        var items = list.withArray("items");
        var configMaps = MAPPER.createObjectNode().put("kind", "ConfigMapList").put("apiVersion", "v1");
        for (int i = 0; i < 8; i++) {
            var cm = configMaps.withArray("items").addObject().put("kind", "ConfigMap");
            cm.putObject("metadata").put("name", "settings-" + i).put("namespace", "shop");
            cm.putObject("data").put("settings.yaml", ("key-" + i + ": value\n").repeat(512 * 1024 / 14));
        }
        ((com.fasterxml.jackson.databind.node.ObjectNode) items.get(5))
                .put("level", "RequestResponse")
                .set("responseObject", configMaps);
        ((com.fasterxml.jackson.databind.node.ObjectNode) items.get(2))
                .put("level", "RequestResponse")
                .set("requestObject", MAPPER.createObjectNode().put("kind", "Role"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) items.get(1).path("user"))
                .putObject("extra")
                .putArray("claims")
                .add("x".repeat(300 * 1024));
        byte[] body = MAPPER.writeValueAsBytes(list);
        assertTrue(body.length > 4 << 20, "larger than a few MB: " + body.length);

        Problems problems = new Problems();
        List<List<ApiRequest>> parts = readInParts(body, 3, problems);
        assertEquals(List.of(3, 3, 2), parts.stream().map(List::size).toList());
        List<ApiRequest> requests = parts.stream().flatMap(List::stream).toList();
        assertEquals(
                List.of("get", "create", "create", "create", "list", "list", "get", "get"),
                requests.stream().map(ApiRequest::verb).toList());
        assertEquals("configmaps", requests.get(4).resource());
        assertEquals(
                List.of("POST /ingest/audit:2: event longer than 262144 bytes without its request and response bodies"),
                problems.first().stream().map(Object::toString).toList());
    }

    /**
     * A forwarder that writes JSON with its keys sorted puts the list's kind after its items: they are held until it
     * comes, and read — up to as many as one read hands on; more are refused, saying why.
     */
    @Test
    void aListWhoseKindComesAfterItsItemsIsReadUpToOneReadsItems() throws Exception {
        byte[] sorted = MAPPER.copy()
                .configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
                .writeValueAsBytes(MAPPER.convertValue(apiServersList(), Map.class));
        assertTrue(new String(sorted, StandardCharsets.UTF_8).indexOf("\"kind\":\"EventList\"")
                > new String(sorted, StandardCharsets.UTF_8).indexOf("\"items\""));
        Problems problems = new Problems();
        assertEquals(
                9,
                readInParts(sorted, 9, problems).stream().mapToInt(List::size).sum());
        assertEquals(0, problems.total());
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> readInParts(sorted, 5, new Problems()));
        assertEquals(
                "an EventList whose items come before its kind and apiVersion is read only up to 5 items: write kind"
                        + " and apiVersion first, as kube-apiserver does",
                e.getMessage());
    }

    /** A body that breaks off: what was handed on before the break stands, and the read says where it broke. */
    @Test
    void aListThatBreaksOffHasHandedOnWhatCameBefore() throws Exception {
        byte[] body = MAPPER.writeValueAsBytes(apiServersList());
        byte[] cut = java.util.Arrays.copyOf(body, body.length * 2 / 3);
        List<ApiRequest> handed = new ArrayList<>();
        try (AuditLogReader.EventListStream list = new AuditLogReader.EventListStream(
                "POST /ingest/audit", new java.io.ByteArrayInputStream(cut), new Problems())) {
            assertTrue(list.read(2, handed::add));
            assertTrue(list.read(2, handed::add));
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> {
                while (list.read(2, handed::add)) {
                    // to the break
                }
            });
            assertTrue(e.getMessage().startsWith("not JSON (Unexpected end-of-input"), e.getMessage());
            assertTrue(e.getMessage().endsWith("at character " + cut.length + ")"), e.getMessage());
        }
        assertTrue(handed.size() >= 4 && handed.size() < 9, handed.toString());
        // Not an EventList at all: nothing is handed on.
        for (String other : List.of("{\"kind\":\"Pod\",\"items\":[{}]}", "[]", "", "{\"kind\":\"EventList\"}")) {
            List<ApiRequest> none = new ArrayList<>();
            java.io.IOException e = assertThrows(
                    java.io.IOException.class,
                    () -> readInParts(other.getBytes(StandardCharsets.UTF_8), 2, new Problems()));
            assertTrue(e.getMessage().startsWith("not an audit EventList: "), e.getMessage());
            assertEquals(List.of(), none);
        }
    }

    /**
     * A stage Kubernetes does not have is the event's problem, its value shown in part — not a reason to count skipped
     * events by, which a sender could make as many of as it has events.
     */
    @Test
    void aStageKubernetesDoesNotHaveIsAProblemShownInPart() throws Exception {
        var list = apiServersList();
        var items = list.withArray("items");
        for (int i = 0; i < 3; i++) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) items.get(i))
                    .put("stage", "Stage" + i + "x".repeat(1000));
        }
        ((com.fasterxml.jackson.databind.node.ObjectNode) items.get(3)).put("stage", "ResponseStarted");
        ((com.fasterxml.jackson.databind.node.ObjectNode) items.get(4)).put("apiVersion", "v" + "9".repeat(1000));
        Problems problems = new Problems();
        List<ApiRequest> requests = new ArrayList<>();
        AuditLogReader.Stats stats = readEventList(
                "POST /ingest/audit",
                new java.io.ByteArrayInputStream(MAPPER.writeValueAsBytes(list)),
                requests::add,
                problems);
        assertEquals(4, requests.size());
        assertEquals(
                Map.of("stage ResponseStarted (only ResponseComplete and Panic are counted)", 1L), stats.skipped());
        assertEquals(Map.of("unknown stage", 3L, "unsupported apiVersion", 1L), problems.byReason());
        assertEquals(
                "POST /ingest/audit:1: unknown stage: Stage0" + "x".repeat(74) + "…",
                problems.first().get(0).toString());
        // Any reason quoting the input is kept in part: 400 characters.
        assertEquals(
                "POST /ingest/audit:5: unsupported apiVersion: v" + "9".repeat(400 - 25) + "…",
                problems.first().get(3).toString());
    }
}
