package dev.tailor.cli;

import dev.tailor.identity.Pods;
import dev.tailor.observe.Inputs;
import dev.tailor.observe.ObserveSummary;
import dev.tailor.observe.Problems;
import dev.tailor.observe.Progress;
import dev.tailor.observe.UnknownFormatException;
import dev.tailor.observe.admission.AdmissionStreamReader;
import dev.tailor.observe.audit.ApiAccess;
import dev.tailor.observe.audit.AuditLogReader;
import dev.tailor.observe.flows.FlowPods;
import dev.tailor.observe.flows.HubbleFlowReader;
import dev.tailor.observe.flows.NetworkEdge;
import dev.tailor.observe.ingest.InParts;
import dev.tailor.observe.ingest.IngestPipeline;
import dev.tailor.observe.syscalls.ContainerMap;
import dev.tailor.observe.syscalls.SeccompProfileReader;
import dev.tailor.observe.syscalls.SyscallLogReader;
import dev.tailor.observe.syscalls.SyscallUse;
import dev.tailor.store.Columns;
import dev.tailor.store.ObservationStore;
import dev.tailor.store.Sighting;
import dev.tailor.store.StoreWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tailor observe}: reads observations into the store and summarizes them — the admission stream, Kubernetes
 * API audit logs, Hubble flows, seccomp syscall records and recorded seccomp profiles (plain or gzip, files or "-"
 * for standard input), stored as aggregates in batches of {@value #BATCH} events, one transaction each: a batch reported
 * as stored is on disk, a kill loses at most the batch under way.
 *
 * <p>The admission stream is read first, whatever the order on the command line: the pods it shows decide which
 * workload the flows and syscall records of the same run belong to.
 */
@Command(
        name = "observe",
        mixinStandardHelpOptions = true,
        description =
                "Read the admission stream, API audit logs, Hubble flows and syscall records into the store and summarize them.")
public final class ObserveCommand implements Callable<Integer> {

    @Option(
            names = "--admission",
            arity = "1..*",
            paramLabel = "FILE",
            description = "AdmissionReview, Pod (or List) or decision-log JSON lines: which workload owns each pod and "
                    + "the service account it runs as; read before everything else")
    List<String> admission = new ArrayList<>();

    @Option(
            names = "--audit-log",
            arity = "1..*",
            paramLabel = "FILE",
            description = "audit.k8s.io Event JSON lines, plain or gzip; - for standard input")
    List<String> auditLogs = new ArrayList<>();

    @Option(
            names = "--flows",
            arity = "1..*",
            paramLabel = "FILE",
            description = "Hubble flows as `hubble observe -o json` or the Hubble exporter write them, plain or gzip")
    List<String> flowFiles = new ArrayList<>();

    @Option(
            names = "--syscalls",
            arity = "1..*",
            paramLabel = "FILE",
            description =
                    "seccomp records: kernel audit type=SECCOMP/1326 lines (auditd, dmesg, syslog) or SPO log-enricher lines")
    List<String> syscallFiles = new ArrayList<>();

    @Option(
            names = "--containers",
            arity = "1..*",
            paramLabel = "FILE",
            description = "`crictl inspect` output from the nodes: the pid → container map for kernel seccomp lines")
    List<String> containerFiles = new ArrayList<>();

    @Option(
            names = "--profile",
            arity = "1..*",
            paramLabel = "[NS/KIND.NAME/CONTAINER=]FILE",
            description =
                    "a recorded seccomp profile (OCI JSON, Inspektor Gadget's advise output, or SPO SeccompProfile "
                            + "YAML): its allowed syscalls count as observed for that container")
    List<String> profiles = new ArrayList<>();

    @Option(
            names = "--store",
            paramLabel = "URL",
            description = "Where observations are kept: jdbc:h2:file:… (default: an H2 file in ./.tailor/) or "
                    + "jdbc:postgresql://host:5432/db?user=…&password=…")
    String store;

    @Option(names = "--summary", paramLabel = "FILE", description = "also write the summary as JSON to FILE")
    Path summaryFile;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "Threads that read one big plain (not gzip) audit log or flow file, each a part of it "
                    + "(default: the number of cores, at most 8: one writer stores what they all read)")
    int threads = Math.min(8, Runtime.getRuntime().availableProcessors());

    /** The smallest part of a file a thread of its own reads: below that, starting a thread costs more than it saves. */
    @Option(names = "--min-part-bytes", hidden = true)
    long minPartBytes = 8L << 20;

    /**
     * Events per transaction. A batch costs one upsert per aggregate it touches, however many of its events fall on
     * it, and the store rewrites a row for every upsert: on a week of 1,002 workloads (485 MB) 100,000 took the whole
     * observe from 10.9 s to 8.7 s against 20,000; on a month of them (1,967 MB) 200,000 took it from 13.3–13.9 s to
     * 12.6–12.9 s against 100,000 (400,000: no faster). At most four batches are held at a time (two waiting for the
     * store, one being filled per reading thread), each about 70 bytes an event: tens of MiB.
     */
    public static final int BATCH = 200_000;

    /** Events per transaction; smaller only for tests that kill the command between batches. */
    @Option(names = "--batch-events", hidden = true)
    int batchEvents = BATCH;

    private static final int MAX_PROFILE_BYTES = 4 * 1024 * 1024;

    private final PrintStream out;
    private Progress progress;
    private long started;
    private final java.util.concurrent.atomic.AtomicLong storedNew = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong storedKnown = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong storedExpired = new java.util.concurrent.atomic.AtomicLong();

    public ObserveCommand() {
        this(System.out);
    }

    /** Writing what it reports to {@code out} (the ingest benchmark runs the command with its output discarded). */
    ObserveCommand(PrintStream out) {
        this.out = out;
    }

    private enum Kind {
        ADMISSION,
        AUDIT,
        FLOWS,
        SYSCALLS
    }

    /** One input: its name, the opened stream, and which reader it goes to. */
    private record Input(String name, InputStream in, Kind kind) {}

    /** A recorded profile, read whole before anything is stored. */
    private record Profile(String name, SeccompProfileReader.Result result) {}

    @Override
    public Integer call() throws Exception {
        String usage = usageProblem();
        if (usage != null) {
            System.err.println("tailor observe: " + usage);
            return TailorCli.USAGE;
        }
        AtomicLong bytesRead = new AtomicLong();
        Opened opened;
        try {
            opened = openInputs(bytesRead);
        } catch (UnknownFormatException | IllegalArgumentException e) {
            System.err.println("tailor observe: " + e.getMessage());
            return TailorCli.USAGE;
        } catch (IOException e) {
            System.err.println("tailor observe: cannot read " + e.getMessage());
            return TailorCli.USAGE;
        }
        String url = store != null
                ? store
                : ObservationStore.embeddedUrl(Path.of(".tailor").toAbsolutePath());
        ObservationStore observations;
        Pods known;
        try {
            observations = ObservationStore.open(url);
            known = observations.pods();
        } catch (SQLException | RuntimeException e) {
            System.err.println(
                    "tailor observe: cannot open the store " + ObservationStore.redact(url) + ": " + e.getMessage());
            return TailorCli.ERROR;
        }
        started = System.nanoTime();
        progress = new Progress(out, System.console() != null, bytesRead, Math.max(0, opened.totalBytes()));
        Run run = new Run(
                observations,
                known,
                new IngestPipeline(known, opened.containers(), progress::event),
                new ObserveSummary(),
                new Problems(),
                bytesRead);
        try {
            readAll(opened, run);
        } catch (StoreWriter.StoreFailedException e) {
            progress.finish();
            System.err.println("tailor observe: " + e.getMessage() + " — store " + ObservationStore.redact(url));
            return TailorCli.ERROR;
        }
        return report(run, url);
    }

    /**
     * Every input, in order, through the pipeline: reading and parsing on this thread (and, for a big plain file,
     * on one thread per part of it), storing on the writer's.
     */
    private void readAll(Opened opened, Run run) throws IOException, SQLException, StoreWriter.StoreFailedException {
        try (ObservationStore observations = run.store();
                StoreWriter writer = new StoreWriter(batchEvents, this::stored)) {
            Batches batches = new Batches(
                    writer,
                    writer.batch(observations::ingestPods),
                    writer.batch(observations::ingestDecisions),
                    writer.batch(observations::ingestSyscallUses));
            for (Input input : opened.inputs()) {
                try (InputStream in = input.in()) {
                    switch (input.kind()) {
                        case ADMISSION -> readAdmission(input, in, run, batches);
                        case AUDIT -> readAudit(input, run, batches);
                        case FLOWS -> readFlows(input, run, batches);
                        case SYSCALLS -> readSyscalls(input, in, run, batches);
                    }
                }
            }
            addProfiles(opened.profiles(), run, batches);
            writer.flush();
            progress.finish();
        }
    }

    /** What is wrong with the options as given, or null. */
    private String usageProblem() {
        if (threads < 1 || threads > 256 || minPartBytes < 1) {
            return "--threads is 1 to 256, got " + threads;
        }
        if (admission.isEmpty()
                && auditLogs.isEmpty()
                && flowFiles.isEmpty()
                && syscallFiles.isEmpty()
                && profiles.isEmpty()) {
            return "nothing to read: give --admission, --audit-log, --flows, --syscalls and/or --profile";
        }
        List<String> everyInput = concat(admission, auditLogs, flowFiles, syscallFiles, containerFiles);
        profiles.forEach(spec -> everyInput.add(spec.substring(spec.indexOf('=') + 1)));
        long stdin = everyInput.stream().filter("-"::equals).count();
        if (stdin > 1) {
            return "standard input (-) can be read once, and is given " + stdin + " times";
        }
        if (summaryFile != null
                && !Files.isDirectory(summaryFile.toAbsolutePath().getParent())) {
            return "--summary " + summaryFile + ": no directory "
                    + summaryFile.toAbsolutePath().getParent();
        }
        return null;
    }

    /** Every input opened and its format checked, the recorded profiles and container maps read. */
    private record Opened(List<Input> inputs, List<Profile> profiles, ContainerMap containers, long totalBytes) {}

    /** Every input is opened and checked before anything is read, so a wrong file never leaves a half-done run. */
    private Opened openInputs(AtomicLong bytesRead) throws IOException, UnknownFormatException {
        long totalBytes = 0;
        for (String name : concat(admission, auditLogs, flowFiles, syscallFiles)) {
            totalBytes = name.equals("-") || totalBytes < 0 ? -1 : totalBytes + sizeOf(name);
        }
        ContainerMap containers = new ContainerMap();
        for (String name : containerFiles) {
            try (InputStream in = Inputs.open(name, new AtomicLong())) {
                containers.read(name, in);
            }
        }
        List<Profile> recorded = new ArrayList<>();
        for (String spec : profiles) {
            recorded.add(readProfile(spec));
        }
        List<Input> inputs = new ArrayList<>();
        open(inputs, admission, Kind.ADMISSION, bytesRead);
        open(inputs, auditLogs, Kind.AUDIT, bytesRead);
        open(inputs, flowFiles, Kind.FLOWS, bytesRead);
        open(inputs, syscallFiles, Kind.SYSCALLS, bytesRead);
        return new Opened(inputs, recorded, containers, totalBytes);
    }

    /** What every reader of one run shares: the store, the pipeline, the summary and problems. */
    private record Run(
            ObservationStore store,
            Pods pods,
            IngestPipeline pipeline,
            ObserveSummary summary,
            Problems problems,
            AtomicLong bytesRead) {}

    /** The store writer and the batches every input shares (the audit logs and flows have one per reading thread). */
    private record Batches(
            StoreWriter writer,
            StoreWriter.Batch<dev.tailor.identity.PodRecord> pods,
            StoreWriter.Batch<dev.tailor.contract.AdmissionDecision> decisions,
            StoreWriter.Batch<Sighting<SyscallUse>> syscalls) {}

    private void readAdmission(Input input, InputStream in, Run run, Batches batches) throws IOException {
        AdmissionStreamReader.Stats read = run.pipeline()
                .admission(
                        input.name(), in, run.summary(), run.problems(), batches.pods()::add, batches.decisions()::add);
        batches.writer().flush(); // what follows is attributed by these pods
        read(input, read.lines(), read.pods() + " pods, " + read.decisions() + " decisions");
    }

    private void readAudit(Input input, Run run, Batches batches) throws IOException {
        IngestPipeline.Read read = readInParts(input, run, () -> {
            StoreWriter.Batch<Sighting<ApiAccess>> batch = batches.writer().batch(run.store()::ingestAccesses);
            return (part, summary, problems) -> run.pipeline().audit(input.name(), part, summary, problems, batch::add);
        });
        batches.writer().handOver(); // the input's last events go to the store now
        read(input, read.lines(), read.events() + " audit requests");
    }

    private void readFlows(Input input, Run run, Batches batches) throws IOException {
        FlowPods named = new FlowPods(run.pods());
        IngestPipeline.Read read = readInParts(input, run, () -> {
            StoreWriter.Batch<Sighting<NetworkEdge>> batch = batches.writer().batch(run.store()::ingestEdges);
            return (part, summary, problems) ->
                    run.pipeline().flows(input.name(), part, summary, problems, named, batch::add);
        });
        // In the pods' order, after every part: the same records whatever the parts were.
        named.records().forEach(p -> {
            if (Columns.problem(p) == null) {
                batches.pods().add(p);
                run.summary().event("flowPods");
            }
        });
        batches.writer().handOver();
        read(input, read.lines(), read.events() + " flows");
    }

    private void readSyscalls(Input input, InputStream in, Run run, Batches batches) throws IOException {
        IngestPipeline.Read read =
                run.pipeline().syscalls(input.name(), in, run.summary(), run.problems(), batches.syscalls()::add);
        read(input, read.lines(), read.events() + " syscall records");
    }

    private void addProfiles(List<Profile> recorded, Run run, Batches batches) {
        for (Profile profile : recorded) {
            run.pipeline().profile(profile.result(), run.summary(), batches.syscalls()::add);
            out.printf(
                    "read %s: %d profiles, %d allowed syscalls%n",
                    profile.name(),
                    profile.result().profiles(),
                    profile.result().records().size());
        }
    }

    /** What was read and stored, the summary, and the summary file. */
    private Integer report(Run run, String url) {
        ObserveSummary summary = run.summary();
        summary.attributeSubjects(run.pods());
        run.problems().byReason().forEach((reason, n) -> summary.badLines.put(reason, n));
        out.println();
        out.printf(
                "read %s in %.1f s%n",
                summary.events.isEmpty()
                        ? "nothing"
                        : String.join(
                                ", ",
                                summary.events.entrySet().stream()
                                        .map(e -> e.getValue() + " " + e.getKey())
                                        .toList()),
                (System.nanoTime() - started) / 1e9);
        out.printf(
                "stored in %s: %d new, %d already there%s%n",
                ObservationStore.redact(url),
                storedNew.get(),
                storedKnown.get(),
                storedExpired.get() == 0
                        ? ""
                        : ", " + storedExpired.get() + " older than the store keeps (its retention), not stored");
        summary.print(out, run.pods(), run.problems());
        if (summaryFile != null) {
            try {
                dev.tailor.util.Trees.writeWhole(summaryFile, summary.toJson());
            } catch (IOException e) {
                System.err.println("tailor observe: cannot write the summary: "
                        + Inputs.named(summaryFile.toString(), e).getMessage());
                return TailorCli.ERROR;
            }
        }
        return TailorCli.OK;
    }

    private void read(Input input, long lines, String what) {
        progress.clear();
        out.printf("read %s: %d lines, %s%n", input.name(), lines, what);
    }

    private static void open(List<Input> inputs, List<String> names, Kind kind, AtomicLong bytesRead)
            throws IOException, UnknownFormatException {
        for (String name : names) {
            InputStream in = Inputs.open(name, bytesRead);
            inputs.add(new Input(name, in, kind));
            try {
                switch (kind) {
                    case ADMISSION -> AdmissionStreamReader.checkFormat(name, in);
                    case AUDIT -> AuditLogReader.checkFormat(name, in);
                    case FLOWS -> HubbleFlowReader.checkFormat(name, in);
                    case SYSCALLS -> SyscallLogReader.checkFormat(name, in);
                }
            } catch (IOException e) {
                throw Inputs.named(name, e);
            }
        }
    }

    /** {@code [NS/KIND.NAME/CONTAINER=]FILE}, read whole (profiles are small; bigger than 4 MiB is refused). */
    private static Profile readProfile(String spec) throws IOException, UnknownFormatException {
        int eq = spec.indexOf('=');
        SeccompProfileReader.Target target = eq < 0 ? null : SeccompProfileReader.Target.parse(spec.substring(0, eq));
        String name = eq < 0 ? spec : spec.substring(eq + 1);
        byte[] content;
        try (InputStream in = Inputs.open(name, new AtomicLong())) {
            content = in.readNBytes(MAX_PROFILE_BYTES + 1);
        }
        if (content.length > MAX_PROFILE_BYTES) {
            throw new UnknownFormatException(
                    name + ": larger than " + MAX_PROFILE_BYTES + " bytes: no seccomp profile is");
        }
        Instant modified = name.equals("-")
                ? Instant.now()
                : Files.getLastModifiedTime(Path.of(name)).toInstant();
        return new Profile(name, new SeccompProfileReader().read(name, content, target, modified));
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
            return Files.size(Path.of(name));
        } catch (IOException e) {
            return 0; // reported as unreadable when it is opened
        }
    }

    /** Reads an input through {@code readers}, a big plain file in parts ({@link InParts}). */
    private IngestPipeline.Read readInParts(Input input, Run run, Supplier<InParts.PartReader> readers)
            throws IOException {
        List<Inputs.Part> parts = threads < 2 ? List.of() : Inputs.split(input.name(), threads, minPartBytes);
        return InParts.read(input.name(), input.in(), parts, run.bytesRead(), run.summary(), run.problems(), readers);
    }

    /** A batch is on disk: the progress line is its acknowledgement. Called on the writer's thread. */
    private void stored(ObservationStore.BatchResult result) {
        long total = storedNew.addAndGet(result.added()) + storedKnown.addAndGet(result.alreadyStored());
        storedExpired.addAndGet(result.expired());
        if (!progress.terminal()) {
            // Read and stored differ: flow replies are read but not stored, and up to two batches wait for the store.
            long read = progress.events();
            out.printf(
                    "progress: %d events read, %d stored (%.0f events/s read)%n",
                    read, total, read / ((System.nanoTime() - started) / 1e9));
            out.flush();
        }
    }
}
