package dev.tailor.webhook;

import dev.tailor.policy.PolicyEngine;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only with the policies loaded and the namespace informer synced: before that, modes are unknown. */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    private final PolicyEngine engine;
    private final NamespaceCache namespaces;

    public ReadinessCheck(PolicyEngine engine, NamespaceCache namespaces) {
        this.engine = engine;
        this.namespaces = namespaces;
    }

    @Override
    public HealthCheckResponse call() {
        boolean synced = namespaces.synced();
        return HealthCheckResponse.named("tailor-webhook")
                .status(engine != null && synced)
                .withData("policies", engine != null ? "loaded" : "missing")
                .withData("namespaceInformer", synced ? "synced" : "not synced")
                .build();
    }
}
