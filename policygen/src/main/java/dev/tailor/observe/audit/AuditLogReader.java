package dev.tailor.observe.audit;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.observe.Inputs;
import dev.tailor.observe.Problems;
import dev.tailor.observe.UnknownFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Reads Kubernetes API audit logs as kube-apiserver's log backend writes them: one {@code audit.k8s.io/v1}
 * {@code Event} per line (also {@code v1beta1}, and lines holding an {@code EventList} as the webhook backend
 * POSTs them). Only an event's final stage counts — {@code ResponseComplete}, or {@code Panic} — so a request logged
 * at RequestReceived, ResponseStarted and ResponseComplete is one request, not three.
 */
public final class AuditLogReader {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_LINE_CHARS = 4 * 1024 * 1024;

    /** What one input held. */
    public record Stats(long lines, long requests, Map<String, Long> skipped) {}

    /** Fails before anything is read when the input does not start like an audit log. */
    public static void checkFormat(String name, InputStream in) throws IOException, UnknownFormatException {
        String first = Inputs.peekFirstLine(in);
        if (first.isEmpty()) {
            return;
        }
        try {
            JsonNode node = JSON.readTree(first);
            String kind = node.path("kind").asText("");
            if (node.isObject() && (kind.equals("Event") || kind.equals("EventList"))) {
                return;
            }
        } catch (JsonProcessingException e) {
            // falls through to the error below
        }
        throw new UnknownFormatException(name + ": not a Kubernetes audit log (audit.k8s.io Event JSON lines); "
                + "its first line is: " + Inputs.shown(first));
    }

    /** Reads every line; each completed request goes to {@code sink}, each bad line to {@code problems}. */
    public Stats read(String name, InputStream in, Consumer<ApiRequest> sink, Problems problems) throws IOException {
        Map<String, Long> skipped = new TreeMap<>();
        long[] requests = {0};
        long lines = Inputs.forEachLine(name, in, MAX_LINE_CHARS, problems, (number, buffer, offset, length) -> {
            JsonNode node;
            try {
                node = readUsedFields(JSON.getFactory().createParser(buffer, offset, length));
            } catch (JsonProcessingException e) {
                problems.add(name, number, "not JSON", "not JSON (" + e.getOriginalMessage() + ")");
                return;
            } catch (IOException e) {
                problems.add(name, number, "not JSON", "not JSON (" + e.getMessage() + ")");
                return;
            }
            List<JsonNode> events = new ArrayList<>();
            String kind = node.path("kind").asText("");
            if (kind.equals("EventList")) {
                node.path("items").forEach(events::add);
            } else {
                events.add(node);
            }
            for (JsonNode event : events) {
                requests[0] += accept(name, number, event, sink, problems, skipped);
            }
        });
        return new Stats(lines, requests[0], skipped);
    }

    /**
     * Reads one {@code EventList} as kube-apiserver's audit webhook backend POSTs it (the whole body, compact or
     * indented); bad events are reported with their index in {@code items} as the "line".
     *
     * @throws IOException when the body is not JSON or not an EventList — nothing of it is read then
     */
    public Stats readEventList(String name, byte[] body, Consumer<ApiRequest> sink, Problems problems) throws IOException {
        JsonNode list = JSON.readTree(body);
        if (list == null || !list.path("kind").asText("").equals("EventList") || !list.path("items").isArray()) {
            throw new IOException("not an audit EventList: kind is " + (list == null ? "nothing" : list.path("kind")));
        }
        Map<String, Long> skipped = new TreeMap<>();
        long requests = 0;
        long index = 0;
        for (JsonNode event : list.path("items")) {
            requests += accept(name, ++index, event, sink, problems, skipped);
        }
        return new Stats(index, requests, skipped);
    }

    /** Checks one event and hands it on; returns 1 when it was a counted request, 0 otherwise. */
    private static int accept(String name, long line, JsonNode event, Consumer<ApiRequest> sink, Problems problems,
            Map<String, Long> skipped) {
        String problem = problemWith(event);
        if (problem != null) {
            problems.add(name, line, problem.split(":")[0], problem);
            return 0;
        }
        String stage = event.path("stage").asText();
        if (!stage.equals("ResponseComplete") && !stage.equals("Panic")) {
            skipped.merge("stage " + stage + " (only ResponseComplete and Panic are counted)", 1L, Long::sum);
            return 0;
        }
        try {
            sink.accept(toRequest(event));
            return 1;
        } catch (DateTimeParseException e) {
            problems.add(name, line, "bad timestamp", "bad timestamp: " + e.getParsedString());
            return 0;
        }
    }

    /** The top-level fields an event is read for; the rest (request and response bodies above all) is skipped. */
    private static final java.util.Set<String> USED = java.util.Set.of("kind", "apiVersion", "auditID", "stage", "verb",
            "requestURI", "user", "impersonatedUser", "objectRef", "responseStatus", "stageTimestamp",
            "requestReceivedTimestamp", "timestamp", "items");

    /**
     * Parses a line into a tree of only the fields Tailor uses. The whole line is still tokenized, so a truncated
     * or malformed line is refused as before; but an event logged at RequestResponse level, whose bodies can be
     * most of its size, costs no tree for them.
     */
    private static JsonNode readUsedFields(JsonParser opened) throws IOException {
        try (JsonParser parser = opened) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                JsonNode other = first == null ? null : JSON.readTree(parser);
                requireEnd(parser);
                return other == null ? JSON.missingNode() : other;
            }
            ObjectNode event = JSON.createObjectNode();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if (USED.contains(field)) {
                    event.set(field, JSON.readTree(parser));
                } else {
                    parser.skipChildren();
                }
            }
            requireEnd(parser);
            return event;
        }
    }

    private static void requireEnd(JsonParser parser) throws IOException {
        if (parser.nextToken() != null) {
            throw new JsonParseException(parser, "trailing content after the JSON value");
        }
    }

    /** Null for a usable event, else what is wrong with it. */
    private static String problemWith(JsonNode event) {
        if (!event.isObject() || !event.path("kind").asText("").equals("Event")) {
            return "not an audit Event: kind is " + event.path("kind");
        }
        String apiVersion = event.path("apiVersion").asText("");
        if (!apiVersion.isEmpty() && !apiVersion.equals("audit.k8s.io/v1") && !apiVersion.equals("audit.k8s.io/v1beta1")) {
            return "unsupported apiVersion: " + apiVersion;
        }
        for (String field : List.of("auditID", "stage", "verb")) {
            if (!event.path(field).isTextual() || event.path(field).asText().isEmpty()) {
                return "missing field: " + field;
            }
        }
        if (!event.path("user").path("username").isTextual()) {
            return "missing field: user.username";
        }
        if (timeOf(event) == null) {
            return "missing field: stageTimestamp";
        }
        return null;
    }

    private static String timeOf(JsonNode event) {
        for (String field : List.of("stageTimestamp", "requestReceivedTimestamp", "timestamp")) {
            if (event.path(field).isTextual()) {
                return event.path(field).asText();
            }
        }
        return null;
    }

    private static ApiRequest toRequest(JsonNode event) {
        // Impersonation: the request was authorized as the impersonated user, so that is whose behavior it is.
        JsonNode user = event.path("impersonatedUser").isObject() ? event.path("impersonatedUser") : event.path("user");
        List<String> groups = new ArrayList<>();
        user.path("groups").forEach(g -> groups.add(g.asText()));
        JsonNode ref = event.path("objectRef");
        String nonResourceUrl = "";
        if (!ref.isObject()) {
            String uri = event.path("requestURI").asText("");
            int query = uri.indexOf('?');
            nonResourceUrl = query < 0 ? uri : uri.substring(0, query);
        }
        return new ApiRequest(
                event.path("auditID").asText(),
                Instant.parse(timeOf(event)),
                user.path("username").asText(),
                List.copyOf(groups),
                event.path("verb").asText(),
                ref.path("apiGroup").asText(""),
                ref.path("apiVersion").asText(""),
                ref.path("resource").asText(""),
                ref.path("subresource").asText(""),
                ref.path("namespace").asText(""),
                ref.path("name").asText(""),
                nonResourceUrl,
                event.path("responseStatus").path("code").asInt(0));
    }
}
