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
import dev.tailor.observe.syscalls.SyscallUse;
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
     * #AUDIT_EVENTS_PER_TRANSACTION} events a transaction: a batch holds the heap of {@value #AUDIT_STREAM_BYTES}
     * bytes of body at most, whatever its length up to {@code tailor.ingest.max-bytes} — events logged at
     * RequestResponse level, with a cluster-wide list's response, are read like small ones. A batch stored in parts
     * and cut short (a store failure, a body that breaks off) keeps the parts stored: sent again, they are counted
     * as already stored.
     */
    @POST
    @Path("audit")
    @Blocking
    public Response audit(
            @HeaderParam("Authorization") String authorization, @Context HttpServerRequest request, InputStream body) {
        if (!authorized(authorization) && !clientCertified(request)) {
            return json(401, error("unauthorized"));
        }
        long announced = RequestMemory.announced(request == null ? null : request.getHeader("Content-Length"));
        long max = config.ingest().maxBytes();
        try {
            if (announced > max) {
                AdmissionReviews.discard(body);
                return json(413, error("EventList larger than " + max + " bytes"));
            }
            long held = Math.min(
                    memory.largestBody(),
                    announced >= 0 ? Math.min(announced, AUDIT_STREAM_BYTES) : AUDIT_STREAM_BYTES);
            RequestMemory.Reservation reservation = reserveNext(held, body);
            try {
                return storeAudit(body, max);
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

    /** Events of an audit batch stored in one transaction. */
    static final int AUDIT_EVENTS_PER_TRANSACTION = 1000;

    /**
     * The body bytes whose heap ({@link RequestMemory#BATCH_HEAP_PER_BYTE} a byte) an audit batch reserves at most:
     * one item as it is read ({@value AuditLogReader.EventListStream#MAX_ITEM_BYTES} bytes of fields at most, as
     * copied, parsed and made strings) and a transaction's accesses.
     */
    static final long AUDIT_STREAM_BYTES = 2 << 20;

    /** Reads and stores an EventList as it arrives, a transaction at a time, and answers. */
    private Response storeAudit(InputStream body, long max) throws IOException {
        Problems problems = new Problems();
        ObservationStore.BatchResult stored = new ObservationStore.BatchResult(0, 0);
        int status = 200;
        String broken = null;
        AuditLogReader.Stats stats;
        try (AuditLogReader.EventListStream list =
                new AuditLogReader.EventListStream("POST /ingest/audit", new Capped(body, max), problems)) {
            IngestPipeline pipeline = pipeline();
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
        if (broken == null) {
            return json(200, answer);
        }
        AdmissionReviews.discard(body);
        // What was read before the break is stored (it is sound, and sent again it is already stored); the answer
        // says where it broke and how much was stored.
        return json(
                status,
                answer.put(
                        "error",
                        broken
                                + (stored.added() + stored.alreadyStored() > 0
                                        ? "; the " + (stored.added() + stored.alreadyStored())
                                                + " events before it are stored"
                                        : "")));
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
     * {@code POST /ingest/flows}: Hubble flows as JSON lines, as {@code hubble observe -o json} and the Hubble exporter
     * write them (a forwarder tails the exporter's file on each node). Pods only flows name — kube-system's — are
     * stored by the labels the flows carry, as {@code tailor observe} does.
     */
    @POST
    @Path("flows")
    @Blocking
    public Response flows(
            @HeaderParam("Authorization") String authorization, @Context HttpServerRequest request, InputStream body) {
        return ingest("flows", "batch of flows", authorization, request, body, flowsReading(), IngestResource::json);
    }

    private Reading flowsReading() {
        return (bytes, problems) -> {
            List<Sighting<NetworkEdge>> edges = new ArrayList<>();
            FlowPods named = new FlowPods(sink.store().pods());
            IngestPipeline.Read read = pipeline()
                    .flows(
                            "POST /ingest/flows",
                            new java.io.ByteArrayInputStream(bytes),
                            new ObserveSummary(),
                            problems,
                            named,
                            edges::add);
            return new Read(read.lines(), 0, store -> {
                store.ingestPods(named.records().stream()
                        .filter(p -> Columns.problem(p) == null)
                        .toList());
                return store.ingestEdges(edges);
            });
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
        return ingest(
                "syscalls",
                "batch of syscall lines",
                authorization,
                request,
                body,
                syscallsReading(),
                IngestResource::json);
    }

    private Reading syscallsReading() {
        return (bytes, problems) -> {
            List<Sighting<SyscallUse>> uses = new ArrayList<>();
            ObserveSummary summary = new ObserveSummary();
            IngestPipeline.Read read = pipeline()
                    .syscalls(
                            "POST /ingest/syscalls",
                            new java.io.ByteArrayInputStream(bytes),
                            summary,
                            problems,
                            uses::add);
            return new Read(read.lines(), skipped(summary), store -> store.ingestSyscallUses(uses));
        };
    }

    /**
     * The pipeline {@code tailor observe} runs, attributing by the pods the store knows now. The webhook has no
     * container maps: a kernel audit line names a process, not a container, and stays unattributed here.
     */
    private IngestPipeline pipeline() throws SQLException {
        return new IngestPipeline(sink.store().pods(), new ContainerMap(), () -> {});
    }

    /** Events the reader skipped (of a kind Tailor does not store), all reasons together. */
    private static long skipped(ObserveSummary summary) {
        return total(summary.skipped);
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
     * An OTLP logs request, gzip-compressed as the exporters send it by default, or not at all. Compressed, it is read
     * whole (up to the body limit) only once the caller is known, then expanded up to the same limit: a small bomb
     * gets the same 413 as a large body, and nothing is expanded for nobody.
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
        String coding = encoding == null ? "" : encoding.strip().toLowerCase(java.util.Locale.ROOT);
        if (coding.equals("gzip")) {
            if (!authorized(authorization) && !clientCertified(request)) {
                return answer.answer(401, error("unauthorized"));
            }
            // Compressed, its expanded size is unknown: the most a batch may be is reserved, both copies within it.
            try (RequestMemory.Reservation reservation = reserve(-1, body)) {
                int cap = (int) Math.min(config.ingest().maxBytes(), reservation.bodyBytes());
                byte[] compressed = AdmissionReviews.readCapped(body, cap);
                byte[] expanded = AdmissionReviews.readCapped(
                        new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(compressed)), cap);
                return store(source, expanded, otlp(type, lines), answer);
            } catch (BadReviewException e) {
                return answer.answer(e.status(), error(refusal("OTLP logs request", e)));
            } catch (IOException e) {
                return answer.answer(400, error("Content-Encoding: gzip, but the body is not gzip: " + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return answer.answer(503, error("the webhook is shutting down; send it again"));
            }
        } else if (!coding.isEmpty() && !coding.equals("identity")) {
            return answer.answer(415, error("Content-Encoding " + encoding + " is not read here: send gzip or none"));
        }
        return ingest(source, "OTLP logs request", authorization, request, body, otlp(type, lines), answer);
    }

    /** The lines of an OTLP logs request, read as {@code lines} reads a body of lines. */
    private static Reading otlp(String type, Reading lines) {
        return (bytes, problems) -> {
            OtlpLogs.Lines read = OtlpLogs.read(bytes, type);
            Read inner = lines.read(read.text(), problems);
            return new Read(inner.events(), inner.skipped() + read.notText(), inner.store());
        };
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

    /** What a body held, and how to store it. */
    private record Read(long events, long skipped, Storing store) {}

    @FunctionalInterface
    private interface Storing {
        ObservationStore.BatchResult into(ObservationStore store) throws SQLException;
    }

    @FunctionalInterface
    private interface Reading {
        Read read(byte[] body, Problems problems) throws IOException, SQLException;
    }

    /**
     * One ingest request: authenticated (a bearer token or the ingest CA's client certificate), its body read up to
     * the limit, parsed, stored in one transaction and answered only then — 200 with what was stored and what was
     * refused for good (each named by its line or index, logged, counted), 503 only when the store failed and a
     * retry could succeed.
     */
    private Response ingest(
            String source,
            String what,
            String authorization,
            HttpServerRequest request,
            InputStream body,
            Reading reading,
            Answer answering) {
        if (!authorized(authorization) && !clientCertified(request)) {
            // Say nothing about why: no hint for someone probing.
            return answering.answer(401, error("unauthorized"));
        }
        long announced = RequestMemory.announced(request == null ? null : request.getHeader("Content-Length"));
        try (RequestMemory.Reservation reservation = reserve(announced, body)) {
            return store(
                    source,
                    AdmissionReviews.readCapped(
                            body, (int) Math.min(config.ingest().maxBytes(), reservation.bodyBytes()), announced),
                    reading,
                    answering);
        } catch (BadReviewException e) {
            return answering.answer(e.status(), error(refusal(what, e)));
        } catch (IOException e) {
            return answering.answer(400, error("body could not be read: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return answering.answer(503, error("the webhook is shutting down; send it again"));
        }
    }

    /**
     * The heap for a batch of {@code announced} bytes ({@code -1}: unannounced, so the most it may be), reserved
     * before it is read ({@link RequestMemory}): a batch larger than the webhook stores within its memory is a 413,
     * one that waited {@value #BATCH_WAIT_SECONDS} s for the requests in flight a 503, which senders send again.
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

    /** The largest batch read: the configured limit, or less where the webhook's memory holds less. */
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

    /** Parses and stores a batch read whole, and answers. */
    private Response store(String source, byte[] bytes, Reading reading, Answer answering) {
        Problems problems = new Problems();
        Read read;
        try {
            read = reading.read(bytes, problems);
        } catch (IOException e) {
            return answering.answer(400, error(e.getMessage()));
        } catch (SQLException e) {
            LOG.errorf(e, "the store could not be opened for a %s batch; the sender will send it again", source);
            return answering.answer(503, error("the batch could not be stored; send it again"));
        }
        try {
            ObservationStore.BatchResult result = read.store().into(sink.store());
            // What is bad for good is answered 200 — sent again it would be just as bad, and a 5xx would make the
            // sender resend it for ever — and counted, logged and named in the body. 503 is only for a store failure.
            return answering.answer(200, answer(source, read.events(), read.skipped(), result, problems));
        } catch (SQLException | RuntimeException e) {
            LOG.errorf(
                    e, "storing a %s batch of %d events failed; the sender will send it again", source, read.events());
            return answering.answer(503, error("the batch could not be stored; send it again"));
        }
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
