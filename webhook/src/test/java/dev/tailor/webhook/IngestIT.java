package dev.tailor.webhook;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.store.ObservationStore;
import dev.tailor.testing.RepositoryPaths;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.specification.RequestSpecification;
import java.net.URL;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * POST /ingest/audit as kube-apiserver's audit webhook backend calls it: an EventList of real audit events, a
 * bearer token, an answer only after the batch is stored — and 401 for anyone without a token.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(DevTlsResource.class)
class IngestIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource(value = "/", tls = true)
    URL url;

    @TestHTTPResource(value = "/", tls = true, management = true)
    URL management;

    private RequestSpecification https() {
        return WebhookUnderTest.https(url);
    }

    /**
     * audit2rbac's 37 real events as one EventList, compact, as the API server sends it — its items without kind and
     * apiVersion, which the webhook backend writes only on the list; each test gives its own audit-ID prefix, so the
     * tests share the store without seeing each other's events.
     */
    private static String eventList(String idPrefix) throws Exception {
        ObjectNode list = JSON.createObjectNode().put("kind", "EventList").put("apiVersion", "audit.k8s.io/v1");
        list.putObject("metadata");
        ArrayNode items = list.putArray("items");
        for (String line : Files.readAllLines(
                RepositoryPaths.fixtures().resolve("third_party/audit-audit2rbac/testdata/demo.log"))) {
            ObjectNode event = (ObjectNode) JSON.readTree(line);
            event.put("auditID", idPrefix + event.path("auditID").asText());
            event.remove("kind");
            event.remove("apiVersion");
            items.add(event);
        }
        return list.toString();
    }

    /** {@code body} posted to /ingest/audit with the ingest token, as the audit backend posts a batch. */
    private io.restassured.response.ValidatableResponse auditPosted(byte[] body) {
        return https().header("Authorization", "Bearer " + DevTlsResource.INGEST_TOKEN)
                .contentType("application/json")
                .body(body) // as bytes: an Object would be serialized again
                .post("/ingest/audit")
                .then();
    }

    private io.restassured.response.ValidatableResponse auditPosted(String body) {
        return auditPosted(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aBatchIsStoredOnceAndAcknowledgedAfterwards() throws Exception {
        String body = eventList("once-");
        auditPosted(body)
                .statusCode(200)
                .body("events", is(37))
                .body("stored", is(37))
                .body("rejected", is(0));
        auditPosted(body).statusCode(200).body("stored", is(0)).body("alreadyStored", is(37));
    }

    @Test
    void aBodyTheApiServerSentIsStoredWhole() throws Exception {
        // Captured from kube-apiserver v1.33.13's audit webhook backend (test-fixtures/audit-webhook-backend).
        String body = Files.readString(RepositoryPaths.fixtures().resolve("audit-webhook-backend/eventlist.json"));
        auditPosted(body)
                .statusCode(200)
                .body("events", is(9))
                .body("stored", is(9))
                .body("rejected", is(0));
    }

    /**
     * audit2rbac's events again and again ({@code count} of them, audit IDs prefixed), every hundredth logged at
     * RequestResponse level with a list's response of about 1 MiB — ConfigMaps as large as the API server stores them.
     */
    private static ObjectNode largeEventList(String idPrefix, int count) throws Exception {
        ArrayNode demo = (ArrayNode) JSON.readTree(eventList("")).path("items");
        ObjectNode configMaps =
                JSON.createObjectNode().put("kind", "ConfigMapList").put("apiVersion", "v1");
        for (int i = 0; i < 2; i++) {
            ObjectNode cm = configMaps.withArray("items").addObject().put("kind", "ConfigMap");
            cm.putObject("metadata").put("name", "settings-" + i).put("namespace", "default");
            cm.putObject("data").put("settings.yaml", ("key-" + i + ": a value\n").repeat(512 * 1024 / 16));
        }
        ObjectNode list = JSON.createObjectNode().put("kind", "EventList").put("apiVersion", "audit.k8s.io/v1");
        list.putObject("metadata");
        ArrayNode items = list.putArray("items");
        for (int i = 0; i < count; i++) {
            ObjectNode event = ((ObjectNode) demo.get(i % demo.size())).deepCopy();
            event.put("auditID", idPrefix + i);
            if (i % 100 == 0) {
                event.put("level", "RequestResponse").set("responseObject", configMaps);
            }
            items.add(event);
        }
        return list;
    }

    /**
     * A batch larger than the webhook's memory could hold as a whole (25 MiB: 2,500 events, 25 of them with a list's
     * response of 1 MiB), read as it arrives and stored a thousand events a transaction: every event is stored, once;
     * sent again, all are already stored.
     */
    @Test
    void aBatchOfLargeEventsIsReadAsItArrivesAndStoredWholeAndOnce() throws Exception {
        byte[] body = JSON.writeValueAsBytes(largeEventList("large-", 2500));
        org.junit.jupiter.api.Assertions.assertTrue(body.length > 24 << 20, "a large batch: " + body.length);
        for (int sent = 0; sent < 2; sent++) {
            auditPosted(body)
                    .statusCode(200)
                    .body("events", is(2500))
                    .body("stored", is(sent == 0 ? 2500 : 0))
                    .body("alreadyStored", is(sent == 0 ? 0 : 2500))
                    .body("rejected", is(0));
        }
    }

    /**
     * A batch that breaks off after 1,500 sound events (its JSON cut, as a sender's bug or a proxy would leave it): a
     * 400 that says where, and the events before the break are stored — the whole batch sent again stores only the
     * rest.
     */
    @Test
    void aBatchThatBreaksOffKeepsTheEventsBeforeTheBreak() throws Exception {
        ObjectNode list = largeEventList("broken-", 2000);
        String whole = list.toString();
        ArrayNode items = list.withArray("items");
        while (items.size() > 1500) {
            items.remove(items.size() - 1);
        }
        String sound = list.toString();
        String broken = sound.substring(0, sound.length() - 2) + ",{\"auditID\": \"broken-x\", \"stage\": ]}";
        auditPosted(broken)
                .statusCode(400)
                .body("stored", is(1500))
                .body("error", containsString("not JSON (Unexpected character (']'"))
                .body("error", containsString("; the 1500 events before it are stored"));
        auditPosted(whole)
                .statusCode(200)
                .body("events", is(2000))
                .body("stored", is(500))
                .body("alreadyStored", is(1500));
    }

    /**
     * A GET of a name no object can have (300 characters: the API server answers 404 and audits it) is valid audit
     * input the store cannot hold: that event is refused alone, named by its index, and the rest of its batch is
     * stored — a 200, so the API server does not send the same batch again and again.
     */
    @Test
    void anEventTooLongForTheStoreCostsOnlyItself() throws Exception {
        ObjectNode list = (ObjectNode) JSON.readTree(eventList("long-"));
        ObjectNode event = ((ObjectNode) list.withArray("items").get(2));
        ((ObjectNode) event.get("objectRef")).put("name", "n".repeat(300));
        auditPosted(list.toString())
                .statusCode(200)
                .body("events", is(37))
                .body("stored", is(36))
                .body("rejected", is(1))
                .body(
                        "problems[0]",
                        containsString("POST /ingest/audit:3: too long: api_access.name is 300 characters"));
        String metrics = WebhookUnderTest.https(management)
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        java.util.regex.Matcher counted = java.util.regex.Pattern.compile(
                        "(?m)^tailor_ingest_rejected_total\\{source=\"audit\",?\\} (\\S+)$")
                .matcher(metrics);
        org.junit.jupiter.api.Assertions.assertTrue(
                counted.find() && Double.parseDouble(counted.group(1)) >= 1, metrics);
    }

    /**
     * Flows arrive live too, as a forwarder sends the Hubble exporter's lines: Cilium's real samples (the project's
     * copy of cilium/hubble-otel's testdata), stored as edges once — sent again, nothing new — and a line that is not a
     * flow costs only itself.
     */
    @Test
    void flowLinesAreStoredOnceAndABadLineCostsOnlyItself() throws Exception {
        java.nio.file.Path samples =
                RepositoryPaths.fixtures().resolve("third_party/hubble-flows/cilium-hubble-otel/testdata");
        String body = Files.readString(samples.resolve("basic-sample-400-tcp-flows.json")) + "{\"flow\": not json\n"
                + Files.readString(samples.resolve("basic-sample-330-dns-flows.json"));
        long edgesBefore;
        try (ObservationStore store = ObservationStore.open(WebhookUnderTest.storeUrl())) {
            edgesBefore = store.networkEdges().size();
        }
        var first = https().header("Authorization", "Bearer " + DevTlsResource.INGEST_TOKEN)
                .contentType("application/x-ndjson")
                .body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/ingest/flows")
                .then()
                .statusCode(200)
                .body("rejected", is(1))
                .body("problems[0]", containsString("POST /ingest/flows:401: not JSON"))
                .extract()
                .jsonPath();
        org.junit.jupiter.api.Assertions.assertTrue(first.getLong("stored") > 100, first.prettify());
        try (ObservationStore store = ObservationStore.open(WebhookUnderTest.storeUrl())) {
            org.junit.jupiter.api.Assertions.assertTrue(store.networkEdges().size() > edgesBefore, "edges stored");
        }
        https().header("Authorization", "Bearer " + DevTlsResource.INGEST_TOKEN)
                .contentType("application/x-ndjson")
                .body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/ingest/flows")
                .then()
                .statusCode(200)
                .body("stored", is(0))
                .body("alreadyStored", is(first.getInt("stored")));
        https().contentType("application/x-ndjson")
                .body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/ingest/flows")
                .then()
                .statusCode(401);
    }

    /**
     * Cilium's 400 TCP flows {@code copies} times, each copy an hour after the one before and ten days after the
     * sample (distinct flows, as a busy node's exporter writes them): 400 lines a copy, 268 of them flows that are no
     * reply.
     */
    static String flowLines(int copies) throws Exception {
        java.util.List<String> sample = Files.readAllLines(RepositoryPaths.fixtures()
                .resolve("third_party/hubble-flows/cilium-hubble-otel/testdata/basic-sample-400-tcp-flows.json"));
        StringBuilder body = new StringBuilder();
        String time = "{\"flow\":{\"time\":\"2021-11-10T10";
        for (int copy = 0; copy < copies; copy++) {
            String shifted = String.format("{\"flow\":{\"time\":\"2021-11-%02dT%02d", 20 + copy / 24, copy % 24);
            for (String line : sample) {
                org.junit.jupiter.api.Assertions.assertTrue(line.startsWith(time), line);
                body.append(shifted).append(line, time.length(), line.length()).append('\n');
            }
        }
        return body.toString();
    }

    private java.net.http.HttpResponse<String> flowsPosted(String body, boolean announceLength) throws Exception {
        return DevTlsResource.postJson(
                java.net.http.HttpClient.Version.HTTP_1_1,
                java.net.URI.create(url.toString()).resolve("/ingest/flows"),
                body.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                announceLength,
                "Authorization",
                "Bearer " + DevTlsResource.INGEST_TOKEN);
    }

    /**
     * A batch of flows longer than a transaction — as a forwarder that batches more than the collector sends them
     * (rsyslog's omhttp: up to 10 MB) — is read as it arrives and stored a transaction at a time, every flow of it
     * once: sent again, announced or not, it stores nothing new.
     */
    @Test
    void aBatchOfFlowsLongerThanATransactionIsReadAsItArrivesAndStoredOnce() throws Exception {
        String body = flowLines(30);
        org.junit.jupiter.api.Assertions.assertTrue(body.length() > 16 << 20, body.length() + " bytes");
        var first = flowsPosted(body, true);
        assertEquals(200, first.statusCode(), first.body());
        var answer = JSON.readTree(first.body());
        assertEquals(12_000, answer.path("events").asLong(), first.body());
        assertEquals(0, answer.path("rejected").asLong(), first.body());
        assertEquals(
                30 * 268,
                answer.path("stored").asLong() + answer.path("alreadyStored").asLong(),
                first.body());
        org.junit.jupiter.api.Assertions.assertTrue(
                answer.path("stored").asLong() > IngestResource.LINE_EVENTS_PER_TRANSACTION, first.body());
        var again = flowsPosted(body, false);
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(0, JSON.readTree(again.body()).path("stored").asLong(), again.body());
        assertEquals(30 * 268, JSON.readTree(again.body()).path("alreadyStored").asLong(), again.body());
    }

    /**
     * The same flows as OTLP/HTTP logs, as a collector's filelog receiver and otlphttp exporter send them: protobuf
     * (the exporters' default) and JSON. Each record's body is one line; a line that is no flow and a record whose
     * body is no string are refused for good as a partial success; the same lines in the other encoding store
     * nothing new.
     */
    @Test
    void flowsArriveAsOtlpLogsInEitherEncoding() throws Exception {
        java.util.List<String> lines = Files.readAllLines(RepositoryPaths.fixtures()
                .resolve("third_party/hubble-flows/cilium-hubble-otel/testdata/basic-sample-400-udp-flows.json"));
        var request = otlpRequest(lines);
        long edgesBefore;
        try (ObservationStore store = ObservationStore.open(WebhookUnderTest.storeUrl())) {
            edgesBefore = store.networkEdges().size();
        }
        byte[] answer = https().header("Authorization", "Bearer " + DevTlsResource.INGEST_TOKEN)
                .contentType("application/x-protobuf")
                .body(request.toByteArray())
                .post("/ingest/flows/v1/logs")
                .then()
                .statusCode(200)
                .contentType("application/x-protobuf")
                .extract()
                .asByteArray();
        var response = io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse.parseFrom(answer);
        org.junit.jupiter.api.Assertions.assertEquals(
                2, response.getPartialSuccess().getRejectedLogRecords(), response.toString());
        org.junit.jupiter.api.Assertions.assertTrue(
                response.getPartialSuccess().getErrorMessage().contains("not JSON"), response.toString());
        long edgesAfter;
        try (ObservationStore store = ObservationStore.open(WebhookUnderTest.storeUrl())) {
            edgesAfter = store.networkEdges().size();
        }
        org.junit.jupiter.api.Assertions.assertTrue(
                edgesAfter > edgesBefore, "edges stored: " + edgesBefore + " -> " + edgesAfter);

        String json = otlpJson(lines);
        https().header("Authorization", "Bearer " + DevTlsResource.INGEST_TOKEN)
                .contentType("application/json")
                .body(json)
                .post("/ingest/flows/v1/logs")
                .then()
                .statusCode(200)
                .body(org.hamcrest.Matchers.equalTo("{}"));
        try (ObservationStore store = ObservationStore.open(WebhookUnderTest.storeUrl())) {
            org.junit.jupiter.api.Assertions.assertEquals(
                    edgesAfter, store.networkEdges().size(), "nothing new");
        }
        // gzip, as the exporters send by default: the same request, nothing new; a body that is no gzip is a 400.
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (var z = new java.util.zip.GZIPOutputStream(gz)) {
            z.write(request.toByteArray());
        }
        https().header("Authorization", "Bearer " + DevTlsResource.INGEST_TOKEN)
                .header("Content-Encoding", "gzip")
                .contentType("application/x-protobuf")
                .body(gz.toByteArray())
                .post("/ingest/flows/v1/logs")
                .then()
                .statusCode(200);
        try (ObservationStore store = ObservationStore.open(WebhookUnderTest.storeUrl())) {
            org.junit.jupiter.api.Assertions.assertEquals(
                    edgesAfter, store.networkEdges().size(), "nothing new");
        }
        otlpRefusals(request.toByteArray(), gz.toByteArray(), json);
    }

    /** Syscall records arrive live as the Security Profiles Operator's log enricher writes them. */
    @Test
    void syscallLinesAreStoredOnce() throws Exception {
        String body = Files.readString(
                RepositoryPaths.fixtures()
                        .resolve(
                                "third_party/seccomp/security-profiles-operator/audit-lines/spo-log-enricher-output.from-installation-usage-md-L633.log"));
        var first = https().header("Authorization", "Bearer " + DevTlsResource.INGEST_TOKEN)
                .contentType("text/plain")
                .body(body)
                .post("/ingest/syscalls")
                .then()
                .statusCode(200)
                .body("rejected", is(0))
                .extract()
                .jsonPath();
        org.junit.jupiter.api.Assertions.assertTrue(first.getLong("stored") > 0, first.prettify());
        https().header("Authorization", "Bearer " + DevTlsResource.INGEST_TOKEN)
                .contentType("text/plain")
                .body(body)
                .post("/ingest/syscalls")
                .then()
                .statusCode(200)
                .body("stored", is(0));
    }

    @Test
    void aBatchOfNothingButBadEventsIsAnsweredForGoodNotRetried() throws Exception {
        String body =
                "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":[{\"kind\":\"Pod\"},{\"stage\":\"ResponseComplete\"}]}";
        auditPosted(body)
                .statusCode(200)
                .body("events", is(2))
                .body("stored", is(0))
                .body("rejected", is(2))
                .body("problems[0]", containsString("not an audit Event: kind is \"Pod\""));
    }

    @Test
    void noTokenOrAWrongOneIsRefused() throws Exception {
        String body = eventList("refused-");
        https().contentType("application/json")
                .body(body)
                .post("/ingest/audit")
                .then()
                .statusCode(401)
                .body("error", equalTo("unauthorized"));
        https().header("Authorization", "Bearer not-the-token")
                .contentType("application/json")
                .body(body)
                .post("/ingest/audit")
                .then()
                .statusCode(401);
        https().header("Authorization", "Basic " + DevTlsResource.INGEST_TOKEN)
                .contentType("application/json")
                .body(body)
                .post("/ingest/audit")
                .then()
                .statusCode(401);
    }

    /** POSTs with java.net.http over a TLS context that presents a client certificate (or none). */
    private int postWith(javax.net.ssl.SSLContext tls, String body) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .sslContext(tls)
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build();
        return client.send(
                        java.net.http.HttpRequest.newBuilder(url.toURI().resolve("/ingest/audit"))
                                .header("Content-Type", "application/json")
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    @Test
    void aClientCertificateOfTheAuditBackendIsLetIn() throws Exception {
        java.time.Duration hour = java.time.Duration.ofHours(1);
        assertEquals(200, postWith(DevTlsResource.ca.clientContext("kube-apiserver-audit", hour), eventList("cert-")));
        // Issued by the trusted CA, but to someone else: not let in.
        assertEquals(401, postWith(DevTlsResource.ca.clientContext("someone-else", hour), eventList("cert-other-")));
        // No client certificate and no token.
        assertEquals(401, postWith(DevTlsResource.trustingTestCa(), eventList("cert-none-")));
        // The right name from a CA Tailor does not trust for ingest: the handshake passes (an API server may present
        // its own certificate to every webhook), the endpoint refuses.
        javax.net.ssl.SSLContext stranger = dev.tailor.harness.DevCertificates.newAuthority(hour)
                .clientContext("kube-apiserver-audit", hour, DevTlsResource.trustStore());
        assertEquals(401, postWith(stranger, eventList("cert-stranger-")));
    }

    @Test
    void anApiServerPresentingItsOwnClientCertificateIsStillAnswered() throws Exception {
        // AdmissionConfiguration kubeConfigFile: the API server authenticates to webhooks with a certificate of its
        // cluster's CA, which Tailor knows nothing of. Refusing it at the handshake would fail every admission call.
        java.time.Duration hour = java.time.Duration.ofHours(1);
        javax.net.ssl.SSLContext apiServer = dev.tailor.harness.DevCertificates.newAuthority(hour)
                .clientContext("kube-apiserver-admission", hour, DevTlsResource.trustStore());
        String review = Files.readString(RepositoryPaths.fixtures().resolve("admission/pod-baseline-conforms.json"));
        var answer = java.net.http.HttpClient.newBuilder()
                .sslContext(apiServer)
                .build()
                .send(
                        java.net.http.HttpRequest.newBuilder(url.toURI().resolve("/validate"))
                                .header("Content-Type", "application/json")
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(review))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode());
        assertEquals(
                true,
                JSON.readTree(answer.body()).path("response").path("allowed").asBoolean(),
                answer.body());
    }

    @Test
    void somethingElseThanAnEventListIsA400() {
        auditPosted("{\"kind\": \"Pod\"}")
                .statusCode(400)
                .body("error", equalTo("not an audit EventList: kind is \"Pod\""));
        auditPosted("{not json").statusCode(400);
    }

    @Test
    void theStoreHoldsWhatWasAcknowledged() throws Exception {
        // The webhook holds the H2 file; this JVM's driver opens the same database beside it (same URL).
        String storeUrl = "jdbc:h2:file:" + DevTlsResource.dir.resolve("observations")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;WRITE_DELAY=0";
        long before;
        try (ObservationStore store = ObservationStore.open(storeUrl)) {
            before = store.ingestedEvents("audit");
        }
        auditPosted(eventList("held-")).statusCode(200);
        try (ObservationStore store = ObservationStore.open(storeUrl)) {
            assertEquals(before + 37, store.ingestedEvents("audit"), "acknowledged means stored");
        }
    }

    /** The flow lines as an OTLP/HTTP protobuf logs request, as a collector's exporter sends it, and two bad records. */
    private static io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest otlpRequest(
            java.util.List<String> lines) {
        var scope = io.opentelemetry.proto.logs.v1.ScopeLogs.newBuilder();
        for (String line : lines) {
            scope.addLogRecords(io.opentelemetry.proto.logs.v1.LogRecord.newBuilder()
                    .setBody(io.opentelemetry.proto.common.v1.AnyValue.newBuilder()
                            .setStringValue(line))
                    .addAttributes(io.opentelemetry.proto.common.v1.KeyValue.newBuilder()
                            .setKey("log.file.name")
                            .setValue(io.opentelemetry.proto.common.v1.AnyValue.newBuilder()
                                    .setStringValue("events.log"))));
        }
        scope.addLogRecords(io.opentelemetry.proto.logs.v1.LogRecord.newBuilder()
                .setBody(io.opentelemetry.proto.common.v1.AnyValue.newBuilder().setStringValue("{\"flow\": not json")));
        scope.addLogRecords(io.opentelemetry.proto.logs.v1.LogRecord.newBuilder()
                .setBody(io.opentelemetry.proto.common.v1.AnyValue.newBuilder().setIntValue(42)));
        return io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest.newBuilder()
                .addResourceLogs(
                        io.opentelemetry.proto.logs.v1.ResourceLogs.newBuilder().addScopeLogs(scope))
                .build();
    }

    /** The same flow lines as OTLP/HTTP JSON. */
    static String otlpJson(java.util.List<String> lines) throws Exception {
        StringBuilder json =
                new StringBuilder("{\"resourceLogs\":[{\"resource\":{},\"scopeLogs\":[{\"scope\":{},\"logRecords\":[");
        for (int i = 0; i < lines.size(); i++) {
            json.append(i == 0 ? "" : ",")
                    .append("{\"timeUnixNano\":\"1623862333136834446\",\"body\":{\"stringValue\":")
                    .append(JSON.writeValueAsString(lines.get(i)))
                    .append("}}");
        }
        json.append("]}]}]}");
        return json.toString();
    }

    /** What OTLP/HTTP ingest refuses: gzip announced but not sent (400), no token (401), no protobuf (400). */
    private void otlpRefusals(byte[] plain, byte[] gzipped, String json) {
        https().header("Authorization", "Bearer " + DevTlsResource.INGEST_TOKEN)
                .header("Content-Encoding", "gzip")
                .contentType("application/x-protobuf")
                .body(plain)
                .post("/ingest/flows/v1/logs")
                .then()
                .statusCode(400);
        https().header("Content-Encoding", "gzip")
                .contentType("application/x-protobuf")
                .body(gzipped)
                .post("/ingest/flows/v1/logs")
                .then()
                .statusCode(401);
        https().contentType("application/json")
                .body(json)
                .post("/ingest/flows/v1/logs")
                .then()
                .statusCode(401);
        https().header("Authorization", "Bearer " + DevTlsResource.INGEST_TOKEN)
                .contentType("application/x-protobuf")
                .body(new byte[] {(byte) 0xff, 0x01, 0x02})
                .post("/ingest/syscalls/v1/logs")
                .then()
                .statusCode(400)
                .body("message", containsString("not an OTLP ExportLogsServiceRequest"));
    }
}
