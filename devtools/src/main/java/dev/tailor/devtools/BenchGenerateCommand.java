package dev.tailor.devtools;

import dev.tailor.bench.ResidentMemory;
import dev.tailor.cli.TailorCli;
import dev.tailor.fixtures.FixtureCluster;
import dev.tailor.fixtures.TenantsWeek;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tailor bench-generate}: the whole offline loop at cluster scale. For each size, a seeded multi-tenant
 * cluster ({@link TenantsWeek}: namespaces × services, over 7 and 30 days) is written, then {@code tailor observe},
 * {@code generate} and {@code impact} run on it as a user runs them — each its own JVM with the heap it is given —
 * and each is timed, with its peak RSS. Prints the figures and how each grows from the smallest size; judges nothing.
 */
@Command(
        name = "bench-generate",
        mixinStandardHelpOptions = true,
        description = "Measure observe, generate and impact on multi-tenant clusters of growing size.")
public final class BenchGenerateCommand implements Callable<Integer> {

    @Option(
            names = "--namespaces",
            split = ",",
            defaultValue = "1,10,30,100",
            description = "Tenant namespaces of each size (default: ${DEFAULT-VALUE})")
    List<Integer> namespaces;

    @Option(
            names = "--workloads",
            defaultValue = "10",
            description = "Services per namespace (default: ${DEFAULT-VALUE})")
    int workloads;

    @Option(
            names = "--days",
            split = ",",
            defaultValue = "7,30",
            description = "Windows, in days (default: ${DEFAULT-VALUE})")
    List<Integer> days;

    @Option(names = "--heap", defaultValue = "512m", description = "-Xmx of each command (default: ${DEFAULT-VALUE})")
    String heap;

    @Option(
            names = "--keep",
            paramLabel = "DIR",
            description = "Write the clusters, stores and outputs into DIR and keep them")
    Path keep;

    @Mixin
    HomeOption home = new HomeOption();

    private final PrintStream out = System.out;

    /** One command's run: wall seconds and peak RSS in MiB. */
    private record Run(double seconds, double peakMib) {}

    /**
     * One size's figures; {@code propose} is {@code tailor propose} to a local bare repository (generate and impact
     * on one read of the store, then the push), {@code proposeSteps} the seconds of its generate and impact.
     */
    private record Size(
            int namespaces,
            int workloads,
            int days,
            long inputBytes,
            Run observe,
            Run generate,
            Run impact,
            Run propose,
            double proposeSteps) {}

    @Override
    public Integer call() throws Exception {
        for (int n : namespaces) {
            for (int d : days) {
                if (TenantsWeek.sizeProblem(n, workloads, d) != null) {
                    System.err.println("tailor bench-generate: " + TenantsWeek.sizeProblem(n, workloads, d)
                            + " (--namespaces, --workloads, --days)");
                    return TailorCli.USAGE;
                }
            }
        }
        Path work = keep != null ? Files.createDirectories(keep) : Files.createTempDirectory("tailor-bench-generate-");
        List<Size> sizes = new ArrayList<>();
        try {
            out.printf(
                    "machine: %d cores, %s %s, Java %s; each command: java -Xmx%s%n",
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name"),
                    System.getProperty("os.arch"),
                    System.getProperty("java.version"),
                    heap);
            out.printf(
                    "%-22s %9s %19s %19s %19s %19s %22s%n",
                    "cluster",
                    "input MB",
                    "observe s / MiB",
                    "generate s / MiB",
                    "impact s / MiB",
                    "propose s / MiB",
                    "generate+impact in it");
            for (int d : days) {
                for (int n : namespaces) {
                    Size size = measure(work.resolve(n + "x" + workloads + "x" + d), n, d);
                    sizes.add(size);
                    out.printf(
                            "%-22s %9.0f %19s %19s %19s %19s %20.1f s%n",
                            String.format("%d x %d, %d days", n, workloads, d),
                            size.inputBytes() / 1e6,
                            cell(size.observe()),
                            cell(size.generate()),
                            cell(size.impact()),
                            cell(size.propose()),
                            size.proposeSteps());
                }
            }
            growth(sizes);
        } finally {
            if (keep == null) {
                HomeOption.deleteTree(work);
            }
        }
        return TailorCli.OK;
    }

    private Size measure(Path dir, int n, int d) throws Exception {
        Path cluster = dir.resolve("cluster");
        HomeOption.deleteTree(dir);
        TenantsWeek.write(cluster, n, workloads, d, TenantsWeek.DEFAULT_SEED);
        long bytes = 0;
        for (String f : List.of(
                FixtureCluster.ADMISSION, FixtureCluster.AUDIT, FixtureCluster.FLOWS, FixtureCluster.SYSCALLS)) {
            bytes += Files.size(cluster.resolve(f));
            // On disk before observe is timed, as a week of logs is: else observe shares the disk with the write-back
            // of the 2 GB just written (the same build measured 12.8 s by hand and 13.0–16.5 s in this bench).
            try (java.nio.channels.FileChannel written = java.nio.channels.FileChannel.open(cluster.resolve(f))) {
                written.force(true);
            }
        }
        String store = "jdbc:h2:file:" + dir.resolve("store/observations").toAbsolutePath();
        String window = d + "d";
        Run observe = run(
                List.of(
                        "observe",
                        "--admission",
                        cluster.resolve(FixtureCluster.ADMISSION).toString(),
                        "--audit-log",
                        cluster.resolve(FixtureCluster.AUDIT).toString(),
                        "--flows",
                        cluster.resolve(FixtureCluster.FLOWS).toString(),
                        "--syscalls",
                        cluster.resolve(FixtureCluster.SYSCALLS).toString(),
                        "--store",
                        store),
                dir.resolve("observe.log"));
        Run generate = run(
                List.of(
                        "generate",
                        "--store",
                        store,
                        "--since",
                        window,
                        "--out",
                        dir.resolve("policies").toString()),
                dir.resolve("generate.log"));
        Run impact = run(
                List.of(
                        "impact",
                        "--proposed",
                        dir.resolve("policies").toString(),
                        "--store",
                        store,
                        "--since",
                        window,
                        "--out",
                        dir.resolve("impact").toString()),
                dir.resolve("impact.log"));
        Path remote = DemoCommand.gitopsRepository(dir.resolve("gitops"));
        Path proposeLog = dir.resolve("propose.log");
        Run propose = run(
                List.of(
                        "propose",
                        "--store",
                        store,
                        "--since",
                        window,
                        "--repo",
                        remote.toUri().toString()),
                proposeLog);
        return new Size(n, workloads, d, bytes, observe, generate, impact, propose, proposeSteps(proposeLog));
    }

    /** The seconds of propose's generate and impact, from its last line ("tailor propose: generate 2.10 s, …"). */
    private static double proposeSteps(Path log) throws IOException {
        String text = Files.readString(log);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "tailor propose: generate ([0-9.]+) s, impact ([0-9.]+) s")
                .matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("tailor propose did not say what its steps took; see " + log);
        }
        return Double.parseDouble(m.group(1)) + Double.parseDouble(m.group(2));
    }

    /** Runs one command as ./tailor does (the JVM options this one was given, the heap aside), timed and watched. */
    private Run run(List<String> args, Path log) throws IOException, InterruptedException {
        List<String> command = CliProcess.command(home.root(), heap, args);
        long started = System.nanoTime();
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        int exit;
        double peak;
        try (ResidentMemory rss = new ResidentMemory(p.pid())) {
            exit = p.waitFor();
            peak = rss.peakMib();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        // impact (and propose) exit 3 when the preview would deny something: still a finished run, and what is timed.
        if (exit != TailorCli.OK && !(List.of("impact", "propose").contains(args.get(0)) && exit == 3)) {
            throw new IllegalStateException("tailor " + args.get(0) + " exited with " + exit + "; see " + log);
        }
        return new Run(seconds, peak);
    }

    private static String cell(Run r) {
        return String.format("%7.1f / %5.0f", r.seconds(), r.peakMib());
    }

    /** Time per workload-day relative to the smallest cluster of each window: 1.0 everywhere is linear growth. */
    private void growth(List<Size> sizes) {
        out.printf("%nseconds per 1,000 workload-days (flat = linear in workloads × days):%n");
        out.printf("%-22s %12s %12s %12s%n", "cluster", "observe", "generate", "impact");
        for (Size s : sizes) {
            double workloadDays = (double) s.namespaces() * s.workloads() * s.days() / 1000.0;
            out.printf(
                    "%-22s %12.2f %12.2f %12.2f%n",
                    String.format("%d x %d, %d days", s.namespaces(), s.workloads(), s.days()),
                    s.observe().seconds() / workloadDays,
                    s.generate().seconds() / workloadDays,
                    s.impact().seconds() / workloadDays);
        }
        out.printf(
                "%nobserve throughput: %s%n",
                String.join(
                        ", ",
                        sizes.stream()
                                .map(s -> String.format(
                                        "%.0f MB/s at %d x %d, %d days",
                                        s.inputBytes() / 1e6 / s.observe().seconds(),
                                        s.namespaces(),
                                        s.workloads(),
                                        s.days()))
                                .toList()));
    }
}
