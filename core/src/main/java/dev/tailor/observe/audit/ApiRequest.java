package dev.tailor.observe.audit;

import java.time.Instant;
import java.util.List;

/**
 * One completed request to the Kubernetes API, from an audit event: who (the effective user — the impersonated
 * one when there was impersonation), what (verb on a resource or a non-resource URL), and whether it was allowed.
 *
 * @param subject        the username, e.g. {@code system:serviceaccount:shop:cartservice} or {@code alice}
 * @param pod            the pod whose service-account token made the request (the token's
 *                       {@code authentication.kubernetes.io/pod-name}, which kube-apiserver puts in the user's extra
 *                       for a token bound to a pod: a pod's projected token); "" when it names none
 * @param apiGroup       "" for the core group
 * @param nonResourceUrl the path without its query, for requests that name no resource ({@code /apis}); "" otherwise
 * @param code           the HTTP status of the response (403 = denied by authorization)
 */
public record ApiRequest(
        String auditId,
        Instant time,
        String subject,
        List<String> groups,
        String pod,
        String verb,
        String apiGroup,
        String apiVersion,
        String resource,
        String subresource,
        String namespace,
        String name,
        String nonResourceUrl,
        int code) {

    /** True when authorization refused the request. */
    public boolean denied() {
        return code == 403;
    }

    /** The service account {@code NS/NAME} when the subject is one, else null. */
    public String serviceAccount() {
        if (!subject.startsWith("system:serviceaccount:")) {
            return null;
        }
        String[] parts = subject.split(":");
        return parts.length == 4 && !parts[2].isEmpty() && !parts[3].isEmpty() ? parts[2] + "/" + parts[3] : null;
    }
}
