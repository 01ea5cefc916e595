package dev.tailor.webhook.admission;

import static dev.tailor.webhook.admission.AdmissionReviews.allowed;
import static dev.tailor.webhook.admission.AdmissionReviews.denied;
import static dev.tailor.webhook.admission.AdmissionReviews.withAuditAnnotations;
import static dev.tailor.webhook.admission.AdmissionReviews.withPatch;
import static dev.tailor.webhook.admission.AdmissionReviews.withWarnings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.contract.AdmissionDecision;
import dev.tailor.contract.Mode;
import dev.tailor.contract.Names;
import dev.tailor.identity.OwnerClaims;
import dev.tailor.policy.AdmissionPolicy;
import dev.tailor.policy.Decision;
import dev.tailor.policy.PolicyEvaluationException;
import dev.tailor.policy.Violation;
import dev.tailor.webhook.TailorConfig.OnError;
import dev.tailor.webhook.decisions.DecisionLog;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Decides admission requests — everything between a decoded request and the review to send back, with no HTTP
 * and no Quarkus in it.
 *
 * <ul>
 *   <li><b>audit</b> (a namespace's default): allowed; each violation comes back as a warning the person running
 *       kubectl sees — {@code [tailor audit] would be denied in enforce mode: hostNamespaces: host namespaces
 *       (hostNetwork=true)} — and in {@code auditAnnotations} for the API server's audit log.
 *   <li><b>enforce</b>: denied, status 403, with the first {@value #MAX_LISTED} violations and the count of the rest.
 *   <li>violations marked {@code always} (the annotation guard) are denied in both modes.
 * </ul>
 *
 * Every validation is written to the decision log, one line per violated check (or one "allowed" line) — but for
 * dry runs, which change nothing and so are no evidence; pods that were admitted are recorded as seen.
 */
public final class AdmissionHandler {

    public static final String MODE_ANNOTATION = Names.MODE;
    static final int MAX_LISTED = 10;
    static final String AUDIT_PREFIX = "[tailor audit] would be denied in enforce mode: ";

    private final AdmissionPolicy engine;
    private final NamespaceLookup namespaces;
    private final Mode defaultMode;
    private final Mode clusterScopedMode;
    private final OnError onError;
    private final DecisionLog decisionLog;
    private final AdmissionMetrics metrics;
    private final Clock clock;
    private final ExistingPods existingPods;
    private final ExistingPodsCheck existingCheck;

    public AdmissionHandler(
            AdmissionPolicy engine,
            NamespaceLookup namespaces,
            Mode defaultMode,
            Mode clusterScopedMode,
            OnError onError,
            DecisionLog decisionLog,
            AdmissionMetrics metrics,
            Clock clock) {
        this(
                engine,
                namespaces,
                defaultMode,
                clusterScopedMode,
                onError,
                decisionLog,
                metrics,
                clock,
                ExistingPods.none());
    }

    public AdmissionHandler(
            AdmissionPolicy engine,
            NamespaceLookup namespaces,
            Mode defaultMode,
            Mode clusterScopedMode,
            OnError onError,
            DecisionLog decisionLog,
            AdmissionMetrics metrics,
            Clock clock,
            ExistingPods existingPods) {
        this.engine = engine;
        this.namespaces = namespaces;
        this.defaultMode = defaultMode;
        this.clusterScopedMode = clusterScopedMode;
        this.onError = onError;
        this.decisionLog = decisionLog;
        this.metrics = metrics;
        this.clock = clock;
        this.existingPods = existingPods;
        this.existingCheck = new ExistingPodsCheck(engine, existingPods);
    }

    /** The same handler evaluating on another engine (the webhook's event loops use the engine's resident view). */
    public AdmissionHandler withEngine(AdmissionPolicy other) {
        return new AdmissionHandler(
                other, namespaces, defaultMode, clusterScopedMode, onError, decisionLog, metrics, clock, existingPods);
    }

    /** Answers a {@code /validate} request from the API server, recording what it admitted. */
    public ObjectNode validate(JsonNode request) {
        return validate(request, true);
    }

    /**
     * Answers a {@code /validate} request.
     *
     * @param fromApiServer whether the caller proved to be the API server: only then is anything recorded (decisions,
     *     pods seen, who asked for a mode change) — anyone who reaches the port gets an answer, and nothing else
     */
    public ObjectNode validate(JsonNode request, boolean fromApiServer) {
        long start = System.nanoTime();
        RequestHeader h = RequestHeader.of(request);
        String uid = h.uid();
        JsonNode namespace = namespaceOf(h, fromApiServer);
        Mode mode = modeOf(h, namespace);
        Decision decision;
        try {
            decision = engine.validate(input(h, request, namespace, mode));
        } catch (PolicyEvaluationException e) {
            metrics.evaluationError("validate");
            return evaluationFailed(h, mode, e, start);
        }

        List<Violation> violations = decision.violations();
        boolean alwaysDenied = violations.stream().anyMatch(Violation::always);
        Answer answer = answer(uid, mode, violations);
        ObjectNode review = answer.review();
        String result = answer.result();
        // A dry run (kubectl --dry-run=server) is answered as the real request would be, but nothing happened: it is
        // no evidence of what the namespace does, so it stays out of the decision log and the store. A denied pod
        // was never made: it is no pod seen.
        if (fromApiServer && !h.dryRun()) {
            // One instant for the review: its lines are one request's, which a preview tells apart by the time.
            Instant decidedAt = clock.instant();
            record(h, recordedWorkload(h, request, decision.workload(), decisionLog), mode, violations, decidedAt);
            if (!result.equals("denied")) {
                decisionLog.admitted(request, decidedAt);
            }
        }
        if (!alwaysDenied && h.kind().equals("Namespace")) {
            review = modeChange(request, h, review, fromApiServer);
        }
        metrics.reviewed("validate", h.operation(), h.kind(), mode.value(), result, System.nanoTime() - start);
        return review;
    }

    /** The review a validation answers with, and its result: allowed, warned or denied. */
    private record Answer(ObjectNode review, String result) {}

    /**
     * Denied when a check that holds in every mode failed (its siblings come along as audit warnings), or in enforce
     * mode; allowed with a warning per violation in audit mode. A review with violations carries the mode and the
     * checks as audit annotations.
     */
    private static Answer answer(String uid, Mode mode, List<Violation> violations) {
        List<Violation> alwaysDenied =
                violations.stream().filter(Violation::always).toList();
        Answer answer;
        if (!alwaysDenied.isEmpty()) {
            ObjectNode review = denied(uid, denialMessage(alwaysDenied));
            withWarnings(
                    review,
                    auditWarnings(violations.stream().filter(v -> !v.always()).toList()));
            answer = new Answer(review, "denied");
        } else if (violations.isEmpty()) {
            answer = new Answer(allowed(uid), "allowed");
        } else if (mode == Mode.ENFORCE) {
            answer = new Answer(denied(uid, denialMessage(violations)), "denied");
        } else {
            answer = new Answer(withWarnings(allowed(uid), auditWarnings(violations)), "warned");
        }
        if (!violations.isEmpty()) {
            Map<String, String> annotations = new LinkedHashMap<>();
            annotations.put("mode", mode.value());
            annotations.put(
                    "violations",
                    violations.stream().map(Violation::check).distinct().collect(Collectors.joining(",")));
            withAuditAnnotations(answer.review(), annotations);
        }
        return answer;
    }

    /** Answers a {@code /mutate} request from the API server. */
    public ObjectNode mutate(JsonNode request) {
        return mutate(request, true);
    }

    /**
     * Answers a {@code /mutate} request: a JSON Patch, or nothing to change.
     *
     * @param fromApiServer whether the caller may be believed to be the API server: only then may a namespace not
     *     known yet be asked of it
     */
    public ObjectNode mutate(JsonNode request, boolean fromApiServer) {
        long start = System.nanoTime();
        RequestHeader h = RequestHeader.of(request);
        String uid = h.uid();
        JsonNode namespace = namespaceOf(h, fromApiServer);
        Mode mode = modeOf(h, namespace);
        try {
            ObjectNode review = withPatch(allowed(uid), engine.mutate(input(h, request, namespace, mode)));
            metrics.reviewed(
                    "mutate",
                    h.operation(),
                    h.kind(),
                    mode.value(),
                    review.path("response").has("patch") ? "patched" : "allowed",
                    System.nanoTime() - start);
            return review;
        } catch (PolicyEvaluationException e) {
            // A mutation that cannot be computed is left out; /validate still judges the object as it is.
            metrics.evaluationError("mutate");
            metrics.reviewed("mutate", h.operation(), h.kind(), mode.value(), "error", System.nanoTime() - start);
            return withWarnings(allowed(uid), List.of("[tailor] could not compute a mutation: " + e.getMessage()));
        }
    }

    private ObjectNode evaluationFailed(RequestHeader h, Mode mode, PolicyEvaluationException e, long start) {
        String uid = h.uid();
        boolean deny = switch (onError) {
            case ALLOW -> false;
            case DENY -> true;
            case FOLLOW_MODE -> mode == Mode.ENFORCE;
        };
        String message = "tailor could not evaluate its policies: " + e.getMessage();
        ObjectNode review = deny
                ? AdmissionReviews.errored(
                        uid, 500, "InternalError", message + "; denied because the namespace is enforced")
                : withWarnings(
                        allowed(uid),
                        List.of("[tailor] " + message + "; allowed because the namespace is in audit mode"));
        String result = deny ? "denied" : "error";
        decisionLog.record(List.of(new AdmissionDecision(
                clock.instant(),
                uid,
                h.namespace(),
                "",
                h.user(),
                h.operation(),
                h.kind(),
                h.name(),
                mode.value(),
                "",
                "error",
                message)));
        metrics.reviewed("validate", h.operation(), h.kind(), mode.value(), result, System.nanoTime() - start);
        return review;
    }

    /**
     * The workload a decision is recorded under: the one the policy judged the request as (a pod's claimed owner —
     * enforcement holds a made-up pod to the approvals of the workload it claims), except for a pod created by someone
     * other than the controller its controller reference names ({@link OwnerClaims}: the API server vouches for the
     * creator, not for the reference): that pod is recorded as its own workload, as the store learns it, so that the
     * enforce preview and the namespace's report do not put what an editor's pod would have been denied for on the
     * Deployment it claims (nor fold it into the Deployment's own rejection). So are its later requests (an update, an
     * ephemeral container), which carry no creator: by what the stream knows of its creation.
     */
    static String recordedWorkload(RequestHeader h, JsonNode request, String judged, DecisionLog stream) {
        if (!h.kind().equals("Pod") || h.name().isEmpty()) {
            return judged;
        }
        if (!h.operation().equals("CREATE")) {
            return stream.ownerRefused(h.namespace(), h.name()) ? "pod." + h.name() : judged;
        }
        if (!h.subResource().isEmpty()) {
            return judged;
        }
        JsonNode owner = dev.tailor.observe.admission.AdmissionStreamReader.controllerReference(
                request.path("object").path("metadata"));
        return !owner.isMissingNode()
                        && OwnerClaims.refused(
                                owner.path("apiVersion").asText(""),
                                owner.path("kind").asText(""),
                                h.user())
                ? "pod." + h.name()
                : judged;
    }

    private void record(RequestHeader h, String workload, Mode mode, List<Violation> violations, Instant decidedAt) {
        List<AdmissionDecision> records = new ArrayList<>();
        if (violations.isEmpty()) {
            records.add(line(decidedAt, h, workload, mode, "", "allowed", ""));
        }
        List<Violation> warned = new ArrayList<>();
        for (Violation v : violations) {
            String verdict = v.always() || mode == Mode.ENFORCE ? "denied" : "warned";
            records.add(line(decidedAt, h, workload, mode, v.check(), verdict, v.message()));
            metrics.decision(v.check(), verdict);
            if (verdict.equals("warned")) {
                warned.add(v);
            }
        }
        decisionLog.record(records);
        if (!warned.isEmpty() && !h.operation().equals("DELETE")) {
            decisionLog.wouldDeny(
                    decidedAt,
                    h.namespace(),
                    workload,
                    new dev.tailor.webhook.reports.PolicyReports.Resource(
                            h.apiVersion(), h.kind(), h.namespace(), h.name()),
                    warned);
        }
    }

    /** One line of the decision log: a check's verdict on the request (or "allowed", with no check). */
    private static AdmissionDecision line(
            Instant decidedAt,
            RequestHeader h,
            String workload,
            Mode mode,
            String check,
            String verdict,
            String message) {
        return new AdmissionDecision(
                decidedAt,
                h.uid(),
                h.namespace(),
                workload,
                h.user(),
                h.operation(),
                h.kind(),
                h.name(),
                mode.value(),
                check,
                verdict,
                message);
    }

    /**
     * A namespace switched to enforce: like Pod Security Admission when its enforce level is tightened, the pods it
     * already runs are checked ({@link ExistingPodsCheck}) and what enforce mode would reject comes back as warnings
     * to whoever flipped it. Any allowed mode change is reported for the Event recorded when it takes effect.
     */
    private ObjectNode modeChange(JsonNode request, RequestHeader h, ObjectNode review, boolean fromApiServer) {
        String name = h.name();
        String to = request.path("object")
                .path("metadata")
                .path("annotations")
                .path(MODE_ANNOTATION)
                .asText("");
        String from = request.path("oldObject")
                .path("metadata")
                .path("annotations")
                .path(MODE_ANNOTATION)
                .asText("");
        if (to.equals(from) || h.dryRun()) {
            return review;
        }
        if (fromApiServer) {
            namespaces.modeChangeAllowed(name, h.user(), to);
        }
        if (!to.equals(Mode.ENFORCE.value())) {
            return review;
        }
        return withWarnings(review, existingCheck.warnings(name, enforcingNamespace(request.path("object"))));
    }

    /** The namespace as it will be: its new annotations (Pod Security level too) judge the existing pods. */
    private static JsonNode enforcingNamespace(JsonNode object) {
        ObjectNode ns = JsonNodeFactory.instance.objectNode();
        ns.set("metadata", object.path("metadata"));
        return ns;
    }

    /**
     * Whether answering this request may wait for the API server (its namespace not known yet, and the caller one
     * whose misses are asked): then it is not to be answered on an event loop.
     */
    public boolean mayAsk(JsonNode request, boolean fromApiServer) {
        if (!fromApiServer) {
            return false;
        }
        String name = namespaceName(
                request.path("namespace").asText(""),
                request.path("kind").path("kind").asText(),
                request.path("name").asText(""));
        return name != null && namespaces.mayAsk(name);
    }

    /**
     * The namespace a request falls in; one not known yet is asked of the API server only for a caller believed to be
     * it (the API server sends no review for a namespace that does not exist; anyone else may name any).
     */
    private JsonNode namespaceOf(RequestHeader h, boolean fromApiServer) {
        String name = namespaceName(h.namespace(), h.kind(), h.name());
        if (name == null) {
            return null;
        }
        return fromApiServer ? namespaces.namespaceAsking(name) : namespaces.namespace(name);
    }

    /** The namespace's name: the request's, or the Namespace's own; null for other cluster-scoped objects. */
    private static String namespaceName(String namespace, String kind, String name) {
        if (!namespace.isEmpty()) {
            return namespace;
        }
        return kind.equals("Namespace") ? name : null;
    }

    private Mode modeOf(RequestHeader h, JsonNode namespace) {
        if (namespace == null) {
            boolean clusterScoped = h.namespace().isEmpty() && !h.kind().equals("Namespace");
            return clusterScoped ? clusterScopedMode : defaultMode;
        }
        return Mode.selectedBy(namespace, defaultMode);
    }

    /** The policies' input for a request: for a Namespace write, with the mode the written object selects. */
    private ObjectNode input(RequestHeader h, JsonNode request, JsonNode namespace, Mode mode) {
        ObjectNode input = input(request, namespace, mode);
        JsonNode written = request.path("object");
        if (h.kind().equals("Namespace") && written.isObject()) {
            input.put(
                    "admittedNamespaceMode",
                    Mode.selectedBy(written, defaultMode).value());
        }
        return input;
    }

    static ObjectNode input(JsonNode request, JsonNode namespace, Mode mode) {
        ObjectNode input = JsonNodeFactory.instance.objectNode();
        input.set("request", withoutManagedFields(request, "object", "oldObject"));
        input.set(
                "namespace", namespace == null ? JsonNodeFactory.instance.nullNode() : withoutManagedFields(namespace));
        input.put("mode", mode.value());
        return input;
    }

    /**
     * The objects as the policies read them: without {@code metadata.managedFields}, which the API server adds to
     * every object it sends and no check reads — often most of a review's bytes, each of them serialized, copied into
     * the policy's memory and parsed again there. Shallow copies: the request itself is left whole.
     */
    private static JsonNode withoutManagedFields(JsonNode request, String... objectFields) {
        if (!request.isObject()) {
            return request;
        }
        ObjectNode copy = null;
        for (String field : objectFields) {
            JsonNode trimmed = withoutManagedFields(request.path(field));
            if (trimmed != request.path(field)) {
                copy = copy != null
                        ? copy
                        : JsonNodeFactory.instance.objectNode().setAll((ObjectNode) request);
                copy.set(field, trimmed);
            }
        }
        return copy != null ? copy : request;
    }

    private static JsonNode withoutManagedFields(JsonNode object) {
        JsonNode metadata = object.path("metadata");
        if (!metadata.isObject() || !metadata.has("managedFields")) {
            return object;
        }
        ObjectNode trimmedMetadata = JsonNodeFactory.instance.objectNode().setAll((ObjectNode) metadata);
        trimmedMetadata.remove("managedFields");
        ObjectNode trimmed = JsonNodeFactory.instance.objectNode().setAll((ObjectNode) object);
        trimmed.set("metadata", trimmedMetadata);
        return trimmed;
    }

    private static List<String> auditWarnings(List<Violation> violations) {
        return violations.stream().map(v -> AUDIT_PREFIX + v.message()).toList();
    }

    /** "tailor: 2 violations: hostNamespaces: host namespaces (hostNetwork=true); privileged: …" */
    static String denialMessage(List<Violation> violations) {
        StringBuilder message = new StringBuilder("tailor: ");
        message.append(violations.size()).append(violations.size() == 1 ? " violation: " : " violations: ");
        message.append(
                violations.stream().limit(MAX_LISTED).map(Violation::message).collect(Collectors.joining("; ")));
        if (violations.size() > MAX_LISTED) {
            message.append("; and ").append(violations.size() - MAX_LISTED).append(" more");
        }
        return message.toString();
    }
}
