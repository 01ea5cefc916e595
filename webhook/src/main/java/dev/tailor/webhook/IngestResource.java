package dev.tailor.webhook;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.observe.Problems;
import dev.tailor.observe.audit.ApiRequest;
import dev.tailor.observe.audit.AuditLogReader;
import dev.tailor.store.ObservationStore;
import dev.tailor.webhook.admission.AdmissionReviews;
import dev.tailor.webhook.admission.BadReviewException;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
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

    private final TailorConfig config;
    private final ObservationSink sink;
    private final List<byte[]> tokens = new ArrayList<>();
    private final List<X509Certificate> clientAuthorities;

    /** Audit events refused for good (not an Event, a missing field, a value the store cannot hold): counted here. */
    private final io.micrometer.core.instrument.Counter rejectedTotal;

    public IngestResource(TailorConfig config, ObservationSink sink, io.micrometer.core.instrument.MeterRegistry registry) {
        this.config = config;
        this.sink = sink;
        this.rejectedTotal = io.micrometer.core.instrument.Counter.builder("tailor.ingest.audit.rejected")
                .description("Audit events /ingest/audit refused for good (each is logged; the rest of its batch is stored)")
                .register(registry);
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

    @POST
    @Path("audit")
    @Blocking
    public Response audit(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest request,
            InputStream body) {
        if (!authorized(authorization) && !clientCertified(request)) {
            // Say nothing about why: no hint for someone probing.
            return json(401, error("unauthorized"));
        }
        byte[] bytes;
        try {
            bytes = AdmissionReviews.readCapped(body, config.ingest().maxBytes());
        } catch (BadReviewException e) {
            return json(413, error("EventList larger than " + config.ingest().maxBytes() + " bytes"));
        } catch (IOException e) {
            return json(400, error("body could not be read: " + e.getMessage()));
        }
        List<ApiRequest> requests = new ArrayList<>();
        Problems problems = new Problems();
        AuditLogReader.Stats stats;
        try {
            // An event with a value longer than the store holds (a GET of a 300-character name) is refused alone, as
            // "items[N]": the others are stored.
            stats = new AuditLogReader().readEventList("POST /ingest/audit", bytes, r -> {
                dev.tailor.store.Columns.require(dev.tailor.store.Columns.problem(dev.tailor.observe.audit.ApiAccess.of(r)));
                requests.add(r);
            }, problems);
        } catch (IOException e) {
            return json(400, error(e.getMessage()));
        }
        try {
            ObservationStore.BatchResult result = sink.store().ingestAudit(requests);
            ObjectNode answer = JsonNodeFactory.instance.objectNode();
            answer.put("events", stats.lines()).put("stored", result.added()).put("alreadyStored", result.alreadyStored())
                    .put("skipped", stats.skipped().values().stream().mapToLong(Long::longValue).sum())
                    .put("rejected", problems.total());
            problems.first().forEach(p -> answer.withArray("problems").add(p.toString()));
            if (problems.total() > 0) {
                rejectedTotal.increment(problems.total());
                LOG.warnf("audit batch: %d of %d events rejected, e.g. %s", problems.total(), stats.lines(),
                        problems.first().get(0));
            }
            // What is bad for good is answered 200 — sent again it would be just as bad, and a 5xx would make the API
            // server resend it for ever — and counted, logged and named in the body. 503 is only for a store failure.
            return json(200, answer);
        } catch (SQLException | RuntimeException e) {
            LOG.errorf(e, "storing an audit batch of %d events failed; the API server will send it again", requests.size());
            return json(503, error("the batch could not be stored; send it again"));
        }
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
            return chain.length > 0 && chain[0] instanceof X509Certificate client
                    && dev.tailor.webhook.tls.ClientCertificates.issuedByOneOf(client, clientAuthorities)
                    && dev.tailor.webhook.tls.ClientCertificates.names(client).stream().anyMatch(config.ingest().clientNames()::contains);
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
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(AdmissionReviews.toBytes(body)).build();
    }
}
