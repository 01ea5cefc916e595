package dev.tailor.devtools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.cli.TailorCli;
import dev.tailor.contract.Names;
import dev.tailor.harness.LocalImage;
import dev.tailor.harness.LocalKubernetes;
import dev.tailor.harness.LocalWebhook;
import dev.tailor.util.Trees;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tailor classlist}: writes webhook/src/main/cds/webhook.classlist, the classes of which tools/image makes the
 * webhook's class-data archive. The image's own entrypoint (its Java runtime, without the archive) starts against a
 * local API server, answers every admission fixture — allowed and denied, in an audited and an enforced namespace,
 * validated and mutated — for a while, and stops; its JVM lists every class it loaded
 * ({@code -XX:DumpLoadedClassList}). Run it when the webhook's libraries or the image's JDK change: a class missing
 * from the list loads as it would without the archive, a class no longer there is skipped when the archive is made.
 */
@Command(
        name = "classlist",
        mixinStandardHelpOptions = true,
        description = "Write the list of classes the image's class-data archive holds for the webhook's start.")
public final class ClasslistCommand implements Callable<Integer> {

    static final String CLASSLIST = "webhook/src/main/cds/webhook.classlist";

    private static final String HEADER = """
            # The classes the webhook loads on the image's Java runtime from its start through its first decisions,
            # of which tools/image makes its class-data archive (-Xshare:dump). Written by `./tailor classlist`, as
            # the JVM lists them (-XX:DumpLoadedClassList); make it again when the webhook's libraries or the
            # image's JDK change.
            """;

    @Option(
            names = "--rounds",
            defaultValue = "20",
            description = "Times every admission fixture is sent (default: ${DEFAULT-VALUE})")
    int rounds;

    @Mixin
    HomeOption home = new HomeOption();

    @Override
    public Integer call() throws Exception {
        if (rounds < 1) {
            System.err.println("tailor classlist: --rounds is at least 1");
            return TailorCli.USAGE;
        }
        Path root = home.root();
        Path work = Files.createTempDirectory("tailor-classlist-");
        try {
            LocalImage image = ImageArchive.buildAndUnpack(root, work.resolve("image"));
            // Without the archive the list is made for: every class is loaded, and listed, as without one.
            LocalImage training = new LocalImage(
                    image.root(),
                    image.entrypoint().stream()
                            .filter(a -> !a.startsWith("-XX:SharedArchiveFile="))
                            .toList());
            Path listed = work.resolve("loaded.classlist");
            ObjectMapper json = new ObjectMapper();
            JsonNode index = json.readTree(
                    root.resolve("test-fixtures/admission/index.json").toFile());
            Map<Path, Boolean> fixtures = new LinkedHashMap<>(); // each fixture, and whether it is a pod's
            for (JsonNode c : index.path("cases")) {
                Path file = root.resolve("test-fixtures/admission")
                        .resolve(c.path("file").asText());
                String kind =
                        json.readTree(file.toFile()).at("/request/kind/kind").asText();
                fixtures.put(file, kind.equals("Pod"));
            }
            int answered = 0;
            try (LocalKubernetes kube = new LocalKubernetes()) {
                boolean enforce = false; // the fixtures' namespaces audited and enforced in turn
                for (var ns : index.path("namespaces").properties()) {
                    Map<String, String> annotations = new LinkedHashMap<>();
                    ns.getValue()
                            .properties()
                            .forEach(a ->
                                    annotations.put(a.getKey(), a.getValue().asText()));
                    annotations.put(Names.MODE, enforce ? "enforce" : "audit");
                    enforce = !enforce;
                    kube.applyNamespace(ns.getKey(), annotations);
                }
                try (LocalWebhook webhook = LocalWebhook.start(
                        training, work, kube.url(), Map.of("JAVA_TOOL_OPTIONS", "-XX:DumpLoadedClassList=" + listed))) {
                    // HTTP/1.1 and HTTP/2 in turn: the API server calls webhooks over HTTP/2.
                    List<HttpClient> clients = List.of(
                            webhook.http(),
                            HttpClient.newBuilder()
                                    .version(HttpClient.Version.HTTP_2)
                                    .sslContext(webhook.http().sslContext())
                                    .build());
                    for (int round = 0; round < rounds; round++) {
                        HttpClient client = clients.get(round % clients.size());
                        for (var fixture : fixtures.entrySet()) {
                            byte[] review = Files.readAllBytes(fixture.getKey());
                            expectOk(webhook.post(client, "/validate", review));
                            answered++;
                            if (fixture.getValue()) {
                                expectOk(webhook.post(client, "/mutate", review));
                                answered++;
                            }
                        }
                    }
                }
            }
            List<String> lines = Files.readAllLines(listed, StandardCharsets.UTF_8);
            long classes = lines.stream()
                    .filter(l -> !l.isEmpty() && !l.startsWith("#") && !l.startsWith("@"))
                    .count();
            StringBuilder text = new StringBuilder(HEADER);
            lines.stream()
                    .filter(l -> !l.startsWith("#"))
                    .forEach(l -> text.append(l).append('\n'));
            Trees.writeWhole(root.resolve(CLASSLIST), text.toString());
            System.out.printf(
                    "%s: %d classes (%d lines) loaded by the image's webhook through %d answers; run tools/image"
                            + " to archive them%n",
                    CLASSLIST, classes, lines.size(), answered);
            return TailorCli.OK;
        } finally {
            HomeOption.deleteTree(work);
        }
    }

    /** A review's answer, which must be 200 (the list is made from the decisions, not from errors). */
    private static void expectOk(HttpResponse<String> answer) {
        if (answer.statusCode() != 200) {
            throw new IllegalStateException(
                    answer.request().uri() + " answered " + answer.statusCode() + ": " + answer.body());
        }
    }
}
