package dev.tailor.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.testing.GoldenFiles;
import dev.tailor.testing.RepositoryPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * docs/policies/ has one page per check, made from the check's own METADATA (title, description, id), so the
 * documentation cannot drift from the Rego. Missing, extra or changed pages fail; run with
 * {@code -Dtailor.update-golden=true} to rewrite them.
 */
class PolicyDocsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Map<String, String> pages() throws IOException {
        Path annotations = Path.of("target/opa/annotations.json");
        assertTrue(Files.exists(annotations), "run the Maven build: rego/build-policies writes " + annotations);
        Map<String, String> pages = new TreeMap<>();
        List<String> index = new ArrayList<>();
        for (JsonNode a : JSON.readTree(annotations.toFile()).path("annotations")) {
            JsonNode meta = a.path("annotations");
            String id = meta.path("custom").path("id").asText("");
            String file = a.path("location").path("file").asText();
            if (id.isEmpty() || !meta.path("scope").asText().equals("package")) {
                continue;
            }
            String source = "rego/" + file;
            String category = file.split("/")[1];
            String page = "# " + id + " — " + meta.path("title").asText() + "\n\n"
                    + meta.path("description").asText().strip() + "\n\n"
                    + "| | |\n|---|---|\n"
                    + "| check id | `" + id + "` |\n"
                    + "| category | " + category + " |\n"
                    + "| source | [`" + source + "`](../../" + source + ") |\n"
                    + "| tests | [`" + source.replace(".rego", "_test.rego") + "`](../../"
                    + source.replace(".rego", "_test.rego") + ") |\n\n"
                    + "_Generated from the check's METADATA by `PolicyDocsTest`; edit the Rego, not this page._\n";
            pages.put(id + ".md", page);
            index.add("| [`" + id + "`](" + id + ".md) | " + category + " | "
                    + meta.path("title").asText() + " |");
        }
        index.sort(String::compareTo);
        pages.put(
                "README.md",
                "# Tailor's checks\n\nOne page per check, generated from its METADATA.\n\n"
                        + "| check | category | title |\n|---|---|---|\n" + String.join("\n", index) + "\n");
        return pages;
    }

    @Test
    void everyCheckHasItsPageAndThePagesMatchTheRego() throws IOException {
        Map<String, String> expected = pages();
        Path dir = RepositoryPaths.root().resolve("docs/policies");
        List<String> problems = GoldenFiles.differences(dir, expected);
        assertEquals(
                List.of(),
                problems,
                "docs/policies differs from the checks' METADATA; rewrite with -Dtailor.update-golden=true");
        assertTrue(expected.size() > 20, "expected a page per check, got " + expected.keySet());
    }
}
