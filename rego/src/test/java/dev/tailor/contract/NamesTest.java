package dev.tailor.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.testing.RepositoryPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Each shared name is spelled once in the Java, in {@link Names}, and the Rego spells the ones it reads the same. */
class NamesTest {

    /** A string literal that spells one of Tailor's own names ({@code "tailor.dev/…"}). */
    private static final Pattern SPELLED = Pattern.compile("\"[^\"]*\\btailor\\.dev/");

    @Test
    void noJavaOutsideNamesSpellsATailorName() throws IOException {
        List<String> found = new ArrayList<>();
        for (String module : List.of("rego", "core", "policygen", "webhook", "devtools", "test-fixtures")) {
            Path sources = RepositoryPaths.root().resolve(module).resolve("src/main/java");
            try (Stream<Path> files = Files.walk(sources)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("contract/Names.java"))
                        .sorted()
                        .toList()) {
                    List<String> lines = Files.readAllLines(file);
                    for (int i = 0; i < lines.size(); i++) {
                        String code = lines.get(i).strip();
                        if (!code.startsWith("*")
                                && !code.startsWith("//")
                                && SPELLED.matcher(code).find()) {
                            found.add(RepositoryPaths.root().relativize(file) + ":" + (i + 1) + ": " + code);
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), found, "use dev.tailor.contract.Names");
    }

    @Test
    void theRegoReadsTheModeAndTheLevelUnderTheSameNames() throws IOException {
        Path lib = RepositoryPaths.root().resolve("rego/policies/lib");
        assertTrue(Files.readString(lib.resolve("mode.rego")).contains("\"" + Names.MODE + "\""));
        assertTrue(Files.readString(lib.resolve("psa.rego")).contains("\"" + Names.POD_SECURITY + "\""));
    }
}
