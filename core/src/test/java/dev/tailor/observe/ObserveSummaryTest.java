package dev.tailor.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tailor.identity.PodRecord;
import dev.tailor.identity.Pods;
import dev.tailor.identity.Workload;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObserveSummaryTest {

    private static PodRecord pod(String name, Workload workload, String serviceAccount) {
        return new PodRecord(
                "uid-" + name,
                Instant.parse("2026-11-16T00:00:00Z"),
                "shop",
                name,
                workload,
                serviceAccount,
                Map.of("app", workload.name()),
                true);
    }

    /**
     * Two workloads share the namespace's default service account, as many do. A request whose token named its pod
     * counts for that pod's workload only (a pod the admission stream did not show, by its name's shape); one whose
     * token named none, for each workload running as the account. Read in two parts, the same.
     */
    @Test
    void aRequestWhoseTokenNamesItsPodCountsForThatPodsWorkloadOnly() {
        Workload cart = new Workload("shop", "Deployment", "cart");
        Workload checkout = new Workload("shop", "Deployment", "checkout");
        Pods pods = new Pods();
        pods.add(pod("cart-7d4b9c-x2x8z", cart, "default"));
        pods.add(pod("checkout-5f6a7b-q9w8e", checkout, "default"));
        String account = "system:serviceaccount:shop:default";

        ObserveSummary first = new ObserveSummary();
        ObserveSummary second = new ObserveSummary();
        for (int i = 0; i < 3; i++) {
            first.request(account, "cart-7d4b9c-x2x8z");
        }
        second.request(account, "checkout-5f6a7b-q9w8e");
        second.request(account, "checkout-5f6a7b-q9w8e");
        second.request(account, "emailer-7d4b9c6f8-x2x8z"); // not seen admitted: a Deployment's pod by its name
        for (int i = 0; i < 4; i++) {
            (i % 2 == 0 ? first : second).request(account, "");
        }
        first.request("alice", "");
        ObserveSummary summary = new ObserveSummary();
        summary.add(first);
        summary.add(second);
        summary.attributeSubjects(pods);

        assertEquals(Map.of(account, 10L, "alice", 1L), summary.subjects);
        assertEquals(
                Map.of(
                        "shop/deployment.cart",
                        3L + 4,
                        "shop/deployment.checkout",
                        2L + 4,
                        "shop/deployment.emailer",
                        1L),
                Map.of(
                        "shop/deployment.cart",
                        summary.workloads.get("shop/deployment.cart").get("api"),
                        "shop/deployment.checkout",
                        summary.workloads.get("shop/deployment.checkout").get("api"),
                        "shop/deployment.emailer",
                        summary.workloads.get("shop/deployment.emailer").get("api")));
        assertEquals(3, summary.workloads.size(), summary.workloads.toString());
    }
}
