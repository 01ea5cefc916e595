package dev.tailor.webhook.admission;

import com.fasterxml.jackson.databind.JsonNode;

/** The Namespaces the webhook knows of, as {@code {"metadata": {"name", "labels", "annotations"}}}. */
@FunctionalInterface
public interface NamespaceLookup {

    /** The namespace called {@code name} as known now, or null when it is not known (yet): never a call out. */
    JsonNode namespace(String name);

    /**
     * The namespace called {@code name}; one not known yet may be asked of the API server, within the lookup's bounds
     * (a review's sender names any namespace it likes). Only for requests believed to be the API server's.
     */
    default JsonNode namespaceAsking(String name) {
        return namespace(name);
    }

    /** Whether {@link #namespaceAsking} may ask the API server for {@code name}, and so wait: not on an event loop. */
    default boolean mayAsk(String name) {
        return false;
    }

    /** Someone was allowed to change a namespace's mode: who, to what (for the Event recorded when it takes effect). */
    default void modeChangeAllowed(String namespace, String user, String to) {}
}
