package dev.tailor.webhook.admission;

import com.fasterxml.jackson.databind.JsonNode;

/** The Namespaces the webhook knows of, as {@code {"metadata": {"name", "labels", "annotations"}}}. */
@FunctionalInterface
public interface NamespaceLookup {

    /** The namespace called {@code name}, or null when it is not known (yet). */
    JsonNode namespace(String name);

    /** Someone was allowed to change a namespace's mode: who, to what (for the Event recorded when it takes effect). */
    default void modeChangeAllowed(String namespace, String user, String to) {}
}
