package dev.tailor.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The open-addressing set the store remembers events by, against a HashSet of the same pairs. */
class FingerprintSetTest {

    @Test
    void addContainsAndAddAllAgreeWithAHashSet() {
        Random random = new Random(5);
        for (int round = 0; round < 50; round++) {
            FingerprintSet a = new FingerprintSet();
            FingerprintSet b = new FingerprintSet(random.nextInt(100));
            Set<List<Long>> expectedA = new HashSet<>();
            Set<List<Long>> expectedB = new HashSet<>();
            int n = random.nextInt(3000);
            for (int i = 0; i < n; i++) {
                // Few distinct values now and then, so that some pairs repeat and collide.
                long hi = random.nextBoolean() ? random.nextLong() : random.nextInt(50);
                long lo = 1 + random.nextInt(1 << 20);
                boolean intoA = random.nextBoolean();
                assertEquals((intoA ? expectedA : expectedB).add(List.of(hi, lo)), (intoA ? a : b).add(hi, lo));
            }
            a.addAll(b);
            expectedA.addAll(expectedB);
            assertEquals(expectedA.size(), a.size());
            for (List<Long> p : expectedA) {
                assertTrue(a.contains(p.get(0), p.get(1)), p.toString());
            }
            assertFalse(a.contains(-7, -7));
            Set<List<Long>> seen = new HashSet<>();
            a.forEach((hi, lo) -> seen.add(List.of(hi, lo)));
            assertEquals(expectedA, seen);
            assertEquals(16 * expectedA.size(), a.toBytes().length);
        }
    }
}
