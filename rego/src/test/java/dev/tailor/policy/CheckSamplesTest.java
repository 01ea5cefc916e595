package dev.tailor.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tailor.contract.Mode;
import dev.tailor.testing.RepositoryPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every check's {@code samples/} (as in gatekeeper-library: adding a check touches only its folder): each sample is
 * an object as a user would write it, with the request around it and what the policies must answer — the checks that
 * fail ({@code expect}), or for a mutation the JSON Patch ({@code patch}). The samples run through the same compiled
 * policy the webhook evaluates, with the input the webhook builds. Every check needs a sample it fails and one it
 * lets through.
 *
 * <p>A sample's fields: {@code object}, {@code oldObject}, {@code operation} (CREATE), {@code subResource} (none),
 * {@code user} (alice,
 * developers), {@code namespace} (its Namespace's annotations), {@code mode} (audit), {@code approved} (what the
 * webhook holds as approved), and {@code expect} or {@code patch}.
 */
class CheckSamplesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Pattern ID = Pattern.compile("(?m)^#\\s+id:\\s*(\\S+)\\s*$");

    /** The configuration's defaults, as the webhook's data carries them (webhook's PolicyData). */
    private static final String CONFIG = """
            {"podSecurity": {"defaultLevel": "baseline"},
             "admins": {"users": [], "groups": ["system:masters", "tailor-admins"]},
             "approvers": {"users": ["system:serviceaccount:flux-system:kustomize-controller"], "groups": []},
             "rbac": {"exemptSubjects": [{"kind": "User", "name": "system:apiserver"}]}}""";

    private static PolicyEngine engine;
    private static int agreed;

    /** A check's folder: its id (none for a mutation) and its samples. */
    record Check(String name, Path folder, Optional<String> id, List<Path> samples) {
        boolean mutation() {
            return id.isEmpty();
        }
    }

    @BeforeAll
    static void engine() {
        engine = PolicyEngine.bundled(1, Duration.ofSeconds(10));
    }

    @AfterAll
    static void report() {
        List<Check> checks = checks();
        System.out.printf(
                "Check samples: %d of %d samples agree with the policies (%d checks)%n",
                agreed, checks.stream().mapToInt(c -> c.samples().size()).sum(), checks.size());
    }

    static List<Check> checks() {
        Path policies = RepositoryPaths.root().resolve("rego/policies");
        List<Check> checks = new ArrayList<>();
        try (Stream<Path> files = Files.walk(policies, 3)) {
            for (Path rego : files.filter(
                            f -> f.toString().endsWith(".rego") && !f.toString().endsWith("_test.rego"))
                    .filter(f -> policies.relativize(f).getNameCount() == 3)
                    .sorted()
                    .toList()) {
                Path folder = rego.getParent();
                Matcher id = ID.matcher(Files.readString(rego));
                List<Path> samples = new ArrayList<>();
                if (Files.isDirectory(folder.resolve("samples"))) {
                    try (Stream<Path> s = Files.list(folder.resolve("samples"))) {
                        s.filter(f -> f.toString().endsWith(".yaml")).sorted().forEach(samples::add);
                    }
                }
                checks.add(new Check(
                        policies.relativize(folder).toString(),
                        folder,
                        id.find() ? Optional.of(id.group(1)) : Optional.empty(),
                        samples));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return checks;
    }

    @Test
    void everyCheckHasASampleItFailsAndOneItLetsThrough() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Check c : checks()) {
            boolean fails = false;
            boolean passes = false;
            for (Path s : c.samples()) {
                JsonNode sample = YAML.readTree(s.toFile());
                boolean fired = c.mutation()
                        ? !sample.path("patch").isEmpty()
                        : expected(sample).contains(c.id().orElseThrow());
                fails |= fired;
                passes |= !fired;
            }
            if (!fails || !passes) {
                missing.add(c.name() + (fails ? "" : ": no sample it fails") + (passes ? "" : ": no sample it passes"));
            }
        }
        assertEquals(List.of(), missing, "add samples/ to these checks' folders");
        assertTrue(checks().size() >= 30, "found only " + checks().size() + " checks");
    }

    @TestFactory
    Stream<DynamicTest> eachSampleGetsTheAnswerItExpects() {
        return checks().stream()
                .flatMap(c -> c.samples().stream()
                        .map(s -> DynamicTest.dynamicTest(c.name() + "/" + s.getFileName(), () -> run(c, s))));
    }

    private static void run(Check check, Path file) throws IOException {
        JsonNode sample = YAML.readTree(file.toFile());
        ObjectNode data = JSON.createObjectNode();
        data.set("config", JSON.readTree(CONFIG));
        data.set("approved", sample.has("approved") ? sample.get("approved") : JSON.readTree("{\"workloads\": {}}"));
        engine.setData(data);
        JsonNode input = input(sample);
        if (check.mutation()) {
            assertEquals(sample.path("patch"), JSON.valueToTree(engine.mutate(input)), "the patch");
        } else {
            List<String> checks = new ArrayList<>(new TreeSet<>(engine.validate(input).violations().stream()
                    .map(Violation::check)
                    .toList()));
            assertEquals(expected(sample), checks, "the checks that fail");
        }
        agreed++;
    }

    private static List<String> expected(JsonNode sample) {
        List<String> expect = new ArrayList<>();
        sample.path("expect").forEach(c -> expect.add(c.asText()));
        return List.copyOf(new TreeSet<>(expect));
    }

    /** The input the webhook builds for the sample's request (AdmissionHandler.input). */
    static ObjectNode input(JsonNode sample) {
        String operation = sample.path("operation").asText("CREATE");
        JsonNode object = sample.path("object");
        JsonNode old = sample.path("oldObject");
        JsonNode subject = operation.equals("DELETE") ? old : object;
        String apiVersion = subject.path("apiVersion").asText();
        String kind = subject.path("kind").asText();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        String namespace = subject.path("metadata").path("namespace").asText("");
        ObjectNode request = JSON.createObjectNode()
                .put("uid", "705ab4f5-6393-11e8-b7cc-42010a800002")
                .put("name", subject.path("metadata").path("name").asText())
                .put("namespace", namespace)
                .put("operation", operation)
                .put("dryRun", false);
        if (sample.has("subResource")) {
            request.put("subResource", sample.get("subResource").asText());
        }
        request.putObject("kind").put("group", group).put("version", version).put("kind", kind);
        request.putObject("resource")
                .put("group", group)
                .put("version", version)
                .put("resource", plural(kind));
        request.set("requestKind", request.get("kind"));
        request.set("requestResource", request.get("resource"));
        request.set(
                "userInfo",
                sample.has("user")
                        ? sample.get("user")
                        : JSON.createObjectNode()
                                .put("username", "alice")
                                .set("groups", JSON.valueToTree(List.of("developers", "system:authenticated"))));
        request.set("object", operation.equals("DELETE") ? JSON.nullNode() : object);
        request.set("oldObject", old.isMissingNode() ? JSON.nullNode() : old);
        ObjectNode input = JSON.createObjectNode();
        input.set("request", request);
        input.set("namespace", namespaceOf(sample, kind, namespace, old));
        input.put("mode", sample.path("mode").asText("audit"));
        if (kind.equals("Namespace") && object.isObject()) {
            input.put(
                    "admittedNamespaceMode", Mode.selectedBy(object, Mode.AUDIT).value());
        }
        return input;
    }

    /** The request's Namespace as the webhook's cache has it: the old object for a Namespace write, none for others. */
    private static JsonNode namespaceOf(JsonNode sample, String kind, String namespace, JsonNode old) {
        if (kind.equals("Namespace")) {
            return old.isMissingNode() ? JSON.nullNode() : old;
        }
        if (namespace.isEmpty()) {
            return JSON.nullNode();
        }
        ObjectNode ns = JSON.createObjectNode();
        ObjectNode metadata = ns.putObject("metadata").put("name", namespace);
        metadata.putObject("labels").put("kubernetes.io/metadata.name", namespace);
        metadata.set("annotations", sample.has("namespace") ? sample.get("namespace") : JSON.createObjectNode());
        return ns;
    }

    private static String plural(String kind) {
        String lower = kind.toLowerCase(Locale.ROOT);
        return lower.endsWith("y") ? lower.substring(0, lower.length() - 1) + "ies" : lower + "s";
    }
}
