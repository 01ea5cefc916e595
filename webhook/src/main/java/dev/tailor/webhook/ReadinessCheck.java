package dev.tailor.webhook;

import dev.tailor.policy.PolicyEngine;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only with the policies loaded, the namespace informer synced (before that, modes are unknown) and the
 * approved objects published (before that, nothing generated would count as approved).
 */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    private final PolicyEngine engine;
    private final NamespaceCache namespaces;
    private final ApprovedObjects approved;

    public ReadinessCheck(PolicyEngine engine, NamespaceCache namespaces, ApprovedObjects approved) {
        this.engine = engine;
        this.namespaces = namespaces;
        this.approved = approved;
    }

    @Override
    public HealthCheckResponse call() {
        boolean synced = namespaces.synced();
        boolean published = approved.synced();
        return HealthCheckResponse.named("tailor-webhook")
                .status(engine != null && synced && published)
                .withData("policies", engine != null ? "loaded" : "missing")
                .withData("namespaceInformer", synced ? "synced" : "not synced")
                .withData("approvedObjects", published ? "published" : "not yet listed")
                .build();
    }
}
