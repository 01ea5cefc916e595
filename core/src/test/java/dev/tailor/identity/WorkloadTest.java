package dev.tailor.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Workloads order as their printed forms ({@code namespace/kind.name}) do, which reports and stores have kept. */
class WorkloadTest {

    @Test
    void workloadsCompareAsTheirPrintedForms() {
        List<Workload> all = new ArrayList<>();
        for (String namespace : new String[] {"shop", "shop-2", "shop.a", "shopx", "a", "", "null"}) {
            for (String kind : new String[] {"Deployment", "Job", "CronJob", "Pod", "Rollout", "job"}) {
                for (String name : new String[] {"x", "x-1", "", "a.b", "x/y"}) {
                    all.add(new Workload(namespace, kind, name));
                }
            }
        }
        all.add(new Workload(null, "Pod", "x"));
        all.add(new Workload("shop", "Pod", null));
        int compared = 0;
        for (Workload a : all) {
            for (Workload b : all) {
                assertEquals(
                        Integer.signum(a.toString().compareTo(b.toString())),
                        Integer.signum(a.compareTo(b)),
                        a + " against " + b);
                compared++;
            }
        }
        assertEquals(all.size() * all.size(), compared);
    }
}
