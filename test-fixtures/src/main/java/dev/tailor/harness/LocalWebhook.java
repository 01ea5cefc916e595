package dev.tailor.harness;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tailor's webhook run as its own process on loopback, as it runs in a cluster: HTTPS with a serving
 * certificate from a CA generated for this run, its namespace informer pointed at the given API server.
 */
public final class LocalWebhook implements AutoCloseable {

    /**
     * The webhook's JVM options, exactly as the Deployment sets them in {@code JAVA_TOOL_OPTIONS}
     * (manifests/base/deployment.yaml and the chart; ManifestsTest holds them equal): sized from the container's
     * memory limit, so the same options fit a larger limit.
     */
    public static final String CONTAINER_JVM_OPTIONS =
            "-XX:+UseSerialGC -XX:MinRAMPercentage=30 -XX:MaxRAMPercentage=30"
                    + " -XX:InitialRAMPercentage=12.5 -XX:MetaspaceSize=96m"
                    + " -XX:ReservedCodeCacheSize=64m -XX:TrimNativeHeapInterval=10000 -XX:+ExitOnOutOfMemoryError"
                    + " -XX:CompileCommand=quiet"
                    + " -XX:CompileCommand=dontinline,com/dylibso/chicory/runtime/OpcodeImpl.I32_GE_U"
                    + " -XX:CompileCommand=dontinline,com/dylibso/chicory/runtime/ByteArrayMemory.copy"
                    + " -Djavax.net.ssl.trustStore=NONE";

    /** The Deployment's memory limit, which the JVM reads from its cgroup in a cluster. */
    public static final String CONTAINER_MEMORY_LIMIT = "256Mi";

    private final Process process;
    private final Path log;
    private final URI base;
    /** The management port's root: health ({@code /q/health}) and metrics ({@code /q/metrics}). */
    private final URI management;

    private final HttpClient http;
    private final DevCertificates ca;
    private final long startedNanos;
    private final Optional<MemoryCgroup> cgroup;

    private LocalWebhook(
            Process process,
            Path log,
            URI base,
            URI management,
            HttpClient http,
            DevCertificates ca,
            long startedNanos,
            Optional<MemoryCgroup> cgroup) {
        this.process = process;
        this.log = log;
        this.base = base;
        this.management = management;
        this.http = http;
        this.ca = ca;
        this.startedNanos = startedNanos;
        this.cgroup = cgroup;
    }

    /**
     * Starts {@code quarkus-run.jar} on this JVM's own Java with a fresh certificate in {@code workDir} and waits
     * until it is ready.
     *
     * @param apiServer the Kubernetes API the webhook's informer watches
     */
    public static LocalWebhook start(Path jar, Path workDir, String apiServer, Map<String, String> settings)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the webhook first (mvn -DskipTests install)");
        }
        return start(List.of(javaBinary(), "-jar", jar.toString()), workDir, apiServer, settings);
    }

    /**
     * Starts the image's entrypoint as the image holds it — its Java runtime, its options, its class-data archive —
     * from an unpacked image ({@link LocalImage}), and waits until it is ready.
     */
    public static LocalWebhook start(LocalImage image, Path workDir, String apiServer, Map<String, String> settings)
            throws IOException, InterruptedException {
        return start(image.entrypointOnThisMachine(), workDir, apiServer, settings);
    }

    /** {@code entrypoint}: the Java command that ends with {@code -jar JAR}. */
    private static LocalWebhook start(
            List<String> entrypoint, Path workDir, String apiServer, Map<String, String> settings)
            throws IOException, InterruptedException {
        int jarAt = entrypoint.lastIndexOf("-jar");
        if (jarAt < 0 || jarAt != entrypoint.size() - 2) {
            throw new IllegalArgumentException("not a command that ends with -jar JAR: " + entrypoint);
        }
        DevCertificates ca = DevCertificates.newAuthority(Duration.ofHours(1));
        Path tls = workDir.resolve("tls");
        ca.writeServingCertificate(tls, List.of("127.0.0.1", "localhost"), Duration.ofHours(1));
        int port = freePort();
        int managementPort = freePort();

        // The JVM as it runs in the webhook's container: its options, and the container's memory limit as MaxRAM (on
        // this machine the JVM would size its heap from all of the host's memory) and, where this machine lets a
        // process make a memory cgroup, as the cgroup's limit too — beyond it the kernel kills the webhook, as the
        // kubelet's cgroup would.
        List<String> command = new java.util.ArrayList<>(entrypoint.subList(0, jarAt));
        command.addAll(List.of(CONTAINER_JVM_OPTIONS.split(" ")));
        command.add("-XX:MaxRAM=" + containerMemoryLimitBytes());
        command.addAll(entrypoint.subList(jarAt, entrypoint.size()));
        Optional<MemoryCgroup> cgroup = MemoryCgroup.create(
                "tailor-webhook-" + ProcessHandle.current().pid() + "-" + port, containerMemoryLimitBytes());
        ProcessBuilder builder =
                new ProcessBuilder(cgroup.map(c -> c.wrap(command)).orElse(command));
        Map<String, String> env = builder.environment();
        env.put("TAILOR_TLS_CERT", tls.resolve("tls.crt").toString());
        env.put("TAILOR_TLS_KEY", tls.resolve("tls.key").toString());
        env.put("TAILOR_DECISION_LOG_PATH", workDir.resolve("decisions.jsonl").toString());
        // The admission stream goes to a store in the run's directory, not to /var/lib/tailor.
        env.put("TAILOR_STORE_URL", dev.tailor.store.ObservationStore.embeddedUrl(workDir.resolve("store")));
        env.put("QUARKUS_HTTP_SSL_PORT", Integer.toString(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
        env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        env.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", apiServer);
        // The stand-in API serves a self-signed certificate; a real cluster's CA is verified as usual.
        env.put("QUARKUS_KUBERNETES_CLIENT_TRUST_CERTS", "true");
        env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
        env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
        env.put("MALLOC_ARENA_MAX", "2");
        settings.forEach(env::put);
        Path log = workDir.resolve("webhook.log");
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        long started = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException | RuntimeException e) {
            cgroup.ifPresent(MemoryCgroup::close);
            throw e;
        }

        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(ca.clientContext())
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        LocalWebhook webhook = new LocalWebhook(
                process,
                log,
                URI.create("https://127.0.0.1:" + port),
                URI.create("https://127.0.0.1:" + managementPort),
                http,
                ca,
                started,
                cgroup);
        try {
            webhook.awaitReady(Duration.ofSeconds(90));
        } catch (IOException | InterruptedException | RuntimeException e) {
            webhook.close();
            throw e;
        }
        return webhook;
    }

    public URI url() {
        return base;
    }

    public Path log() {
        return log;
    }

    /** {@link System#nanoTime()} just before the process was started. */
    public long startedNanos() {
        return startedNanos;
    }

    /** This run's certificate authority, PEM-encoded. */
    public String caPem() {
        return ca.caPem();
    }

    /** The webhook process's id (for measuring its memory). */
    public long pid() {
        return process.pid();
    }

    /**
     * The memory cgroup the webhook runs in, limited to {@link #CONTAINER_MEMORY_LIMIT}; none where this machine does
     * not let a process make one (the limit is then the JVM's MaxRAM alone).
     */
    public Optional<MemoryCgroup> cgroup() {
        return cgroup;
    }

    /** {@link #CONTAINER_MEMORY_LIMIT} in bytes. */
    public static long containerMemoryLimitBytes() {
        return Long.parseLong(CONTAINER_MEMORY_LIMIT.replace("Mi", "")) << 20;
    }

    /** The client that trusts this run's CA, for load generators. */
    public HttpClient http() {
        return http;
    }

    /** Issues a certificate from this run's CA for another local server (the OPA server the benchmark compares). */
    public void issueCertificate(Path dir) {
        ca.writeServingCertificate(dir, List.of("127.0.0.1", "localhost"), Duration.ofHours(1));
    }

    /** POSTs a JSON body; returns the response body. */
    public String post(String path, byte[] json) throws IOException, InterruptedException {
        return post(http, path, json).body();
    }

    /** POSTs a JSON body with {@code client} (one of this run's CA, say over HTTP/2); returns the response. */
    public HttpResponse<String> post(HttpClient client, String path, byte[] json)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "the webhook exited with " + process.exitValue() + "; its log:\n" + tail());
            }
            try {
                HttpRequest ready = HttpRequest.newBuilder(management.resolve("/q/health/ready"))
                        .timeout(Duration.ofSeconds(2))
                        .build();
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException(
                "the webhook was not ready within " + timeout.toSeconds() + " s; its log:\n" + tail());
    }

    private String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Override
    public void close() {
        Processes.stop(process);
        cgroup.ifPresent(MemoryCgroup::close);
    }
}
