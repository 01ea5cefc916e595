package dev.tailor.bench;

import dev.tailor.harness.Processes;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real OPA server ({@code opa run --server}, the pinned build from tools/opa) serving the same Rego over TLS,
 * queried through its data API the way users of kube-mgmt run OPA as an admission controller.
 */
public final class OpaServer implements AutoCloseable {

    private final Process process;
    private final URI base;
    private final long startedNanos;

    private OpaServer(Process process, URI base, long startedNanos) {
        this.process = process;
        this.base = base;
        this.startedNanos = startedNanos;
    }

    public static OpaServer start(Path home, Path tls, Path log, HttpClient http)
            throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = List.of(
                home.resolve("tools/opa").toString(),
                "run",
                "--server",
                "--addr",
                "127.0.0.1:" + port,
                "--tls-cert-file",
                tls.resolve("tls.crt").toString(),
                "--tls-private-key-file",
                tls.resolve("tls.key").toString(),
                "--log-level",
                "error",
                "--ignore",
                "*_test.rego",
                "--ignore",
                "samples",
                home.resolve("rego/policies").toString());
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        OpaServer opa = new OpaServer(process, URI.create("https://127.0.0.1:" + port), started);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("opa exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpRequest health = HttpRequest.newBuilder(opa.base.resolve("/health"))
                        .timeout(Duration.ofSeconds(2))
                        .build();
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return opa;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(10);
        }
        opa.close();
        throw new IllegalStateException("opa was not healthy within 120 s; see " + log);
    }

    /** The data API URL of the validate rule. */
    public URI validateUri() {
        return base.resolve("/v1/data/tailor/admission/validate");
    }

    /** {@link System#nanoTime()} just before the process was started. */
    public long startedNanos() {
        return startedNanos;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        Processes.stop(process);
    }
}
