package dev.tailor.webhook.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.contract.Names;
import dev.tailor.observe.admission.EnforcePreview;
import dev.tailor.store.ObservationSnapshot;
import dev.tailor.store.ObservationStore;
import dev.tailor.webhook.ObservationSink;
import dev.tailor.webhook.RequestMemory;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.jboss.logging.Logger;

/**
 * Tailor's aggregated API, {@code tailor.dev/v1alpha1}, registered with the API server by an APIService: what the
 * webhook knows, for a user who has only a kubeconfig. The API server authenticates the user and forwards the request
 * through its front proxy ({@link FrontProxy}); each request is then authorized for that user by a
 * SubjectAccessReview — the user's own RBAC, never a shared secret.
 *
 * <pre>
 * kubectl get --raw '/apis/tailor.dev/v1alpha1/namespaces/shop/enforcepreviews/shop?since=7d'
 * {"kind":"EnforcePreview","apiVersion":"tailor.dev/v1alpha1","metadata":{"name":"shop","namespace":"shop"},
 *  "window":{"from":"…","until":"…"},"requests":40,"wouldReject":0,"byCheck":{},"examples":[]}
 * </pre>
 *
 * Allowed by RBAC {@code get} on {@code enforcepreviews.tailor.dev} in the namespace (the ClusterRole
 * {@code tailor-enforce-preview}, aggregated to {@code admin}).
 */
@Path(Names.API_PATH)
public class TailorApiResource {

    private static final Logger LOG = Logger.getLogger(TailorApiResource.class);
    public static final String GROUP = Names.GROUP;
    public static final String VERSION = "v1alpha1";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The longest window a preview reads: what the store keeps is a week or two; more is a typo. */
    static final Duration MAX_WINDOW = Duration.ofDays(31);

    private final FrontProxy proxy;
    private final KubernetesClient client;
    private final ObservationSink sink;
    private final RequestMemory memory;

    public TailorApiResource(FrontProxy proxy, KubernetesClient client, ObservationSink sink, RequestMemory memory) {
        this.proxy = proxy;
        this.client = client;
        this.sink = sink;
        this.memory = memory;
    }

    /** Discovery, as the API server's aggregator and kubectl read it. */
    @GET
    @Blocking
    public Response resources(@Context HttpServerRequest request) {
        if (user(request).isEmpty()) {
            return status(401, "Unauthorized", "not a request from the API server's front proxy");
        }
        ObjectNode list = JSON.createObjectNode()
                .put("kind", "APIResourceList")
                .put("apiVersion", "v1")
                .put("groupVersion", GROUP + "/" + VERSION);
        var resources = list.putArray("resources");
        resources
                .addObject()
                .put("name", "enforcepreviews")
                .put("singularName", "enforcepreview")
                .put("namespaced", true)
                .put("kind", "EnforcePreview")
                .putArray("verbs")
                .add("get");
        resources
                .addObject()
                .put("name", "observationsnapshots")
                .put("singularName", "observationsnapshot")
                .put("namespaced", false)
                .put("kind", ObservationSnapshot.KIND)
                .putArray("verbs")
                .add("get");
        return json(200, list);
    }

    /**
     * The store as {@code tailor generate --store cluster} and {@code tailor impact --store cluster} read it: every
     * aggregate and the window's decisions ({@link ObservationSnapshot}), streamed. Cluster-wide evidence, so
     * cluster-scoped: {@code get observationsnapshots.tailor.dev} (the ClusterRole {@code tailor-observations-reader}).
     */
    @GET
    @Path("observationsnapshots/{name}")
    @Blocking
    public Response observationSnapshot(
            @Context HttpServerRequest request,
            @PathParam("name") String name,
            @QueryParam("since") String since,
            @QueryParam("until") String until,
            @QueryParam("enforcePreviews") boolean enforcePreviews) {
        Optional<FrontProxy.User> user = user(request);
        if (user.isEmpty()) {
            return status(401, "Unauthorized", "not a request from the API server's front proxy");
        }
        if (!allowed(user.get(), "observationsnapshots", null)) {
            return status(
                    403,
                    "Forbidden",
                    "observationsnapshots." + GROUP + " \"" + name + "\" is forbidden: User \""
                            + user.get().name() + "\" cannot get resource \"observationsnapshots\" in API group \""
                            + GROUP + "\" at the cluster scope");
        }
        Window w;
        try {
            w = window(since, until, null); // no until: the window ends at the store's last observation
        } catch (RuntimeException e) {
            return badWindow(e);
        }
        Instant end = w.end();
        Duration window = w.length();
        if (!snapshotting.tryAcquire()) {
            return Response.fromResponse(status(
                            429,
                            "TooManyRequests",
                            "another observation snapshot is being written; try again in a few seconds"))
                    .header("Retry-After", "5")
                    .build();
        }
        dev.tailor.store.ObservationStore store;
        try {
            store = sink.store();
        } catch (java.sql.SQLException | RuntimeException e) {
            snapshotting.release();
            LOG.errorf(e, "an observation snapshot could not be read from the store");
            return status(503, "ServiceUnavailable", "the store could not be read; try again");
        }
        // Streamed, not buffered: a large cluster's snapshot (16 MB for 1,002 workloads over 30 days) held whole in
        // the heap beside the store's rows needed more than the webhook's 96 MiB. A store that fails half-way ends
        // the response unfinished — an incomplete JSON document, which no reader takes for a snapshot.
        jakarta.ws.rs.core.StreamingOutput body = out -> {
            try {
                // Asked so (the CLI asks), the window's previews in place of its lines: the reader holds a page of
                // them, not the hundreds of thousands of lines a namespace that violates all week leaves.
                // Yielding: at most half a core, the rest left to the admission reviews answered meanwhile.
                ObservationSnapshot.write(
                        store,
                        window,
                        end,
                        new YieldingOutput(out),
                        enforcePreviews ? (f, u) -> previews(store, f, u, null) : null);
            } catch (java.sql.SQLException | RuntimeException e) {
                LOG.errorf(e, "an observation snapshot could not be read from the store; its response is cut short");
                throw new java.io.IOException("the store could not be read", e);
            } finally {
                snapshotting.release();
            }
        };
        return Response.ok(body, MediaType.APPLICATION_JSON).build();
    }

    /**
     * One snapshot at a time: each holds the store's rows in memory while it is written (tens of MiB on a large
     * cluster), and a few side by side would exhaust the webhook's heap — which ends the process, admission included.
     */
    private final java.util.concurrent.Semaphore snapshotting = new java.util.concurrent.Semaphore(1);

    @GET
    @Path("namespaces/{namespace}/enforcepreviews/{name}")
    @Blocking
    public Response enforcePreview(
            @Context HttpServerRequest request,
            @PathParam("namespace") String namespace,
            @PathParam("name") String name,
            @QueryParam("since") String since,
            @QueryParam("until") String until) {
        Optional<FrontProxy.User> user = user(request);
        if (user.isEmpty()) {
            return status(401, "Unauthorized", "not a request from the API server's front proxy");
        }
        if (!allowed(user.get(), "enforcepreviews", namespace)) {
            return status(
                    403,
                    "Forbidden",
                    "enforcepreviews." + GROUP + " \"" + name + "\" is forbidden: User \""
                            + user.get().name() + "\" cannot get resource \"enforcepreviews\" in API group \"" + GROUP
                            + "\" in the namespace \""
                            + namespace + "\"");
        }
        Window w;
        try {
            w = window(since, until, Instant.now());
        } catch (RuntimeException e) {
            return badWindow(e);
        }
        Instant end = w.end();
        Instant from = end.minus(w.length());
        try {
            EnforcePreview preview = previews(sink.store(), from, end, namespace)
                    .getOrDefault(namespace, new EnforcePreview(0, 0, Map.of(), List.of()));
            ObjectNode body =
                    JSON.createObjectNode().put("kind", "EnforcePreview").put("apiVersion", GROUP + "/" + VERSION);
            body.putObject("metadata").put("name", name).put("namespace", namespace);
            body.putObject("window").put("from", from.toString()).put("until", end.toString());
            body.setAll(
                    (ObjectNode) JSON.valueToTree(preview)); // requests, wouldReject, byCheck, otherWorkloads, examples
            return json(200, body);
        } catch (java.sql.SQLException | RuntimeException e) {
            LOG.errorf(e, "the enforce preview of %s could not be read from the store", namespace);
            return status(503, "ServiceUnavailable", "the store could not be read; try again");
        }
    }

    /**
     * The previews of a window (of one namespace, or all when null): a page of the lines at a time, tallied in the
     * heap the ingest batches' share of the request memory lends it now — else, or when a tally of them would keep
     * more, counted by the database: never the lines, nor all their UIDs, in the heap, however many previews are asked
     * at once.
     */
    private Map<String, EnforcePreview> previews(ObservationStore store, Instant from, Instant until, String namespace)
            throws java.sql.SQLException {
        try (RequestMemory.Reservation tallyHeap = memory.batches()
                .reserveNow(ObservationStore.PREVIEW_TALLY_HEAP / RequestMemory.BATCH_HEAP_PER_BYTE)
                .orElse(null)) {
            return store.enforcePreviews(
                    from, until, namespace, tallyHeap != null ? ObservationStore.PREVIEW_TALLY_HEAP : 0);
        }
    }

    private Optional<FrontProxy.User> user(HttpServerRequest request) {
        if (request == null || !request.isSSL() || request.sslSession() == null) {
            return Optional.empty();
        }
        X509Certificate peer;
        try {
            var chain = request.sslSession().getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate c)) {
                return Optional.empty();
            }
            peer = c;
        } catch (SSLPeerUnverifiedException noCertificate) {
            return Optional.empty();
        }
        Map<String, List<String>> headers = new TreeMap<>();
        request.headers()
                .forEach(h -> headers.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(h.getValue()));
        return proxy.authenticate(peer, headers);
    }

    /** The user's own RBAC decides: get RESOURCE.tailor.dev in the namespace (null: cluster-scoped). */
    private boolean allowed(FrontProxy.User user, String resource, String namespace) {
        SubjectAccessReview review = new SubjectAccessReviewBuilder()
                .withNewSpec()
                .withUser(user.name())
                .withGroups(user.groups())
                .withExtra(user.extra())
                .withNewResourceAttributes()
                .withGroup(GROUP)
                .withVersion(VERSION)
                .withResource(resource)
                .withVerb("get")
                .withNamespace(namespace)
                .endResourceAttributes()
                .endSpec()
                .build();
        try {
            SubjectAccessReview answer =
                    client.authorization().v1().subjectAccessReview().create(review);
            return answer.getStatus() != null
                    && Boolean.TRUE.equals(answer.getStatus().getAllowed());
        } catch (RuntimeException e) {
            LOG.warnf("a SubjectAccessReview for %s failed (%s): refused", user.name(), e.getMessage());
            return false;
        }
    }

    /** A window's end (null: where the data ends) and length. */
    private record Window(Instant end, Duration length) {}

    /** The window the query asks for: {@code since} (default 7d), {@code until} (default {@code defaultEnd}). */
    private static Window window(String since, String until, Instant defaultEnd) {
        return new Window(
                until == null || until.isBlank() ? defaultEnd : dev.tailor.util.Durations.windowEnd(until),
                since == null || since.isBlank() ? Duration.ofDays(7) : duration(since));
    }

    private Response badWindow(RuntimeException e) {
        return status(
                400,
                "BadRequest",
                "since must be a duration like 7d, 36h or 90m (at most 31d), until an " + "RFC 3339 time: "
                        + e.getMessage());
    }

    /** A window of at most {@link #MAX_WINDOW}, not empty: {@code 7d}, {@code 36h}, {@code 90m}. */
    static Duration duration(String text) {
        Duration d = dev.tailor.util.Durations.parse(text);
        if (d.compareTo(MAX_WINDOW) > 0 || d.isZero()) {
            throw new IllegalArgumentException("got " + text);
        }
        return d;
    }

    private static Response status(int code, String reason, String message) {
        ObjectNode status = JSON.createObjectNode()
                .put("kind", "Status")
                .put("apiVersion", "v1")
                .put("status", "Failure")
                .put("message", message)
                .put("reason", reason)
                .put("code", code);
        status.putObject("metadata");
        return json(code, status);
    }

    private static Response json(int code, ObjectNode body) {
        return Response.status(code)
                .type(MediaType.APPLICATION_JSON)
                .entity(body.toString())
                .build();
    }
}
