package dev.tailor.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
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
    public record Result(
            String target,
            String mode,
            double offeredRate,
            double achievedRate,
            long requests,
            long errors,
            long p50,
            long p99,
            long p999,
            long max,
            java.util.SortedMap<String, Long> failures) {

        /**
         * What the failed requests got, most first: {@code 100 × HTTP 503; 10 × connection reset by peer}; empty when
         * none failed.
         */
        public String failureSummary() {
            return failures.entrySet().stream()
                    .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed())
                    .map(e -> e.getValue() + " × " + e.getKey())
                    .collect(java.util.stream.Collectors.joining("; "));
        }
    }

    /** Counts failed requests by what they got: a status, an error, an answer not as expected. */
    static final class Failures {
        private final java.util.concurrent.ConcurrentSkipListMap<String, java.util.concurrent.atomic.LongAdder> kinds =
                new java.util.concurrent.ConcurrentSkipListMap<>();

        void add(String kind) {
            kinds.computeIfAbsent(describe(kind), k -> new java.util.concurrent.atomic.LongAdder())
                    .increment();
        }

        long total() {
            return kinds.values().stream()
                    .mapToLong(java.util.concurrent.atomic.LongAdder::sum)
                    .sum();
        }

        java.util.SortedMap<String, Long> counts() {
            java.util.SortedMap<String, Long> counts = new java.util.TreeMap<>();
            kinds.forEach((k, n) -> counts.put(k, n.sum()));
            return counts;
        }

        /** Addresses and ports left out, so that one kind of failure is one entry whichever connection it was. */
        static String describe(String kind) {
            String plain = kind.replaceAll("\\[?[0-9a-fA-F.:]*[0-9]\\]?:[0-9]+", "ADDRESS")
                    .replaceAll("\\s+", " ")
                    .strip();
            return plain.length() <= 160 ? plain : plain.substring(0, 160) + "...";
        }
    }

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
        return HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }

    /** {@code connections} loops, each sending its next request when the last one returns. */
    public Result closedLoop(String target, int connections, Duration warmup, Duration duration)
            throws InterruptedException {
        Recorder recorder = new Recorder(3);
        Failures failures = new Failures();
        AtomicLong done = new AtomicLong();
        long warmupEnd = System.nanoTime() + warmup.toNanos();
        long end = warmupEnd + duration.toNanos();
        Thread[] threads = new Thread[connections];
        for (int i = 0; i < connections; i++) {
            threads[i] = new Thread(
                    () -> {
                        while (System.nanoTime() < end) {
                            long sent = System.nanoTime();
                            try {
                                HttpResponse<String> response =
                                        http.send(request(), HttpResponse.BodyHandlers.ofString());
                                if (sent < warmupEnd) {
                                    continue;
                                }
                                if (response.statusCode() != 200) {
                                    failures.add("HTTP " + response.statusCode());
                                } else if (!valid.test(response.body())) {
                                    failures.add("an answer not as expected");
                                } else {
                                    recorder.recordValue(Math.max(1, (System.nanoTime() - sent) / 1000));
                                    done.incrementAndGet();
                                }
                            } catch (Exception e) {
                                if (sent >= warmupEnd) {
                                    failures.add(e.getClass().getSimpleName() + ": " + e.getMessage());
                                }
                            }
                        }
                    },
                    "load-" + i);
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
        return new Result(
                target,
                connections + " connections",
                0,
                done.get() / seconds,
                done.get() + failures.total(),
                failures.total(),
                h.getValueAtPercentile(50),
                h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9),
                h.getMaxValue(),
                failures.counts());
    }
}
