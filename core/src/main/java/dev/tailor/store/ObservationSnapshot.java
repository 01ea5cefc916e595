package dev.tailor.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.tailor.contract.AdmissionDecision;
import dev.tailor.contract.Names;
import dev.tailor.observe.admission.AllowedRequests;
import dev.tailor.observe.audit.ApiAccess;
import dev.tailor.observe.flows.NetworkEdge;
import dev.tailor.observe.syscalls.SyscallUse;
import dev.tailor.store.ObservationStore.StoredAccess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything generate and impact read of a store, as one JSON document: how the webhook hands its store to a CLI
 * that has only a kubeconfig ({@code GET /apis/tailor.dev/v1alpha1/observationsnapshots/current?since=7d}, then
 * {@code tailor generate --store cluster}). Every aggregate row with its days; the decision-log lines of the window
 * that name a check, a namespace after another (the requests allowed with none are an aggregate: {@code
 * allowedRequests}); read back, in time order — or, asked so ({@code enforcePreviews=true}, as the CLI asks), the
 * window's enforce previews in place of its lines, counted by the webhook within its memory: a namespace that
 * violates all week leaves hundreds of thousands of lines, which a reader would have to hold (800,000 lines, 271 MB
 * of JSON, ran the weekly proposal's 768 MiB heap out of memory). Read back, it answers as the store did, so the
 * policies generated from it are the same bytes.
 *
 * <pre>
 * {"kind":"ObservationSnapshot","apiVersion":Names.API_VERSION,
 *  "apiAccesses":[{"key":{"subject":"system:serviceaccount:shop:api","verb":"list",…},
 *                  "seen":{"firstSeen":"…","lastSeen":"…","count":12,"days":{"2026-11-30":12}}}],
 *  "networkEdges":[…],"syscallUses":[…],"podIdentities":[…],"podsSeenCreated":["shop/api-7f9c-x2x8z"],
 *  "workloadContainers":["shop/deployment.api/server"],"initContainers":["shop/deployment.api/migrate"],
 *  "ephemeralContainers":["shop/deployment.api/debugger-x7k2p"],
 *  "allowedRequests":[{"key":{"namespace":"shop","workload":"deployment.api","kind":"Pod",…},"seen":{…}}],
 *  "decisionsFrom":"2026-11-25T00:00:00Z","decisions":[…]}
 * </pre>
 *
 * <p>With previews: {@code …,"decisionsFrom":"…","previewsUntil":"…","enforcePreviews":{"shop":{"requests":40,…}}}
 * — the window from {@code decisionsFrom} to its end, inclusive ({@code previewsUntil} a nanosecond after it).
 *
 * <p>A snapshot from a webhook older than {@code workloadContainers}, {@code initContainers},
 * {@code ephemeralContainers} or {@code allowedRequests} has none: read as empty (an older webhook's decisions list
 * its allowed requests one by one, and they are counted as such).
 */
public record ObservationSnapshot(
        Map<ApiAccess, StoredAccess> apiAccesses,
        Map<NetworkEdge, StoredAccess> networkEdges,
        Map<SyscallUse, StoredAccess> syscallUses,
        Map<PodIdentity, StoredAccess> podIdentities,
        Set<String> podsSeenCreated,
        Set<String> workloadContainers,
        Set<String> initContainers,
        Set<String> ephemeralContainers,
        Map<AllowedRequests, StoredAccess> allowedRequests,
        Instant decisionsFrom,
        List<AdmissionDecision> decisions,
        Instant previewsUntil,
        Map<String, dev.tailor.observe.admission.EnforcePreview> enforcePreviews)
        implements StoredObservations {

    public static final String KIND = "ObservationSnapshot";
    public static final String API_VERSION = Names.API_VERSION;

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /**
     * Writes a store's snapshot as JSON to {@code out}: every aggregate, and the decisions of the window of
     * {@code length} that ends at {@code until} (null: at the last observation, as {@code Observations.load} has it).
     */
    public static void write(StoredObservations store, java.time.Duration length, Instant until, OutputStream out)
            throws SQLException, IOException {
        write(store, length, until, out, null);
    }

    /** Counts a window's enforce previews: from, until (exclusive). */
    @FunctionalInterface
    public interface Previews {
        Map<String, dev.tailor.observe.admission.EnforcePreview> of(Instant from, Instant until) throws SQLException;
    }

    /**
     * {@link #write(StoredObservations, java.time.Duration, Instant, OutputStream)}, with the window's enforce
     * previews as {@code previews} counts them in place of its decision lines (null: the lines).
     */
    public static void write(
            StoredObservations store, java.time.Duration length, Instant until, OutputStream out, Previews previews)
            throws SQLException, IOException {
        try (JsonGenerator json = JSON.getFactory().createGenerator(out)) {
            json.setCodec(JSON);
            json.writeStartObject();
            json.writeStringField("kind", KIND);
            json.writeStringField("apiVersion", API_VERSION);
            // From a store, each table a page at a time, in the order its rows were made (a reader sorts them): a
            // month of 1,002 workloads' tables read whole, one at a time, needed 33 MiB of heap (16 a page at a time),
            // and in the webhook's 77 MiB under 1,000 reviews/s the heap was collected whole back to back, answers
            // queued up to 2.5 s. Their latest sighting ends the window.
            Instant latest =
                    rows(json, "apiAccesses", store, AggregateTable.API_ACCESS, StoredObservations::apiAccesses);
            latest = later(
                    latest,
                    rows(json, "networkEdges", store, AggregateTable.NETWORK_FLOW, StoredObservations::networkEdges));
            latest = later(
                    latest,
                    rows(json, "syscallUses", store, AggregateTable.SYSCALL_USE, StoredObservations::syscallUses));
            // Pod identities whole: which are kept depends on other tables (a refused owner), and a pod has one row.
            rows(json, "podIdentities", store.podIdentities());
            json.writeObjectField("podsSeenCreated", new TreeSet<>(store.podsSeenCreated()));
            json.writeObjectField("workloadContainers", new TreeSet<>(store.workloadContainers()));
            json.writeObjectField("initContainers", new TreeSet<>(store.initContainers()));
            json.writeObjectField("ephemeralContainers", new TreeSet<>(store.ephemeralContainers()));
            rows(json, "allowedRequests", store, AggregateTable.ADMISSION_ALLOWED, StoredObservations::allowedRequests);
            Instant end = until != null ? until : latest;
            Instant decisionsFrom = end.minus(length);
            json.writeStringField("decisionsFrom", decisionsFrom.toString());
            if (previews != null) {
                // The window as impact previews it: to its end, inclusive.
                Instant previewsUntil = end.plusNanos(1);
                json.writeStringField("previewsUntil", previewsUntil.toString());
                json.writeObjectField("enforcePreviews", previews.of(decisionsFrom, previewsUntil));
            } else {
                json.writeArrayFieldStart("decisions");
                // A page at a time from a store, a namespace after another: a window's lines are never all in the heap.
                store.forEachDecision(decisionsFrom, Instant.parse("9999-01-01T00:00:00Z"), json::writeObject);
                json.writeEndArray();
            }
            json.writeEndObject();
        }
    }

    /** A table of a snapshot or another view, whole. */
    @FunctionalInterface
    private interface Whole<K> {
        Map<K, StoredAccess> of(StoredObservations store) throws SQLException;
    }

    /**
     * Writes a table's rows as a field — a store's a page at a time, another view's from its map; returns the latest
     * of their last sightings (the epoch for none).
     */
    private static <K extends dev.tailor.util.Joined.Ordered<K>> Instant rows(
            JsonGenerator json, String field, StoredObservations store, AggregateTable<K> table, Whole<K> whole)
            throws IOException, SQLException {
        if (!(store instanceof ObservationStore paged)) {
            return rows(json, field, whole.of(store));
        }
        json.writeArrayFieldStart(field);
        Instant[] latest = {Instant.EPOCH};
        paged.forEachRow(table, (key, seen) -> latest[0] = later(latest[0], row(json, key, seen)));
        json.writeEndArray();
        return latest[0];
    }

    /** Writes a table's rows as a field; returns the latest of their last sightings (the epoch for none). */
    private static <K> Instant rows(JsonGenerator json, String field, Map<K, StoredAccess> rows) throws IOException {
        json.writeArrayFieldStart(field);
        Instant latest = Instant.EPOCH;
        for (var row : rows.entrySet()) {
            latest = later(latest, row(json, row.getKey(), row.getValue()));
        }
        json.writeEndArray();
        return latest;
    }

    /** Writes one row; returns its last sighting. */
    private static Instant row(JsonGenerator json, Object key, StoredAccess seen) throws IOException {
        json.writeStartObject();
        json.writeObjectField("key", key);
        json.writeObjectField("seen", seen);
        json.writeEndObject();
        return seen.lastSeen();
    }

    private static Instant later(Instant a, Instant b) {
        return b.isAfter(a) ? b : a;
    }

    /**
     * Reads a snapshot.
     *
     * @throws IOException when it is not one (another kind, another version, a field missing or malformed)
     */
    public static ObservationSnapshot read(InputStream in) throws IOException {
        JsonNode doc = JSON.readTree(in);
        if (doc == null
                || !KIND.equals(doc.path("kind").asText())
                || !API_VERSION.equals(doc.path("apiVersion").asText())) {
            throw new IOException("not a " + API_VERSION + " " + KIND
                    + (doc == null ? "" : ": kind " + doc.path("kind") + ", apiVersion " + doc.path("apiVersion")));
        }
        try {
            List<AdmissionDecision> decisions = new ArrayList<>();
            for (JsonNode d : doc.path("decisions")) {
                decisions.add(JSON.treeToValue(d, AdmissionDecision.class));
            }
            decisions.sort(ObservationStore.DECISION_ORDER); // written a namespace after another
            Instant previewsUntil = null;
            Map<String, dev.tailor.observe.admission.EnforcePreview> previews = null;
            if (doc.has("enforcePreviews")) {
                previewsUntil = Instant.parse(doc.path("previewsUntil").asText());
                previews = new java.util.TreeMap<>();
                for (var e : doc.path("enforcePreviews").properties()) {
                    previews.put(
                            e.getKey(),
                            JSON.treeToValue(e.getValue(), dev.tailor.observe.admission.EnforcePreview.class));
                }
            }
            return new ObservationSnapshot(
                    rows(doc, "apiAccesses", ApiAccess.class),
                    rows(doc, "networkEdges", NetworkEdge.class),
                    rows(doc, "syscallUses", SyscallUse.class),
                    rows(doc, "podIdentities", PodIdentity.class),
                    strings(doc, "podsSeenCreated"),
                    strings(doc, "workloadContainers"),
                    strings(doc, "initContainers"),
                    strings(doc, "ephemeralContainers"),
                    rows(doc, "allowedRequests", AllowedRequests.class),
                    Instant.parse(doc.path("decisionsFrom").asText()),
                    decisions,
                    previewsUntil,
                    previews);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | java.time.format.DateTimeParseException e) {
            throw new IOException("a malformed " + KIND + ": " + e.getMessage(), e);
        }
    }

    /** A field's strings, sorted; none when the field is absent (a snapshot from an older webhook). */
    private static Set<String> strings(JsonNode doc, String field) {
        Set<String> out = new TreeSet<>();
        doc.path(field).forEach(s -> out.add(s.asText()));
        return out;
    }

    /** A table's rows, sorted by key as a store reads them (a store writes them in the order they were made). */
    private static <K extends dev.tailor.util.Joined.Ordered<K>> Map<K, StoredAccess> rows(
            JsonNode doc, String field, Class<K> type) throws com.fasterxml.jackson.core.JsonProcessingException {
        Map<K, StoredAccess> out = new LinkedHashMap<>();
        for (JsonNode row : doc.path(field)) {
            out.put(JSON.treeToValue(row.path("key"), type), JSON.treeToValue(row.path("seen"), StoredAccess.class));
        }
        return dev.tailor.util.Joined.inOrder(out);
    }

    /**
     * The decisions in the range — all of them only from {@link #decisionsFrom} on; before that the snapshot has none,
     * which is said by failing rather than by answering an empty list.
     */
    @Override
    public List<AdmissionDecision> decisions(Instant from, Instant until) throws SQLException {
        if (enforcePreviews != null) {
            throw new SQLException("the snapshot holds the window's enforce previews, not its decision-log lines");
        }
        if (from.isBefore(decisionsFrom)) {
            throw new SQLException("the snapshot holds the decisions from " + decisionsFrom + " on, not from " + from
                    + " (fetch it with a longer --since)");
        }
        return decisions.stream()
                .filter(d -> !d.time().isBefore(from) && d.time().isBefore(until))
                .toList();
    }

    /** The window's previews as the webhook counted them, or counted from the snapshot's lines. */
    @Override
    public Map<String, dev.tailor.observe.admission.EnforcePreview> enforcePreviews(Instant from, Instant until)
            throws SQLException {
        if (enforcePreviews == null) {
            return StoredObservations.super.enforcePreviews(from, until);
        }
        if (!from.equals(decisionsFrom) || !until.equals(previewsUntil)) {
            throw new SQLException("the snapshot holds the enforce previews from " + decisionsFrom + " until "
                    + previewsUntil + ", not from " + from + " until " + until);
        }
        return enforcePreviews;
    }

    @Override
    public void close() {
        // nothing held
    }
}
