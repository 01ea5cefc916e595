package dev.tailor.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tailor.identity.Workload;
import dev.tailor.observe.audit.ApiAccess;
import dev.tailor.observe.flows.NetworkEdge;
import dev.tailor.observe.syscalls.SyscallUse;
import dev.tailor.store.PodIdentity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The rows Tailor sorts compare as their printed forms do — the order reports and stores were written in — without
 * printing them. Checked on random values made of a small alphabet, so that prefixes, equal parts and the
 * separators' own characters meet often.
 */
class JoinedTest {

    private final Random random = new Random(20261203L);

    private String text() {
        String alphabet = "a-/.,= Bz9";
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(4); i > 0; i--) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    private static int sign(int n) {
        return Integer.signum(n);
    }

    /** Any parts, nulls among them. */
    private record Parts(String... parts) implements Joined.Ordered<Parts> {
        @Override
        public int partCount() {
            return parts.length;
        }

        @Override
        public String part(int i) {
            return parts[i];
        }
    }

    private String textOrNull() {
        return random.nextInt(10) == 0 ? null : text();
    }

    @Test
    void partsCompareAsTheirJoinedString() {
        for (int i = 0; i < 20_000; i++) {
            Parts a = new Parts(textOrNull(), text(), textOrNull());
            Parts b = random.nextBoolean()
                    ? new Parts(textOrNull(), text(), textOrNull())
                    : new Parts(textOrNull(), textOrNull(), text(), textOrNull()); // other part boundaries too
            String joinedA = Joined.join(a);
            String joinedB = Joined.join(b);
            assertEquals(String.valueOf(a.part(0)) + a.part(1) + a.part(2), joinedA);
            assertEquals(sign(joinedA.compareTo(joinedB)), sign(Joined.compare(a, b)), joinedA + " vs " + joinedB);
        }
    }

    private <T extends Comparable<T>> void comparesAsPrinted(Supplier<T> make) {
        for (int i = 0; i < 5_000; i++) {
            T a = make.get();
            T b = make.get();
            assertEquals(sign(a.toString().compareTo(b.toString())), sign(a.compareTo(b)), a + " vs " + b);
        }
    }

    @Test
    void rowsCompareAsTheyPrint() {
        List<String> kinds = List.of("Deployment", "StatefulSet", "Pod", "CronJob");
        comparesAsPrinted(() -> new Workload(text(), kinds.get(random.nextInt(kinds.size())), text()));
        comparesAsPrinted(() ->
                new ApiAccess(text(), text(), text(), text(), text(), text(), text(), text(), random.nextBoolean()));
        comparesAsPrinted(() -> new NetworkEdge(
                text(),
                text(),
                text(),
                text(),
                text(),
                text(),
                text(),
                text(),
                random.nextInt(3) * 40 + random.nextInt(2) * 443,
                random.nextBoolean()));
        comparesAsPrinted(() -> new SyscallUse(text(), text(), text(), text(), text(), text(), text()));
        comparesAsPrinted(() -> new PodIdentity(text(), text(), text(), text(), text(), text()));
    }

    @Test
    void rowsPutInOrderAreInTheOrderATreeWouldKeep() {
        for (int round = 0; round < 50; round++) {
            Map<SyscallUse, Integer> rows = new LinkedHashMap<>();
            for (int i = 0; i < 200; i++) {
                rows.put(new SyscallUse(text(), text(), text(), text(), text(), text(), text()), i);
            }
            Map<SyscallUse, Integer> ordered = Joined.inOrder(rows);

            assertEquals(new ArrayList<>(new TreeMap<>(rows).keySet()), new ArrayList<>(ordered.keySet()));
            ordered.forEach((k, v) -> assertEquals(rows.get(k), v));
            assertSame(ordered, Joined.inOrder(ordered), "rows already in order are taken as they are");
        }
    }
}
