package dev.tailor.webhook.admission;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What an AdmissionReview's request says about itself, read once: who asked for what, on which object. The objects
 * themselves ({@code object}, {@code oldObject}) stay in the request, for the policies to read.
 *
 * @param namespace "" for a cluster-scoped object
 * @param group "" for the core group
 * @param subResource "" unless the request is for a subresource
 * @param user the requester's user name, "" when not given
 */
record RequestHeader(
        String uid,
        String namespace,
        String name,
        String operation,
        String group,
        String version,
        String kind,
        String subResource,
        String user,
        boolean dryRun) {

    static RequestHeader of(JsonNode request) {
        JsonNode kind = request.path("kind");
        return new RequestHeader(
                request.path("uid").asText(),
                request.path("namespace").asText(""),
                request.path("name").asText(""),
                request.path("operation").asText(),
                kind.path("group").asText(""),
                kind.path("version").asText(),
                kind.path("kind").asText(),
                request.path("subResource").asText(""),
                request.path("userInfo").path("username").asText(""),
                request.path("dryRun").asBoolean(false));
    }

    /** {@code group/version}, or the version alone for the core group, as an apiVersion is written. */
    String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }
}
