package dev.tailor.policy;

import java.util.List;

/**
 * What the policies say about one admission request: its violations (sorted, possibly none), the Pod Security
 * level and version the namespace was judged at, and the workload the object belongs to
 * ({@code deployment.api}, {@code pod.debug}).
 */
public record Decision(
        List<Violation> violations, String podSecurityLevel, String podSecurityVersion, String workload) {

    public Decision {
        violations = List.copyOf(violations);
    }

    public boolean hasViolations() {
        return !violations.isEmpty();
    }

    /** True when a violation must be denied whatever the namespace's mode. */
    public boolean hasAlwaysDeniedViolation() {
        return violations.stream().anyMatch(Violation::always);
    }
}
