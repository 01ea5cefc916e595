package dev.tailor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.bench.LoadGenerator;
import dev.tailor.bench.OpaServer;
import dev.tailor.bench.ResidentMemory;
import dev.tailor.demo.LocalKubernetes;
import dev.tailor.demo.LocalWebhook;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tailor bench}: admission latency and throughput of the webhook over TLS on loopback, and — in the same
 * run, with the same Rego and the same request — of the OPA server's data API. Prints numbers; judges nothing.
 * The request is {@code test-fixtures/admission/deployment-conforms.json}: a Deployment with three containers.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the webhook's admission latency and throughput next to the OPA server's.")
public final class BenchCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--rates", split = ",", defaultValue = "250,500,1000,1500",
            description = "Fixed request rates per second (default: ${DEFAULT-VALUE})")
    List<Double> rates;

    @Option(names = "--seconds", defaultValue = "20", description = "Measured seconds per rate (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--warmup", defaultValue = "15", description = "Warm-up seconds before each measurement (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--connections", defaultValue = "8", description = "Connections for the throughput run (default: ${DEFAULT-VALUE})")
    int connections;

    @Mixin
    HomeOption home = new HomeOption();

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        if (seconds < 1 || connections < 1) {
            System.err.println("tailor bench: --seconds and --connections are at least 1");
            return TailorCli.USAGE;
        }
        Path root = home.root();
        byte[] review = Files.readAllBytes(root.resolve("test-fixtures/admission/deployment-conforms.json"));
        JsonNode request = JSON.readTree(review).get("request");
        ObjectNode opaInput = JSON.createObjectNode();
        ObjectNode input = opaInput.putObject("input");
        input.set("request", request);
        input.putObject("namespace").putObject("metadata").put("name", "shop").putObject("annotations")
                .put("tailor.dev/pod-security", "restricted").put("tailor.dev/mode", "audit");
        input.put("mode", "audit");
        byte[] opaBody = JSON.writeValueAsBytes(opaInput);

        Path work = Files.createTempDirectory("tailor-bench-");
        List<LoadGenerator.Result> results = new ArrayList<>();
        Map<String, Double> peakRss = new HashMap<>();
        try (LocalKubernetes kube = new LocalKubernetes()) {
            kube.applyNamespace("shop", Map.of("tailor.dev/pod-security", "restricted", "tailor.dev/mode", "audit"));
            try (LocalWebhook webhook = LocalWebhook.start(root.resolve("webhook/target/quarkus-app/quarkus-run.jar"),
                    work, kube.url(), Map.of())) {
                Path opaTls = work.resolve("opa-tls");
                webhook.issueCertificate(opaTls);
                try (OpaServer opa = OpaServer.start(root, opaTls, work.resolve("opa.log"), webhook.http());
                        ResidentMemory webhookRss = new ResidentMemory(webhook.pid());
                        ResidentMemory opaRss = new ResidentMemory(opa.pid())) {
                    LoadGenerator tailor = new LoadGenerator(webhook.http(), webhook.url().resolve("/validate"), review,
                            body -> body.contains("\"allowed\":true"));
                    LoadGenerator server = new LoadGenerator(webhook.http(), opa.validateUri(), opaBody,
                            body -> body.contains("\"violations\":[]"));
                    out.printf("machine: %d cores, %s; load generator, webhook and OPA server share them%n",
                            Runtime.getRuntime().availableProcessors(), System.getProperty("os.name") + " " + System.getProperty("os.arch"));
                    out.printf("request: deployment-conforms.json (%d bytes, 3 containers), namespace at restricted, audit mode%n%n", review.length);
                    for (double rate : rates) {
                        webhookRss.reset();
                        results.add(print(tailor.fixedRate("tailor webhook", rate, Duration.ofSeconds(warmup),
                                Duration.ofSeconds(seconds), connections * 2), webhookRss));
                        peakRss.merge("tailor webhook", webhookRss.peakMib(), Math::max);
                        opaRss.reset();
                        results.add(print(server.fixedRate("opa server", rate, Duration.ofSeconds(warmup),
                                Duration.ofSeconds(seconds), connections * 2), opaRss));
                        peakRss.merge("opa server", opaRss.peakMib(), Math::max);
                    }
                    webhookRss.reset();
                    results.add(print(tailor.closedLoop("tailor webhook", connections, Duration.ofSeconds(warmup),
                            Duration.ofSeconds(seconds)), webhookRss));
                    peakRss.merge("tailor webhook", webhookRss.peakMib(), Math::max);
                    opaRss.reset();
                    results.add(print(server.closedLoop("opa server", connections, Duration.ofSeconds(warmup),
                            Duration.ofSeconds(seconds)), opaRss));
                    peakRss.merge("opa server", opaRss.peakMib(), Math::max);
                }
            }
        } finally {
            HomeOption.deleteTree(work);
        }
        out.println();
        out.printf("peak RSS over the whole run: tailor webhook %.0f MiB, opa server %.0f MiB%n",
                peakRss.getOrDefault("tailor webhook", 0.0), peakRss.getOrDefault("opa server", 0.0));
        return TailorCli.OK;
    }

    private LoadGenerator.Result print(LoadGenerator.Result r, ResidentMemory rss) {
        out.printf("%-15s %-15s offered %6.0f/s  achieved %7.1f/s  p50 %6.2f ms  p99 %6.2f ms  p99.9 %6.2f ms  max %7.2f ms  errors %d/%d  peak RSS %.0f MiB%n",
                r.target(), r.mode(), r.offeredRate(), r.achievedRate(), r.p50() / 1000.0, r.p99() / 1000.0,
                r.p999() / 1000.0, r.max() / 1000.0, r.errors(), r.requests(), rss.peakMib());
        return r;
    }
}
