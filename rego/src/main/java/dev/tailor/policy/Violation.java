package dev.tailor.policy;

import java.util.List;

/**
 * One rule an admitted object breaks, as the Rego check that found it reports it.
 *
 * <p>Two parts, as Pod Security Admission words them: a short {@link #reason} that aggregates
 * ("host namespaces") and a {@link #detail} naming the offending fields and values
 * ("hostNetwork=true"); {@link #fields} are the exact JSON paths and {@link #allowed} says what would pass.
 * {@link #message()} joins them:
 *
 * <pre>hostNamespaces: host namespaces (hostNetwork=true, hostPID=true)</pre>
 *
 * @param check    the check id — PSA's own for Pod Security Standards ({@code hostNamespaces}, {@code runAsNonRoot}, …)
 * @param category {@code podSecurity}, {@code rbac}, {@code approved} or {@code guard}
 * @param always   denied in every mode, not only in enforce mode (the namespace annotation guard)
 */
public record Violation(
        String check,
        String category,
        String reason,
        String detail,
        List<String> fields,
        String allowed,
        boolean always) {

    public Violation {
        fields = fields == null ? List.of() : List.copyOf(fields);
    }

    /** {@code check: reason (detail)} — the line shown to the person running kubectl. */
    public String message() {
        return detail == null || detail.isEmpty() ? check + ": " + reason : check + ": " + reason + " (" + detail + ")";
    }
}
