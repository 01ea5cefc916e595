package dev.tailor.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.webhook.fixtures.AdmissionFixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A bounded fuzz run against {@code /validate} and {@code /mutate}, as anyone who reaches the port could send: 5,000
 * malformed bodies and 5,000 mutations of the admission fixtures (fields removed, values of another type, huge
 * strings and numbers, deep nesting), seeded so a failure repeats. No answer may be a 5xx, every answer is JSON, and
 * the heap after a full collection may not grow with the run. It prints what it saw.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(DevTlsResource.class)
class FuzzIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EACH = 5_000;

    @TestHTTPResource(value = "/", tls = true)
    URL url;

    @Test
    void malformedAndMutatedReviewsGetNo5xxAndLeaveTheHeapFlat() throws Exception {
        HttpClient http = client();
        Random random = new Random(20261202);
        List<ObjectNode> fixtures = new ArrayList<>();
        AdmissionFixtures.all().forEach(c -> fixtures.add(c.review()));
        // Warm up first, so the JIT's and the pools' growth is not counted as the run's.
        for (int i = 0; i < 500; i++) {
            post(
                    http,
                    i % 2 == 0 ? "/validate" : "/mutate",
                    fixtures.get(i % fixtures.size()).toString().getBytes(StandardCharsets.UTF_8));
        }
        long heapBefore = usedHeapAfterGc();

        Map<String, Integer> statuses = new TreeMap<>();
        List<String> serverErrors = new ArrayList<>();
        for (int i = 0; i < 2 * EACH; i++) {
            byte[] body = i < EACH ? malformed(random, fixtures) : JSON.writeValueAsBytes(mutated(random, fixtures));
            String path = random.nextBoolean() ? "/validate" : "/mutate";
            HttpResponse<String> answer = post(http, path, body);
            statuses.merge((i < EACH ? "malformed " : "mutated ") + answer.statusCode(), 1, Integer::sum);
            if (answer.statusCode() >= 500 && serverErrors.size() < 5) {
                serverErrors.add(answer.statusCode() + " for "
                        + new String(body, StandardCharsets.UTF_8).substring(0, Math.min(300, body.length)) + " -> "
                        + answer.body());
            }
            JSON.readTree(answer.body()); // every answer is JSON
        }
        long heapAfter = usedHeapAfterGc();
        System.out.printf(
                "fuzz: %d malformed and %d mutated reviews: %s; used heap after a full GC %d MiB before, %d MiB after%n",
                EACH, EACH, statuses, heapBefore >> 20, heapAfter >> 20);
        assertEquals(List.of(), serverErrors, "answers with a 5xx");
        assertEquals(
                0,
                statuses.entrySet().stream()
                        .filter(e -> e.getKey().endsWith(" 500") || e.getKey().matches(".* 5\\d\\d"))
                        .mapToInt(Map.Entry::getValue)
                        .sum());
        // A leak of even 3 KB a request would show as 30 MiB here.
        assertTrue(heapAfter - heapBefore < 24L << 20, "heap grew by " + ((heapAfter - heapBefore) >> 20) + " MiB");
    }

    /**
     * The same against {@code /ingest/audit}, as an audit backend with a valid token could send (a compromised or
     * careless one): 2,000 malformed bodies and 2,000 EventLists of mutated real audit events. No 5xx — a 503 would
     * make the API server send the batch again for ever — every answer JSON, and the heap flat.
     */
    @Test
    void malformedAndMutatedAuditBatchesGetNo5xxAndLeaveTheHeapFlat() throws Exception {
        HttpClient http = client();
        Random random = new Random(20261203);
        List<ObjectNode> events = new ArrayList<>();
        for (String line : java.nio.file.Files.readAllLines(dev.tailor.testing.RepositoryPaths.fixtures()
                .resolve("third_party/audit-audit2rbac/testdata/demo.log"))) {
            ObjectNode event = (ObjectNode) JSON.readTree(line);
            event.remove("kind");
            event.remove("apiVersion");
            events.add(event);
        }
        java.util.function.IntFunction<ObjectNode> batch = n -> {
            ObjectNode list = JSON.createObjectNode().put("kind", "EventList").put("apiVersion", "audit.k8s.io/v1");
            ArrayNode items = list.putArray("items");
            for (int k = 0; k < n; k++) {
                ObjectNode event = events.get(random.nextInt(events.size())).deepCopy();
                event.put("auditID", "fuzz-" + random.nextLong());
                items.add(event);
            }
            return list;
        };
        for (int i = 0; i < 200; i++) {
            ingest(http, batch.apply(3).toString().getBytes(StandardCharsets.UTF_8));
        }
        long heapBefore = usedHeapAfterGc();
        Map<String, Integer> statuses = new TreeMap<>();
        List<String> serverErrors = new ArrayList<>();
        int each = 2_000;
        for (int i = 0; i < 2 * each; i++) {
            byte[] body;
            if (i < each) {
                body = malformed(random, List.of(batch.apply(2)));
            } else {
                ObjectNode list = batch.apply(1 + random.nextInt(3));
                body = JSON.writeValueAsBytes(mutated(random, List.of(list)));
            }
            HttpResponse<String> answer = ingest(http, body);
            statuses.merge((i < each ? "malformed " : "mutated ") + answer.statusCode(), 1, Integer::sum);
            if (answer.statusCode() >= 500 && serverErrors.size() < 5) {
                serverErrors.add(answer.statusCode() + " for "
                        + new String(body, StandardCharsets.UTF_8).substring(0, Math.min(300, body.length)) + " -> "
                        + answer.body());
            }
            JSON.readTree(answer.body());
        }
        long heapAfter = usedHeapAfterGc();
        System.out.printf(
                "fuzz: %d malformed and %d mutated audit batches: %s; used heap after a full GC %d MiB before, %d MiB after%n",
                each, each, statuses, heapBefore >> 20, heapAfter >> 20);
        assertEquals(List.of(), serverErrors, "answers with a 5xx");
        assertTrue(heapAfter - heapBefore < 24L << 20, "heap grew by " + ((heapAfter - heapBefore) >> 20) + " MiB");
    }

    private static HttpClient client() {
        return DevTlsResource.client(HttpClient.Version.HTTP_1_1);
    }

    private HttpResponse<String> ingest(HttpClient http, byte[] body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url.toString()).resolve("/ingest/audit"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + DevTlsResource.INGEST_TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(HttpClient http, String path, byte[] body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url.toString()).resolve(path))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /** Bytes that are not a review: cut, garbled, of another shape, or not UTF-8. */
    private static byte[] malformed(Random random, List<ObjectNode> fixtures) {
        byte[] good = fixtures.get(random.nextInt(fixtures.size())).toString().getBytes(StandardCharsets.UTF_8);
        return switch (random.nextInt(6)) {
            case 0 -> java.util.Arrays.copyOf(good, random.nextInt(good.length)); // cut short
            case 1 -> { // bytes flipped
                byte[] b = good.clone();
                for (int k = 0; k < 1 + random.nextInt(8); k++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                yield b;
            }
            case 2 -> { // random bytes
                byte[] b = new byte[random.nextInt(2048)];
                random.nextBytes(b);
                yield b;
            }
            case 3 ->
                ("[" + "{\"a\":".repeat(random.nextInt(400)) + "1").getBytes(StandardCharsets.UTF_8); // deep and cut
            case 4 ->
                ("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":"
                                + List.of("null", "1", "\"x\"", "[]", "{}", "{\"uid\":7}")
                                        .get(random.nextInt(6)) + "}")
                        .getBytes(StandardCharsets.UTF_8); // wrong shapes
            default ->
                good.length > 10
                        ? new String(good, StandardCharsets.UTF_8)
                                .replace("\"", "'")
                                .getBytes(StandardCharsets.UTF_8)
                        : good; // not JSON quoting
        };
    }

    /** A fixture review with a few of its values replaced, removed or made huge. */
    private static ObjectNode mutated(Random random, List<ObjectNode> fixtures) {
        ObjectNode review = fixtures.get(random.nextInt(fixtures.size())).deepCopy();
        for (int k = 0; k < 1 + random.nextInt(4); k++) {
            List<JsonNode[]> slots = new ArrayList<>(); // [parent, key-or-index as text node]
            collect(review, slots);
            if (slots.isEmpty()) {
                break;
            }
            JsonNode[] slot = slots.get(random.nextInt(slots.size()));
            JsonNode replacement = randomValue(random);
            if (slot[0] instanceof ObjectNode o) {
                if (random.nextInt(4) == 0) {
                    o.remove(slot[1].asText());
                } else {
                    o.set(slot[1].asText(), replacement);
                }
            } else if (slot[0] instanceof ArrayNode a) {
                a.set(slot[1].asInt(), replacement);
            }
        }
        return review;
    }

    private static void collect(JsonNode node, List<JsonNode[]> slots) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (node instanceof ObjectNode o) {
            o.fieldNames().forEachRemaining(name -> slots.add(new JsonNode[] {o, f.textNode(name)}));
            o.elements().forEachRemaining(child -> collect(child, slots));
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                slots.add(new JsonNode[] {a, f.numberNode(i)});
                collect(a.get(i), slots);
            }
        }
    }

    private static JsonNode randomValue(Random random) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (random.nextInt(10)) {
            case 0 -> f.nullNode();
            case 1 -> f.booleanNode(random.nextBoolean());
            case 2 -> f.numberNode(random.nextLong());
            case 3 -> f.numberNode(new java.math.BigInteger(80, random)); // beyond 64 bits
            case 4 -> f.numberNode(random.nextDouble() * 1e300);
            case 5 -> f.textNode("x".repeat(random.nextInt(100_000))); // long strings
            case 6 -> f.textNode(new String(new char[] {(char) random.nextInt(0xD800)}));
            case 7 -> f.arrayNode().add(f.objectNode().put("k", "v")).add(1);
            case 8 -> f.objectNode().put("kind", "Pod").putNull("metadata");
            default -> f.textNode("");
        };
    }
}
