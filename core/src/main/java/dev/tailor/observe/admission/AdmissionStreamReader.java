package dev.tailor.observe.admission;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.tailor.contract.AdmissionDecision;
import dev.tailor.identity.OwnerClaims;
import dev.tailor.identity.PodRecord;
import dev.tailor.identity.WorkloadIdentity;
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
 * Reads the admission stream: what the webhook saw, one JSON document per line, in three shapes —
 * <ul>
 *   <li>{@code admission.k8s.io/v1 AdmissionReview} requests as kube-apiserver sends them; a Pod in one tells
 *       Tailor which workload owns the pod (its controller's owner reference) and which service account it runs as;</li>
 *   <li>Pods, or a {@code List} of them, as {@code kubectl get pods -A -o json | jq -c .} prints them, for pods that
 *       were running before the webhook was;</li>
 *   <li>lines of the webhook's own decision log ({@link AdmissionDecision}).</li>
 * </ul>
 * An AdmissionReview carries no time: a pod's sighting is dated by its {@code creationTimestamp} (the API server
 * sets it before validating admission runs) or, when it is being deleted, its {@code deletionTimestamp}.
 */
public final class AdmissionStreamReader {

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final int MAX_LINE_CHARS = 4 * 1024 * 1024;

    /** What one input held. */
    public record Stats(long lines, long pods, long decisions, Map<String, Long> skipped) {}

    /** Fails before anything is read when the input's first document is none of the three shapes. */
    public static void checkFormat(String name, InputStream in) throws IOException, UnknownFormatException {
        // A List of a namespace's pods is one long line: look further ahead than the other readers.
        String first = Inputs.peekFirstLine(in, MAX_LINE_CHARS, null);
        try {
            if (!first.isEmpty() && shape(JSON.readTree(first)) != null) {
                return;
            }
        } catch (JsonProcessingException e) {
            if (startsList(first)) { // longer than the look ahead: a whole cluster's pods, read as they stream
                return;
            }
        }
        throw new UnknownFormatException(name + ": not an admission stream (AdmissionReview, Pod or decision-log JSON "
                + "lines); its first line is: " + Inputs.shown(first));
    }

    /**
     * Whether the start of a document is a List's of pods: {@code "kind": "List"} (or {@code PodList}) before its
     * items, or a first item of kind Pod (kubectl writes {@code items} before {@code kind}).
     */
    private static boolean startsList(String start) {
        try (JsonParser p = JSON.createParser(start)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("kind")) {
                    return value == JsonToken.VALUE_STRING && Stream.listKind(p.getText());
                }
                if (field.equals("items") && value == JsonToken.START_ARRAY) {
                    if (p.nextToken() != JsonToken.START_OBJECT) {
                        return false;
                    }
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        boolean kind = p.currentName().equals("kind");
                        p.nextToken();
                        if (kind) {
                            return p.getText().equals("Pod");
                        }
                        p.skipChildren();
                    }
                    return false;
                }
                p.skipChildren();
            }
        } catch (IOException e) {
            return false; // cut off before it told
        }
        return false;
    }

    private enum Shape {
        REVIEW,
        POD,
        LIST,
        DECISION
    }

    private static Shape shape(JsonNode doc) {
        // A decision line names the kind of object it judged ("kind":"Pod"), but has no apiVersion.
        if (!doc.has("apiVersion") && doc.has("uid") && doc.has("verdict") && doc.has("mode")) {
            return Shape.DECISION;
        }
        String kind = doc.path("kind").asText("");
        if (kind.equals("AdmissionReview")) {
            return Shape.REVIEW;
        }
        if (kind.equals("Pod")) {
            return Shape.POD;
        }
        if (kind.equals("List") || kind.equals("PodList")) {
            return Shape.LIST;
        }
        return null;
    }

    public Stats read(
            String name,
            InputStream in,
            Consumer<PodRecord> pods,
            Consumer<AdmissionDecision> decisions,
            Problems problems)
            throws IOException {
        Stream stream = new Stream(pods, decisions);
        Inputs.LongLineHandler longList =
                (number, line) -> stream.longList(line, (kind, message) -> problems.add(name, number, kind, message));
        Inputs.ByteLineHandler document = (number, buffer, offset, length) -> {
            JsonNode doc;
            try {
                doc = JSON.readTree(buffer, offset, length);
            } catch (JsonProcessingException e) {
                problems.add(name, number, "not JSON", "not JSON (" + e.getOriginalMessage() + ")");
                return;
            }
            Shape shape = shape(doc);
            if (shape == null) {
                problems.add(
                        name, number, "unknown document", "neither an AdmissionReview, a Pod, a List nor a decision");
                return;
            }
            try {
                stream.take(shape, doc, (kind, message) -> problems.add(name, number, kind, message));
            } catch (MissingField e) {
                problems.add(name, number, "missing field", e.getMessage());
            } catch (IllegalArgumentException | JsonProcessingException | DateTimeParseException e) {
                problems.add(name, number, "bad object", "bad object: " + e.getMessage());
            } catch (dev.tailor.observe.BadEvent e) {
                problems.add(name, number, e.kind(), e.getMessage());
            }
        };
        long lines = Inputs.forEachLine(name, in, MAX_LINE_CHARS, problems, document, longList);
        return new Stats(lines, stream.pods, stream.decisions, stream.skipped);
    }

    /** A line's problem, by kind and message. */
    @FunctionalInterface
    private interface LineProblem {
        void add(String kind, String message);
    }

    /** One read of a stream: where its documents go, what it has counted, and the latest time it has shown. */
    private static final class Stream {
        private final Consumer<PodRecord> podsOut;
        private final Consumer<AdmissionDecision> decisionsOut;
        long pods;
        long decisions;
        final Map<String, Long> skipped = new TreeMap<>();
        /** What an entry with no time of its own is dated by. */
        private Instant latest;

        Stream(Consumer<PodRecord> podsOut, Consumer<AdmissionDecision> decisionsOut) {
            this.podsOut = podsOut;
            this.decisionsOut = decisionsOut;
        }

        void take(Shape shape, JsonNode doc, LineProblem problem) throws JsonProcessingException {
            switch (shape) {
                case DECISION -> {
                    AdmissionDecision d = JSON.treeToValue(doc, AdmissionDecision.class);
                    if (d.time() == null || d.uid() == null || d.uid().isEmpty()) {
                        problem.add("missing field", "missing field: time or uid of a decision");
                        return;
                    }
                    decisionsOut.accept(d);
                    latest = later(latest, d.time());
                    decisions++;
                }
                case REVIEW -> {
                    PodRecord sighting = podSeen(doc.path("request"), latest);
                    if (sighting == null) {
                        skipped.merge("admission requests that are not about a pod", 1L, Long::sum);
                        return;
                    }
                    latest = later(latest, sighting.time());
                    podsOut.accept(sighting);
                    pods++;
                }
                case POD -> {
                    podsOut.accept(podRecord(null, "", "", doc));
                    pods++;
                }
                case LIST -> list(doc, problem);
            }
        }

        private void list(JsonNode doc, LineProblem problem) {
            for (JsonNode item : doc.path("items")) {
                listed(item, problem);
            }
        }

        private void listed(JsonNode item, LineProblem problem) {
            if (item.path("kind").asText("Pod").equals("Pod")) {
                try { // one pod of the list that cannot be kept costs only itself
                    podsOut.accept(podRecord(null, "", "", item));
                    pods++;
                } catch (dev.tailor.observe.BadEvent e) {
                    problem.add(e.kind(), e.getMessage());
                } catch (IllegalArgumentException | DateTimeParseException e) {
                    problem.add("bad object", "bad object: " + e.getMessage());
                }
            }
        }

        /**
         * A line longer than the reader holds: a List of a whole cluster's pods ({@code kubectl get pods -A -o json |
         * jq -c .} on a cluster of a thousand pods and more) is read as it streams, one pod at a time, each held to
         * {@value #MAX_LINE_CHARS} characters like a line. Anything else that long is a line too long.
         */
        void longList(InputStream line, LineProblem problem) throws IOException {
            BoundedItems bounded = new BoundedItems(line);
            try (JsonParser p = JSON.createParser(bounded)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    problem.add("line too long", "line longer than " + MAX_LINE_CHARS + " characters");
                    return;
                }
                String kind = null;
                boolean items = false;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if (field.equals("kind") && value == JsonToken.VALUE_STRING) {
                        kind = p.getText();
                    } else if (field.equals("items") && value == JsonToken.START_ARRAY && listKind(kind)) {
                        items = true;
                        JsonToken item;
                        while ((item = p.nextToken()) == JsonToken.START_OBJECT) {
                            bounded.itemStarts(p.currentLocation().getByteOffset());
                            listed(p.readValueAsTree(), problem);
                        }
                        bounded.itemStarts(-1);
                        if (item != JsonToken.END_ARRAY) {
                            problem.add("bad object", "an item of the List is no object; the pods after it are lost");
                            return;
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                if (!items || !listKind(kind)) {
                    problem.add(
                            "line too long",
                            "line longer than " + MAX_LINE_CHARS + " characters, and not a List of pods");
                }
            } catch (BoundedItems.ItemTooLong e) {
                problem.add("line too long", e.getMessage() + "; the pods before it are read, those after it lost");
            } catch (JsonProcessingException e) {
                problem.add(
                        "not JSON",
                        "not JSON (" + e.getOriginalMessage() + "); the pods before it are read, those after it lost");
            }
        }

        /** A List's kind, or none yet (kubectl writes {@code items} before {@code kind}). */
        private static boolean listKind(String kind) {
            return kind == null || kind.equals("List") || kind.equals("PodList");
        }
    }

    /** A long line's bytes, each item of its List held to {@value #MAX_LINE_CHARS} of them. */
    private static final class BoundedItems extends java.io.FilterInputStream {
        private long read;
        private long itemStart = -1;

        BoundedItems(InputStream in) {
            super(in);
        }

        void itemStarts(long offset) {
            itemStart = offset;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count(b < 0 ? 0 : 1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            count(Math.max(n, 0));
            return n;
        }

        private void count(int n) throws ItemTooLong {
            read += n;
            if (itemStart >= 0 && read - itemStart > MAX_LINE_CHARS + 64 * 1024) { // the parser reads ahead
                throw new ItemTooLong("an item of the List longer than " + MAX_LINE_CHARS + " characters");
            }
        }

        static final class ItemTooLong extends IOException {
            ItemTooLong(String message) {
                super(message);
            }
        }
    }

    private static Instant later(Instant a, Instant b) {
        return a == null || (b != null && b.isAfter(a)) ? b : a;
    }

    /**
     * An object's controller reference — the owner reference of its {@code metadata} marked {@code controller: true}
     * (the API server lets one be) — or a missing node when it has none.
     */
    public static JsonNode controllerReference(JsonNode metadata) {
        JsonNode found = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        for (JsonNode owner : metadata.path("ownerReferences")) {
            if (owner.path("controller").asBoolean(false)) {
                found = owner;
            }
        }
        return found;
    }

    /**
     * The pod an admission request shows — the webhook's live and a recorded stream's alike: its sighting (the
     * request's object, or the old object of a DELETE), marked as created for a CREATE, dated {@code seen} when the
     * pod carries no time; null when the request is not about a pod's spec (another kind, a subresource but
     * {@code ephemeralcontainers}, where {@code kubectl debug} adds its containers).
     *
     * @throws MissingField when it names no uid or pod object
     * @throws IllegalArgumentException when the pod names no namespace or its time is malformed
     */
    public static PodRecord podSeen(JsonNode request, Instant seen) {
        String subresource = request.path("subResource").asText("");
        if (!request.path("kind").path("kind").asText("").equals("Pod")
                || !(subresource.isEmpty() || subresource.equals("ephemeralcontainers"))) {
            return null; // a binding, a status, an eviction: not about the pod's spec
        }
        JsonNode pod = request.path("object").isObject() ? request.path("object") : request.path("oldObject");
        if (!pod.isObject() || request.path("uid").asText("").isEmpty()) {
            throw new MissingField("missing field: request.uid or request.object");
        }
        boolean creation = request.path("operation").asText("").equals("CREATE");
        PodRecord sighting = podRecord(
                request.path("uid").asText(),
                request.path("namespace").asText(""),
                request.path("name").asText(""),
                pod,
                seen,
                // Who created the pod, as the API server vouches: a creation's owner is checked against it (a review
                // without it — the API server always sends it — is not asked).
                creation ? request.path("userInfo").path("username").asText(null) : null);
        return creation ? created(sighting) : sighting;
    }

    /** An admission request without the field a pod sighting needs. */
    public static final class MissingField extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        MissingField(String message) {
            super(message);
        }
    }

    /** The same sighting, marked as the pod's creation. */
    public static PodRecord created(PodRecord p) {
        return new PodRecord(
                p.key(),
                p.time(),
                p.namespace(),
                p.pod(),
                p.workload(),
                p.serviceAccount(),
                p.labels(),
                true,
                p.containers(),
                p.initContainers(),
                p.ephemeralContainers(),
                p.ownerRefused());
    }

    /**
     * A pod sighting from a Pod object. {@code uid} is the admission request's (null for a listed pod: then its
     * namespace, name and resourceVersion); {@code namespace} and {@code name} override the object's when given, as
     * an AdmissionReview's request fields do.
     */
    public static PodRecord podRecord(String uid, String namespace, String name, JsonNode pod) {
        return podRecord(uid, namespace, name, pod, null);
    }

    /** The same, dated {@code seen} when the pod carries no time (the webhook knows when it saw it). */
    public static PodRecord podRecord(String uid, String namespace, String name, JsonNode pod, Instant seen) {
        return podRecord(uid, namespace, name, pod, seen, null);
    }

    /**
     * The same, of a pod {@code creator} created: a controller reference to an owner the API server does not vouch
     * for ({@link OwnerClaims}) is not believed — the pod is its own workload, and stays so ({@link
     * PodRecord#ownerRefused}). A null creator (a listed pod, an update) is not asked about.
     */
    private static PodRecord podRecord(
            String uid, String namespace, String name, JsonNode pod, Instant seen, String creator) {
        JsonNode meta = pod.path("metadata");
        String ns = !namespace.isEmpty() ? namespace : meta.path("namespace").asText("");
        String podName = !name.isEmpty() ? name : meta.path("name").asText("");
        if (ns.isEmpty()) {
            throw new IllegalArgumentException("the pod names no namespace");
        }
        String when = meta.path("deletionTimestamp")
                .asText(meta.path("creationTimestamp").asText(""));
        if (when.isEmpty()) {
            // A pod being created has no creationTimestamp before validating admission (the API server sets it after
            // the mutating webhooks ran: reviews a mutating webhook captured lack it), but its managedFields carry
            // the write's time.
            for (JsonNode entry : meta.path("managedFields")) {
                String t = entry.path("time").asText("");
                if (!t.isEmpty()
                        && (when.isEmpty()
                                || dev.tailor.observe.Times.parse(t).isAfter(dev.tailor.observe.Times.parse(when)))) {
                    when = t;
                }
            }
        }
        if (when.isEmpty() && seen != null) {
            when = seen.toString();
        }
        if (when.isEmpty()) {
            throw new IllegalArgumentException("the sighting cannot be dated: no metadata.creationTimestamp, no "
                    + "managedFields time, and no earlier entry of the stream with a time");
        }
        Map<String, String> labels = new TreeMap<>();
        meta.path("labels")
                .properties()
                .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        JsonNode controller = controllerReference(meta);
        String ownerKind = controller.path("kind").asText("");
        String ownerName = controller.path("name").asText("");
        String ownerApiVersion = controller.path("apiVersion").asText("");
        boolean refused = creator != null && OwnerClaims.refused(ownerApiVersion, ownerKind, creator);
        if (refused) {
            ownerKind = "";
            ownerName = "";
        }
        String workloadName = podName.isEmpty() ? meta.path("generateName").asText("") : podName;
        String key = uid != null
                ? uid
                : ns + "/" + podName + "@" + meta.path("resourceVersion").asText("");
        return new PodRecord(
                key,
                dev.tailor.observe.Times.parse(when),
                ns,
                podName,
                WorkloadIdentity.ofOwner(ns, workloadName, labels, ownerKind, ownerName),
                pod.path("spec").path("serviceAccountName").asText("default"),
                WorkloadIdentity.stableLabels(labels),
                false,
                containerNames(pod, "containers"),
                containerNames(pod, "initContainers"),
                containerNames(pod, "ephemeralContainers"),
                refused);
    }

    /** The names of the containers in one of a pod's lists ({@code containers}, {@code initContainers}, …). */
    private static List<String> containerNames(JsonNode pod, String list) {
        List<String> names = new ArrayList<>();
        for (JsonNode c : pod.path("spec").path(list)) {
            String name = c.path("name").asText("");
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }
}
