package dev.tailor.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The admission timers: one per set of labels, each label from a closed set. */
class PrometheusAdmissionMetricsTest {

    @Test
    void reviewsAreTimedByTheirLabelsAndMadeUpKindsShareOne() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PrometheusAdmissionMetrics metrics = new PrometheusAdmissionMetrics(registry);
        for (int i = 0; i < 3; i++) {
            metrics.reviewed("validate", "CREATE", "Pod", "audit", "allowed", 1_000_000);
        }
        metrics.reviewed("validate", "CREATE", "Pod", "enforce", "denied", 2_000_000);
        // Label values come from the review, which anyone who reaches the port writes: made-up ones are "other".
        for (int i = 0; i < 100; i++) {
            metrics.reviewed("validate", "CREATE", "Kind" + i, "audit", "allowed", 1_000_000);
        }

        assertEquals(3, timer(registry, "Pod", "audit", "allowed").count());
        assertEquals(
                3_000_000,
                timer(registry, "Pod", "audit", "allowed").totalTime(java.util.concurrent.TimeUnit.NANOSECONDS));
        assertEquals(1, timer(registry, "Pod", "enforce", "denied").count());
        assertEquals(100, timer(registry, "other", "audit", "allowed").count());
        assertEquals(3, registry.find("tailor.admission").timers().size());
    }

    private static Timer timer(SimpleMeterRegistry registry, String kind, String mode, String result) {
        return registry.get("tailor.admission")
                .tags("endpoint", "validate", "operation", "CREATE", "kind", kind, "mode", mode, "result", result)
                .timer();
    }
}
