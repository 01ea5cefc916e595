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
 * The capabilities the build checks the policies against: a built-in that OPA does not compile into WebAssembly
 * (the Java host supplies none) fails `opa check` by name; the ones the policies rely on pass.
 */
class CapabilitiesTest {

    private static final Path CAPABILITIES = Path.of("target/opa/capabilities.json");

    private static String check(Path dir, String body) throws IOException, InterruptedException {
        Files.writeString(dir.resolve("probe.rego"), "package probe\n\n" + body + "\n", StandardCharsets.UTF_8);
        Process opa = new ProcessBuilder(
                        RepositoryPaths.root().resolve("tools/opa").toString(),
                        "check",
                        "--strict",
                        "--capabilities",
                        CAPABILITIES.toAbsolutePath().toString(),
                        dir.toString())
                .redirectErrorStream(true)
                .start();
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

        // sprintf is not compiled into WASM by OPA and the host (WasmPolicy) supplies no built-ins.
        String sprintf = check(dir, "s := sprintf(\"%d containers\", [count(input.c)])");
        assertTrue(sprintf.contains("undefined function sprintf"), sprintf);
    }

    @Test
    void nativeBuiltinsPass(@TempDir Path dir) throws Exception {
        String result = check(
                dir,
                "n := count(input.c)\n\nt := concat(\",\", [\"a\", lower(\"B\")])\n\n"
                        + "u := startswith(\"kube-system\", \"kube-\")");
        assertEquals("0", result.substring(0, result.indexOf('\n')), result);
    }
}
