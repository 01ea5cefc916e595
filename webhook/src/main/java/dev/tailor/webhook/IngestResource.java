package dev.tailor.webhook;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.observe.ObserveSummary;
import dev.tailor.observe.Problems;
import dev.tailor.observe.audit.ApiAccess;
import dev.tailor.observe.audit.AuditLogReader;
import dev.tailor.observe.flows.FlowPods;
import dev.tailor.observe.flows.NetworkEdge;
import dev.tailor.observe.ingest.IngestPipeline;
import dev.tailor.observe.syscalls.ContainerMap;
import dev.tailor.store.Columns;
import dev.tailor.store.ObservationStore;
import dev.tailor.store.Sighting;
import dev.tailor.webhook.admission.AdmissionReviews;
import dev.tailor.webhook.admission.BadReviewException;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.jboss.logging.Logger;

/**
 * {@code POST /ingest/audit}: kube-apiserver's audit webhook backend delivers {@code audit.k8s.io/v1} EventLists
 * here. A batch is answered 200 only after it is committed to the store, so a batch the API server saw
 * acknowledged is never lost; on a store failure the answer is 503 and the API server sends it again (the store
 * counts each audit ID once). Only callers with a configured bearer token, or with a client certificate from
 * {@code tailor.ingest.client-ca} issued to one of {@code tailor.ingest.client-names}, get in: anyone else gets 401.
 */
@Path("/ingest")
@ApplicationScoped
@Startup // a token file that cannot be read stops the webhook at start, not at the first batch
public class IngestResource {

    private static final Logger LOG = Logger.getLogger(IngestResource.class);

    /** How long a batch waits for the memory that larger ones in flight hold. */
    static final int BATCH_WAIT_SECONDS = 10;

    private final TailorConfig config;
    private final ObservationSink sink;
    private final List<byte[]> tokens = new ArrayList<>();
    private final List<X509Certificate> clientAuthorities;
    private final RequestMemory.Share memory;

    /** Events refused for good (not an event, a missing field, a value the store cannot hold), by source. */
    private final java.util.Map<String, io.micrometer.core.instrument.Counter> rejectedTotal =
            new java.util.TreeMap<>();

    public IngestResource(
            TailorConfig config,
            ObservationSink sink,
            RequestMemory memory,
            io.micrometer.core.instrument.MeterRegistry registry) {
        this.config = config;
        this.sink = sink;
        this.memory = memory.batches();
        for (String source : List.of("audit", "flows", "syscalls")) { // a closed set: the endpoints
            rejectedTotal.put(
                    source,
                    io.micrometer.core.instrument.Counter.builder("tailor.ingest.rejected")
                            .tag("source", source)
                            .description(
                                    "Events /ingest/* refused for good (each is logged; the rest of its batch is stored)")
                            .register(registry));
        }
        this.clientAuthorities = dev.tailor.webhook.tls.IngestAuthorities.read(config);
        config.ingest().tokenFile().ifPresent(file -> {
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        tokens.add(digest(line.strip()));
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("tailor.ingest.token-file " + file + ": " + e.getMessage(), e);
            }
        });
    }

    /**
     * The EventList is read as it arrives ({@link AuditLogReader.EventListStream}) and stored {@value
     * #AUDIT_EVENTS_PER_TRANSACTION} events a transaction: a batch holds the heap of {@value #STREAM_BYTES} bytes of
     * body at most, whatever its length up to {@code tailor.ingest.max-bytes} — events logged at RequestResponse
     * level, with a cluster-wide list's response, are read like small ones. A batch stored in parts and cut short (a
     * store failure, a body that breaks off) keeps the parts stored: sent again, they are counted as already stored.
     */
    @POST
    @Path("audit")
    @Blocking
    public Response audit(
            @HeaderParam("Authorization") String authorization, @Context HttpServerRequest request, InputStream body) {
        if (!authorized(authorization) && !clientCertified(request)) {
            return json(401, error("unauthorized"));
        }
        return streamed("EventList", request, body, this::storeAudit);
    }

    /** Events of an audit batch stored in one transaction. */
    static final int AUDIT_EVENTS_PER_TRANSACTION = 1000;

    /**
     * Events of a batch of lines (flows, syscall records) stored in one transaction: the batch an OpenTelemetry
     * Collector sends (at most 4,000 records in {@code manifests/forwarder}) in one.
     */
    static final int LINE_EVENTS_PER_TRANSACTION = 5000;

    /**
     * The body bytes whose heap ({@link RequestMemory#BATCH_HEAP_PER_BYTE} a byte) a batch read as it arrives reserves
     * at most: an audit item as it is read ({@value AuditLogReader.EventListStream#MAX_ITEM_BYTES} bytes of fields at
     * most, as copied, parsed and made strings) or a line (1 MiB at most), and a transaction's events.
     */
    static final long STREAM_BYTES = 2 << 20;

    /**
     * A body read as it arrives by {@code storing}, up to {@code tailor.ingest.max-bytes}: it reserves the heap of
     * {@value #STREAM_BYTES} bytes at most, whatever its length; one announced longer than the limit is refused
     * unread.
     */
    private Response streamed(String what, HttpServerRequest request, InputStream body, Streaming storing) {
        long announced = RequestMemory.announced(request == null ? null : request.getHeader("Content-Length"));
        long max = config.ingest().maxBytes();
        try {
            if (announced > max) {
                AdmissionReviews.discard(body);
                return json(413, error(what + " larger than " + max + " bytes"));
            }
            long held =
                    Math.min(memory.largestBody(), announced >= 0 ? Math.min(announced, STREAM_BYTES) : STREAM_BYTES);
            RequestMemory.Reservation reservation = reserveNext(held, body);
            try {
                return storing.store(body, max);
            } finally {
                reservation.close();
            }
        } catch (BadReviewException e) {
            return json(e.status(), error(e.getMessage()));
        } catch (IOException e) {
            return json(400, error("body could not be read: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return json(503, error("the webhook is shutting down; send it again"));
        }
    }

    /** Reads a body of at most {@code max} bytes as it arrives, stores it a transaction at a time, and answers. */
    @FunctionalInterface
    private interface Streaming {
        Response store(InputStream body, long max) throws IOException;
    }

    /** Reads and stores an EventList as it arrives, a transaction at a time, and answers. */
    private Response storeAudit(InputStream body, long max) throws IOException {
        Problems problems = new Problems();
        ObservationStore.BatchResult stored = new ObservationStore.BatchResult(0, 0);
        String broken = null;
        int status = 200;
        AuditLogReader.Stats stats;
        try (AuditLogReader.EventListStream list =
                new AuditLogReader.EventListStream("POST /ingest/audit", new Capped(body, max), problems)) {
            IngestPipeline pipeline = pipeline(() -> {});
            for (boolean more = true; more; ) {
                List<Sighting<ApiAccess>> accesses = new ArrayList<>();
                try {
                    more = pipeline.auditEventList(
                            list, AUDIT_EVENTS_PER_TRANSACTION, new ObserveSummary(), accesses::add);
                } catch (Capped.TooLarge e) {
                    more = false;
                    status = 413;
                    broken = "EventList larger than " + max + " bytes";
                } catch (IOException e) {
                    more = false;
                    status = 400;
                    broken = e.getMessage();
                }
                if (!accesses.isEmpty()) {
                    stored = stored.plus(sink.store().ingestAccesses(accesses));
                }
            }
            stats = list.stats();
        } catch (SQLException | RuntimeException e) {
            LOG.errorf(e, "storing an audit batch failed; the sender will send it again");
            AdmissionReviews.discard(body);
            return json(503, error("the batch could not be stored; send it again"));
        }
        ObjectNode answer = answer("audit", stats.lines(), total(stats.skipped()), stored, problems);
        return answered(answer, status, broken, stored, body, IngestResource::json);
    }

    /**
     * The answer to a batch read as it arrives: 200, or where it broke off — what was read before the break is
     * stored (it is sound, and sent again it is already stored), and the answer says how much.
     */
    private static Response answered(
            ObjectNode answer,
            int status,
            String broken,
            ObservationStore.BatchResult stored,
            InputStream body,
            Answer answering)
            throws IOException {
        if (broken == null) {
            return answering.answer(200, answer);
        }
        AdmissionReviews.discard(body);
        long before = stored.added() + stored.alreadyStored();
        return answering.answer(
                status,
                answer.put("error", broken + (before > 0 ? "; the " + before + " events before it are stored" : "")));
    }

    /** A body cut off past {@code max} bytes: reading further throws {@link TooLarge}. */
    private static final class Capped extends java.io.FilterInputStream {
        private final long max;
        private long read;

        static final class TooLarge extends IOException {
            private static final long serialVersionUID = 1L;
        }

        Capped(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count(b < 0 ? -1 : 1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            count(n);
            return n;
        }

        private void count(int n) throws TooLarge {
            if (n > 0 && (read += n) > max) {
                throw new TooLarge();
            }
        }
    }

    /**
     * A body whose reading breaks off with an unchecked {@link Broken}: a line reader takes an {@code IOException}
     * for the end of what a file holds (a log cut short), but a body that breaks off, or passes the limit, is a batch
     * the sender must be told was not read whole.
     */
    private static final class Unchecked extends java.io.FilterInputStream {

        static final class Broken extends java.io.UncheckedIOException {
            private static final long serialVersionUID = 1L;

            Broken(IOException cause) {
                super(cause);
            }
        }

        Unchecked(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw new Broken(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw new Broken(e);
            }
        }
    }

    /**
     * {@code POST /ingest/flows}: Hubble flows as JSON lines, as {@code hubble observe -o json} and the Hubble exporter
     * write them (a forwarder tails the exporter's file on each node), read as they arrive. Pods only flows name —
     * kube-system's — are stored by the labels the flows carry, as {@code tailor observe} does.
     */
    @POST
    @Path("flows")
    @Blocking
    public Response flows(
            @HeaderParam("Authorization") String authorization, @Context HttpServerRequest request, InputStream body) {
        return lines("flows", "batch of flows", authorization, request, body, flowsReading());
    }

    private Reading flowsReading() {
        return (lines, problems, transactions) -> {
            FlowPods named = new FlowPods(sink.store().pods());
            // Each transaction stores the pods named so far with its edges (again: a pod stored is stored once).
            Consumer<Sighting<NetworkEdge>> edges = transactions.batch((store, batch) -> {
                store.ingestPods(named.records().stream()
                        .filter(p -> Columns.problem(p) == null)
                        .toList());
                return store.ingestEdges(batch);
            });
            IngestPipeline.Read read = pipeline(transactions::event)
                    .flows("POST /ingest/flows", lines, new ObserveSummary(), problems, named, edges);
            return new Read(read.lines(), 0);
        };
    }

    /**
     * {@code POST /ingest/syscalls}: seccomp records as lines — the Security Profiles Operator's log enricher, or the
     * kernel's audit (type=SECCOMP) lines; the latter name a pid, not a container, and stay unattributed here.
     */
    @POST
    @Path("syscalls")
    @Blocking
    public Response syscalls(
            @HeaderParam("Authorization") String authorization, @Context HttpServerRequest request, InputStream body) {
        return lines("syscalls", "batch of syscall lines", authorization, request, body, syscallsReading());
    }

    private Reading syscallsReading() {
        return (lines, problems, transactions) -> {
            ObserveSummary summary = new ObserveSummary();
            IngestPipeline.Read read = pipeline(transactions::event)
                    .syscalls(
                            "POST /ingest/syscalls",
                            lines,
                            summary,
                            problems,
                            transactions.batch(ObservationStore::ingestSyscallUses));
            return new Read(read.lines(), total(summary.skipped));
        };
    }

    /**
     * The pipeline {@code tailor observe} runs, attributing by the pods the store knows now. The webhook has no
     * container maps: a kernel audit line names a process, not a container, and stays unattributed here. {@code
     * onEvent} is told of each event read.
     */
    private IngestPipeline pipeline(Runnable onEvent) throws SQLException {
        return new IngestPipeline(sink.store().pods(), new ContainerMap(), onEvent);
    }

    /** The counts of every reason together. */
    private static long total(java.util.Map<String, Long> byReason) {
        return byReason.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * {@code POST /ingest/flows/v1/logs}: the same flows as OTLP/HTTP logs — the protocol every log shipper speaks
     * (an OpenTelemetry Collector's filelog receiver tailing the Hubble exporter's file, its otlphttp exporter's
     * {@code logs_endpoint} here): each record's body one line. Authenticated, idempotent and acknowledged like
     * {@code /ingest/flows}; answered as OTLP/HTTP expects (a partial success names what was refused for good; 503,
     * which exporters retry, only when the store failed).
     */
    @POST
    @Path("flows/v1/logs")
    @Blocking
    public Response flowsOtlp(
            @HeaderParam("Authorization") String authorization,
            @HeaderParam("Content-Type") String type,
            @HeaderParam("Content-Encoding") String encoding,
            @Context HttpServerRequest request,
            InputStream body) {
        return otlpIngest("flows", authorization, type, encoding, request, body, flowsReading());
    }

    /** {@code POST /ingest/syscalls/v1/logs}: the syscall lines as OTLP/HTTP logs (see {@link #flowsOtlp}). */
    @POST
    @Path("syscalls/v1/logs")
    @Blocking
    public Response syscallsOtlp(
            @HeaderParam("Authorization") String authorization,
            @HeaderParam("Content-Type") String type,
            @HeaderParam("Content-Encoding") String encoding,
            @Context HttpServerRequest request,
            InputStream body) {
        return otlpIngest("syscalls", authorization, type, encoding, request, body, syscallsReading());
    }

    /**
     * An OTLP logs request, gzip-compressed as the exporters send it by default, or not at all. A protobuf message is
     * read whole, within the webhook's memory for batches ({@link #reserve}). Compressed, it is read whole (up to the
     * body limit) only once the caller is known, then expanded up to the same limit: a small bomb gets the same 413
     * as a large body, and nothing is expanded for nobody.
     */
    private Response otlpIngest(
            String source,
            String authorization,
            String type,
            String encoding,
            HttpServerRequest request,
            InputStream body,
            Reading lines) {
        Answer answer = otlpAnswer(type);
        String what = "OTLP logs request";
        if (!authorized(authorization) && !clientCertified(request)) {
            return answer.answer(401, error("unauthorized"));
        }
        String coding = encoding == null ? "" : encoding.strip().toLowerCase(java.util.Locale.ROOT);
        boolean gzip = coding.equals("gzip");
        if (!gzip && !coding.isEmpty() && !coding.equals("identity")) {
            return answer.answer(415, error("Content-Encoding " + encoding + " is not read here: send gzip or none"));
        }
        // Compressed, its expanded size is unknown: the most a batch may be is reserved, both copies within it.
        long announced =
                gzip ? -1 : RequestMemory.announced(request == null ? null : request.getHeader("Content-Length"));
        try (RequestMemory.Reservation reservation = reserve(announced, body)) {
            int cap = (int) Math.min(config.ingest().maxBytes(), reservation.bodyBytes());
            byte[] bytes = AdmissionReviews.readCapped(body, cap, announced);
            if (gzip) {
                try {
                    bytes = AdmissionReviews.readCapped(
                            new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bytes)), cap);
                } catch (IOException e) {
                    return answer.answer(
                            400, error("Content-Encoding: gzip, but the body is not gzip: " + e.getMessage()));
                }
            }
            OtlpLogs.Lines read;
            try {
                read = OtlpLogs.read(bytes, type);
            } catch (IOException e) {
                return answer.answer(400, error(e.getMessage()));
            }
            return storeLines(
                    source,
                    what,
                    new java.io.ByteArrayInputStream(read.text()),
                    config.ingest().maxBytes(),
                    read.notText(),
                    lines,
                    answer);
        } catch (BadReviewException e) {
            return answer.answer(e.status(), error(refusal(what, e)));
        } catch (IOException e) {
            return answer.answer(400, error("body could not be read: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return answer.answer(503, error("the webhook is shutting down; send it again"));
        }
    }

    /** OTLP/HTTP's answers: an ExportLogsServiceResponse when stored, the status and a message otherwise. */
    private static Answer otlpAnswer(String type) {
        return (status, body) -> {
            if (status != 200) {
                return Response.status(status)
                        .type(MediaType.APPLICATION_JSON)
                        .entity(AdmissionReviews.toBytes(JsonNodeFactory.instance
                                .objectNode()
                                .put("code", status)
                                .put("message", body.path("error").asText())))
                        .build();
            }
            long rejected =
                    body.path("rejected").asLong() + body.path("skipped").asLong();
            String message = body.path("problems")
                    .path(0)
                    .asText(rejected > 0 ? "records that are not a line of this source" : "");
            return Response.ok(OtlpLogs.response(type, rejected, message))
                    .type(OtlpLogs.protobuf(type) ? "application/x-protobuf" : MediaType.APPLICATION_JSON)
                    .build();
        };
    }

    /** How an ingest request is answered: the status and the JSON that says what was stored or what went wrong. */
    @FunctionalInterface
    private interface Answer {
        Response answer(int status, ObjectNode body);
    }

    /** What a body of lines held: its lines, and those of a kind Tailor does not store. */
    private record Read(long lines, long skipped) {}

    /** How a batch of one source's events is stored, in one transaction. */
    @FunctionalInterface
    private interface Storing<T> {
        ObservationStore.BatchResult into(ObservationStore store, List<T> batch) throws SQLException;
    }

    /** Reads a body of lines as it arrives, handing the events it holds to a batch of {@code transactions}. */
    @FunctionalInterface
    private interface Reading {
        Read read(InputStream lines, Problems problems, Transactions transactions) throws IOException, SQLException;
    }

    /**
     * The events a body holds, stored {@value #LINE_EVENTS_PER_TRANSACTION} a transaction as it is read: a body costs
     * the heap of one transaction, whatever its length.
     */
    private final class Transactions {
        private Batch<?> batch; // a body holds one source's events
        private ObservationStore.BatchResult stored = new ObservationStore.BatchResult(0, 0);
        private long events;

        /** One more event read. */
        void event() {
            events++;
        }

        /** A batch stored by {@code storing} each time it is full, and when the body ends. */
        <T> Consumer<T> batch(Storing<T> storing) {
            if (batch != null) {
                throw new IllegalStateException("a body's events are stored by one batch");
            }
            Batch<T> made = new Batch<>(storing);
            batch = made;
            return made;
        }

        /** Stores what the batch holds. */
        void flush() throws SQLException {
            if (batch != null) {
                batch.flush();
            }
        }

        private final class Batch<T> implements Consumer<T> {
            private final Storing<T> storing;
            private List<T> pending = new ArrayList<>();

            Batch(Storing<T> storing) {
                this.storing = storing;
            }

            @Override
            public void accept(T event) {
                pending.add(event);
                if (pending.size() >= LINE_EVENTS_PER_TRANSACTION) {
                    try {
                        flush();
                    } catch (SQLException | RuntimeException e) {
                        throw new StoreFailure(e);
                    }
                }
            }

            void flush() throws SQLException {
                if (!pending.isEmpty()) {
                    List<T> full = pending;
                    pending = new ArrayList<>();
                    stored = stored.plus(storing.into(sink.store(), full));
                }
            }
        }
    }

    /**
     * The store failed while a body was being read: thrown through the reader, which takes what it does not know for
     * its own (a reader's {@code IllegalArgumentException} is the line's problem).
     */
    private static final class StoreFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StoreFailure(Exception cause) {
            super(cause);
        }
    }

    /**
     * {@code POST /ingest/flows} or {@code /ingest/syscalls}: authenticated (a bearer token or the ingest CA's client
     * certificate), read as it arrives up to the limit ({@link #streamed}), stored a transaction at a time and
     * answered only then — 200 with what was stored and what was refused for good (each named by its line, logged,
     * counted), 503 only when the store failed and a retry could succeed.
     */
    private Response lines(
            String source,
            String what,
            String authorization,
            HttpServerRequest request,
            InputStream body,
            Reading reading) {
        if (!authorized(authorization) && !clientCertified(request)) {
            // Say nothing about why: no hint for someone probing.
            return json(401, error("unauthorized"));
        }
        return streamed(
                what, request, body, (in, max) -> storeLines(source, what, in, max, 0, reading, IngestResource::json));
    }

    /**
     * Reads and stores a body of lines as it arrives, up to {@code max} bytes ({@code notText}: records the lines'
     * envelope held that were no line, skipped), and answers. A body that breaks off keeps what was read before the
     * break.
     */
    private Response storeLines(
            String source, String what, InputStream body, long max, long notText, Reading reading, Answer answering)
            throws IOException {
        Problems problems = new Problems();
        Transactions transactions = new Transactions();
        Read read = null;
        String broken = null;
        int status = 200;
        try {
            try {
                read = reading.read(new Unchecked(new Capped(body, max)), problems, transactions);
            } catch (Unchecked.Broken e) {
                status = e.getCause() instanceof Capped.TooLarge ? 413 : 400;
                broken = status == 413
                        ? what + " larger than " + max + " bytes"
                        : "body could not be read: " + e.getCause().getMessage();
            }
            transactions.flush();
        } catch (SQLException | RuntimeException e) {
            LOG.errorf(e, "storing a %s batch failed; the sender will send it again", source);
            AdmissionReviews.discard(body);
            return answering.answer(503, error("the batch could not be stored; send it again"));
        }
        // Broken off, the lines are not known: the events read and the lines refused are.
        long events = read != null ? read.lines() : transactions.events + problems.total();
        ObjectNode answer =
                answer(source, events, (read != null ? read.skipped() : 0) + notText, transactions.stored, problems);
        return answered(answer, status, broken, transactions.stored, body, answering);
    }

    /**
     * The heap for a batch read whole of {@code announced} bytes ({@code -1}: unannounced, so the most it may be),
     * reserved before it is read ({@link RequestMemory}): a batch larger than the webhook stores within its memory is
     * a 413, one that waited {@value #BATCH_WAIT_SECONDS} s for the requests in flight a 503, which senders send
     * again.
     */
    private RequestMemory.Reservation reserve(long announced, InputStream body)
            throws IOException, BadReviewException, InterruptedException {
        long largest = largestBatch();
        if (announced > largest) {
            AdmissionReviews.discard(body);
            throw AdmissionReviews.largerThan((int) largest);
        }
        return reserveNext(announced >= 0 ? announced : largest, body);
    }

    /** The heap for {@code bytes} of body, as {@link #reserve} reserves it, once the batches in flight leave it. */
    private RequestMemory.Reservation reserveNext(long bytes, InputStream body)
            throws IOException, BadReviewException, InterruptedException {
        var reservation = memory.reserve(bytes, Duration.ofSeconds(BATCH_WAIT_SECONDS));
        if (reservation.isEmpty()) {
            AdmissionReviews.discard(body);
            throw new BadReviewException(503, "", "larger batches in flight hold the webhook's memory; send it again");
        }
        return reservation.get();
    }

    /** The largest batch read whole: the configured limit, or less where the webhook's memory holds less. */
    private long largestBatch() {
        return Math.min(config.ingest().maxBytes(), memory.largestBody());
    }

    /** What a refused batch is told: a 413 says the limit and, when it is the memory's, so; a 503 why to resend. */
    private String refusal(String what, BadReviewException e) {
        if (e.status() != 413) {
            return e.getMessage();
        }
        long largest = largestBatch();
        return what + " larger than " + largest + " bytes"
                + (largest < config.ingest().maxBytes() ? ", the most this webhook stores within its memory" : "");
    }

    /** What a stored batch is answered: its counts, and the events refused for good (counted and logged too). */
    private ObjectNode answer(
            String source, long events, long skipped, ObservationStore.BatchResult result, Problems problems) {
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.put("events", events)
                .put("stored", result.added())
                .put("alreadyStored", result.alreadyStored())
                .put("expired", result.expired())
                .put("skipped", skipped)
                .put("rejected", problems.total());
        problems.first().forEach(p -> answer.withArray("problems").add(p.toString()));
        if (problems.total() > 0) {
            rejectedTotal.get(source).increment(problems.total());
            LOG.warnf(
                    "%s batch: %d of %d events rejected, e.g. %s",
                    source, problems.total(), events, problems.first().get(0));
        }
        return answer;
    }

    private boolean authorized(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ") || tokens.isEmpty()) {
            return false;
        }
        byte[] presented = digest(authorization.substring("Bearer ".length()).strip());
        boolean match = false;
        for (byte[] token : tokens) {
            // Compare digests in constant time, and look at every token, so timing tells nothing.
            match |= MessageDigest.isEqual(token, presented);
        }
        return match;
    }

    /**
     * True when the caller presented a client certificate issued by one of {@code tailor.ingest.client-ca} to one of
     * the allowed names (its subject CN or a DNS name). The TLS layer lets any client certificate through
     * ({@link dev.tailor.webhook.tls.ClientTrust}): the issuer is checked here.
     */
    private boolean clientCertified(HttpServerRequest request) {
        if (clientAuthorities.isEmpty() || request == null || !request.isSSL() || request.sslSession() == null) {
            return false;
        }
        try {
            java.security.cert.Certificate[] chain = request.sslSession().getPeerCertificates();
            return chain.length > 0
                    && chain[0] instanceof X509Certificate client
                    && dev.tailor.webhook.tls.ClientCertificates.issuedByOneOf(client, clientAuthorities)
                    && dev.tailor.webhook.tls.ClientCertificates.names(client).stream()
                            .anyMatch(config.ingest().clientNames()::contains);
        } catch (SSLPeerUnverifiedException e) {
            return false; // no client certificate
        }
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode error(String message) {
        return JsonNodeFactory.instance.objectNode().put("error", message);
    }

    private static Response json(int status, ObjectNode body) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(AdmissionReviews.toBytes(body))
                .build();
    }
}
