package dev.tailor.observe.audit;

import dev.tailor.observe.Seen;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The in-memory oracle of the tests: folds requests into {@link ApiAccess} aggregates. Idempotent by audit ID: the same event read twice (the same
 * file ingested again, or an event in both a log file and a webhook batch) counts once.
 */
public final class ApiAccessAggregator implements Consumer<ApiRequest> {

    private final Map<ApiAccess, Seen> accesses = new HashMap<>();
    private final Set<String> auditIds = new HashSet<>();
    private long duplicates;

    @Override
    public void accept(ApiRequest request) {
        if (!auditIds.add(request.auditId())) {
            duplicates++;
            return;
        }
        accesses.computeIfAbsent(ApiAccess.of(request), k -> new Seen()).add(request.time());
    }

    /** Every access with how it was seen, sorted. */
    public Map<ApiAccess, Seen> accesses() {
        return java.util.Collections.unmodifiableMap(new TreeMap<>(accesses));
    }

    /** Requests counted once already (same audit ID). */
    public long duplicates() {
        return duplicates;
    }

    /** Requests per subject. */
    public Map<String, Long> requestsBySubject() {
        Map<String, Long> counts = new TreeMap<>();
        accesses.forEach((access, seen) -> counts.merge(access.subject(), seen.count(), Long::sum));
        return counts;
    }
}
