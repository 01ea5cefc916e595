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
        // Each request's UID twice (a request, a rejected one) at 32 bytes at least, and each workload's count.
        assertTrue(tally.bytes() > 5_000L * (2 * 32 + 48), Long.toString(tally.bytes()));
        long taken = tally.bytes();
        EnforcePreview.Tally smaller = new EnforcePreview.Tally(taken / 2);
        assertThrows(EnforcePreview.Tally.Full.class, () -> {
            lines.forEach(smaller::ownObject);
            lines.forEach(smaller::add);
        });
        EnforcePreview.Tally enough = new EnforcePreview.Tally(taken);
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
}
