package dev.tailor.webhook;

import dev.tailor.webhook.admission.AdmissionMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code tailor_admission_seconds} (histogram by endpoint, operation, kind, mode, result),
 * {@code tailor_decisions_total} (by check and verdict), {@code tailor_evaluation_errors_total} (by endpoint),
 * {@code tailor_admission_refused_total} (by endpoint and reason: too-large, busy, deadline).
 */
@ApplicationScoped
public class PrometheusAdmissionMetrics implements AdmissionMetrics {

    private final MeterRegistry registry;

    public PrometheusAdmissionMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * The kinds and operations a label may name; anything else is "other". Label values come from the review, which
     * anyone who reaches the port can write: an open set would let 5,000 made-up kinds exhaust the heap.
     */
    static final java.util.Set<String> KINDS = java.util.Set.of(
            "Pod",
            "Deployment",
            "ReplicaSet",
            "StatefulSet",
            "DaemonSet",
            "Job",
            "CronJob",
            "Role",
            "RoleBinding",
            "ClusterRole",
            "ClusterRoleBinding",
            "NetworkPolicy",
            "Namespace",
            "EphemeralContainers");

    static final java.util.Set<String> OPERATIONS = java.util.Set.of("CREATE", "UPDATE", "DELETE", "CONNECT");

    static String closed(String value, java.util.Set<String> allowed) {
        return allowed.contains(value) ? value : "other";
    }

    /** A timer's labels: each from a closed set, so the timers are few and found again by them. */
    private record TimerLabels(String endpoint, String operation, String kind, String mode, String result) {}

    /** The timers registered so far: found by their labels, not built and registered again per review. */
    private final java.util.concurrent.ConcurrentHashMap<TimerLabels, Timer> timers =
            new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void reviewed(String endpoint, String operation, String kind, String mode, String result, long nanos) {
        timers.computeIfAbsent(
                        new TimerLabels(endpoint, closed(operation, OPERATIONS), closed(kind, KINDS), mode, result),
                        this::timer)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer timer(TimerLabels labels) {
        return Timer.builder("tailor.admission")
                .description("Time to answer an AdmissionReview")
                .tags(
                        "endpoint",
                        labels.endpoint(),
                        "operation",
                        labels.operation(),
                        "kind",
                        labels.kind(),
                        "mode",
                        labels.mode(),
                        "result",
                        labels.result())
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    @Override
    public void decision(String check, String verdict) {
        Counter.builder("tailor.decisions")
                .description("Violations found, by check and verdict (warned in audit mode, denied in enforce mode)")
                .tags("check", check, "verdict", verdict)
                .register(registry)
                .increment();
    }

    @Override
    public void evaluationError(String endpoint) {
        Counter.builder("tailor.evaluation.errors")
                .description("Policy evaluations that failed")
                .tags("endpoint", endpoint)
                .register(registry)
                .increment();
    }

    @Override
    public void refused(String endpoint, String reason) {
        Counter.builder("tailor.admission.refused")
                .description(
                        "Reviews refused unevaluated: larger than the webhook evaluates within its memory, busy, cut "
                                + "off at the deadline, or beyond the count of requests open at once")
                .tags("endpoint", endpoint, "reason", reason)
                .register(registry)
                .increment();
    }
}
