package dev.tailor.cli;

import dev.tailor.observe.Inputs;
import dev.tailor.observe.Problems;
import dev.tailor.observe.Progress;
import dev.tailor.observe.UnknownFormatException;
import dev.tailor.observe.audit.ApiAccessAggregator;
import dev.tailor.observe.audit.ApiRequest;
import dev.tailor.observe.audit.AuditLogReader;
import dev.tailor.observe.flows.Flow;
import dev.tailor.observe.flows.HubbleFlowReader;
import dev.tailor.observe.flows.NetworkEdge;
import dev.tailor.observe.syscalls.SyscallLogReader;
import dev.tailor.observe.syscalls.SyscallRecord;
import dev.tailor.observe.syscalls.SyscallUse;
import dev.tailor.store.ObservationStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tailor observe}: reads observations into the store and summarizes them — Kubernetes API audit logs, Hubble
 * flows and seccomp syscall records (plain or gzip, files or "-" for standard input), stored as aggregates in
 * batches of {@value #BATCH}, one transaction each: a batch reported as stored is on disk, a kill loses at most the
 * batch under way.
 */
@Command(name = "observe", mixinStandardHelpOptions = true,
        description = "Read API audit logs, Hubble flows and syscall records into the store and summarize them.")
public final class ObserveCommand implements Callable<Integer> {

    @Option(names = "--audit-log", arity = "1..*", paramLabel = "FILE",
            description = "audit.k8s.io Event JSON lines, plain or gzip; - for standard input")
    List<String> auditLogs = new ArrayList<>();

    @Option(names = "--flows", arity = "1..*", paramLabel = "FILE",
            description = "Hubble flows as `hubble observe -o json` or the Hubble exporter write them, plain or gzip")
    List<String> flowFiles = new ArrayList<>();

    @Option(names = "--syscalls", arity = "1..*", paramLabel = "FILE",
            description = "seccomp records: kernel audit type=SECCOMP/1326 lines (auditd, dmesg, syslog) or SPO log-enricher lines")
    List<String> syscallFiles = new ArrayList<>();

    @Option(names = "--store", paramLabel = "URL",
            description = "Where observations are kept: jdbc:h2:file:… (default: an H2 file in ./.tailor/) or "
                    + "jdbc:postgresql://host:5432/db?user=…&password=…")
    String store;

    /** Events per transaction. */
    public static final int BATCH = 5000;

    private final PrintStream out = System.out;
    private Progress progress;
    private long started;
    private long storedNew;
    private long storedKnown;

    private enum Kind { AUDIT, FLOWS, SYSCALLS }

    /** One input: its name, the opened stream, and which reader it goes to. */
    private record Input(String name, InputStream in, Kind kind) {}

    @Override
    public Integer call() throws Exception {
        if (auditLogs.isEmpty() && flowFiles.isEmpty() && syscallFiles.isEmpty()) {
            System.err.println("tailor observe: nothing to read: give --audit-log, --flows and/or --syscalls");
            return TailorCli.USAGE;
        }
        // Every input is opened and checked before anything is read, so a wrong file never leaves a half-done run.
        List<Input> inputs = new ArrayList<>();
        AtomicLong bytesRead = new AtomicLong();
        long totalBytes = 0;
        for (String name : concat(auditLogs, flowFiles, syscallFiles)) {
            totalBytes = name.equals("-") || totalBytes < 0 ? -1 : totalBytes + sizeOf(name);
        }
        try {
            for (String name : auditLogs) {
                InputStream in = Inputs.open(name, bytesRead);
                inputs.add(new Input(name, in, Kind.AUDIT));
                AuditLogReader.checkFormat(name, in);
            }
            for (String name : flowFiles) {
                InputStream in = Inputs.open(name, bytesRead);
                inputs.add(new Input(name, in, Kind.FLOWS));
                HubbleFlowReader.checkFormat(name, in);
            }
            for (String name : syscallFiles) {
                InputStream in = Inputs.open(name, bytesRead);
                inputs.add(new Input(name, in, Kind.SYSCALLS));
                SyscallLogReader.checkFormat(name, in);
            }
        } catch (UnknownFormatException e) {
            System.err.println("tailor observe: " + e.getMessage());
            return TailorCli.USAGE;
        } catch (IOException e) {
            System.err.println("tailor observe: cannot read " + e.getMessage());
            return TailorCli.USAGE;
        }
        String url = store != null ? store : ObservationStore.embeddedUrl(Path.of(".tailor").toAbsolutePath());
        ObservationStore observations;
        try {
            observations = ObservationStore.open(url);
        } catch (SQLException | RuntimeException e) {
            System.err.println("tailor observe: cannot open the store " + ObservationStore.redact(url) + ": " + e.getMessage());
            return TailorCli.ERROR;
        }

        Problems problems = new Problems();
        ApiAccessAggregator accesses = new ApiAccessAggregator();
        Map<String, Long> flowsBySource = new TreeMap<>();
        Map<String, Long> skipped = new TreeMap<>();
        long requests = 0;
        long flows = 0;
        long syscalls = 0;
        Map<String, Long> syscallsByContainer = new TreeMap<>();
        started = System.nanoTime();
        progress = new Progress(out, System.console() != null, bytesRead, Math.max(0, totalBytes));
        try (observations) {
            List<ApiRequest> requestBatch = new ArrayList<>(BATCH);
            List<Flow> flowBatch = new ArrayList<>(BATCH);
            List<SyscallRecord> syscallBatch = new ArrayList<>(BATCH);
            for (Input input : inputs) {
                try (InputStream in = input.in()) {
                    if (input.kind() == Kind.SYSCALLS) {
                        SyscallLogReader.Stats stats = new SyscallLogReader().read(input.name(), in, r -> {
                            progress.event();
                            SyscallUse use = SyscallUse.of(r);
                            String where = use.container().isEmpty() ? "(no container named) " + use.executable()
                                    : use.namespace() + "/" + use.workload() + " " + use.container();
                            syscallsByContainer.merge(where, 1L, Long::sum);
                            syscallBatch.add(r);
                            if (syscallBatch.size() == BATCH) {
                                storeSyscalls(observations, syscallBatch);
                            }
                        }, problems);
                        syscalls += stats.records();
                        stats.skipped().forEach((k, v) -> skipped.merge(k, v, Long::sum));
                        progress.clear();
                        out.printf("read %s: %d lines, %d syscall records%n", input.name(), stats.lines(), stats.records());
                    } else if (input.kind() == Kind.AUDIT) {
                        AuditLogReader.Stats stats = new AuditLogReader().read(input.name(), in, r -> {
                            progress.event();
                            accesses.accept(r);
                            requestBatch.add(r);
                            if (requestBatch.size() == BATCH) {
                                storeRequests(observations, requestBatch);
                            }
                        }, problems);
                        requests += stats.requests();
                        stats.skipped().forEach((k, v) -> skipped.merge(k, v, Long::sum));
                        progress.clear();
                        out.printf("read %s: %d lines, %d audit requests%n", input.name(), stats.lines(), stats.requests());
                    } else {
                        HubbleFlowReader.Stats stats = new HubbleFlowReader().read(input.name(), in, f -> {
                            progress.event();
                            NetworkEdge edge = NetworkEdge.of(f);
                            if (edge == null) {
                                skipped.merge(f.reply() ? "flow replies (never an allow rule of their own)"
                                        : "flows without L4 (nothing to allow)", 1L, Long::sum);
                            } else {
                                String from = edge.srcWorkload().isEmpty() ? edge.srcAddress()
                                        : edge.srcNamespace().isEmpty() ? edge.srcWorkload()
                                        : edge.srcNamespace() + "/" + edge.srcWorkload();
                                flowsBySource.merge(from, 1L, Long::sum);
                            }
                            flowBatch.add(f);
                            if (flowBatch.size() == BATCH) {
                                storeFlows(observations, flowBatch);
                            }
                        }, problems);
                        flows += stats.flows();
                        progress.clear();
                        out.printf("read %s: %d lines, %d flows%n", input.name(), stats.lines(), stats.flows());
                    }
                }
            }
            storeRequests(observations, requestBatch);
            storeFlows(observations, flowBatch);
            storeSyscalls(observations, syscallBatch);
            progress.finish();
        }

        out.println();
        out.printf("read %d audit requests, %d flows and %d syscall records in %.1f s%n", requests, flows, syscalls,
                (System.nanoTime() - started) / 1e9);
        out.printf("stored in %s: %d new, %d already there%n", ObservationStore.redact(url), storedNew, storedKnown);
        if (requests > 0) {
            out.println("audit requests per subject:");
            accesses.requestsBySubject().forEach((subject, n) -> out.printf("  %8d  %s%n", n, subject));
            out.printf("distinct API accesses: %d (%d denied)%n", accesses.accesses().size(),
                    accesses.accesses().keySet().stream().filter(a -> a.denied()).count());
        }
        if (flows > 0) {
            out.println("flows per source:");
            flowsBySource.forEach((source, n) -> out.printf("  %8d  %s%n", n, source));
        }
        if (syscalls > 0) {
            out.println("syscall records per container:");
            syscallsByContainer.forEach((where, n) -> out.printf("  %8d  %s%n", n, where));
        }
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

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> all = new ArrayList<>();
        for (List<String> l : lists) {
            all.addAll(l);
        }
        return all;
    }

    private static long sizeOf(String name) {
        try {
            return java.nio.file.Files.size(Path.of(name));
        } catch (IOException e) {
            return 0; // reported as unreadable when it is opened
        }
    }

    private void storeRequests(ObservationStore store, List<ApiRequest> batch) {
        if (!batch.isEmpty()) {
            stored(() -> store.ingestAudit(batch), batch.size());
            batch.clear();
        }
    }

    private void storeFlows(ObservationStore store, List<Flow> batch) {
        if (!batch.isEmpty()) {
            stored(() -> store.ingestFlows(batch), batch.size());
            batch.clear();
        }
    }

    private void storeSyscalls(ObservationStore store, List<SyscallRecord> batch) {
        if (!batch.isEmpty()) {
            stored(() -> store.ingestSyscalls(batch), batch.size());
            batch.clear();
        }
    }

    private interface Ingest {
        ObservationStore.BatchResult run() throws SQLException;
    }

    /** Stores one batch and says so: the progress line is the acknowledgement that the batch is on disk. */
    private void stored(Ingest ingest, int size) {
        try {
            ObservationStore.BatchResult result = ingest.run();
            storedNew += result.added();
            storedKnown += result.alreadyStored();
            if (!progress.terminal()) {
                long total = storedNew + storedKnown;
                out.printf("progress: %d events stored (%.0f events/s)%n", total, total / ((System.nanoTime() - started) / 1e9));
                out.flush();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("storing a batch of " + size + " events failed (nothing of it was kept; "
                    + "run again to retry): " + e.getMessage(), e);
        }
    }
}
