package dev.tailor.webhook.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The pods a namespace already runs, read when someone switches it to enforce. */
@FunctionalInterface
public interface ExistingPods {

    /** Up to {@code limit} pods (as Pod JSON), and whether the namespace has more. */
    record Page(List<JsonNode> pods, boolean more) {}

    Page list(String namespace, int limit) throws Exception;

    static ExistingPods none() {
        return (namespace, limit) -> new Page(List.of(), false);
    }
}
