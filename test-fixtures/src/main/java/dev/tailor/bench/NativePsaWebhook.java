package dev.tailor.bench;

import dev.tailor.harness.Processes;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The native reference: {@code tools/bench-peers/psa-webhook}, a Go HTTPS server that answers AdmissionReviews with
 * Kubernetes' own Pod Security Admission library at {@code restricted}, latest — the cost of a Pod Security decision
 * without Rego or a JVM.
 */
public final class NativePsaWebhook implements AutoCloseable {

    private final Process process;
    private final URI base;
    private final long startedNanos;

    private NativePsaWebhook(Process process, URI base, long startedNanos) {
        this.process = process;
        this.base = base;
        this.startedNanos = startedNanos;
    }

    /** Starts the binary with the certificate in {@code tls} and waits until it listens. */
    public static NativePsaWebhook start(Path binary, Path tls, Path log) throws IOException, InterruptedException {
        Path ready = tls.resolve("psa-webhook.addr");
        Files.deleteIfExists(ready);
        List<String> command = List.of(
                binary.toString(),
                "--listen",
                "127.0.0.1:0",
                "--cert",
                tls.resolve("tls.crt").toString(),
                "--key",
                tls.resolve("tls.key").toString(),
                "--ready",
                ready.toString());
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        long deadline = started + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("psa-webhook exited with " + process.exitValue() + "; see " + log);
            }
            if (Files.exists(ready) && Files.readString(ready).endsWith("\n")) {
                return new NativePsaWebhook(
                        process, URI.create("https://" + Files.readString(ready).strip()), started);
            }
            Thread.sleep(2);
        }
        Processes.stop(process);
        throw new IllegalStateException("psa-webhook did not listen within 30 s; see " + log);
    }

    public URI validateUri() {
        return base.resolve("/validate");
    }

    public long pid() {
        return process.pid();
    }

    /** {@link System#nanoTime()} just before the process was started. */
    public long startedNanos() {
        return startedNanos;
    }

    @Override
    public void close() {
        Processes.stop(process);
    }
}
