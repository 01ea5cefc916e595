package dev.tailor.observe.audit;

import static dev.tailor.observe.JsonValues.string;
import static dev.tailor.observe.JsonValues.text;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.observe.Inputs;
import dev.tailor.observe.Problems;
import dev.tailor.observe.Times;
import dev.tailor.observe.UnknownFormatException;
import java.io.IOException;
import java.io.InputStream;
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
    private static final com.fasterxml.jackson.core.JsonFactory FACTORY = JSON.getFactory();
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
            Event event;
            try (JsonParser parser = FACTORY.createParser(buffer, offset, length)) {
                event = Event.read(parser);
            } catch (JsonProcessingException e) {
                problems.add(name, number, "not JSON", "not JSON (" + e.getOriginalMessage() + ")");
                return;
            } catch (IOException e) {
                problems.add(name, number, "not JSON", "not JSON (" + e.getMessage() + ")");
                return;
            }
            if ("EventList".equals(event.kind)) {
                for (Event item : event.items == null ? List.<Event>of() : event.items) {
                    requests[0] += accept(name, number, item, sink, problems, skipped);
                }
            } else {
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
        Event list;
        try (JsonParser parser = FACTORY.createParser(body)) {
            list = Event.read(parser);
        }
        if (!"EventList".equals(list.kind) || list.items == null) {
            throw new IOException("not an audit EventList: kind is " + list.kindShown);
        }
        Map<String, Long> skipped = new TreeMap<>();
        long requests = 0;
        long index = 0;
        for (Event event : list.items) {
            requests += accept(name, ++index, event, sink, problems, skipped);
        }
        return new Stats(index, requests, skipped);
    }

    /** Checks one event and hands it on; returns 1 when it was a counted request, 0 otherwise. */
    private static int accept(String name, long line, Event event, Consumer<ApiRequest> sink, Problems problems,
            Map<String, Long> skipped) {
        String problem = event.problem();
        if (problem != null) {
            problems.add(name, line, problem.split(":")[0], problem);
            return 0;
        }
        if (!event.stage.equals("ResponseComplete") && !event.stage.equals("Panic")) {
            skipped.merge("stage " + event.stage + " (only ResponseComplete and Panic are counted)", 1L, Long::sum);
            return 0;
        }
        try {
            sink.accept(event.toRequest());
            return 1;
        } catch (DateTimeParseException e) {
            problems.add(name, line, "bad timestamp", "bad timestamp: " + e.getParsedString());
            return 0;
        }
    }

    /**
     * The fields of an event Tailor uses, read with Jackson's streaming parser: everything else — request and
     * response bodies above all, which can be most of an event logged at RequestResponse level — is skipped without
     * building anything. The whole line is still tokenized, so a truncated or malformed line is refused.
     */
    private static final class Event {
        String kind;
        /** The kind as a problem shows it: JSON text ("Pod" quoted), or "" when there is none. */
        String kindShown = "";
        String apiVersion = "";
        String auditId;
        String stage;
        String verb;
        String requestUri = "";
        User user;
        User impersonatedUser;
        ObjectRef objectRef;
        int code;
        String stageTimestamp;
        String requestReceivedTimestamp;
        String timestamp;
        List<Event> items;

        /** A whole JSON value (a line, or a POSTed body): an event, an EventList, or something else entirely. */
        static Event read(JsonParser p) throws IOException {
            JsonToken first = p.nextToken();
            Event event;
            if (first == JsonToken.START_OBJECT) {
                event = object(p);
            } else {
                event = new Event();
                event.kindShown = first == null ? "nothing" : "";
                p.skipChildren();
            }
            if (first != null && p.nextToken() != null) {
                throw new JsonParseException(p, "trailing content after the JSON value");
            }
            return event;
        }

        /** An object's fields; the parser is on its START_OBJECT and ends on its END_OBJECT. */
        private static Event object(JsonParser p) throws IOException {
            Event e = new Event();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "kind" -> {
                        e.kindShown = v == JsonToken.VALUE_STRING ? "\"" + p.getText() + "\""
                                : v.isScalarValue() ? p.getText() : "";
                        e.kind = text(p, v);
                    }
                    case "apiVersion" -> e.apiVersion = text(p, v);
                    case "auditID" -> e.auditId = string(p, v);
                    case "stage" -> e.stage = string(p, v);
                    case "verb" -> e.verb = string(p, v);
                    case "requestURI" -> e.requestUri = text(p, v);
                    case "user" -> e.user = User.read(p, v);
                    case "impersonatedUser" -> e.impersonatedUser = User.read(p, v);
                    case "objectRef" -> e.objectRef = ObjectRef.read(p, v);
                    case "responseStatus" -> e.code = code(p, v);
                    case "stageTimestamp" -> e.stageTimestamp = string(p, v);
                    case "requestReceivedTimestamp" -> e.requestReceivedTimestamp = string(p, v);
                    case "timestamp" -> e.timestamp = string(p, v);
                    case "items" -> {
                        if (v == JsonToken.START_ARRAY) {
                            e.items = new ArrayList<>();
                            for (JsonToken t; (t = p.nextToken()) != JsonToken.END_ARRAY; ) {
                                if (t == JsonToken.START_OBJECT) {
                                    e.items.add(object(p));
                                } else {
                                    p.skipChildren();
                                    e.items.add(new Event());
                                }
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            return e;
        }

        /** responseStatus.code: a number (or a number as text); 0 when there is none. */
        private static int code(JsonParser p, JsonToken v) throws IOException {
            int code = 0;
            if (v != JsonToken.START_OBJECT) {
                p.skipChildren();
                return code;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("code") && t.isScalarValue()) {
                    code = p.getValueAsInt(0);
                } else {
                    p.skipChildren();
                }
            }
            return code;
        }

        String time() {
            return stageTimestamp != null ? stageTimestamp
                    : requestReceivedTimestamp != null ? requestReceivedTimestamp : timestamp;
        }

        /** Null for a usable event, else what is wrong with it. */
        String problem() {
            if (!"Event".equals(kind)) {
                return "not an audit Event: kind is " + kindShown;
            }
            if (!apiVersion.isEmpty() && !apiVersion.equals("audit.k8s.io/v1") && !apiVersion.equals("audit.k8s.io/v1beta1")) {
                return "unsupported apiVersion: " + apiVersion;
            }
            if (auditId == null || auditId.isEmpty()) {
                return "missing field: auditID";
            }
            if (stage == null || stage.isEmpty()) {
                return "missing field: stage";
            }
            if (verb == null || verb.isEmpty()) {
                return "missing field: verb";
            }
            if (user == null || user.username == null) {
                return "missing field: user.username";
            }
            if (time() == null) {
                return "missing field: stageTimestamp";
            }
            return null;
        }

        ApiRequest toRequest() {
            // Impersonation: the request was authorized as the impersonated user, so that is whose behavior it is.
            User as = impersonatedUser != null ? impersonatedUser : user;
            ObjectRef ref = objectRef != null ? objectRef : ObjectRef.NONE;
            String nonResourceUrl = "";
            if (objectRef == null) {
                int query = requestUri.indexOf('?');
                nonResourceUrl = query < 0 ? requestUri : requestUri.substring(0, query);
            }
            return new ApiRequest(auditId, Times.parse(time()), as.username == null ? "" : as.username,
                    List.copyOf(as.groups), verb, ref.apiGroup, ref.apiVersion, ref.resource, ref.subresource,
                    ref.namespace, ref.name, nonResourceUrl, code);
        }
    }

    /** user or impersonatedUser: its name (null unless it is a string) and groups. */
    private static final class User {
        String username;
        final List<String> groups = new ArrayList<>(4);

        /** Null when the value is not an object. */
        static User read(JsonParser p, JsonToken v) throws IOException {
            if (v != JsonToken.START_OBJECT) {
                p.skipChildren();
                return null;
            }
            User u = new User();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("username")) {
                    u.username = string(p, t);
                } else if (field.equals("groups") && t == JsonToken.START_ARRAY) {
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        u.groups.add(p.getValueAsString(""));
                        p.skipChildren();
                    }
                } else {
                    p.skipChildren();
                }
            }
            return u;
        }
    }

    /** objectRef: what was accessed. */
    private static final class ObjectRef {
        static final ObjectRef NONE = new ObjectRef();
        String apiGroup = "";
        String apiVersion = "";
        String resource = "";
        String subresource = "";
        String namespace = "";
        String name = "";

        /** Null when the value is not an object: the request named no resource. */
        static ObjectRef read(JsonParser p, JsonToken v) throws IOException {
            if (v != JsonToken.START_OBJECT) {
                p.skipChildren();
                return null;
            }
            ObjectRef r = new ObjectRef();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "apiGroup" -> r.apiGroup = text(p, t);
                    case "apiVersion" -> r.apiVersion = text(p, t);
                    case "resource" -> r.resource = text(p, t);
                    case "subresource" -> r.subresource = text(p, t);
                    case "namespace" -> r.namespace = text(p, t);
                    case "name" -> r.name = text(p, t);
                    default -> p.skipChildren();
                }
            }
            return r;
        }
    }
}
