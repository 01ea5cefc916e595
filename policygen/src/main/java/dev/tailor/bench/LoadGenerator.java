package dev.tailor.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Sends one request body to one HTTPS endpoint over HTTP/1.1 keep-alive connections, either at a fixed rate
 * (each request's latency measured from the moment it was due, so a stalled server cannot hide its queue — no
 * coordinated omission) or as fast as a fixed number of connections allow (the throughput ceiling).
 */
public final class LoadGenerator {

    /** What one run measured. Latencies in microseconds. */
    public record Result(String target, String mode, double offeredRate, double achievedRate, long requests,
            long errors, long p50, long p99, long p999, long max) {}

    private final HttpClient http;
    private final URI uri;
    private final byte[] body;
    private final Predicate<String> valid;

    public LoadGenerator(HttpClient http, URI uri, byte[] body, Predicate<String> valid) {
        this.http = http;
        this.uri = uri;
        this.body = body;
        this.valid = valid;
    }

    private HttpRequest request() {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    /**
     * Fixed rate for {@code duration} after {@code warmup}, as wrk2 does it: request slots fall due every
     * 1/rate seconds; {@code connections} workers, each on its own keep-alive connection, take the next slot, wait
     * for it, send, and record the time from the slot (not from the send) to the response. When every worker is
     * busy the slots queue up and their waiting counts in the latency.
     */
    public Result fixedRate(String target, double rate, Duration warmup, Duration duration, int connections)
            throws InterruptedException {
        Recorder recorder = new Recorder(3);
        AtomicLong errors = new AtomicLong();
        AtomicLong done = new AtomicLong();
        AtomicLong sent = new AtomicLong();
        long intervalNanos = (long) (1e9 / rate);
        long start = System.nanoTime() + 50_000_000L;
        long warmupEnd = start + warmup.toNanos();
        long end = warmupEnd + duration.toNanos();
        AtomicLong nextSlot = new AtomicLong(start);
        Thread[] workers = new Thread[connections];
        for (int i = 0; i < connections; i++) {
            workers[i] = new Thread(() -> {
                while (true) {
                    long due = nextSlot.getAndAdd(intervalNanos);
                    if (due >= end) {
                        return;
                    }
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    boolean measured = due >= warmupEnd;
                    try {
                        HttpResponse<String> response = http.send(request(), HttpResponse.BodyHandlers.ofString());
                        long latency = System.nanoTime() - due;
                        if (!measured) {
                            continue;
                        }
                        sent.incrementAndGet();
                        if (response.statusCode() != 200 || !valid.test(response.body())) {
                            errors.incrementAndGet();
                        } else {
                            recorder.recordValue(Math.max(1, latency / 1000));
                            done.incrementAndGet();
                        }
                    } catch (Exception e) {
                        if (measured) {
                            sent.incrementAndGet();
                            errors.incrementAndGet();
                        }
                    }
                }
            }, "load-" + i);
            workers[i].start();
        }
        LockSupport.parkNanos(Math.max(0, warmupEnd - System.nanoTime()));
        recorder.reset();
        for (Thread t : workers) {
            t.join();
        }
        double seconds = (System.nanoTime() - warmupEnd) / 1e9;
        Histogram h = recorder.getIntervalHistogram();
        return new Result(target, "fixed rate", rate, done.get() / seconds, sent.get(), errors.get(),
                h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
    }

    /** {@code connections} loops, each sending its next request when the last one returns. */
    public Result closedLoop(String target, int connections, Duration warmup, Duration duration) throws InterruptedException {
        Recorder recorder = new Recorder(3);
        AtomicLong errors = new AtomicLong();
        AtomicLong done = new AtomicLong();
        long warmupEnd = System.nanoTime() + warmup.toNanos();
        long end = warmupEnd + duration.toNanos();
        Thread[] threads = new Thread[connections];
        for (int i = 0; i < connections; i++) {
            threads[i] = new Thread(() -> {
                while (System.nanoTime() < end) {
                    long sent = System.nanoTime();
                    try {
                        HttpResponse<String> response = http.send(request(), HttpResponse.BodyHandlers.ofString());
                        if (sent < warmupEnd) {
                            continue;
                        }
                        if (response.statusCode() != 200 || !valid.test(response.body())) {
                            errors.incrementAndGet();
                        } else {
                            recorder.recordValue(Math.max(1, (System.nanoTime() - sent) / 1000));
                            done.incrementAndGet();
                        }
                    } catch (Exception e) {
                        if (sent >= warmupEnd) {
                            errors.incrementAndGet();
                        }
                    }
                }
            }, "load-" + i);
            threads[i].start();
        }
        Thread.sleep(Math.max(0, (warmupEnd - System.nanoTime()) / 1_000_000));
        recorder.reset();
        long measuredFrom = System.nanoTime();
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - measuredFrom) / 1e9;
        Histogram h = recorder.getIntervalHistogram();
        return new Result(target, connections + " connections", 0, done.get() / seconds, done.get() + errors.get(),
                errors.get(), h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9),
                h.getMaxValue());
    }
}
