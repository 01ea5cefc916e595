package dev.tailor.webhook.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NumericNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ValueNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Reading {@code admission.k8s.io/v1} AdmissionReviews and writing their responses — the named response
 * factories ({@link #allowed}, {@link #denied}, {@link #errored}) and the appending {@link #withWarnings},
 * {@link #withAuditAnnotations} and {@link #withPatch}. Values, not exceptions, carry a denial.
 */
public final class AdmissionReviews {

    public static final String API_VERSION = "admission.k8s.io/v1";
    public static final String KIND = "AdmissionReview";

    /**
     * Reviews as they are read: a field twice in one object and a number beyond 64 bits are refused as the tree is
     * built ({@link DeserializationFeature#FAIL_ON_READING_DUP_TREE_KEY} costs nothing where the parser's duplicate
     * detection kept a set of each object's names: 2 % of a Pod's decision; {@link RangeCheckedNodes}, where a walk
     * of the tree after it cost 1 %).
     */
    static final ObjectMapper JSON = mapper(new RangeCheckedNodes());

    /** The same without the range check: the path to a number out of range is looked for in what it reads. */
    private static final ObjectMapper UNCHECKED = mapper(JsonNodeFactory.instance);

    private static ObjectMapper mapper(JsonNodeFactory nodes) {
        ObjectMapper mapper = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .nodeFactory(nodes)
                .build();
        // Kubernetes objects are shallow; a deeply nested body is an attack, not a pod.
        mapper.getFactory()
                .setStreamReadConstraints(
                        StreamReadConstraints.builder().maxNestingDepth(200).build());
        return mapper;
    }

    /**
     * Jackson's nodes, but a number that is neither a 64-bit integer nor a finite double is refused where it is read:
     * the API server never sends one (Kubernetes' numbers are 64-bit), and the policy engine cannot read one.
     */
    private static final class RangeCheckedNodes extends JsonNodeFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public ValueNode numberNode(BigInteger v) {
            throw new OutOfRange();
        }

        @Override
        public NumericNode numberNode(double v) {
            if (!Double.isFinite(v)) {
                throw new OutOfRange();
            }
            return super.numberNode(v);
        }

        @Override
        public NumericNode numberNode(float v) {
            if (!Float.isFinite(v)) {
                throw new OutOfRange();
            }
            return super.numberNode(v);
        }
    }

    /** Thrown through Jackson's reading by {@link RangeCheckedNodes}; {@link #decodeRequest} looks for the number. */
    private static final class OutOfRange extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OutOfRange() {
            super(null, null, false, false);
        }
    }

    private AdmissionReviews() {}

    /** Reads {@code body} to its end and drops it: a client over HTTP/1.1 reads no answer before it has sent it all. */
    public static void discard(InputStream body) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        while (body.read(buffer) != -1) {
            // discarded; HTTP's body limit bounds it
        }
    }

    /** The 413 of a review over {@code maxBytes}. */
    public static BadReviewException largerThan(int maxBytes) {
        return new BadReviewException(413, "", "AdmissionReview larger than " + maxBytes + " bytes");
    }

    /**
     * {@link #readCapped(InputStream, int)}, for a body that announced its length ({@code announced}, -1 when it did
     * not): one within the cap is read into an array of exactly that length, with no buffer grown and copied on the way
     * — a pod's review of 5 KB used to leave 85 KB behind (a 64 KiB buffer, a 16 KiB one, the copy), at a thousand
     * reviews a second. A body longer than it announced is refused; a shorter one is what arrived.
     */
    public static byte[] readCapped(InputStream body, int maxBytes, long announced)
            throws IOException, BadReviewException {
        if (announced < 0 || announced > maxBytes) {
            return readCapped(body, maxBytes);
        }
        byte[] bytes = new byte[(int) announced];
        int read = 0;
        for (int n; read < bytes.length && (n = body.read(bytes, read, bytes.length - read)) != -1; ) {
            read += n;
        }
        if (read < bytes.length) {
            return Arrays.copyOf(bytes, read);
        }
        if (body.read() != -1) {
            discard(body);
            throw new BadReviewException(400, "", "body longer than its Content-Length of " + announced + " bytes");
        }
        return bytes;
    }

    /** Reads at most {@code maxBytes} from {@code body}; one byte more is a 413. */
    public static byte[] readCapped(InputStream body, int maxBytes) throws IOException, BadReviewException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, 64 * 1024));
        byte[] buffer = new byte[16 * 1024];
        int total = 0;
        for (int n; (n = body.read(buffer)) != -1; ) {
            total += n;
            if (total > maxBytes) {
                // The rest is read and dropped (HTTP's body limit bounds it), so that the client, which over HTTP/1.1
                // reads no answer before it has sent its whole body, gets this one rather than a broken connection.
                discard(body);
                throw largerThan(maxBytes);
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /**
     * Decodes a review and returns its {@code request}, checked for what every answer needs: the review's
     * apiVersion and kind, a {@code request.uid}, {@code request.kind.kind}, {@code request.operation}, and
     * {@code request.object} (or {@code oldObject} for a DELETE).
     */
    public static JsonNode decodeRequest(byte[] body) throws BadReviewException {
        JsonNode review;
        try {
            review = JSON.readTree(body);
        } catch (OutOfRange e) {
            throw numberOutOfRange(body);
        } catch (JsonProcessingException e) {
            String problem = e.getOriginalMessage();
            int internal = problem.indexOf(" for `ObjectNode`"); // a duplicate field: the rest names Jackson's setting
            throw new BadReviewException(
                    400, "", "body is not JSON: " + (internal < 0 ? problem : problem.substring(0, internal)));
        } catch (IOException e) {
            throw new BadReviewException(400, "", "body could not be read: " + e.getMessage());
        }
        if (review == null || !review.isObject()) {
            throw new BadReviewException(400, "", "body is not a JSON object");
        }
        String uid = review.path("request").path("uid").isTextual()
                ? review.path("request").path("uid").asText()
                : "";
        if (!API_VERSION.equals(review.path("apiVersion").asText(null))) {
            throw new BadReviewException(
                    400, uid, "apiVersion must be " + API_VERSION + ", got " + describe(review.get("apiVersion")));
        }
        if (!KIND.equals(review.path("kind").asText(null))) {
            throw new BadReviewException(400, uid, "kind must be " + KIND + ", got " + describe(review.get("kind")));
        }
        JsonNode request = review.get("request");
        if (request == null || !request.isObject()) {
            throw new BadReviewException(400, "", "request is missing");
        }
        if (uid.isEmpty()) {
            throw new BadReviewException(400, "", "request.uid is missing");
        }
        if (!request.path("kind").path("kind").isTextual()) {
            throw new BadReviewException(400, uid, "request.kind.kind is missing");
        }
        String operation = request.path("operation").asText("");
        if (!List.of("CREATE", "UPDATE", "DELETE", "CONNECT").contains(operation)) {
            throw new BadReviewException(
                    400,
                    uid,
                    "request.operation must be CREATE, UPDATE, DELETE or CONNECT, got "
                            + describe(request.get("operation")));
        }
        boolean deleting = operation.equals("DELETE");
        JsonNode object = request.get(deleting ? "oldObject" : "object");
        if (object == null || !object.isObject()) {
            throw new BadReviewException(400, uid, "request." + (deleting ? "oldObject" : "object") + " is missing");
        }
        return request;
    }

    /** The refusal of a body holding a number out of range, which names the first such number's path and the uid. */
    private static BadReviewException numberOutOfRange(byte[] body) {
        JsonNode review;
        try {
            review = UNCHECKED.readTree(body);
        } catch (IOException e) { // the body is JSON up to its first number out of range: this is what comes after it
            return new BadReviewException(400, "", "body is not JSON: " + e.getMessage());
        }
        JsonNode uid = review.path("request").path("uid");
        java.util.Deque<String> trail = new java.util.ArrayDeque<>();
        String path = outOfRange(review, trail) ? String.join("", trail).substring(1) : "the body";
        return new BadReviewException(
                400, uid.isTextual() ? uid.asText() : "", path + " is a number outside the 64-bit range");
    }

    /** Whether the tree holds such a number; the path to it, from {@code node}, is left in {@code trail}. */
    private static boolean outOfRange(JsonNode node, java.util.Deque<String> trail) {
        if (node.isNumber()) {
            return node.isIntegralNumber() ? !node.canConvertToLong() : !Double.isFinite(node.doubleValue());
        }
        if (node.isObject()) {
            for (var field : node.properties()) {
                if (outOfRange(field.getValue(), trail)) {
                    trail.addFirst("." + field.getKey());
                    return true;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                if (outOfRange(node.get(i), trail)) {
                    trail.addFirst("[" + i + "]");
                    return true;
                }
            }
        }
        return false;
    }

    private static String describe(JsonNode value) {
        return value == null ? "nothing" : value.toString();
    }

    /** {@code {"apiVersion": …, "kind": "AdmissionReview", "response": {"uid": …, "allowed": true}}} */
    public static ObjectNode allowed(String uid) {
        ObjectNode review = JSON.createObjectNode();
        review.put("apiVersion", API_VERSION);
        review.put("kind", KIND);
        review.putObject("response").put("uid", uid).put("allowed", true);
        return review;
    }

    /** Denied with HTTP-level 200 and {@code status.code} 403, the way the API server shows it to kubectl. */
    public static ObjectNode denied(String uid, String message) {
        return errored(uid, 403, "Forbidden", message);
    }

    /** The Kubernetes reason for an HTTP status the webhook answers with (a Status object's {@code reason}). */
    public static String reason(int status) {
        return switch (status) {
            case 404 -> "NotFound";
            case 405 -> "MethodNotAllowed";
            case 413 -> "RequestEntityTooLarge";
            case 415 -> "UnsupportedMediaType";
            case 503 -> "ServiceUnavailable";
            default -> "BadRequest";
        };
    }

    /** Not allowed, with a status code and message. */
    public static ObjectNode errored(String uid, int code, String reason, String message) {
        ObjectNode review = allowed(uid);
        ObjectNode response = (ObjectNode) review.get("response");
        response.put("allowed", false);
        response.putObject("status").put("code", code).put("reason", reason).put("message", message);
        return review;
    }

    /** The answer to a review the webhook failed on: a 500 naming the kind of failure, never its details. */
    public static ObjectNode failedToAnswer(String uid, Throwable failure) {
        return errored(
                uid,
                500,
                "InternalError",
                "tailor failed to answer: " + failure.getClass().getSimpleName());
    }

    public static ObjectNode withWarnings(ObjectNode review, List<String> warnings) {
        if (!warnings.isEmpty()) {
            ObjectNode response = (ObjectNode) review.get("response");
            ArrayNode array =
                    response.has("warnings") ? (ArrayNode) response.get("warnings") : response.putArray("warnings");
            warnings.forEach(array::add);
        }
        return review;
    }

    public static ObjectNode withAuditAnnotations(ObjectNode review, Map<String, String> annotations) {
        if (!annotations.isEmpty()) {
            ObjectNode target = ((ObjectNode) review.get("response")).putObject("auditAnnotations");
            annotations.forEach(target::put);
        }
        return review;
    }

    /** Adds a JSON Patch (base64, as the API expects) when there is anything to patch. */
    public static ObjectNode withPatch(ObjectNode review, List<JsonNode> operations) {
        if (!operations.isEmpty()) {
            ArrayNode patch = JSON.createArrayNode();
            operations.forEach(patch::add);
            ObjectNode response = (ObjectNode) review.get("response");
            response.put("patchType", "JSONPatch");
            response.put(
                    "patch", Base64.getEncoder().encodeToString(patch.toString().getBytes(StandardCharsets.UTF_8)));
        }
        return review;
    }

    public static byte[] toBytes(JsonNode review) {
        try {
            return JSON.writeValueAsBytes(review);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }
}
