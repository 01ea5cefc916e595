package dev.tailor.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A pod whose creation named an owner the API server does not vouch for stays its own workload: its later sightings
 * (an update, a listing) and the flows Hubble attributes name the owner again, and would otherwise take it back.
 */
class PodsTest {

    private static final Workload DEPLOYMENT = new Workload("shop", "Deployment", "api");
    private static final Workload FORGED_OWN = new Workload("shop", "Pod", "api-7d4b9c8f5-zz4kd");
    private static final Map<String, String> LABELS = Map.of("app", "api", "pod-template-hash", "7d4b9c8f5");

    private static PodRecord sighting(String key, String pod, Workload workload, boolean created, boolean refused) {
        return new PodRecord(
                key,
                Instant.parse("2026-11-16T10:00:00Z"),
                "shop",
                pod,
                workload,
                "api",
                Map.of("app", "api"),
                created,
                List.of("server"),
                List.of(),
                List.of(),
                refused);
    }

    @Test
    void aPodWhoseCreationsOwnerWasNotBelievedStaysItsOwnWorkload() {
        Pods pods = new Pods();
        pods.add(sighting("c-1", "api-7d4b9c8f5-x2x9z", DEPLOYMENT, true, false));
        pods.add(sighting("c-3", "api-7d4b9c8f5-zz4kd", FORGED_OWN, true, true));
        PodRecord update = sighting("c-4", "api-7d4b9c8f5-zz4kd", DEPLOYMENT, false, false);
        assertEquals(FORGED_OWN, pods.decided(update).workload(), "its update names the owner again");
        pods.add(update);

        assertEquals(DEPLOYMENT, pods.workload("shop", "api-7d4b9c8f5-x2x9z", LABELS, null));
        assertEquals(FORGED_OWN, pods.workload("shop", "api-7d4b9c8f5-zz4kd", LABELS, DEPLOYMENT), "Hubble's name");
        assertEquals(Set.of(DEPLOYMENT, FORGED_OWN), pods.runningAs("system:serviceaccount:shop:api"));
        assertEquals(
                Map.of("shop/api-7d4b9c8f5-x2x9z", DEPLOYMENT, "shop/api-7d4b9c8f5-zz4kd", FORGED_OWN), pods.all());
    }

    /**
     * A bare pod an editor created that a ReplicaSet adopts (its labels match the selector; the controller's update
     * adds its owner reference) runs the editor's spec: it stays its own. A StatefulSet's pod's name, once a made-up
     * pod's, is the StatefulSet's again when its controller creates it.
     */
    @Test
    void anAdoptionIsNotACreationAndACreationByTheControllerDecidesAnew() {
        Pods pods = new Pods();
        Workload bare = new Workload("shop", "Pod", "api-7d4b9c8f5-zz4kd");
        pods.add(sighting("b-1", "api-7d4b9c8f5-zz4kd", bare, true, true));
        pods.add(sighting("b-2", "api-7d4b9c8f5-zz4kd", DEPLOYMENT, false, false)); // adopted
        assertEquals(bare, pods.workload("shop", "api-7d4b9c8f5-zz4kd", LABELS, DEPLOYMENT));

        Workload statefulSet = new Workload("shop", "StatefulSet", "db");
        Map<String, String> db = Map.of("app", "db", "statefulset.kubernetes.io/pod-name", "db-0");
        pods.add(sighting("s-1", "db-0", new Workload("shop", "Pod", "db-0"), true, true));
        assertEquals(new Workload("shop", "Pod", "db-0"), pods.workload("shop", "db-0", db, statefulSet));
        pods.add(sighting("s-2", "db-0", statefulSet, true, false)); // the made-up one gone, the controller's
        assertEquals(statefulSet, pods.workload("shop", "db-0", db, null));
    }

    /**
     * Another webhook replica saw the creation: this one learns of the refusal from the store after the pod's update
     * reached it, or before it heard of the pod at all.
     */
    @Test
    void aRefusalLearnedLaterOverridesWhatWasHeardBefore() {
        Pods pods = new Pods();
        pods.add(sighting("c-4", "api-7d4b9c8f5-zz4kd", DEPLOYMENT, false, false));
        assertEquals(DEPLOYMENT, pods.workload("shop", "api-7d4b9c8f5-zz4kd", LABELS, null), "nothing refused yet");
        pods.refusals(Map.of("shop/api-7d4b9c8f5-zz4kd", true, "shop/api-7d4b9c8f5-kk2lp", true));
        assertEquals(FORGED_OWN, pods.workload("shop", "api-7d4b9c8f5-zz4kd", LABELS, null));
        assertEquals(
                new Workload("shop", "Pod", "api-7d4b9c8f5-kk2lp"),
                pods.workload("shop", "api-7d4b9c8f5-kk2lp", LABELS, DEPLOYMENT),
                "a pod known only from its flows: not what Hubble names, nor what its name suggests");
        assertEquals(DEPLOYMENT, pods.workload("shop", "api-7d4b9c8f5-q8r2m", LABELS, null), "the name's shape");
        pods.refusals(Map.of("shop/api-7d4b9c8f5-zz4kd", false)); // its name created again by its controller
        assertEquals(DEPLOYMENT, pods.workload("shop", "api-7d4b9c8f5-zz4kd", LABELS, null));
    }
}
