package dev.tailor.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tailor.testing.RepositoryPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes' own Pod Security Admission conformance fixtures, through the compiled WASM: every pod of every level
 * and policy version v1.0 … v1.37 must get PSA's verdict (folder pass/fail), and a failing pod must be caught by the
 * check its file name names — or by the restricted check that replaces that one at this level and version.
 */
class PodSecurityConformanceTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** PSA's OverrideCheckIDs: at restricted, from the given minor version, the key check is replaced. */
    private static final Map<String, String[]> REPLACED_BY = Map.of(
            "hostpathvolumes", new String[] {"restrictedvolumes", "0"},
            "capabilities_baseline", new String[] {"capabilities_restricted", "22"},
            "seccompprofile_baseline", new String[] {"seccompprofile_restricted", "19"},
            "procmount", new String[] {"procmount_restricted", "35"});

    private static PolicyEngine engine;

    @BeforeAll
    static void load() {
        engine = PolicyEngine.bundled(1, Duration.ofSeconds(10));
    }

    @Test
    void everyFixtureGetsTheVerdictOfPodSecurityAdmission() throws IOException {
        Path testdata = RepositoryPaths.fixtures().resolve("third_party/psa-conformance/test/testdata");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(testdata)) {
            files = walk.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.size() > 4500, "expected the 4,537 PSA fixtures, found " + files.size());

        Map<String, int[]> perVersion = new TreeMap<>();
        List<String> disagreements = new ArrayList<>();
        int passed = 0;
        for (Path file : files) {
            Path rel = testdata.relativize(file);
            String level = rel.getName(0).toString();
            String version = rel.getName(1).toString();
            boolean expectAllowed = rel.getName(2).toString().equals("pass");
            String prefix = file.getFileName().toString().replaceAll("\\d*\\.yaml$", "");
            JsonNode pod = YAML.readTree(file.toFile());

            String problem = judge(level, version, expectAllowed, prefix, pod);
            // A pod that passes restricted must pass baseline too.
            if (problem == null && expectAllowed && level.equals("restricted")) {
                problem = judge("baseline", version, true, prefix, pod);
            }
            int[] counts = perVersion.computeIfAbsent(level + " " + version, k -> new int[2]);
            counts[1]++;
            if (problem == null) {
                passed++;
                counts[0]++;
            } else {
                disagreements.add(rel + ": " + problem);
            }
        }
        System.out.printf(
                "PSA conformance: %d of %d fixtures agree with Pod Security Admission "
                        + "(%d level/version directories, v1.0 to v1.37)%n",
                passed, files.size(), perVersion.size());
        disagreements.stream().limit(20).forEach(d -> System.out.println("  disagreement: " + d));
        assertEquals(
                0,
                disagreements.size(),
                disagreements.size() + " disagreements, the first: "
                        + disagreements.stream().limit(3).toList());
    }

    private static String judge(String level, String version, boolean expectAllowed, String prefix, JsonNode pod) {
        Decision decision = engine.validate(podInput(level, version, pod));
        List<String> checks = decision.violations().stream()
                .filter(v -> v.category().equals("podSecurity"))
                .map(v -> v.check().toLowerCase(Locale.ROOT))
                .toList();
        if (!decision.podSecurityLevel().equals(level)
                || !decision.podSecurityVersion().equals(version)) {
            return "judged at " + decision.podSecurityLevel() + " " + decision.podSecurityVersion();
        }
        if (expectAllowed) {
            return checks.isEmpty() ? null : "PSA allows it, Tailor reports " + decision.violations();
        }
        if (checks.isEmpty()) {
            return "PSA rejects it (" + prefix + "), Tailor allows it";
        }
        String expected = prefix.startsWith("base") ? null : expectedCheck(level, version, prefix);
        if (expected != null && !checks.contains(expected)) {
            return "expected check " + expected + ", Tailor reports " + checks;
        }
        return null;
    }

    private static String expectedCheck(String level, String version, String prefix) {
        String[] replacement = REPLACED_BY.get(prefix);
        int minor = Integer.parseInt(version.substring("v1.".length()));
        if (replacement != null && level.equals("restricted") && minor >= Integer.parseInt(replacement[1])) {
            return replacement[0];
        }
        return prefix;
    }

    static ObjectNode podInput(String level, String version, JsonNode pod) {
        ObjectNode input = JSON.createObjectNode();
        ObjectNode request = input.putObject("request");
        request.put("uid", "conformance");
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.put("operation", "CREATE");
        request.put("namespace", "conformance");
        request.putObject("userInfo").put("username", "conformance");
        request.set("object", pod);
        ObjectNode annotations = input.putObject("namespace")
                .putObject("metadata")
                .put("name", "conformance")
                .putObject("annotations");
        annotations.put("tailor.dev/pod-security", level);
        annotations.put("tailor.dev/pod-security-version", version);
        input.put("mode", "enforce");
        return input;
    }
}
