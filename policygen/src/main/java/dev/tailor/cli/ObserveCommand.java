package dev.tailor.cli;

import dev.tailor.observe.Inputs;
import dev.tailor.observe.Problems;
import dev.tailor.observe.UnknownFormatException;
import dev.tailor.observe.audit.ApiAccessAggregator;
import dev.tailor.observe.audit.ApiRequest;
import dev.tailor.observe.audit.AuditLogReader;
import dev.tailor.store.ObservationStore;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tailor observe}: reads observations into the store and summarizes them. Today: Kubernetes API audit logs
 * (JSON lines, plain or gzip, files or "-" for standard input), stored as aggregates per access in batches of
 * {@value #BATCH} requests, one transaction each. Flows and syscalls are issue 3's next steps.
 */
@Command(name = "observe", mixinStandardHelpOptions = true,
        description = "Read API audit logs into the store and summarize what each subject did (flows and syscalls: not yet).")
public final class ObserveCommand implements Callable<Integer> {

    @Option(names = "--audit-log", arity = "1..*", required = true, paramLabel = "FILE",
            description = "audit.k8s.io Event JSON lines, plain or gzip; - for standard input")
    List<String> auditLogs = new ArrayList<>();

    @Option(names = "--store", paramLabel = "URL",
            description = "Where observations are kept: jdbc:h2:file:… (default: an H2 file in ./.tailor/) or "
                    + "jdbc:postgresql://host:5432/db?user=…&password=…")
    String store;

    /** Requests per transaction: a kill loses at most the batch under way, and nothing already stored. */
    public static final int BATCH = 5000;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        // Every input is checked before anything is read, so a wrong file never leaves a half-done run.
        List<InputStream> opened = new ArrayList<>();
        try {
            for (String name : auditLogs) {
                InputStream in = Inputs.open(name);
                opened.add(in);
                AuditLogReader.checkFormat(name, in);
            }
        } catch (UnknownFormatException e) {
            System.err.println("tailor observe: " + e.getMessage());
            return TailorCli.USAGE;
        } catch (java.io.IOException e) {
            System.err.println("tailor observe: cannot read " + e.getMessage());
            return TailorCli.USAGE;
        }
        String url = store != null ? store : ObservationStore.embeddedUrl(Path.of(".tailor").toAbsolutePath());
        ObservationStore observations;
        try {
            observations = ObservationStore.open(url);
        } catch (java.sql.SQLException | RuntimeException e) {
            System.err.println("tailor observe: cannot open the store " + ObservationStore.redact(url) + ": " + e.getMessage());
            return TailorCli.ERROR;
        }
        Problems problems = new Problems();
        ApiAccessAggregator accesses = new ApiAccessAggregator();
        List<ApiRequest> batch = new ArrayList<>(BATCH);
        long[] stored = new long[2];
        Consumer<ApiRequest> sink = r -> {
            accesses.accept(r);
            batch.add(r);
            if (batch.size() == BATCH) {
                flush(observations, batch, stored);
            }
        };
        Map<String, Long> skipped = new TreeMap<>();
        long requests = 0;
        started = System.nanoTime();
        try (observations) {
            for (int i = 0; i < auditLogs.size(); i++) {
                try (InputStream in = opened.get(i)) {
                    AuditLogReader.Stats stats = new AuditLogReader().read(auditLogs.get(i), in, sink, problems);
                    requests += stats.requests();
                    stats.skipped().forEach((k, v) -> skipped.merge(k, v, Long::sum));
                    out.printf("read %s: %d lines, %d requests%n", auditLogs.get(i), stats.lines(), stats.requests());
                }
            }
            flush(observations, batch, stored);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        out.println();
        out.printf("audit requests: %d (%d counted once already by audit ID) in %.1f s%n", requests, accesses.duplicates(), seconds);
        out.printf("stored in %s: %d new, %d already there%n", ObservationStore.redact(url), stored[0], stored[1]);
        out.println("per subject:");
        accesses.requestsBySubject().forEach((subject, n) -> out.printf("  %8d  %s%n", n, subject));
        out.printf("distinct accesses: %d (%d denied)%n", accesses.accesses().size(),
                accesses.accesses().keySet().stream().filter(a -> a.denied()).count());
        if (!skipped.isEmpty()) {
            out.println("skipped:");
            skipped.forEach((reason, n) -> out.printf("  %8d  %s%n", n, reason));
        }
        if (problems.total() > 0) {
            out.printf("bad lines: %d%n", problems.total());
            problems.byReason().forEach((reason, n) -> out.printf("  %8d  %s%n", n, reason));
            problems.first().forEach(p -> out.println("  " + p));
            if (problems.total() > Problems.SHOWN) {
                out.printf("  … and %d more%n", problems.total() - Problems.SHOWN);
            }
        }
        return TailorCli.OK;
    }

    private long started = System.nanoTime();

    private void flush(ObservationStore store, List<ApiRequest> batch, long[] stored) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            ObservationStore.BatchResult result = store.ingestAudit(batch);
            stored[0] += result.added();
            stored[1] += result.alreadyStored();
            batch.clear();
            long total = stored[0] + stored[1];
            out.printf("progress: %d requests stored (%.0f requests/s)%n", total, total / ((System.nanoTime() - started) / 1e9));
            out.flush();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("storing a batch of " + batch.size() + " requests failed (nothing of it "
                    + "was kept; run again to retry): " + e.getMessage(), e);
        }
    }
}
