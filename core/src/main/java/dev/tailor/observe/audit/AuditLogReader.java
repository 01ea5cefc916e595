package dev.tailor.observe.audit;

import dev.tailor.observe.Inputs;
import dev.tailor.observe.JsonCursor;
import dev.tailor.observe.JsonNames;
import dev.tailor.observe.JsonStrings;
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

    private static final int MAX_LINE_CHARS = 4 * 1024 * 1024;

    /** What one input held. */
    public record Stats(long lines, long requests, Map<String, Long> skipped) {}

    /** Fails before anything is read when the input does not start like an audit log. */
    public static void checkFormat(String name, InputStream in) throws IOException, UnknownFormatException {
        String first = Inputs.peekFirstLine(in);
        if (first.isEmpty()) {
            return;
        }
        String kind = JsonStrings.topLevelField(first, "kind", JsonCursor::text, "");
        if (kind.equals("Event") || kind.equals("EventList")) {
            return;
        }
        throw new UnknownFormatException(name + ": not a Kubernetes audit log (audit.k8s.io Event JSON lines); "
                + "its first line is: " + Inputs.shown(first));
    }

    /** Reads every line; each completed request goes to {@code sink}, each bad line to {@code problems}. */
    public Stats read(String name, InputStream in, Consumer<ApiRequest> sink, Problems problems) throws IOException {
        Map<String, Long> skipped = new TreeMap<>();
        long[] requests = {0};
        JsonCursor cursor = new JsonCursor();
        Inputs.ByteLineHandler line = (number, buffer, offset, length) -> {
            Event event;
            try {
                event = Event.read(cursor.reset(buffer, offset, offset + length));
            } catch (JsonCursor.Malformed e) {
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
        };
        Inputs.LongLineHandler longLine = (number, rest) -> {
            byte[] slim;
            try {
                slim = withoutBodies(rest);
            } catch (TooLong e) {
                problems.add(
                        name,
                        number,
                        "line too long",
                        "line longer than " + MAX_LINE_CHARS + " characters without its request and response bodies");
                return;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                problems.add(name, number, "not JSON", "not JSON (" + e.getOriginalMessage() + ")");
                return;
            }
            line.line(number, slim, 0, slim.length);
        };
        long lines = Inputs.forEachLine(name, in, MAX_LINE_CHARS, problems, line, longLine);
        return new Stats(lines, requests[0], skipped);
    }

    /**
     * An event longer than a line the reader holds — logged at {@code Request} or {@code RequestResponse} level, with
     * the body of a large list or object — without its {@code requestObject} and {@code responseObject}, which Tailor
     * does not read: copied as it streams, never more than {@value #MAX_LINE_CHARS} bytes of it held. A cluster-wide
     * list's response can be tens of megabytes, and the access it records (who listed what) must not be lost.
     */
    static byte[] withoutBodies(InputStream event) throws IOException {
        java.io.ByteArrayOutputStream slim = new java.io.ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                if (count + len > MAX_LINE_CHARS) {
                    throw new java.io.UncheckedIOException(new TooLong());
                }
                super.write(b, off, len);
            }
        };
        try (com.fasterxml.jackson.core.JsonParser p = JSON.createParser(event);
                com.fasterxml.jackson.core.JsonGenerator g = JSON.createGenerator(slim)) {
            for (com.fasterxml.jackson.core.JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == com.fasterxml.jackson.core.JsonToken.FIELD_NAME
                        && (p.currentName().equals("requestObject")
                                || p.currentName().equals("responseObject"))) {
                    p.nextToken();
                    p.skipChildren();
                    continue;
                }
                g.copyCurrentEvent(p);
            }
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        return slim.toByteArray();
    }

    private static final com.fasterxml.jackson.core.JsonFactory JSON = new com.fasterxml.jackson.core.JsonFactory();

    /** What is left of a long event is still longer than a line. */
    static final class TooLong extends IOException {
        private static final long serialVersionUID = 1L;
    }

    /**
     * An {@code audit.k8s.io/v1} EventList read as it arrives, as kube-apiserver's audit webhook backend POSTs it: a
     * number of items at a time ({@link #read}), each kept only as far as Tailor reads it — without its request and
     * response bodies, annotations and everything else — so that what a body costs is one item's metadata at a time
     * and the requests handed on, not the body: a batch of events logged at RequestResponse level, with a
     * cluster-wide list's response in one of them, is read like a small one. Bad items are reported with their index
     * in {@code items} as the "line", and cost only themselves.
     *
     * <p>Items are handed on once the list's {@code kind} (which must be EventList) and {@code apiVersion} are known:
     * kube-apiserver writes both before the items. A list that puts them after its items (keys sorted, as some
     * forwarders write JSON) has its items held until then, at most as many as one read hands on.
     */
    public static final class EventListStream implements java.io.Closeable {

        /** The most of one item kept (its fields Tailor reads): far beyond any event's metadata. */
        public static final int MAX_ITEM_BYTES = 256 * 1024;

        /** The longest string of an item read: longer, the list is not one kube-apiserver wrote, and is refused. */
        public static final int LONGEST_STRING = 1 << 20;

        private final String name;
        private final com.fasterxml.jackson.core.JsonParser parser;
        private final Problems problems;
        private final ItemBuffer item = new ItemBuffer();
        private final JsonCursor cursor = new JsonCursor();
        private final Map<String, Long> skipped = new TreeMap<>();
        /** Items read before the list's kind and apiVersion: held until both are known. */
        private final List<Pending> pending = new ArrayList<>();

        private String kind;
        private String kindShown = "";
        private String apiVersion;
        private boolean started;
        private boolean inItems;
        private boolean hasItems;
        private boolean ended;
        private long index;
        private long requests;

        private record Pending(long index, Event event) {}

        public EventListStream(String name, InputStream body, Problems problems) throws IOException {
            this.name = name;
            this.parser = LIST_JSON.createParser(body);
            this.problems = problems;
        }

        /**
         * Reads on until {@code max} items have been handed to {@code sink} (checked, each completed request as it
         * is read) or the list ends; whether more may follow.
         *
         * @throws IOException when the body is not JSON or not an EventList, or could not be read: the items handed
         *     on before it stand
         */
        public boolean read(int max, Consumer<ApiRequest> sink) throws IOException {
            try {
                if (!started) {
                    started = true;
                    com.fasterxml.jackson.core.JsonToken first = parser.nextToken();
                    if (first != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                        throw new IOException(
                                first == null
                                        ? "not an audit EventList: the body is empty"
                                        : "not an audit EventList: the body is not a JSON object");
                    }
                }
                long handed = 0;
                while (!ended && handed < max) {
                    com.fasterxml.jackson.core.JsonToken t = parser.nextToken();
                    if (inItems) {
                        if (t == com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
                            inItems = false;
                            continue;
                        }
                        Event event = item(t, ++index);
                        if (event == null) {
                            continue;
                        }
                        if (headerKnown()) {
                            hand(index, event, sink);
                            handed++;
                        } else if (pending.size() < max) {
                            pending.add(new Pending(index, event));
                        } else {
                            throw new IOException("an EventList whose items come before its kind and apiVersion is"
                                    + " read only up to " + max + " items: write kind and apiVersion first, as"
                                    + " kube-apiserver does");
                        }
                    } else if (t == com.fasterxml.jackson.core.JsonToken.END_OBJECT) {
                        end();
                        handed += handPending(sink);
                    } else {
                        handed += field(parser.currentName(), parser.nextToken(), sink);
                    }
                }
                return !ended;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IOException("not JSON (" + e.getOriginalMessage()
                        + (e.getLocation() == null ? "" : " at " + where(e.getLocation())) + ")");
            }
        }

        /** What the list held so far: its items ({@code lines}), the requests handed on, and what was skipped. */
        public Stats stats() {
            return new Stats(index, requests, skipped);
        }

        @Override
        public void close() throws IOException {
            parser.close();
        }

        /** One of the list's own fields, its value's first token read; the pending items it let through. */
        private long field(String field, com.fasterxml.jackson.core.JsonToken value, Consumer<ApiRequest> sink)
                throws IOException {
            switch (field) {
                case "kind" -> {
                    kind = value == com.fasterxml.jackson.core.JsonToken.VALUE_STRING ? parser.getText() : "";
                    kindShown = value == com.fasterxml.jackson.core.JsonToken.VALUE_STRING
                            ? "\"" + kind + "\""
                            : value.isStructStart() ? "not a string" : parser.getText();
                    parser.skipChildren();
                    if (!kind.equals("EventList")) {
                        throw new IOException("not an audit EventList: kind is " + kindShown);
                    }
                }
                case "apiVersion" -> {
                    apiVersion = value == com.fasterxml.jackson.core.JsonToken.VALUE_STRING ? parser.getText() : "";
                    parser.skipChildren();
                }
                case "items" -> {
                    if (value == com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
                        inItems = true;
                        hasItems = true;
                    } else {
                        parser.skipChildren();
                    }
                }
                default -> parser.skipChildren();
            }
            return headerKnown() ? handPending(sink) : 0;
        }

        /** Where in the body: its character (the parser decodes the body as text: see {@link #LIST_JSON}). */
        private static String where(com.fasterxml.jackson.core.JsonLocation location) {
            return "character " + location.getCharOffset();
        }

        /** The list's end: nothing after it, and it was an EventList. */
        private void end() throws IOException {
            ended = true;
            if (parser.nextToken() != null) {
                throw new IOException(
                        "not JSON (more after the EventList's end at " + where(parser.currentTokenLocation()) + ")");
            }
            if (kind == null || !hasItems) {
                throw new IOException(
                        "not an audit EventList: " + (kind == null ? "it has no kind" : "it has no items array"));
            }
            if (apiVersion == null) {
                apiVersion = "";
            }
        }

        private boolean headerKnown() {
            return kind != null && apiVersion != null;
        }

        private long handPending(Consumer<ApiRequest> sink) {
            for (Pending p : pending) {
                hand(p.index(), p.event(), sink);
            }
            long handed = pending.size();
            pending.clear();
            return handed;
        }

        private void hand(long index, Event event, Consumer<ApiRequest> sink) {
            // The items of a list are of the list's kind: kube-apiserver's webhook backend writes them without kind
            // and apiVersion (its log backend writes both on every line). An item that names another kind is refused.
            if (event.kind == null && event.kindShown.isEmpty()) {
                event.kind = "Event";
                event.apiVersion = event.apiVersion.isEmpty() ? apiVersion : event.apiVersion;
            }
            requests += accept(name, index, event, sink, problems, skipped);
        }

        /**
         * The item whose first token is {@code first}, read as far as Tailor reads an event: its fields of {@link
         * #EVENT} copied (the rest passed over as the parser streams them), then read as a line is. Null when it is
         * too long even so (a problem, named by its index).
         */
        private Event item(com.fasterxml.jackson.core.JsonToken first, long index) throws IOException {
            if (first != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                parser.skipChildren();
                return new Event(); // not an audit Event: its problem says so
            }
            item.reset();
            try (com.fasterxml.jackson.core.JsonGenerator g = LIST_JSON.createGenerator(item)) {
                g.writeStartObject();
                while (parser.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    parser.nextToken();
                    if (ITEM_FIELDS.contains(field) && !item.full()) {
                        g.writeFieldName(field);
                        g.copyCurrentStructure(parser);
                    } else {
                        parser.skipChildren();
                    }
                }
                g.writeEndObject();
            }
            if (item.full()) {
                problems.add(
                        name,
                        index,
                        "event too long",
                        "event longer than " + MAX_ITEM_BYTES + " bytes without its request and response bodies");
                return null;
            }
            try {
                return Event.read(cursor.reset(item.bytes(), 0, item.size()));
            } catch (JsonCursor.Malformed e) {
                problems.add(name, index, "not JSON", "not JSON (" + e.getMessage() + ")");
                return null;
            }
        }
    }

    /**
     * JSON for an EventList read as it arrives: its memory bounded whatever the list holds — no string it reads longer than {@value EventListStream#LONGEST_STRING}
     * characters — kube-apiserver writes none: a request's URI and headers, where an event's metadata comes from,
     * are a MiB at most — whatever the list's length; a string it passes over is never held, whatever its length.
     */
    private static final com.fasterxml.jackson.core.JsonFactory LIST_JSON =
            com.fasterxml.jackson.core.JsonFactory.builder()
                    .disable(com.fasterxml.jackson.core.StreamReadFeature.AUTO_CLOSE_SOURCE) // the caller's body
                    // Field names are not kept in a table for the parser's life (a body's bodies may hold millions
                    // of distinct ones): Jackson then reads the body as text, half as fast — 300 MB/s and more here.
                    .disable(com.fasterxml.jackson.core.JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                    .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                            .maxStringLength(EventListStream.LONGEST_STRING)
                            .build())
                    .build();

    /** An event's fields Tailor reads, as an item of a list has them. */
    private static final List<String> EVENT_FIELDS = List.of(
            "kind",
            "apiVersion",
            "auditID",
            "stage",
            "verb",
            "requestURI",
            "user",
            "impersonatedUser",
            "objectRef",
            "responseStatus",
            "stageTimestamp",
            "requestReceivedTimestamp",
            "timestamp");

    private static final java.util.Set<String> ITEM_FIELDS = java.util.Set.copyOf(EVENT_FIELDS);

    /** One item as kept, reused from item to item: what goes beyond {@link EventListStream#MAX_ITEM_BYTES} is dropped. */
    private static final class ItemBuffer extends java.io.OutputStream {
        private byte[] bytes = new byte[8192];
        private int size;
        private boolean full;

        void reset() {
            size = 0;
            full = false;
        }

        boolean full() {
            return full;
        }

        byte[] bytes() {
            return bytes;
        }

        int size() {
            return size;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (full || size + len > EventListStream.MAX_ITEM_BYTES) {
                full = true;
                return;
            }
            if (size + len > bytes.length) {
                bytes = java.util.Arrays.copyOf(
                        bytes, Math.min(EventListStream.MAX_ITEM_BYTES, Math.max(size + len, bytes.length * 2)));
            }
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }
    }

    /** Checks one event and hands it on; returns 1 when it was a counted request, 0 otherwise. */
    private static int accept(
            String name,
            long line,
            Event event,
            Consumer<ApiRequest> sink,
            Problems problems,
            Map<String, Long> skipped) {
        String problem = event.problem();
        if (problem != null) {
            problems.add(name, line, problem.split(":")[0], problem);
            return 0;
        }
        if (!event.stage.equals("ResponseComplete") && !event.stage.equals("Panic")) {
            if (event.stage.equals("RequestReceived") || event.stage.equals("ResponseStarted")) {
                skipped.merge("stage " + event.stage + " (only ResponseComplete and Panic are counted)", 1L, Long::sum);
            } else { // not one of the four stages Kubernetes has: a bad event, not a reason to count by
                problems.add(name, line, "unknown stage", "unknown stage: " + Inputs.shown(event.stage));
            }
            return 0;
        }
        try {
            sink.accept(event.toRequest());
            return 1;
        } catch (DateTimeParseException e) {
            problems.add(name, line, "bad timestamp", "bad timestamp: " + e.getParsedString());
            return 0;
        } catch (dev.tailor.observe.BadEvent e) {
            problems.add(name, line, e.kind(), e.getMessage());
            return 0;
        }
    }

    /** An event's fields, and a list's items (a line may hold an EventList). */
    private static final JsonNames EVENT =
            JsonNames.of(java.util.stream.Stream.concat(EVENT_FIELDS.stream(), java.util.stream.Stream.of("items"))
                    .toArray(String[]::new));

    private static final JsonNames USER = JsonNames.of("username", "groups", "extra");
    /** In a user's extra: the pod a service-account token was bound to (a pod's projected token always is). */
    private static final String POD_NAME = "authentication.kubernetes.io/pod-name";

    private static final JsonNames EXTRA = JsonNames.of(POD_NAME);
    private static final JsonNames OBJECT_REF =
            JsonNames.of("apiGroup", "apiVersion", "resource", "subresource", "namespace", "name");
    private static final JsonNames STATUS = JsonNames.of("code");

    /**
     * The fields of an event Tailor uses, read with {@link JsonCursor}: everything else — request and response
     * bodies above all, which can be most of an event logged at RequestResponse level — is passed over (and
     * checked: a truncated or malformed line is refused) without building anything.
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
        static Event read(JsonCursor c) throws JsonCursor.Malformed {
            Event event;
            if (c.peek() == '{') {
                event = object(c);
            } else if (c.peek() < 0) {
                event = new Event();
                event.kindShown = "nothing";
            } else {
                event = new Event();
                c.skip();
            }
            c.end();
            return event;
        }

        /** An object's fields; the cursor is on its '{' and ends past its '}'. */
        private static Event object(JsonCursor c) throws JsonCursor.Malformed {
            Event e = new Event();
            c.beginObject();
            for (String field; (field = c.nextField(EVENT)) != null; ) {
                switch (field) {
                    case "kind" -> {
                        int first = c.peek();
                        e.kind = c.text();
                        e.kindShown = first == '"' ? "\"" + e.kind + "\"" : first == 'n' ? "null" : e.kind;
                    }
                    case "apiVersion" -> e.apiVersion = c.text();
                    case "auditID" -> e.auditId = c.string();
                    case "stage" -> e.stage = c.string();
                    case "verb" -> e.verb = c.string();
                    case "requestURI" -> e.requestUri = c.text();
                    case "user" -> e.user = User.read(c);
                    case "impersonatedUser" -> e.impersonatedUser = User.read(c);
                    case "objectRef" -> e.objectRef = ObjectRef.read(c);
                    case "responseStatus" -> e.code = code(c);
                    case "stageTimestamp" -> e.stageTimestamp = c.string();
                    case "requestReceivedTimestamp" -> e.requestReceivedTimestamp = c.string();
                    case "timestamp" -> e.timestamp = c.string();
                    case "items" -> {
                        if (c.beginArray()) {
                            e.items = new ArrayList<>();
                            while (c.nextElement()) {
                                if (c.peek() == '{') {
                                    e.items.add(object(c));
                                } else {
                                    c.skip();
                                    e.items.add(new Event());
                                }
                            }
                        } else {
                            c.skip();
                        }
                    }
                    default -> c.skip();
                }
            }
            return e;
        }

        /** responseStatus.code: a number (or a number as text); 0 when there is none. */
        private static int code(JsonCursor c) throws JsonCursor.Malformed {
            int code = 0;
            if (!c.beginObject()) {
                c.skip();
                return code;
            }
            for (String field; (field = c.nextField(STATUS)) != null; ) {
                if (field.equals("code")) {
                    code = statusCode(c.text());
                } else {
                    c.skip();
                }
            }
            return code;
        }

        /** An HTTP status as the field has it, a fraction cut off; 0 for anything else. */
        private static int statusCode(String text) {
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                try {
                    double value = Double.parseDouble(text.trim());
                    return Double.isFinite(value) ? (int) value : 0;
                } catch (NumberFormatException notANumber) {
                    return 0;
                }
            }
        }

        String time() {
            return stageTimestamp != null
                    ? stageTimestamp
                    : requestReceivedTimestamp != null ? requestReceivedTimestamp : timestamp;
        }

        /** Null for a usable event, else what is wrong with it. */
        String problem() {
            if (!"Event".equals(kind)) {
                return "not an audit Event: kind is " + kindShown;
            }
            if (!apiVersion.isEmpty()
                    && !apiVersion.equals("audit.k8s.io/v1")
                    && !apiVersion.equals("audit.k8s.io/v1beta1")) {
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
            return new ApiRequest(
                    auditId,
                    Times.parse(time()),
                    as.username == null ? "" : as.username,
                    List.copyOf(as.groups),
                    as.pod,
                    verb,
                    ref.apiGroup,
                    ref.apiVersion,
                    ref.resource,
                    ref.subresource,
                    ref.namespace,
                    ref.name,
                    nonResourceUrl,
                    code);
        }
    }

    /**
     * user or impersonatedUser: its name (null unless it is a string), groups, and the pod its token was bound to
     * ("" when its extra names none, or names more than one).
     */
    private static final class User {
        String username;
        final List<String> groups = new ArrayList<>(4);
        String pod = "";

        /** Null when the value is not an object. */
        static User read(JsonCursor c) throws JsonCursor.Malformed {
            if (!c.beginObject()) {
                c.skip();
                return null;
            }
            User u = new User();
            for (String field; (field = c.nextField(USER)) != null; ) {
                if (field.equals("username")) {
                    u.username = c.string();
                } else if (field.equals("groups") && c.beginArray()) {
                    while (c.nextElement()) {
                        u.groups.add(c.text());
                    }
                } else if (field.equals("extra") && c.beginObject()) {
                    for (String key; (key = c.nextField(EXTRA)) != null; ) {
                        if (key.equals(POD_NAME) && c.beginArray()) {
                            List<String> pods = new ArrayList<>(1);
                            while (c.nextElement()) {
                                String pod = c.string();
                                if (pod != null) {
                                    pods.add(pod);
                                }
                            }
                            u.pod = pods.size() == 1 ? pods.get(0) : "";
                        } else {
                            c.skip();
                        }
                    }
                } else {
                    c.skip();
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
        static ObjectRef read(JsonCursor c) throws JsonCursor.Malformed {
            if (!c.beginObject()) {
                c.skip();
                return null;
            }
            ObjectRef r = new ObjectRef();
            for (String field; (field = c.nextField(OBJECT_REF)) != null; ) {
                switch (field) {
                    case "apiGroup" -> r.apiGroup = c.text();
                    case "apiVersion" -> r.apiVersion = c.text();
                    case "resource" -> r.resource = c.text();
                    case "subresource" -> r.subresource = c.text();
                    case "namespace" -> r.namespace = c.text();
                    case "name" -> r.name = c.text();
                    default -> c.skip();
                }
            }
            return r;
        }
    }
}
