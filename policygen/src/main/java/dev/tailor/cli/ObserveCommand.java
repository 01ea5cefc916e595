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
import dev.tailor.observe.flows.HubbleFlowReader;
import dev.tailor.observe.flows.NetworkEdge;
import dev.tailor.observe.syscalls.ContainerMap;
import dev.tailor.observe.syscalls.SeccompProfileReader;
import dev.tailor.observe.syscalls.SyscallLogReader;
import dev.tailor.observe.syscalls.SyscallRecord;
import dev.tailor.observe.syscalls.SyscallUse;
import dev.tailor.store.Columns;
import dev.tailor.store.ObservationStore;
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
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
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
     * observe from 10.9 s to 8.7 s against 20,000 (200,000: 8.4 s). At most four batches are held at a time (two
     * waiting for the store, one being filled per reading thread), each about 70 bytes an event: tens of MiB.
     */
    public static final int BATCH = 100_000;

    /** Events per transaction; smaller only for tests that kill the command between batches. */
    @Option(names = "--batch-events", hidden = true)
    int batchEvents = BATCH;

    private static final int MAX_PROFILE_BYTES = 4 * 1024 * 1024;

    private final PrintStream out;
    private Progress progress;
    private long started;
    private final java.util.concurrent.atomic.AtomicLong storedNew = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong storedKnown = new java.util.concurrent.atomic.AtomicLong();

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
        try {
            observations = ObservationStore.open(url);
        } catch (SQLException | RuntimeException e) {
            System.err.println(
                    "tailor observe: cannot open the store " + ObservationStore.redact(url) + ": " + e.getMessage());
            return TailorCli.ERROR;
        }
        Run run = new Run(
                observations,
                observations.pods(),
                opened.containers(),
                new ObserveSummary(),
                new Problems(),
                bytesRead);
        started = System.nanoTime();
        progress = new Progress(out, System.console() != null, bytesRead, Math.max(0, opened.totalBytes()));
        // Reading and parsing on this thread (and, for a big plain file, on one thread per part of it), storing on
        // the writer's.
        try (observations;
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
        } catch (StoreWriter.StoreFailedException e) {
            progress.finish();
            System.err.println("tailor observe: " + e.getMessage() + " — store " + ObservationStore.redact(url));
            return TailorCli.ERROR;
        }
        return report(run, url);
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

    /** What every reader of one run shares: the store and its pods, the container maps, the summary and problems. */
    private record Run(
            ObservationStore store,
            Pods pods,
            ContainerMap containers,
            ObserveSummary summary,
            Problems problems,
            AtomicLong bytesRead) {}

    /** The store writer and the batches every input shares (the audit logs and flows have one per reading thread). */
    private record Batches(
            StoreWriter writer,
            StoreWriter.Batch<dev.tailor.identity.PodRecord> pods,
            StoreWriter.Batch<dev.tailor.observe.admission.AdmissionDecision> decisions,
            StoreWriter.Batch<ObservationStore.Sighting<SyscallUse>> syscalls) {}

    private void readAdmission(Input input, InputStream in, Run run, Batches batches) throws IOException {
        ObserveSummary summary = run.summary();
        AdmissionStreamReader.Stats stats = new AdmissionStreamReader()
                .read(
                        input.name(),
                        in,
                        p -> {
                            progress.event();
                            summary.event("pods");
                            Columns.require(Columns.problem(p));
                            if (!p.pod().isEmpty()) {
                                summary.pod(p.workload(), p.pod());
                            }
                            batches.pods().add(p);
                        },
                        d -> {
                            progress.event();
                            Columns.require(Columns.problem(d));
                            summary.event("decisions");
                            batches.decisions().add(d);
                        },
                        run.problems());
        summary.skipped(stats.skipped());
        batches.writer().flush(); // what follows is attributed by these pods
        read(input, stats.lines(), stats.pods() + " pods, " + stats.decisions() + " decisions");
    }

    private void readAudit(Input input, Run run, Batches batches) throws IOException {
        long[] read = readInParts(input, run.bytesRead(), run.summary(), run.problems(), () -> {
            StoreWriter.Batch<ObservationStore.Sighting<ApiAccess>> batch =
                    batches.writer().batch(run.store()::ingestAccesses);
            return (part, partSummary, partProblems) -> {
                // The batch gets one instance of each access, not each request's own.
                Map<ApiAccess, ApiAccess> accesses = new java.util.HashMap<>();
                AuditLogReader.Stats stats = new AuditLogReader()
                        .read(
                                input.name(),
                                part,
                                r -> {
                                    progress.event();
                                    ApiAccess access = ApiAccess.of(r);
                                    if (!accesses.containsKey(
                                            access)) { // checked once per distinct access, not per request
                                        Columns.require(Columns.problem(access));
                                    }
                                    partSummary.event("audit");
                                    partSummary.request(r.subject(), r.pod());
                                    if (r.denied()) {
                                        partSummary.event("auditDenied");
                                    }
                                    if (accesses.size() >= DISTINCT_HELD) {
                                        accesses.clear();
                                    }
                                    batch.add(ObservationStore.Sighting.of(
                                            r.auditId(), r.time(), accesses.computeIfAbsent(access, a -> a)));
                                },
                                partProblems);
                partSummary.skipped(stats.skipped());
                return new long[] {stats.lines(), stats.requests()};
            };
        });
        batches.writer().handOver(); // the input's last events go to the store now
        read(input, read[0], read[1] + " audit requests");
    }

    private void readFlows(Input input, Run run, Batches batches) throws IOException {
        Pods pods = run.pods();
        dev.tailor.observe.flows.FlowPods flowPods = new dev.tailor.observe.flows.FlowPods(pods);
        long[] read = readInParts(input, run.bytesRead(), run.summary(), run.problems(), () -> {
            StoreWriter.Batch<ObservationStore.Sighting<NetworkEdge>> batch =
                    batches.writer().batch(run.store()::ingestEdges);
            return (part, partSummary, partProblems) -> {
                // Counted by edge, and into the summary by workload only now and then: a flow costs one hash lookup
                // here, not two workload names made and looked up in sorted maps. The batch gets the edge counted (one
                // instance an edge), not the flow's own.
                Map<NetworkEdge, EdgeCount> edges = new java.util.HashMap<>();
                long[] skipped = {0, 0}; // replies, flows without L4
                HubbleFlowReader.Stats stats = new HubbleFlowReader()
                        .read(
                                input.name(),
                                part,
                                f -> {
                                    progress.event();
                                    flowPods.note(f); // pods only flows name (kube-system's), by their labels
                                    NetworkEdge edge = NetworkEdge.of(f, pods);
                                    if (edge == null) {
                                        // Not stored: it aggregates into nothing (and so has no key).
                                        skipped[f.reply() ? 0 : 1]++;
                                        return;
                                    }
                                    EdgeCount counted = edges.get(edge);
                                    if (counted == null) { // checked once per distinct edge, not per flow
                                        Columns.require(Columns.problem(edge));
                                        counted = new EdgeCount(edge);
                                        edges.put(edge, counted);
                                    }
                                    counted.flows++;
                                    if (edges.size() >= DISTINCT_HELD) {
                                        countFlows(partSummary, edges);
                                    }
                                    batch.add(new ObservationStore.Sighting<>(
                                            f.fingerprintHigh(), f.fingerprintLow(), f.time(), counted.edge));
                                },
                                partProblems);
                countFlows(partSummary, edges);
                partSummary.count("flows", stats.flows());
                partSummary.skip("flow replies (never an allow rule of their own)", skipped[0]);
                partSummary.skip("flows without L4 (nothing to allow)", skipped[1]);
                return new long[] {stats.lines(), stats.flows()};
            };
        });
        // In the pods' order, after every part: the same records whatever the parts were.
        flowPods.records().forEach(p -> {
            if (Columns.problem(p) == null) {
                batches.pods().add(p);
                run.summary().event("flowPods");
            }
        });
        batches.writer().handOver();
        read(input, read[0], read[1] + " flows");
    }

    private void readSyscalls(Input input, InputStream in, Run run, Batches batches) throws IOException {
        ObserveSummary summary = run.summary();
        SyscallLogReader.Stats stats = new SyscallLogReader()
                .read(
                        input.name(),
                        in,
                        r -> {
                            progress.event();
                            summary.event("syscalls");
                            SyscallRecord attributed = run.containers().attribute(r);
                            SyscallUse use = SyscallUse.of(attributed, run.pods());
                            Columns.require(Columns.problem(use));
                            countSyscall(summary, use);
                            batches.syscalls()
                                    .add(ObservationStore.Sighting.of(attributed.key(), attributed.time(), use));
                        },
                        run.problems());
        summary.skipped(stats.skipped());
        read(input, stats.lines(), stats.records() + " syscall records");
    }

    private void addProfiles(List<Profile> recorded, Run run, Batches batches) {
        ObserveSummary summary = run.summary();
        for (Profile profile : recorded) {
            for (SyscallRecord r : profile.result().records()) {
                summary.event("profiles");
                SyscallUse use = SyscallUse.of(r, run.pods());
                countSyscall(summary, use);
                batches.syscalls().add(ObservationStore.Sighting.of(r.key(), r.time(), use));
            }
            summary.skipped(profile.result().skipped());
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
                "stored in %s: %d new, %d already there%n",
                ObservationStore.redact(url), storedNew.get(), storedKnown.get());
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

    /** Distinct edges a reading thread counts flows by before it adds them to its summary; distinct accesses it
     *  keeps one instance of. */
    private static final int DISTINCT_HELD = 20_000;

    /** An edge and how many flows of it were read since the summary was last told. */
    private static final class EdgeCount {
        final NetworkEdge edge;
        long flows;

        EdgeCount(NetworkEdge edge) {
            this.edge = edge;
        }
    }

    /** Adds flows counted by edge to the summary, by workload and by peer, and forgets the counts. */
    private static void countFlows(ObserveSummary summary, Map<NetworkEdge, EdgeCount> edges) {
        edges.forEach((edge, n) -> {
            if (!edge.srcNamespace().isEmpty()) {
                summary.workload(edge.srcNamespace() + "/" + edge.srcWorkload(), "flowsOut", n.flows);
            } else {
                summary.peers.merge(
                        edge.srcWorkload().isEmpty() ? "outside the cluster" : edge.srcWorkload(), n.flows, Long::sum);
            }
            if (!edge.dstNamespace().isEmpty()) {
                summary.workload(edge.dstNamespace() + "/" + edge.dstWorkload(), "flowsIn", n.flows);
            }
        });
        edges.clear();
    }

    private static void countSyscall(ObserveSummary summary, SyscallUse use) {
        if (use.workload().isEmpty()) {
            summary.unattributedSyscalls.merge(
                    use.executable().isEmpty() ? "(no executable named)" : use.executable(), 1L, Long::sum);
        } else {
            summary.workload(use.namespace() + "/" + use.workload(), "syscalls");
        }
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

    /** Reads one part of an input into its own summary and problems; returns {lines, events}. */
    @FunctionalInterface
    private interface PartReader {
        long[] read(InputStream part, ObserveSummary summary, Problems problems) throws IOException;
    }

    /**
     * Reads an input: a big plain file in parts, each on a thread of its own, a gzip file or standard input as one
     * stream on this thread. Each part is read into a summary, problems and batches of its own (made here, on
     * this thread, by {@code readers}), merged in the parts' order when all are read — the same summary and the
     * same first problems, with the same line numbers, as reading the file from start to end. Returns
     * {lines, events}.
     */
    private long[] readInParts(
            Input input,
            AtomicLong bytesRead,
            ObserveSummary summary,
            Problems problems,
            java.util.function.Supplier<PartReader> readers)
            throws IOException {
        List<Inputs.Part> parts = threads < 2 ? List.of() : Inputs.split(input.name(), threads, minPartBytes);
        if (parts.size() < 2) {
            ObserveSummary s = new ObserveSummary();
            Problems p = new Problems();
            long[] read = readers.get().read(input.in(), s, p);
            summary.add(s);
            problems.addAll(p, 0);
            return read;
        }
        input.in().close();
        List<PartReader> partReaders = new ArrayList<>();
        List<ObserveSummary> summaries = new ArrayList<>();
        List<Problems> partProblems = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            partReaders.add(readers.get());
            summaries.add(new ObserveSummary());
            partProblems.add(new Problems());
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(parts.size());
        try {
            List<java.util.concurrent.Future<long[]>> results = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
                int k = i;
                results.add(pool.submit(() -> {
                    try (InputStream in = Inputs.open(input.name(), parts.get(k), bytesRead)) {
                        return partReaders.get(k).read(in, summaries.get(k), partProblems.get(k));
                    }
                }));
            }
            long lines = 0;
            long events = 0;
            for (int i = 0; i < parts.size(); i++) {
                long[] read;
                try {
                    read = results.get(i).get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while reading " + input.name(), e);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IllegalStateException(e.getCause());
                }
                summary.add(summaries.get(i));
                problems.addAll(partProblems.get(i), lines);
                lines += read[0];
                events += read[1];
            }
            return new long[] {lines, events};
        } finally {
            pool.shutdownNow();
        }
    }

    /** A batch is on disk: the progress line is its acknowledgement. Called on the writer's thread. */
    private void stored(ObservationStore.BatchResult result) {
        long total = storedNew.addAndGet(result.added()) + storedKnown.addAndGet(result.alreadyStored());
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
