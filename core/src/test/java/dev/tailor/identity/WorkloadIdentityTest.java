package dev.tailor.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkloadIdentityTest {

    @Test
    void deploymentPodsByTheirNameShape() {
        assertEquals(
                "deployment.reviews-v1",
                WorkloadIdentity.ofPod("bookinfo", "reviews-v1-545db77b95-s6jb8", Map.of())
                        .key());
        assertEquals(
                "deployment.prometheus",
                WorkloadIdentity.ofPod("istio-system", "prometheus-6655946b9f-hx9ln", Map.of())
                        .key());
    }

    @Test
    void statefulSetDaemonSetJobAndCronJobByTheirLabels() {
        assertEquals(
                "statefulset.redis-cart",
                WorkloadIdentity.ofPod(
                                "shop",
                                "redis-cart-0",
                                Map.of(
                                        "statefulset.kubernetes.io/pod-name",
                                        "redis-cart-0",
                                        "controller-revision-hash",
                                        "redis-cart-7d9f"))
                        .key());
        assertEquals(
                "daemonset.log-shipper",
                WorkloadIdentity.ofPod("shop", "log-shipper-x7k2p", Map.of("controller-revision-hash", "6c8f9b7d4"))
                        .key());
        assertEquals(
                "job.db-migrate",
                WorkloadIdentity.ofPod("shop", "db-migrate-q2x9z", Map.of("job-name", "db-migrate"))
                        .key());
        assertEquals(
                "cronjob.nightly-report",
                WorkloadIdentity.ofPod(
                                "shop",
                                "nightly-report-29412360-4kx8q",
                                Map.of("batch.kubernetes.io/job-name", "nightly-report-29412360"))
                        .key());
    }

    @Test
    void ownerReferencesDecideWhenTheAdmissionStreamHasThem() {
        Map<String, String> hashed = Map.of("pod-template-hash", "7d4b9c8f5");
        assertEquals(
                new Workload("shop", "Deployment", "api"),
                WorkloadIdentity.ofOwner("shop", "api-7d4b9c8f5-x2x9z", hashed, "ReplicaSet", "api-7d4b9c8f5"));
        // A ReplicaSet whose name does not end in the pod's template hash was created by hand: it is the workload.
        assertEquals(
                new Workload("shop", "ReplicaSet", "legacy"),
                WorkloadIdentity.ofOwner("shop", "legacy-q2x9z", hashed, "ReplicaSet", "legacy"));
        assertEquals(
                new Workload("shop", "CronJob", "nightly-report"),
                WorkloadIdentity.ofOwner("shop", "x", Map.of(), "Job", "nightly-report-29412360"));
        assertEquals(
                new Workload("shop", "Job", "db-migrate"),
                WorkloadIdentity.ofOwner("shop", "x", Map.of(), "Job", "db-migrate"));
        assertEquals(
                new Workload("shop", "DaemonSet", "agent"),
                WorkloadIdentity.ofOwner("shop", "agent-x7k2p", Map.of(), "DaemonSet", "agent"));
        assertEquals(
                new Workload("shop", "Rollout", "web"),
                WorkloadIdentity.ofOwner("shop", "web-1", Map.of(), "Rollout", "web"));
        assertEquals(new Workload("shop", "Pod", "debug"), WorkloadIdentity.ofOwner("shop", "debug", Map.of(), "", ""));
        assertEquals(new Workload("shop", "StatefulSet", "db"), Workload.parse("shop", "statefulset.db"));
    }

    @Test
    void aPodThatFitsNoShapeIsItsOwnWorkload() {
        assertEquals(
                "pod.debug", WorkloadIdentity.ofPod("shop", "debug", Map.of()).key());
        // "reviews-v1-version2" has vowels in what would be the hash: not a ReplicaSet's pod.
        assertEquals(
                "pod.reviews-v1-version2-abcde",
                WorkloadIdentity.ofPod("shop", "reviews-v1-version2-abcde", Map.of())
                        .key());
    }

    /** A CronJob run's pod known only by its name (SPO or kernel lines name pods, not owners). */
    @Test
    void aCronJobRunsPodByItsNameAlone() {
        assertEquals(
                new Workload("batch", "CronJob", "nightly-export"),
                WorkloadIdentity.ofPod("batch", "nightly-export-29412000-x2x9z", Map.of()));
        assertEquals(
                new Workload("shop", "Deployment", "api"),
                WorkloadIdentity.ofPod("shop", "api-7d4b9c8f5-x2x9z", Map.of()));
    }

    @Test
    void perInstanceTopologyAndReleaseLabelsNeverSelect() {
        assertEquals(
                Map.of("app", "reviews"),
                WorkloadIdentity.stableLabels(Map.of(
                        "app",
                        "reviews",
                        "version",
                        "v1",
                        "pod-template-hash",
                        "545db77b95",
                        "topology.kubernetes.io/zone",
                        "europe-west1-b",
                        "statefulset.kubernetes.io/pod-name",
                        "x-0")));
        // A Helm chart's labels: the release's version and chart change with the next release, even when they stayed
        // the same all week; name, instance and component select (they are what the chart's selector uses).
        assertEquals(
                Map.of(
                        "app.kubernetes.io/name",
                        "redis",
                        "app.kubernetes.io/instance",
                        "cache",
                        "app.kubernetes.io/component",
                        "master"),
                WorkloadIdentity.stableLabels(Map.of(
                        "app.kubernetes.io/name",
                        "redis",
                        "app.kubernetes.io/instance",
                        "cache",
                        "app.kubernetes.io/component",
                        "master",
                        "app.kubernetes.io/version",
                        "7.2.4",
                        "helm.sh/chart",
                        "redis-18.6.1",
                        "app.kubernetes.io/managed-by",
                        "Helm")));
        assertEquals(
                Map.of("app", "web", "release", "shop"),
                WorkloadIdentity.stableLabels(
                        Map.of("app", "web", "release", "shop", "chart", "web-1.2.0", "heritage", "Helm")));
    }
}
