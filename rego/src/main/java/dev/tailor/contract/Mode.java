package dev.tailor.contract;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A namespace's mode, the value of its {@link Names#MODE} annotation: {@code audit} lets every request through and
 * warns of what enforcing would deny; {@code enforce} denies it. Which mode a namespace is in is decided here and
 * only here ({@link #selectedBy}): the webhook hands the policies the mode in force for a request and, on a Namespace
 * write, the mode the written object selects (rego/policies/lib/mode.rego reads both from the input).
 */
public enum Mode {
    AUDIT,
    ENFORCE;

    /** The annotation value: {@code audit} or {@code enforce}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode an annotation value names, if it names one. */
    public static Optional<Mode> of(String value) {
        for (Mode m : values()) {
            if (m.value().equals(value)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /**
     * The mode a namespace's annotations select: its {@link Names#MODE} annotation when that names a mode, else
     * {@code otherwise} (the webhook's default mode). Null annotations select {@code otherwise}.
     */
    public static Mode selectedBy(Map<String, String> annotations, Mode otherwise) {
        return annotations == null ? otherwise : of(annotations.get(Names.MODE)).orElse(otherwise);
    }

    /** {@link #selectedBy(Map, Mode)} for a Namespace object as JSON ({@code metadata.annotations}). */
    public static Mode selectedBy(JsonNode namespace, Mode otherwise) {
        JsonNode value = namespace == null
                ? null
                : namespace.path("metadata").path("annotations").get(Names.MODE);
        return value == null || !value.isTextual()
                ? otherwise
                : of(value.asText()).orElse(otherwise);
    }
}
