package dev.tailor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.bench.LoadGenerator.Result;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.HdrHistogram.Histogram;

/**
 * Open-loop load from outside the measuring JVM: vegeta ({@code tools/bench-peers}) sends requests at a fixed rate
 * whether or not earlier ones have returned (it adds workers instead of waiting), so a server that falls behind
 * shows it in the latency. Every answer's status and body are checked.
 */
public final class Vegeta {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path binary;
    private final Path caPem;
    private final Path work;
    private long measuredFrom;
    private long measuredUntil;

    public Vegeta(Path binary, Path caPem, Path work) {
        this.binary = binary;
        this.caPem = caPem;
        this.work = work;
    }

    /** When the last attack's measured run began, wall clock in milliseconds. */
    public long measuredFrom() {
        return measuredFrom;
    }

    /** When the last attack's measured run ended, wall clock in milliseconds. */
    public long measuredUntil() {
        return measuredUntil;
    }

    /**
     * {@code rate} requests per second for {@code warmup} (not counted), then for {@code duration}.
     *
     * @param keepAlive false: every request on a new TLS connection
     */
    public Result attack(
            String target,
            URI uri,
            byte[] body,
            Predicate<String> valid,
            double rate,
            boolean keepAlive,
            Duration warmup,
            Duration duration)
            throws IOException, InterruptedException {
        Path bodyFile = Files.write(work.resolve("vegeta-body.json"), body);
        Path targets = Files.writeString(
                work.resolve("vegeta-targets.txt"),
                "POST " + uri + "\nContent-Type: application/json\n@" + bodyFile + "\n");
        if (!warmup.isZero()) {
            run(targets, rate, keepAlive, warmup);
        }
        measuredFrom = System.currentTimeMillis();
        Path results = run(targets, rate, keepAlive, duration);
        measuredUntil = System.currentTimeMillis();
        Path encoded = work.resolve("vegeta-results.json");
        exec(
                List.of(binary.toString(), "encode", "-to", "json", "-output", encoded.toString(), results.toString()),
                Duration.ofMinutes(2));
        Histogram latencies = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        long requests = 0;
        LoadGenerator.Failures failures = new LoadGenerator.Failures();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        try (MappingIterator<JsonNode> lines = JSON.readerFor(JsonNode.class).readValues(encoded.toFile())) {
            while (lines.hasNext()) {
                JsonNode r = lines.next();
                requests++;
                String answer =
                        new String(Base64.getDecoder().decode(r.path("body").asText("")), StandardCharsets.UTF_8);
                String error = r.path("error").asText("");
                if (!error.isEmpty()) {
                    failures.add(error);
                    continue;
                }
                if (r.path("code").asInt() != 200) {
                    failures.add("HTTP " + r.path("code").asInt());
                    continue;
                }
                if (!valid.test(answer)) {
                    failures.add("an answer not as expected");
                    continue;
                }
                long micros = Math.max(1, r.path("latency").asLong() / 1000);
                latencies.recordValue(Math.min(micros, latencies.getHighestTrackableValue()));
                long at = java.time.OffsetDateTime.parse(r.path("timestamp").asText())
                        .toInstant()
                        .toEpochMilli();
                first = Math.min(first, at);
                last = Math.max(last, at);
            }
        }
        double seconds = Math.max(duration.toMillis(), last - first) / 1000.0;
        String mode = keepAlive ? "open loop" : "open loop, new TLS connection per request";
        return new Result(
                target,
                mode,
                rate,
                (requests - failures.total()) / seconds,
                requests,
                failures.total(),
                latencies.getValueAtPercentile(50),
                latencies.getValueAtPercentile(99),
                latencies.getValueAtPercentile(99.9),
                latencies.getMaxValue(),
                failures.counts());
    }

    private Path run(Path targets, double rate, boolean keepAlive, Duration duration)
            throws IOException, InterruptedException {
        Path out = work.resolve("vegeta-results.bin");
        List<String> command = new ArrayList<>(List.of(
                binary.toString(),
                "attack",
                "-targets",
                targets.toString(),
                "-rate",
                Math.round(rate) + "/1s",
                "-duration",
                duration.toMillis() + "ms",
                "-timeout",
                "10s",
                "-http2=false",
                "-keepalive=" + keepAlive,
                "-root-certs",
                caPem.toString(),
                "-output",
                out.toString()));
        exec(command, duration.plusMinutes(1));
        return out;
    }

    private void exec(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Path log = work.resolve("vegeta.log");
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("vegeta did not finish within " + timeout.toSeconds() + " s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("vegeta failed (" + p.exitValue() + "): " + Files.readString(log));
        }
    }
}
