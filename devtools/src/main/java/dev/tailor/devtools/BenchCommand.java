package dev.tailor.devtools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.bench.LoadGenerator;
import dev.tailor.bench.NativePsaWebhook;
import dev.tailor.bench.OpaServer;
import dev.tailor.bench.ProcessCpu;
import dev.tailor.bench.ResidentMemory;
import dev.tailor.bench.SafepointLog;
import dev.tailor.bench.Vegeta;
import dev.tailor.cli.TailorCli;
import dev.tailor.contract.Names;
import dev.tailor.harness.LocalImage;
import dev.tailor.harness.LocalKubernetes;
import dev.tailor.harness.LocalWebhook;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tailor bench}: the webhook's cost per admission decision next to two peers in the same run, on the same
 * requests, over TLS on loopback — the OPA server on the same Rego (its data API), and the native reference, a Go
 * webhook on Kubernetes' own Pod Security Admission library ({@code tools/bench-peers}). Prints each run and then
 * the ratios Tailor/native and Tailor/OPA, the only figures that hold on a shared machine. Judges nothing.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measure the webhook's cost per admission decision next to the OPA server and native PSA.")
public final class BenchCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TAILOR = "tailor";
    private static final String NATIVE = "native psa";
    private static final String OPA = "opa server";
    private static final List<String> TARGETS = List.of(TAILOR, NATIVE, OPA);
    /** The requests, each a real AdmissionReview from test-fixtures/admission, in a namespace at restricted. */
    private static final Map<String, String> REQUESTS =
            Map.of("Deployment", "deployment-conforms.json", "Pod", "pod-restricted-conforms.json");

    @Option(
            names = "--rates",
            split = ",",
            defaultValue = "500,1000,1500",
            description = "Open-loop request rates per second, sent by vegeta (default: ${DEFAULT-VALUE})")
    List<Double> rates;

    @Option(
            names = "--new-connection-rate",
            defaultValue = "200",
            converter = RateOrNone.class,
            description =
                    "Rate of the open-loop run with a new TLS connection per request; 0 skips it (default: ${DEFAULT-VALUE})")
    double newConnectionRate;

    @Option(
            names = "--seconds",
            defaultValue = "20",
            description = "Measured seconds per run (default: ${DEFAULT-VALUE})")
    int seconds;

    /** Long enough for the JIT to have compiled the policy module's hot functions (about 8 s of one core's CPU). */
    @Option(
            names = "--warmup",
            defaultValue = "30",
            description = "Warm-up seconds before each run (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(
            names = "--connections",
            defaultValue = "8",
            description = "Connections of the closed-loop runs (default: ${DEFAULT-VALUE})")
    int connections;

    @Mixin
    HomeOption home = new HomeOption();

    /** A rate that may also be 0, "none" (every other rate of Tailor's is above 0). */
    static final class RateOrNone implements picocli.CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String text) {
            double d = Double.parseDouble(text);
            if (!(d >= 0) || Double.isInfinite(d)) {
                throw new picocli.CommandLine.TypeConversionException(
                        "'" + text + "' is neither 0 nor a number above 0");
            }
            return d;
        }
    }

    private final PrintStream out = System.out;

    /** One server under test: where each request goes, what a right answer looks like, its process. */
    private record Target(
            String name, long pid, long startedNanos, URI uri, Map<String, byte[]> bodies, Predicate<String> valid) {}

    /** Where Tailor's JVM logs its safepoints. */
    private Path tailorStops;

    /** Every figure of the run, by measure and target, in the order measured. */
    private final Map<String, Map<String, Double>> figures = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        if (seconds < 1 || connections < 1 || warmup < 0) {
            System.err.println("tailor bench: --seconds and --connections are at least 1, --warmup at least 0");
            return TailorCli.USAGE;
        }
        Path root = home.root();
        Map<String, String> peers = peerBinaries(root);
        Map<String, byte[]> reviews = new LinkedHashMap<>();
        Map<String, byte[]> opaBodies = new LinkedHashMap<>();
        for (String kind : List.of("Deployment", "Pod")) {
            byte[] review =
                    Files.readAllBytes(root.resolve("test-fixtures/admission").resolve(REQUESTS.get(kind)));
            reviews.put(kind, review);
            opaBodies.put(kind, opaInput(JSON.readTree(review).get("request")));
        }
        Path work = Files.createTempDirectory("tailor-bench-");
        try (LocalKubernetes kube = new LocalKubernetes()) {
            kube.applyNamespace("shop", Map.of(Names.POD_SECURITY, "restricted", Names.MODE, "audit"));
            // Its safepoints logged: what stopped the JVM during a run is printed under it.
            tailorStops = work.resolve("webhook-safepoints.log");
            // What ships: the image's entrypoint, its Java runtime and class-data archive (tools/image, from this
            // build).
            LocalImage image = ImageArchive.buildAndUnpack(root, work.resolve("image"));
            out.printf(
                    "tailor: the image's entrypoint on its Java %s: %s%n",
                    image.javaVersion(), String.join(" ", image.entrypoint()));
            try (LocalWebhook webhook = LocalWebhook.start(
                    image, work, kube.url(), Map.of("JAVA_TOOL_OPTIONS", SafepointLog.option(tailorStops)))) {
                out.println(webhook.cgroup()
                        .map(c -> "tailor: in a memory cgroup limited to " + (c.limitBytes() >> 20)
                                + " MiB, the Deployment's limit (" + c + ")")
                        .orElse("tailor: no memory cgroup can be made here: the Deployment's limit is the JVM's"
                                + " MaxRAM alone"));
                HttpClient http = webhook.http();
                Target tailor = new Target(
                        TAILOR,
                        webhook.pid(),
                        webhook.startedNanos(),
                        webhook.url().resolve("/validate"),
                        reviews,
                        body -> body.contains("\"allowed\":true") && !body.contains("\"warnings\""));
                firstDecision(http, tailor);
                againstPeers(root, work, peers, reviews, opaBodies, webhook, tailor);
                webhook.cgroup().ifPresent(c -> {
                    // What the kubelet's limit counts: the process's memory and the page cache it was charged for.
                    long peak = c.peakBytes();
                    if (peak >= 0) { // cgroup v2 keeps a peak since Linux 5.19
                        put("memory cgroup's peak charge, page cache in it, MiB", tailor, peak / 1048576.0);
                    }
                    put("killed by the memory cgroup's limit", tailor, (double) c.oomKills());
                });
            }
        } finally {
            HomeOption.deleteTree(work);
        }
        summary();
        return TailorCli.OK;
    }

    /** The native Pod Security webhook and the OPA server started beside Tailor's, on its CA; then the runs. */
    private void againstPeers(
            Path root,
            Path work,
            Map<String, String> peers,
            Map<String, byte[]> reviews,
            Map<String, byte[]> opaBodies,
            LocalWebhook webhook,
            Target tailor)
            throws Exception {
        HttpClient http = webhook.http();
        Path tls = work.resolve("peers-tls");
        webhook.issueCertificate(tls);
        Path caPem = Files.writeString(work.resolve("ca.pem"), webhook.caPem());
        try (NativePsaWebhook psa =
                NativePsaWebhook.start(Path.of(peers.get("PSA_WEBHOOK")), tls, work.resolve("psa-webhook.log"))) {
            Target nativePsa = new Target(
                    NATIVE,
                    psa.pid(),
                    psa.startedNanos(),
                    psa.validateUri(),
                    reviews,
                    body -> body.contains("\"allowed\":true"));
            firstDecision(http, nativePsa);
            try (OpaServer opa = OpaServer.start(root, tls, work.resolve("opa.log"), http)) {
                Target opaServer = new Target(
                        OPA,
                        opa.pid(),
                        opa.startedNanos(),
                        opa.validateUri(),
                        opaBodies,
                        body -> body.contains("\"violations\":[]"));
                firstDecision(http, opaServer);
                List<Target> targets = List.of(tailor, nativePsa, opaServer);
                header(reviews);
                measure(targets, http, new Vegeta(Path.of(peers.get("VEGETA")), caPem, work));
            }
        }
    }

    private void measure(List<Target> targets, HttpClient http, Vegeta vegeta) throws Exception {
        Duration warm = Duration.ofSeconds(warmup);
        Duration measured = Duration.ofSeconds(seconds);
        Map<Target, ResidentMemory> rss = new LinkedHashMap<>();
        for (Target t : targets) {
            rss.put(t, new ResidentMemory(t.pid()));
            put("RSS at rest after start, MiB", t, rss.get(t).currentKib() / 1024.0);
            put("threads at rest after start", t, rss.get(t).threads());
        }
        try {
            closedLoop(targets, http, rss, warm, measured);
            openLoop(targets, vegeta, rss, warm, measured);
            if (newConnectionRate > 0) {
                newConnections(targets, vegeta, rss, measured);
            }
            for (Target t : targets) {
                put("RSS peak under load, MiB", t, rss.get(t).peakMib());
                put("RSS at rest after the runs, MiB", t, rss.get(t).currentKib() / 1024.0);
                put("threads at rest after the runs", t, rss.get(t).threads());
            }
        } finally {
            rss.values().forEach(ResidentMemory::close);
        }
    }

    /** Throughput and server CPU per decision with {@code connections} kept-alive connections, each kind. */
    private void closedLoop(
            List<Target> targets, HttpClient http, Map<Target, ResidentMemory> rss, Duration warm, Duration measured)
            throws Exception {
        for (String kind : List.of("Deployment", "Pod")) {
            for (Target t : targets) {
                LoadGenerator load = new LoadGenerator(http, t.uri(), t.bodies().get(kind), t.valid());
                load.closedLoop(t.name(), connections, Duration.ZERO, warm);
                ProcessCpu cpu = new ProcessCpu(t.pid());
                double before = cpu.millis();
                long from = System.currentTimeMillis();
                LoadGenerator.Result r = load.closedLoop(t.name(), connections, Duration.ZERO, measured);
                double cpuPerDecision = (cpu.millis() - before) / Math.max(1, r.requests() - r.errors());
                print(r, kind, rss.get(t), stops(t, from, System.currentTimeMillis()));
                put("throughput, " + connections + " connections, " + kind + ", per s", t, r.achievedRate());
                put("server CPU per decision, " + kind + ", ms", t, cpuPerDecision);
            }
        }
    }

    /** p99 and p99.9 at each open-loop rate, on kept-alive connections (vegeta). */
    private void openLoop(
            List<Target> targets, Vegeta vegeta, Map<Target, ResidentMemory> rss, Duration warm, Duration measured)
            throws Exception {
        for (double rate : rates) {
            for (Target t : targets) {
                LoadGenerator.Result r = vegeta.attack(
                        t.name(), t.uri(), t.bodies().get("Deployment"), t.valid(), rate, true, warm, measured);
                SafepointLog.Stops stops = stops(t, vegeta.measuredFrom(), vegeta.measuredUntil());
                print(r, "Deployment", rss.get(t), stops);
                put(String.format("p99 at %.0f/s (open loop), ms", rate), t, r.p99() / 1000.0);
                put(String.format("p99.9 at %.0f/s (open loop), ms", rate), t, r.p999() / 1000.0);
                if (stops != null) {
                    put(String.format("longest safepoint at %.0f/s (open loop), ms", rate), t, stops.longestMillis());
                }
                if (r.errors() > 0) {
                    put(String.format("failed or wrong answers at %.0f/s", rate), t, (double) r.errors());
                }
            }
        }
    }

    /** p99 and server CPU per decision with a new TLS connection for each request. */
    private void newConnections(List<Target> targets, Vegeta vegeta, Map<Target, ResidentMemory> rss, Duration measured)
            throws Exception {
        for (Target t : targets) {
            ProcessCpu cpu = new ProcessCpu(t.pid());
            double before = cpu.millis();
            LoadGenerator.Result r = vegeta.attack(
                    t.name(),
                    t.uri(),
                    t.bodies().get("Deployment"),
                    t.valid(),
                    newConnectionRate,
                    false,
                    Duration.ZERO,
                    measured);
            print(r, "Deployment", rss.get(t), stops(t, vegeta.measuredFrom(), vegeta.measuredUntil()));
            put(String.format("p99 at %.0f/s, new TLS connection each, ms", newConnectionRate), t, r.p99() / 1000.0);
            put(
                    "server CPU per decision with its TLS handshake, ms",
                    t,
                    (cpu.millis() - before) / Math.max(1, r.requests() - r.errors()));
        }
    }

    /** Polls the first request until it is answered right: the time from the process's start is its start-up. */
    private void firstDecision(HttpClient http, Target t) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(t.uri())
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(t.bodies().get("Deployment")))
                .build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && t.valid().test(r.body())) {
                    put("start to first decision, ms", t, (System.nanoTime() - t.startedNanos()) / 1e6);
                    return;
                }
                throw new IllegalStateException(t.name() + " answered " + r.statusCode() + ": " + r.body());
            } catch (IOException notYet) {
                Thread.sleep(2);
            }
        }
        throw new IllegalStateException(t.name() + " made no decision within 60 s of starting");
    }

    private static byte[] opaInput(JsonNode request) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode input = body.putObject("input");
        input.set("request", request);
        input.putObject("namespace")
                .putObject("metadata")
                .put("name", "shop")
                .putObject("annotations")
                .put(Names.POD_SECURITY, "restricted")
                .put(Names.MODE, "audit");
        input.put("mode", "audit");
        return JSON.writeValueAsBytes(body);
    }

    /** Runs tools/bench-peers-binary (builds the peers on first use) and reads the paths it prints. */
    private static Map<String, String> peerBinaries(Path root) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(root.resolve("tools/bench-peers-binary").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("tools/bench-peers-binary failed with " + p.exitValue());
        }
        Map<String, String> paths = new LinkedHashMap<>();
        printed.lines()
                .filter(l -> l.contains("="))
                .forEach(l -> paths.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return paths;
    }

    private void put(String measure, Target t, double value) {
        figures.computeIfAbsent(measure, m -> new LinkedHashMap<>()).put(t.name(), value);
    }

    private void header(Map<String, byte[]> reviews) {
        out.printf(
                "machine: %d cores, %s %s; the load generators and the three servers share them%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"),
                System.getProperty("os.arch"));
        reviews.forEach((kind, review) -> out.printf(
                "request %s: %s (%d bytes), namespace at restricted%n", kind, REQUESTS.get(kind), review.length));
        out.printf(
                "closed loop: %d connections (the JVM's HTTP client); open loop: vegeta; %d s warm-up, %d s measured%n%n",
                connections, warmup, seconds);
    }

    /** What stopped Tailor's JVM from {@code from} to {@code until} (wall clock, ms); null for the peers. */
    private SafepointLog.Stops stops(Target t, long from, long until) throws IOException {
        return t.name().equals(TAILOR) ? SafepointLog.between(tailorStops, from, until) : null;
    }

    private void print(LoadGenerator.Result r, String kind, ResidentMemory rss, SafepointLog.Stops stops) {
        out.printf(
                "%-11s %-10s %-42s offered %5.0f/s  achieved %7.1f/s  p50 %6.2f  p99 %7.2f  p99.9 %7.2f  max %7.2f ms"
                        + "  errors %d/%d  peak RSS %.0f MiB%n",
                r.target(),
                kind,
                r.mode(),
                r.offeredRate(),
                r.achievedRate(),
                r.p50() / 1000.0,
                r.p99() / 1000.0,
                r.p999() / 1000.0,
                r.max() / 1000.0,
                r.errors(),
                r.requests(),
                rss.peakMib());
        if (r.errors() > 0) {
            out.printf("%-11s   failed: %s%n", "", r.failureSummary());
        }
        if (stops != null) {
            out.printf("%-11s   stopped: %s%n", "", stops.describe());
        }
    }

    private void summary() {
        out.println();
        out.printf("%-52s %10s %10s %10s %14s %11s%n", "measure", TAILOR, NATIVE, OPA, "tailor/native", "tailor/opa");
        figures.forEach((measure, byTarget) -> {
            List<String> cells = new ArrayList<>();
            for (String t : TARGETS) {
                Double v = byTarget.get(t);
                cells.add(v == null ? "-" : String.format(v >= 100 || v == Math.rint(v) ? "%.0f" : "%.2f", v));
            }
            out.printf(
                    "%-52s %10s %10s %10s %14s %11s%n",
                    measure,
                    cells.get(0),
                    cells.get(1),
                    cells.get(2),
                    ratio(byTarget.get(TAILOR), byTarget.get(NATIVE)),
                    ratio(byTarget.get(TAILOR), byTarget.get(OPA)));
        });
    }

    private static String ratio(Double a, Double b) {
        return a == null || b == null || b == 0 ? "-" : String.format("%.2f", a / b);
    }
}
