package dev.tailor.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.testing.RepositoryPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capabilities the build checks the policies against: a built-in the WASM target and the Java host do not
 * both support fails `opa check` by name; the ones the policies rely on pass.
 */
class CapabilitiesTest {

    private static final Path CAPABILITIES = Path.of("target/opa/capabilities.json");

    private static String check(Path dir, String body) throws IOException, InterruptedException {
        Files.writeString(dir.resolve("probe.rego"), "package probe\n\n" + body + "\n", StandardCharsets.UTF_8);
        Process opa = new ProcessBuilder(RepositoryPaths.root().resolve("tools/opa").toString(), "check", "--strict",
                "--capabilities", CAPABILITIES.toAbsolutePath().toString(), dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(opa.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(opa.waitFor(60, TimeUnit.SECONDS));
        return opa.exitValue() + "\n" + output;
    }

    @Test
    void aBuiltinTheHostLacksFailsTheCheckByName(@TempDir Path dir) throws Exception {
        assertTrue(Files.exists(CAPABILITIES), "run the Maven build: rego/build-policies writes " + CAPABILITIES);
        String result = check(dir, "now := time.now_ns()");
        assertNotEquals("0", result.substring(0, result.indexOf('\n')), result);
        assertTrue(result.contains("undefined function time.now_ns"), result);

        String http = check(dir, "r := http.send({\"method\": \"GET\", \"url\": \"https://example.invalid\"})");
        assertTrue(http.contains("undefined function http.send"), http);
    }

    @Test
    void nativeAndHostBuiltinsPass(@TempDir Path dir) throws Exception {
        String result = check(dir, "s := sprintf(\"%d containers\", [count(input.c)])\n\nt := concat(\",\", [\"a\", lower(\"B\")])");
        assertEquals("0", result.substring(0, result.indexOf('\n')), result);
    }
}
