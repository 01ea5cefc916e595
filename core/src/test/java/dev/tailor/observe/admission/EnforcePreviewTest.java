package dev.tailor.observe.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.contract.AdmissionDecision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The preview's counts kept small: a check's workloads, and the heap a tally says it takes. */
class EnforcePreviewTest {

    @Test
    void aChecksNamedWorkloadsAreTheMostRejectedWhateverOrderTheyComeIn() {
        Random random = new Random(7);
        List<Map.Entry<String, Long>> counts = new ArrayList<>();
        for (int i = 0; i < 3 * EnforcePreview.WORKLOADS_PER_CHECK; i++) {
            counts.add(Map.entry("pod.run-" + i, 1L + random.nextInt(4))); // many equal counts
        }
        List<Map.Entry<String, Long>> ranked = counts.stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .toList();
        Map<String, Long> named = new TreeMap<>();
        ranked.subList(0, EnforcePreview.WORKLOADS_PER_CHECK).forEach(e -> named.put(e.getKey(), e.getValue()));
        long others = ranked.subList(EnforcePreview.WORKLOADS_PER_CHECK, ranked.size()).stream()
                .mapToLong(Map.Entry::getValue)
                .sum();
        for (int round = 0; round < 5; round++) {
            Collections.shuffle(counts, random);
            EnforcePreview.ByWorkload byWorkload = new EnforcePreview.ByWorkload();
            counts.forEach(e -> byWorkload.add(e.getKey(), e.getValue()));
            assertEquals(named, byWorkload.named());
            assertEquals(
                    new EnforcePreview.Others(2L * EnforcePreview.WORKLOADS_PER_CHECK, others), byWorkload.others());
        }
    }

    @Test
    void aTallyCountsTheHeapOfWhatItKeepsAndStopsAtItsLimit() {
        List<AdmissionDecision> lines = new ArrayList<>();
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        for (int i = 0; i < 5_000; i++) {
            lines.add(new AdmissionDecision(
                    t.plusSeconds(i),
                    java.util.UUID.nameUUIDFromBytes(("r" + i).getBytes()).toString(),
                    "ci",
                    "pod.run-" + i,
                    "system:serviceaccount:ci:runner",
                    "CREATE",
                    "Pod",
                    "run-" + i,
                    "audit",
                    "runAsNonRoot",
                    "warned",
                    "runAsNonRoot is not met"));
        }
        EnforcePreview.Tally tally = new EnforcePreview.Tally();
        lines.forEach(tally::ownObject);
        lines.forEach(tally::add);
        // Each workload's count: its name, its entry and its counter, 100 bytes at least.
        assertTrue(tally.bytes() > 5_000L * 100, Long.toString(tally.bytes()));
        long taken = tally.bytes();
        // Too little room shows in the first pass already: it reckons what the counts by workload will take.
        EnforcePreview.Tally smaller = new EnforcePreview.Tally(taken / 2);
        assertThrows(EnforcePreview.Tally.Full.class, () -> lines.forEach(smaller::ownObject));
        // Enough: what the tally keeps, and the first pass's fingerprints of the workloads' keys (64 bytes at most).
        EnforcePreview.Tally enough = new EnforcePreview.Tally(taken + 5_000L * 64);
        lines.forEach(enough::ownObject);
        lines.forEach(enough::add);
        assertEquals(tally.previews(Map.of()), enough.previews(Map.of()));
        EnforcePreview ci = tally.previews(Map.of()).get("ci");
        assertEquals(5_000, ci.requests());
        assertEquals(
                EnforcePreview.WORKLOADS_PER_CHECK,
                ci.byCheck().get("runAsNonRoot").size());
        assertEquals(EnforcePreview.EXAMPLES, ci.examples().size());
    }

    /**
     * A request's lines, interleaved with others' as a busy namespace's are, count it once (and once as rejected);
     * what is kept is the last {@code SPREAD}'s UIDs, the same for a week as for an hour; and a UID seen again after
     * that is counted again — more, never fewer.
     */
    @Test
    void aNamespacesRequestsAreToldApartByTheLastWhilesUids() {
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        EnforcePreview.Requests requests = new EnforcePreview.Requests();
        long kept = requests.add("a", t, false);
        long perRequest = kept;
        assertTrue(perRequest > 0);
        kept += requests.add("b", t.plusMillis(1), true);
        kept += requests.add("a", t.plusMillis(2), true); // a's second check, after b's
        kept += requests.add("b", t.plusMillis(3), true);
        kept += requests.add("a", t.plusSeconds(29), true); // a third, within the spread
        assertEquals(2, requests.requests());
        assertEquals(2, requests.rejected());
        assertEquals(2 * perRequest, kept);

        // 100,000 more, ten a second (almost three hours), each of three lines, one of them rejected.
        long most = 0;
        Instant start = t.plusSeconds(60);
        for (int i = 0; i < 100_000; i++) {
            Instant at = start.plusMillis(100L * i);
            String uid = "r" + i;
            kept += requests.add(uid, at, false);
            kept += requests.add(uid, at.plusNanos(1_000), i % 2 == 0);
            kept += requests.add(uid, at.plusNanos(2_000), false);
            most = Math.max(most, kept);
        }
        assertEquals(2 + 100_000, requests.requests());
        assertEquals(2 + 50_000, requests.rejected());
        long spread = EnforcePreview.Requests.SPREAD.toMillis() / 100;
        assertTrue(most <= (spread + 2) * perRequest, most + " bytes kept at most");
        assertTrue(kept >= spread * perRequest, kept + " bytes kept at the end");

        Instant last = start.plusMillis(100L * 99_999);
        requests.add("r99999", last.plus(EnforcePreview.Requests.SPREAD), false); // within the spread of its first
        assertEquals(2 + 100_000, requests.requests());
        requests.add("r0", last, false); // its first line hours before: forgotten, counted again
        assertEquals(2 + 100_000 + 1, requests.requests());
    }

    /**
     * A namespace of many requests of a few workloads (their pods, a request each) is tallied in a webhook's heap: what
     * grows with them is only the examples' object names, not a UID per request.
     */
    @Test
    void aTallyOfManyRequestsOfFewWorkloadsKeepsNoUidPerRequest() {
        Instant t = Instant.parse("2026-12-01T00:00:00Z");
        EnforcePreview.Tally tally = new EnforcePreview.Tally(dev.tailor.store.ObservationStore.PREVIEW_TALLY_HEAP);
        List<AdmissionDecision> lines = new ArrayList<>();
        int pods = 200_000; // a week of 24 Deployments' pods, one every three seconds
        for (int i = 0; i < pods; i++) {
            String uid = java.util.UUID.nameUUIDFromBytes(("p" + i).getBytes()).toString();
            int w = i % 24;
            String pod = "app-" + w + "-7d4b9c-" + Integer.toString(i, 36);
            for (String check : List.of("runAsNonRoot", "capabilities_restricted")) {
                lines.add(new AdmissionDecision(
                        t.plusSeconds(3L * i),
                        uid,
                        "shop",
                        "deployment.app-" + w,
                        "system:serviceaccount:kube-system:replicaset-controller",
                        "CREATE",
                        "Pod",
                        pod,
                        "audit",
                        check,
                        "warned",
                        check + " is not met"));
            }
        }
        lines.forEach(tally::ownObject);
        lines.forEach(tally::add);
        EnforcePreview shop = tally.previews(Map.of()).get("shop");
        assertEquals(pods, shop.requests());
        assertEquals(pods, shop.wouldReject());
        assertEquals(24, shop.byCheck().get("runAsNonRoot").size());
        // Held within the webhook's tally heap (no Full thrown), where two fingerprints a request (a request, a
        // rejected one: 32 bytes each at least in a FingerprintSet) would not have been.
        long heap = dev.tailor.store.ObservationStore.PREVIEW_TALLY_HEAP;
        assertTrue(tally.bytes() <= heap && tally.bytes() + 2 * 32L * pods > heap, tally.bytes() + " bytes");
        assertEquals(EnforcePreview.perNamespace(lines).get("shop"), shop);
    }
}
