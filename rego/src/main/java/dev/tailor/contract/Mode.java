package dev.tailor.contract;

import java.util.Locale;
import java.util.Optional;

/**
 * A namespace's mode, the value of its {@link Names#MODE} annotation: {@code audit} lets every request through and
 * warns of what enforcing would deny; {@code enforce} denies it. The Rego reads the same values (rego/policies/lib/mode.rego).
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
}
