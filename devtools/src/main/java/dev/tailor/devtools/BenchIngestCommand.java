package dev.tailor.devtools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.cli.TailorCli;
import dev.tailor.observe.Inputs;
import dev.tailor.observe.Problems;
import dev.tailor.observe.audit.AuditLogReader;
import dev.tailor.observe.flows.HubbleFlowReader;
import dev.tailor.store.ObservationStore;
import java.io.BufferedWriter;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tailor bench-ingest}: generates an audit log and a Hubble flow file of the given sizes (seeded, from the
 * real third-party samples in test-fixtures/, with fresh IDs and times over a week), then measures reading them
 * alone and reading them into the store, in MB/s and events/s. Prints numbers; judges nothing.
 */
@Command(
        name = "bench-ingest",
        mixinStandardHelpOptions = true,
        description = "Measure how fast audit logs and Hubble flows are read and stored.")
public final class BenchIngestCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(
            names = "--audit-mb",
            defaultValue = "256",
            description = "Size of the generated audit log (default: ${DEFAULT-VALUE} MB)")
    long auditMb;

    @Option(
            names = "--flows-mb",
            defaultValue = "256",
            description = "Size of the generated flow file (default: ${DEFAULT-VALUE} MB)")
    long flowsMb;

    @Option(
            names = "--store",
            description = "Store URL (default: a fresh H2 file in a temporary directory for each run)")
    String store;

    @Option(
            names = "--runs",
            defaultValue = "3",
            description =
                    "Runs of `tailor observe` on each input, each into a fresh "
                            + "store; the median is printed, with the range (default: ${DEFAULT-VALUE}; one run into a store given by --store)")
    int runs;

    @Option(
            names = "--keep",
            paramLabel = "DIR",
            description =
                    "Generate the inputs (and the store) in DIR and keep them, to run `tailor observe` on them again")
    Path keep;

    @Mixin
    HomeOption home = new HomeOption();

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        Path root = home.root();
        Path work = keep != null ? Files.createDirectories(keep) : Files.createTempDirectory("tailor-bench-ingest-");
        try {
            Path audit = work.resolve("audit.log");
            Path flows = work.resolve("flows.json");
            inputs(root, work, audit, flows);
            out.printf(
                    "machine: %d cores, %s %s, Java %s%n",
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name"),
                    System.getProperty("os.arch"),
                    System.getProperty("java.version"));
            out.printf(
                    "inputs: %s (%.0f MB), %s (%.0f MB)%n%n",
                    audit.getFileName(), Files.size(audit) / 1e6, flows.getFileName(), Files.size(flows) / 1e6);

            // The physical reference, in place of audit2rbac (not served by the Go module proxy here): Jackson's
            // streaming parser walking every token of every line, building nothing — no reader of these lines in
            // Java can be faster than this.
            measure("audit, bare token walk", audit, BenchIngestCommand::tokenWalk);
            measure("flows, bare token walk", flows, BenchIngestCommand::tokenWalk);
            long auditEvents = measure(
                    "audit, read only",
                    audit,
                    in -> new AuditLogReader()
                            .read("audit.log", in, r -> {}, new Problems())
                            .requests());
            long flowEvents = measure(
                    "flows, read only",
                    flows,
                    in -> new HubbleFlowReader()
                            .read("flows.json", in, f -> {}, new Problems())
                            .flows());
            // Into the store as a user does it: `tailor observe` in a JVM of its own (heap capped at 512 MiB), its
            // report discarded. The time includes starting the JVM and opening the store; reading runs on a thread
            // per part of the file (one per core), storing on another, in batches of ObserveCommand.BATCH.
            observeRuns("audit, tailor observe", "--audit-log", audit, auditEvents, work);
            observeRuns("flows, tailor observe", "--flows", flows, flowEvents, work);
            startUp(flows, work);
        } finally {
            if (keep == null) {
                HomeOption.deleteTree(work);
            }
        }
        return TailorCli.OK;
    }

    /**
     * The seeded inputs: an audit log from audit2rbac's real events and a flow file from hubble-otel's real flows,
     * each grown to the size asked for.
     */
    private void inputs(Path root, Path work, Path audit, Path flows) throws Exception {
        generate(root.resolve("test-fixtures/third_party/audit-audit2rbac/testdata/demo.log"), audit, auditMb, true);
        List<String> flowSamples = new ArrayList<>();
        try (var files =
                Files.list(root.resolve("test-fixtures/third_party/hubble-flows/cilium-hubble-otel/testdata"))) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                Files.readAllLines(f).stream()
                        .filter(l -> !l.startsWith("//") && !l.isBlank())
                        .forEach(flowSamples::add);
            }
        }
        Path flowSource = work.resolve("flow-samples.json");
        Files.write(flowSource, flowSamples);
        generate(flowSource, flows, flowsMb, false);
    }

    /** Counts the lines of a JSON-lines input, parsing every token of each with Jackson's streaming parser. */
    private static long tokenWalk(InputStream in) throws Exception {
        com.fasterxml.jackson.core.JsonFactory factory = new com.fasterxml.jackson.core.JsonFactory();
        long events = 0;
        try (com.fasterxml.jackson.core.JsonParser parser = factory.createParser(in)) {
            // Root-level values one after another: exactly the lines of a JSON-lines file.
            int depth = 0;
            for (com.fasterxml.jackson.core.JsonToken t; (t = parser.nextToken()) != null; ) {
                if (t.isStructStart()) {
                    depth++;
                } else if (t.isStructEnd() && --depth == 0) {
                    events++;
                }
            }
        }
        return events;
    }

    private interface Run {
        long events(InputStream in) throws Exception;
    }

    /**
     * Runs {@code tailor observe OPTION FILE} {@link #runs} times, each in a new JVM ({@code -Xmx512m}) and into a
     * fresh store, and prints the median rate over the whole run (the JVM's start and the store's opening included)
     * and over the second half of the run, from the command's own progress lines (one per stored batch: events read
     * so far and the rate so far) — the rate once the JVM has compiled the hot code, which is what a week of logs
     * runs at. {@code events} is what the read-only run counted in the same file. The VM these numbers come from is
     * noisy (the same run varies by a fifth from one minute to the next), hence the median and the range.
     */
    private void observeRuns(String what, String option, Path file, long events, Path work) throws Exception {
        int n = store != null ? 1 : Math.max(1, runs);
        double[] whole = new double[n];
        double[] warm = new double[n];
        for (int i = 0; i < n; i++) {
            String url = store != null
                    ? store
                    : ObservationStore.embeddedUrl(work.resolve("store-" + option.substring(2) + "-" + i));
            long start = System.nanoTime();
            warm[i] = observe(url, option, file);
            whole[i] = (System.nanoTime() - start) / 1e9;
        }
        double megabytes = Files.size(file) / 1e6;
        double seconds = median(whole);
        out.printf(
                "%-24s %8.1f MB/s  %10.0f events/s  (%d events, %.1f s; %s)%n",
                what,
                megabytes / seconds,
                events / seconds,
                events,
                seconds,
                n == 1 ? "one run" : String.format("median of %d runs, %.1f–%.1f s", n, min(whole), max(whole)));
        double rate = median(warm);
        if (rate > 0) {
            out.printf(
                    "%-24s %8.1f MB/s  %10.0f events/s  (second half of each run, from its progress lines%s)%n",
                    "  … once warmed up",
                    rate * megabytes / events,
                    rate,
                    n == 1 ? "" : String.format("; %.0f–%.0f events/s", min(warm), max(warm)));
        }
    }

    /**
     * Times {@code tailor observe} on the first flow of {@code flows} alone, {@link #runs} times as the runs above:
     * what of a whole run is not reading — the JVM's start, picocli, opening the store (making a new store's schema)
     * and closing it.
     */
    private void startUp(Path flows, Path work) throws Exception {
        Path one = work.resolve("one-flow.json");
        try (var lines = Files.lines(flows)) {
            Files.writeString(one, lines.findFirst().orElseThrow() + "\n");
        }
        int n = store != null ? 1 : Math.max(1, runs);
        double[] seconds = new double[n];
        for (int i = 0; i < n; i++) {
            String url = store != null ? store : ObservationStore.embeddedUrl(work.resolve("store-one-" + i));
            long start = System.nanoTime();
            observe(url, "--flows", one);
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        out.printf(
                "%-24s %8.2f s   (one flow %s: the start and end of a run; %s)%n",
                "start-up, tailor observe",
                median(seconds),
                store != null ? "into the store given, made by the runs above" : "into a fresh store",
                n == 1 ? "one run" : String.format("median of %d runs, %.2f–%.2f s", n, min(seconds), max(seconds)));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    private static double min(double[] values) {
        return java.util.Arrays.stream(values).min().orElse(0);
    }

    private static double max(double[] values) {
        return java.util.Arrays.stream(values).max().orElse(0);
    }

    /**
     * Runs {@code tailor observe OPTION FILE --store URL} in a new JVM ({@code -Xmx512m}) as ./tailor starts it;
     * returns the rate of its events read over the second half of the run (0 when it printed too few progress lines
     * to tell).
     */
    private double observe(String url, String option, Path file) throws Exception {
        List<String> command =
                CliProcess.command(home.root(), "512m", List.of("observe", option, file.toString(), "--store", url));
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<double[]> progress = new ArrayList<>(); // {events read, seconds since the command started reading}
        try (var lines =
                new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            java.util.regex.Pattern line = java.util.regex.Pattern.compile(
                    "progress: (\\d+) events read, \\d+ stored \\((\\d+) events/s read\\)");
            for (String text; (text = lines.readLine()) != null; ) {
                java.util.regex.Matcher m = line.matcher(text);
                if (m.matches() && Double.parseDouble(m.group(2)) > 0) {
                    double read = Double.parseDouble(m.group(1));
                    progress.add(new double[] {read, read / Double.parseDouble(m.group(2))});
                }
            }
        }
        int exit = p.waitFor();
        if (exit != TailorCli.OK) {
            throw new IllegalStateException("tailor observe " + option + " " + file + " exited with " + exit);
        }
        if (progress.size() < 4) {
            return 0;
        }
        double[] last = progress.get(progress.size() - 1);
        double[] half =
                progress.stream().filter(x -> x[0] >= last[0] / 2).findFirst().orElseThrow();
        return (last[0] - half[0]) / (last[1] - half[1]);
    }

    private long measure(String what, Path file, Run run) throws Exception {
        long start = System.nanoTime();
        long events;
        try (InputStream in = Inputs.open(file.toString())) {
            events = run.events(in);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(
                "%-24s %8.1f MB/s  %10.0f events/s  (%d events, %.1f s)%n",
                what, Files.size(file) / 1e6 / seconds, events / seconds, events, seconds);
        return events;
    }

    /** Repeats the sample's lines with fresh IDs and times until the file reaches {@code megabytes}. */
    private static void generate(Path sample, Path target, long megabytes, boolean audit) throws Exception {
        List<ObjectNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(sample)) {
            if (!line.isBlank() && !line.startsWith("//")) {
                lines.add((ObjectNode) JSON.readTree(line));
            }
        }
        Random random = new Random(42);
        Instant start = Instant.parse("2026-11-16T00:00:00Z");
        long limit = megabytes * 1_000_000L;
        long written = 0;
        long i = 0;
        try (BufferedWriter out = Files.newBufferedWriter(target, StandardCharsets.UTF_8)) {
            while (written < limit) {
                ObjectNode event = lines.get(random.nextInt(lines.size())).deepCopy();
                String time = start.plusMillis(i * 37).toString();
                if (audit) {
                    // Random, as kube-apiserver's audit IDs are (UUID v4): no help from the index's order.
                    event.put(
                            "auditID",
                            new java.util.UUID(
                                            (random.nextLong() & ~0xF000L) | 0x4000L,
                                            (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L)
                                    .toString());
                    String micro =
                            dev.tailor.observe.Times.micro(start.plusMillis(i * 37)); // as the API server writes it
                    event.put("stageTimestamp", micro).put("requestReceivedTimestamp", micro);
                } else {
                    ((ObjectNode) event.get("flow")).put("time", time);
                    event.put("time", time);
                }
                String text = event.toString();
                out.write(text);
                out.write('\n');
                written += text.length() + 1;
                i++;
            }
        }
    }
}
