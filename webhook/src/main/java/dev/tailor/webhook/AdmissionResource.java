package dev.tailor.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.webhook.admission.AdmissionHandler;
import dev.tailor.webhook.admission.AdmissionReviews;
import dev.tailor.webhook.admission.BadReviewException;
import dev.tailor.webhook.tls.ClientCertificates;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The HTTP edge of the webhook: caps the body, checks the content type, decodes the review, and hands the
 * request to {@link AdmissionHandler}. Whatever goes wrong, the answer is JSON that carries the request UID
 * when there was one — never a stack trace.
 */
@Path("/")
public class AdmissionResource {

    private static final Logger LOG = Logger.getLogger(AdmissionResource.class);

    private final AdmissionHandler handler;
    private final TailorConfig config;
    private final List<X509Certificate> apiServerAuthorities;

    public AdmissionResource(AdmissionHandler handler, TailorConfig config) {
        this.handler = handler;
        this.config = config;
        this.apiServerAuthorities = config.admissionCallers()
                .clientCa()
                .map(file -> ClientCertificates.readAuthorities(file, "tailor.admission-callers.client-ca"))
                .orElse(List.of());
    }

    @POST
    @Path("validate")
    @Blocking
    public Response validate(
            @HeaderParam("Content-Type") String contentType, @Context HttpServerRequest http, InputStream body) {
        boolean fromApiServer = fromApiServer(http);
        return answer(contentType, body, request -> handler.validate(request, fromApiServer));
    }

    /**
     * True when no API server identity is configured (every caller is believed), or the caller presented a client
     * certificate from {@code tailor.admission-callers.client-ca} issued to one of its names.
     */
    private boolean fromApiServer(HttpServerRequest http) {
        if (config.admissionCallers().clientCa().isEmpty()) {
            return true;
        }
        try {
            var chain = http == null || http.sslSession() == null
                    ? null
                    : http.sslSession().getPeerCertificates();
            return chain != null
                    && chain.length > 0
                    && chain[0] instanceof X509Certificate peer
                    && ClientCertificates.issuedByOneOf(peer, apiServerAuthorities)
                    && ClientCertificates.names(peer).stream()
                            .anyMatch(config.admissionCallers().clientNames()::contains);
        } catch (javax.net.ssl.SSLPeerUnverifiedException noCertificate) {
            return false;
        }
    }

    @POST
    @Path("mutate")
    @Blocking
    public Response mutate(@HeaderParam("Content-Type") String contentType, InputStream body) {
        return answer(contentType, body, handler::mutate);
    }

    private Response answer(String contentType, InputStream body, Function<JsonNode, ObjectNode> decide) {
        String uid = "";
        try {
            if (contentType == null
                    || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith(MediaType.APPLICATION_JSON)) {
                throw new BadReviewException(
                        415,
                        "",
                        "Content-Type must be application/json, got " + (contentType == null ? "none" : contentType));
            }
            JsonNode request =
                    AdmissionReviews.decodeRequest(AdmissionReviews.readCapped(body, config.maxReviewBytes()));
            uid = request.path("uid").asText();
            return json(200, decide.apply(request));
        } catch (BadReviewException e) {
            return json(e.status(), AdmissionReviews.errored(e.uid(), e.status(), reason(e.status()), e.getMessage()));
        } catch (Exception e) {
            LOG.errorf(e, "answering admission request %s", uid);
            return json(
                    500,
                    AdmissionReviews.errored(
                            uid,
                            500,
                            "InternalError",
                            "tailor failed to answer: " + e.getClass().getSimpleName()));
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 413 -> "RequestEntityTooLarge";
            case 415 -> "UnsupportedMediaType";
            default -> "BadRequest";
        };
    }

    private static Response json(int status, JsonNode body) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(AdmissionReviews.toBytes(body))
                .build();
    }
}
