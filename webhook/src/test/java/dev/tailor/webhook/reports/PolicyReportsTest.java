package dev.tailor.webhook.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.policy.Violation;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reports' content and their bounds: one result per check and workload, at most 100 per namespace. */
class PolicyReportsTest {

    private static final Instant T = Instant.parse("2026-12-01T02:00:00Z");
    private static final Violation HOST_PATH = new Violation(
            "hostPathVolumes",
            "podSecurity",
            "hostPath volumes",
            "volume \"scratch\"",
            List.of("spec.volumes[0].hostPath"),
            "",
            false);
    private static final Violation PRIVILEGED = new Violation(
            "privileged",
            "podSecurity",
            "privileged",
            "container \"app\" must not set securityContext.privileged=true",
            List.of(),
            "",
            false);

    private static PolicyReports.Resource pod(String name) {
        return new PolicyReports.Resource("v1", "Pod", "batch", name);
    }

    @Test
    void aNightlyJobsPodsAreOneResultCountedEachTime() {
        PolicyReports reports = new PolicyReports();
        for (int night = 0; night < 1000; night++) {
            reports.wouldDeny(
                    T.plusSeconds(86_400L * night),
                    "batch",
                    "uid-batch",
                    "cronjob.catalog-export",
                    pod("catalog-export-" + night + "-x2x9z"),
                    List.of(HOST_PATH));
        }
        ObjectNode report =
                reports.takeChanged(PolicyReports.Format.OPENREPORTS).get("batch");
        assertEquals("openreports.io/v1alpha1", report.path("apiVersion").asText());
        assertEquals("Report", report.path("kind").asText());
        assertEquals("tailor-audit", report.path("metadata").path("name").asText());
        assertEquals(1, report.path("results").size());
        JsonNode result = report.path("results").path(0);
        assertEquals("hostPathVolumes", result.path("rule").asText(), "the PSA check's own id");
        assertEquals("tailor-pod-security", result.path("policy").asText());
        assertEquals("fail", result.path("result").asText());
        assertEquals("1000", result.path("properties").path("requests").asText());
        assertEquals(
                "cronjob.catalog-export",
                result.path("properties").path("workload").asText());
        assertEquals(
                PolicyReports.RESOURCES_PER_RESULT, result.path("resources").size(), "the latest pods only");
        assertEquals(
                "catalog-export-999-x2x9z",
                result.path("resources").path(0).path("name").asText());
        assertTrue(
                result.path("message").asText().startsWith("hostPathVolumes: hostPath volumes (volume \"scratch\")"),
                result.path("message").asText());
        assertEquals(1, report.path("summary").path("fail").asInt());
        assertEquals(Map.of(), reports.takeChanged(PolicyReports.Format.OPENREPORTS), "nothing changed since");
    }

    @Test
    void aNamespaceKeepsItsHundredMostRecentResults() {
        PolicyReports reports = new PolicyReports();
        for (int w = 0; w < 250; w++) {
            reports.wouldDeny(
                    T.plusSeconds(w),
                    "shop",
                    "uid-shop",
                    "deployment.app-" + w,
                    pod("app-" + w),
                    List.of(HOST_PATH, PRIVILEGED));
        }
        ObjectNode report = reports.takeChanged(PolicyReports.Format.WGPOLICY).get("shop");
        assertEquals("wgpolicyk8s.io/v1alpha2", report.path("apiVersion").asText());
        assertEquals("PolicyReport", report.path("kind").asText());
        assertEquals(PolicyReports.MAX_RESULTS, report.path("results").size());
        assertEquals(
                PolicyReports.MAX_RESULTS, report.path("summary").path("fail").asInt());
        report.path("results")
                .forEach(r -> assertTrue(
                        Integer.parseInt(r.path("properties")
                                        .path("workload")
                                        .asText()
                                        .substring("deployment.app-".length()))
                                >= 200,
                        "only the latest workloads: " + r));
        assertTrue(
                report.toString().length() < 100_000,
                "bounded: " + report.toString().length() + " bytes");
    }

    @Test
    void aFailedWriteIsTriedAgain() {
        PolicyReports reports = new PolicyReports();
        reports.wouldDeny(T, "shop", "uid-shop", "pod.debug", pod("debug"), List.of(PRIVILEGED));
        assertEquals(
                List.of("shop"),
                List.copyOf(
                        reports.takeChanged(PolicyReports.Format.OPENREPORTS).keySet()));
        reports.retry("shop");
        assertEquals(
                List.of("shop"),
                List.copyOf(
                        reports.takeChanged(PolicyReports.Format.OPENREPORTS).keySet()));
    }

    private static List<String> podsNamed(ObjectNode report) {
        List<String> names = new java.util.ArrayList<>();
        report.path("results")
                .forEach(r -> r.path("resources")
                        .forEach(x -> names.add(x.path("name").asText())));
        return names;
    }

    /**
     * A namespace that is gone or being deleted is forgotten, its pending report with it (no write could place it);
     * one deleted and made again under the same name starts a report of its own, without its predecessor's results.
     */
    @Test
    void aDeletedNamespaceIsForgottenAndOneMadeAgainStartsAfresh() {
        PolicyReports reports = new PolicyReports();
        reports.wouldDeny(T, "shop", "uid-1", "pod.first", pod("first"), List.of(PRIVILEGED));
        reports.wouldDeny(T, "ci-1234", "uid-ci", "pod.test", pod("test"), List.of(PRIVILEGED));
        Map<String, String> active = new java.util.HashMap<>(Map.of("shop", "uid-1", "ci-1234", "uid-ci"));
        reports.retain(active::get);
        assertEquals(2, reports.namespaces());

        active.remove("ci-1234"); // deleted, or being deleted, before its report was written
        reports.retain(active::get);
        assertEquals(1, reports.namespaces());
        assertEquals(
                List.of("shop"),
                List.copyOf(
                        reports.takeChanged(PolicyReports.Format.OPENREPORTS).keySet()),
                "the gone namespace's pending report is dropped, not tried again");

        // shop deleted and made again (a new UID) before the flusher looked: its next finding starts a new report.
        reports.wouldDeny(T.plusSeconds(60), "shop", "uid-2", "pod.second", pod("second"), List.of(PRIVILEGED));
        active.put("shop", "uid-2");
        reports.retain(active::get);
        assertEquals(
                List.of("second"),
                podsNamed(reports.takeChanged(PolicyReports.Format.OPENREPORTS).get("shop")));

        // Made again after the flusher saw the old one (the old UID still recorded): dropped at the next look.
        active.put("shop", "uid-3");
        reports.retain(active::get);
        assertEquals(0, reports.namespaces());
        assertEquals(Map.of(), reports.takeChanged(PolicyReports.Format.OPENREPORTS));
    }
}
