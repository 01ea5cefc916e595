package dev.tailor.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one resolution of a namespace's mode: its annotation when that names a mode, else the default. */
class ModeTest {

    @ParameterizedTest(name = "annotation {0}, default {1}: {2}")
    @CsvSource(
            nullValues = "unset",
            value = {
                "enforce, AUDIT, ENFORCE",
                "audit, ENFORCE, AUDIT",
                "unset, ENFORCE, ENFORCE",
                "unset, AUDIT, AUDIT",
                "enforcing, AUDIT, AUDIT",
                "Enforce, AUDIT, AUDIT",
                "'', ENFORCE, ENFORCE"
            })
    void theAnnotationSelectsElseTheDefault(String annotation, Mode otherwise, Mode expected) throws Exception {
        Map<String, String> annotations = new HashMap<>();
        if (annotation != null) {
            annotations.put(Names.MODE, annotation);
        }
        assertEquals(expected, Mode.selectedBy(annotations, otherwise));
        var namespace = new ObjectMapper().createObjectNode();
        namespace.putObject("metadata").set("annotations", new ObjectMapper().valueToTree(annotations));
        assertEquals(expected, Mode.selectedBy(namespace, otherwise), "the same for the Namespace as JSON");
    }
}
