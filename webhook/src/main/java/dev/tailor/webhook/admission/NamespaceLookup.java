package dev.tailor.webhook.admission;

import com.fasterxml.jackson.databind.JsonNode;

/** The Namespaces the webhook knows of, as {@code {"metadata": {"name", "labels", "annotations"}}}. */
@FunctionalInterface
public interface NamespaceLookup {

    /** The namespace called {@code name}, or null when it is not known (yet). */
    JsonNode namespace(String name);
}
