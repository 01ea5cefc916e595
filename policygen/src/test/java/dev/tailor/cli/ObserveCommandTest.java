package dev.tailor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.fixtures.BoutiqueWeek;
import dev.tailor.identity.Workload;
import dev.tailor.observe.ObserveSummary;
import dev.tailor.observe.flows.NetworkEdge;
import dev.tailor.store.ObservationStore;
import dev.tailor.store.PodIdentity;
import dev.tailor.store.TestStores;
import dev.tailor.testing.GoldenFiles;
import dev.tailor.testing.RepositoryPaths;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * {@code tailor observe} end to end: the Online Boutique week the generator wrote must come out of the store and
 * the summary exactly as the generator accounted for it, on H2 and on PostgreSQL alike.
 */
class ObserveCommandTest {

    private static Path week;
    private static ObserveSummary expected;
    private final TestStores stores = new TestStores();

    @TempDir
    Path dir;

    @BeforeAll
    static void writeTheWeek(@TempDir Path tmp) throws Exception {
        week = tmp.resolve("week");
        expected = BoutiqueWeek.write(boutique(), week, BoutiqueWeek.DEFAULT_SEED);
    }

    @AfterEach
    void drop() throws Exception {
        stores.dropAll();
    }

    static Stream<String> kinds() {
        return TestStores.kinds();
    }

    private static Path boutique() {
        return RepositoryPaths.fixtures().resolve("third_party/online-boutique");
    }

    /** Runs {@code tailor observe ARGS}; returns exit code and everything it printed. */
    private static Run observe(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream original = System.out;
        PrintStream originalErr = System.err;
        int code;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            System.setErr(out);
            code = new CommandLine(new TailorCli())
                    .execute(
                            Stream.concat(Stream.of("observe"), Stream.of(args)).toArray(String[]::new));
        } finally {
            System.setOut(original);
            System.setErr(originalErr);
        }
        return new Run(code, bytes.toString(StandardCharsets.UTF_8));
    }

    private record Run(int code, String output) {
        long stored(String which) {
            Matcher m = Pattern.compile(": (\\d+) new, (\\d+) already there").matcher(output);
            assertTrue(m.find(), output);
            return Long.parseLong(m.group(which.equals("new") ? 1 : 2));
        }
    }

    private List<String> weekArgs(String url, Path summary) {
        return new ArrayList<>(List.of(
                "--flows",
                week.resolve(BoutiqueWeek.FLOWS).toString(),
                "--syscalls",
                week.resolve(BoutiqueWeek.SYSCALLS).toString(),
                "--containers",
                week.resolve(BoutiqueWeek.CONTAINERS).toString(),
                "--audit-log",
                week.resolve(BoutiqueWeek.AUDIT).toString(),
                // Given last on purpose: the admission stream is read first whatever the order.
                "--admission",
                week.resolve(BoutiqueWeek.ADMISSION).toString(),
                "--store",
                url,
                "--summary",
                summary.toString()));
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void theFixtureWeekComesOutAsTheGeneratorWroteIt(String kind) throws Exception {
        String url = stores.url(kind, dir);
        Run first = observe(weekArgs(url, dir.resolve("summary.json")).toArray(String[]::new));
        assertEquals(0, first.code(), first.output());
        assertEquals(expected.toJson(), Files.readString(dir.resolve("summary.json")), first.output());
        // Stored: every event, but flow replies and flows without L4, which aggregate into nothing (auditDenied
        // counts audit events a second time).
        long events =
                expected.events.values().stream().mapToLong(Long::longValue).sum()
                        - expected.events.get("auditDenied")
                        - expected.skipped.entrySet().stream()
                                .filter(e -> e.getKey().startsWith("flow"))
                                .mapToLong(Map.Entry::getValue)
                                .sum();
        assertEquals(events, first.stored("new"), first.output());
        // The line the generator cut in half is the one that does not end its object.
        List<String> auditLines = Files.readAllLines(week.resolve(BoutiqueWeek.AUDIT));
        int cut = 1
                + java.util.stream.IntStream.range(0, auditLines.size())
                        .filter(i -> !auditLines.get(i).endsWith("}"))
                        .findFirst()
                        .orElseThrow();
        assertTrue(first.output().contains(BoutiqueWeek.AUDIT + ":" + cut + ": not JSON"), first.output());

        // Ingesting the same week again changes nothing.
        Run again = observe(weekArgs(url, dir.resolve("again.json")).toArray(String[]::new));
        assertEquals(0, again.code(), again.output());
        assertEquals(0, again.stored("new"), again.output());
        // …and the pods only flows named are known by then: not derived again.
        assertEquals(events - expected.events.getOrDefault("flowPods", 0L), again.stored("known"), again.output());
        assertEquals(2L, expected.events.get("flowPods"), "CoreDNS's two pods, named by their flows alone");

        assertStoredAsTheWeekHappened(url);
    }

    /** What the store holds is what the week did: edges at the pods' ports, one workload per rollout, attribution. */
    private static void assertStoredAsTheWeekHappened(String url) throws Exception {
        try (ObservationStore store = ObservationStore.open(url)) {
            Map<NetworkEdge, ObservationStore.StoredAccess> edges = store.networkEdges();
            // checkoutservice calls emailservice at Service port 5000; the pod listens on 8080, and that is what
            // flowed.
            assertTrue(
                    edges.keySet().stream()
                            .anyMatch(e -> e.srcWorkload().equals("deployment.checkoutservice")
                                    && e.dstWorkload().equals("deployment.emailservice")
                                    && e.port() == 8080
                                    && !e.dropped()),
                    edges.keySet().toString());
            // The nightly job's upload leaves the cluster: kept as its IP with the name it was resolved from.
            NetworkEdge upload = edges.keySet().stream()
                    .filter(e -> e.srcWorkload().equals("cronjob.catalog-export") && e.port() == 443)
                    .findFirst()
                    .orElseThrow();
            assertEquals("storage.googleapis.com", upload.dstDnsName());
            assertEquals(7, edges.get(upload).days().size(), "one upload a night, every night");
            assertTrue(edges.keySet().stream()
                    .anyMatch(e -> e.srcWorkload().equals("deployment.loadgenerator") && e.dropped()));
            // The pods of the release and of the later rollout are one workload.
            assertEquals(
                    6,
                    store.podIdentities().keySet().stream()
                            .filter(p -> p.workloadName().equals("frontend"))
                            .count());
            // promtail's kernel lines reached its container through the crictl pid map, and its pods are the
            // DaemonSet's though Cilium's labels lack their controller-revision-hash.
            assertTrue(
                    store.syscallUses().keySet().stream()
                            .anyMatch(u -> u.workload().equals("daemonset.promtail")
                                    && u.container().equals("promtail")
                                    && u.syscall().equals("epoll_pwait")),
                    store.syscallUses().keySet().toString());
            assertEquals(
                    Set.of(new Workload("monitoring", "DaemonSet", "promtail")),
                    store.pods().runningAs("system:serviceaccount:monitoring:promtail"));
        }
    }

    @Test
    void readInPartsOnSeveralThreadsTheWeekComesOutTheSame() throws Exception {
        // Parts of 4 KiB: the audit log and the flows are each read by three threads, one part after another.
        String url = stores.url("h2", dir);
        List<String> args = weekArgs(url, dir.resolve("parts.json"));
        args.addAll(List.of("--threads", "3", "--min-part-bytes", "4096"));
        Run parts = observe(args.toArray(String[]::new));
        assertEquals(0, parts.code(), parts.output());
        assertEquals(expected.toJson(), Files.readString(dir.resolve("parts.json")), parts.output());
        // The bad line is named by its line in the whole file, not in its part.
        List<String> auditLines = Files.readAllLines(week.resolve(BoutiqueWeek.AUDIT));
        int cut = 1
                + java.util.stream.IntStream.range(0, auditLines.size())
                        .filter(i -> !auditLines.get(i).endsWith("}"))
                        .findFirst()
                        .orElseThrow();
        assertTrue(cut > 1, "the cut line is not in the first part");
        assertTrue(parts.output().contains(BoutiqueWeek.AUDIT + ":" + cut + ": not JSON"), parts.output());
        assertTrue(
                parts.output()
                        .contains("read " + week.resolve(BoutiqueWeek.AUDIT) + ": " + auditLines.size() + " lines"),
                parts.output());

        String oneThread = stores.url("h2", dir);
        Run whole = observe(weekArgs(oneThread, dir.resolve("whole.json")).toArray(String[]::new));
        assertEquals(0, whole.code(), whole.output());
        assertEquals(whole.stored("new"), parts.stored("new"));
        try (ObservationStore a = ObservationStore.open(url);
                ObservationStore b = ObservationStore.open(oneThread)) {
            assertEquals(b.apiAccesses(), a.apiAccesses());
            assertEquals(b.networkEdges(), a.networkEdges());
        }
    }

    @Test
    void theSameSeedWritesTheSameWeekAndItsSummaryIsTheCommittedOne() throws Exception {
        Path again = dir.resolve("again");
        ObserveSummary second = BoutiqueWeek.write(boutique(), again, BoutiqueWeek.DEFAULT_SEED);
        for (String file : List.of(
                BoutiqueWeek.ADMISSION,
                BoutiqueWeek.AUDIT,
                BoutiqueWeek.FLOWS,
                BoutiqueWeek.SYSCALLS,
                BoutiqueWeek.CONTAINERS)) {
            assertEquals(-1L, Files.mismatch(week.resolve(file), again.resolve(file)), file);
        }
        assertEquals(expected.toJson(), second.toJson());
        assertEquals(
                List.of(),
                GoldenFiles.differences(
                        RepositoryPaths.fixtures().resolve("boutique-week"),
                        Map.of("expected-summary.json", expected.toJson())),
                "test-fixtures/boutique-week/ is not what the generator writes; rerun with -Dtailor.update-golden=true and review the change");
    }

    @Test
    void everyThirdPartySampleIngests() throws Exception {
        Path samples = RepositoryPaths.fixtures().resolve("third_party");
        List<String> args = new ArrayList<>(List.of(
                "--store",
                stores.url("h2", dir),
                "--summary",
                dir.resolve("s.json").toString()));
        args.add("--audit-log");
        args.add(samples.resolve("audit-audit2rbac/testdata/demo.log").toString());
        try (Stream<Path> traces = Files.list(samples.resolve("audit-falco-traces/test/trace_files/k8s_audit"))) {
            // fal_01_003.json holds only {"kind": 0}: no audit log (AuditLogReaderTest shows it refused).
            traces.filter(p -> !p.endsWith("fal_01_003.json")).sorted().forEach(p -> args.add(p.toString()));
        }
        args.add("--flows");
        try (Stream<Path> flows = Files.list(samples.resolve("hubble-flows/cilium-hubble-otel/testdata"))) {
            flows.filter(p -> p.toString().endsWith(".json")).sorted().forEach(p -> args.add(p.toString()));
        }
        args.add("--syscalls");
        try (Stream<Path> lines = Files.list(samples.resolve("seccomp/security-profiles-operator/audit-lines"))) {
            lines.filter(p -> p.toString().endsWith(".log")).sorted().forEach(p -> args.add(p.toString()));
        }
        args.addAll(List.of(
                "--profile",
                "seccomp-demo/deployment.hello-python/hello-python="
                        + samples.resolve(
                                "seccomp/inspektor-gadget/advise-seccomp-profile.hello-python.single-request.json"),
                "default/deployment.redis/redis="
                        + samples.resolve("seccomp/security-profiles-operator/examples/seccompprofile.yaml")));
        Run run = observe(args.toArray(String[]::new));
        assertEquals(0, run.code(), run.output());
        ObserveSummary summary = new com.fasterxml.jackson.databind.ObjectMapper()
                .readValue(dir.resolve("s.json").toFile(), ObserveSummary.class);
        assertEquals(1916L, summary.events.get("flows"));
        assertEquals(6L, summary.events.get("syscalls"));
        // Inspektor Gadget's 18 syscalls. Of SPO's four examples, block-all allows nothing, and the three whose
        // default action allows (or logs) everything say nothing about what is needed.
        assertEquals(18L, summary.events.get("profiles"));
        assertEquals(
                18L,
                summary.workloads.get("seccomp-demo/deployment.hello-python").get("syscalls"));
        assertEquals(
                3L,
                summary.skipped.entrySet().stream()
                        .filter(e -> e.getKey().startsWith("profiles that let"))
                        .mapToLong(Map.Entry::getValue)
                        .sum());
        assertEquals(37L + 49L, summary.events.get("audit"), run.output());
        assertEquals(Map.of(), summary.badLines);
    }

    /** A SeccompProfile Tailor generated names its workload and container: read back with no target, it is theirs. */
    @Test
    void aGeneratedSeccompProfileNamesItsOwnWorkloadAndContainer() throws Exception {
        Path generated = RepositoryPaths.fixtures()
                .resolve(
                        "helm-policies/storefront/statefulset.storefront-postgresql/seccompprofile-init-chmod-data.yaml");
        String url = stores.url("h2", dir);
        Run run = observe("--profile", generated.toString(), "--store", url);
        assertEquals(0, run.code(), run.output());
        try (ObservationStore store = ObservationStore.open(url)) {
            Set<String> targets = new java.util.TreeSet<>();
            store.syscallUses()
                    .keySet()
                    .forEach(u -> targets.add(u.namespace() + "/" + u.workload() + "/" + u.container()));
            assertEquals(Set.of("storefront/statefulset.storefront-postgresql/init-chmod-data"), targets);
            assertEquals(47, store.syscallUses().size(), "every syscall the profile lets run");
        }
    }

    /** A store that cannot be opened (unreachable, or a URL with settings it cannot work with) stops the run, with its
     *  reason, before anything is read. */
    @Test
    void aStoreThatCannotBeOpenedStopsTheRunWithItsReason() throws Exception {
        String closedPort = "jdbc:postgresql://127.0.0.1:1/tailor?user=tailor&password=secret";
        for (String option : List.of("--flows", "--audit-log")) {
            String file = week.resolve(option.equals("--flows") ? BoutiqueWeek.FLOWS : BoutiqueWeek.AUDIT)
                    .toString();
            Run run = observe(option, file, "--store", closedPort);
            assertEquals(1, run.code(), run.output());
            assertTrue(
                    run.output()
                            .startsWith("tailor observe: cannot open the store jdbc:postgresql://127.0.0.1:1/tailor"
                                    + "?user=tailor&password=***: "),
                    run.output());
            assertTrue(!run.output().contains("secret") && !run.output().contains("read " + file), run.output());
        }
        Run conflicting = observe(
                "--flows",
                week.resolve(BoutiqueWeek.FLOWS).toString(),
                "--store",
                "jdbc:h2:file:" + dir.resolve("s") + ";MODE=MySQL");
        assertEquals(1, conflicting.code(), conflicting.output());
        assertTrue(
                conflicting.output().contains("cannot open the store")
                        && conflicting.output().contains("MODE=PostgreSQL"),
                conflicting.output());
    }

    @Test
    void aFileInAnUnknownFormatStopsTheRunBeforeAnythingIsStored() throws Exception {
        String url = stores.url("h2", dir);
        Run run = observe(
                "--admission",
                week.resolve(BoutiqueWeek.ADMISSION).toString(),
                "--flows",
                week.resolve(BoutiqueWeek.AUDIT).toString(),
                "--store",
                url);
        assertEquals(2, run.code(), run.output());
        assertTrue(run.output().contains(BoutiqueWeek.AUDIT + ": not Hubble flows"), run.output());
        try (ObservationStore store = ObservationStore.open(url)) {
            assertEquals(0, store.podIdentities().size());
        }
        Run profile = observe("--profile", week.resolve(BoutiqueWeek.CONTAINERS).toString(), "--store", url);
        assertEquals(2, profile.code(), profile.output());
        assertTrue(profile.output().contains("not a seccomp profile"), profile.output());
        // Standard input can be read once: the second reader of it would find nothing, silently.
        Run twice = observe("--audit-log", "-", "--flows", "-", "--store", url);
        assertEquals(2, twice.code(), twice.output());
        assertTrue(
                twice.output().startsWith("tailor observe: standard input (-) can be read once, and is given 2 times"),
                twice.output());
        // A summary that could not be written at the end is refused at the start.
        Path nowhere = dir.resolve("no-such-dir").resolve("summary.json");
        Run summary = observe(
                "--admission",
                week.resolve(BoutiqueWeek.ADMISSION).toString(),
                "--store",
                url,
                "--summary",
                nowhere.toString());
        assertEquals(2, summary.code(), summary.output());
        assertTrue(
                summary.output().startsWith("tailor observe: --summary " + nowhere + ": no directory "),
                summary.output());
        try (ObservationStore store = ObservationStore.open(url)) {
            assertEquals(0, store.podIdentities().size());
        }
    }

    /**
     * A store the webhook keeps to its retention ({@code ObservationStore.prune}) takes nothing older than what it
     * keeps, and {@code tailor observe} says how much of its input that was.
     */
    @Test
    void eventsOlderThanAPrunedStoreKeepsAreLeftOutAndCounted() throws Exception {
        String url = stores.url("h2", dir);
        try (ObservationStore store = ObservationStore.open(url)) {
            store.prune(java.time.Instant.now(), null); // as the webhook's retention does: nothing before now is kept
        }
        Path log = RepositoryPaths.fixtures().resolve("third_party/audit-audit2rbac/testdata/demo.log");
        Run run = observe("--audit-log", log.toString(), "--store", url);
        assertEquals(0, run.code(), run.output());
        assertEquals(0, run.stored("new"), run.output());
        Matcher expired = Pattern.compile(", (\\d+) older than the store keeps \\(its retention\\), not stored")
                .matcher(run.output());
        assertTrue(expired.find(), run.output());
        try (ObservationStore store = ObservationStore.open(url)) {
            assertTrue(store.apiAccesses().isEmpty());
            assertEquals(0, store.ingestedEvents("audit"));
        }
        assertTrue(Long.parseLong(expired.group(1)) > 0, run.output());
        Run again = observe("--audit-log", log.toString(), "--store", stores.url("h2", dir));
        assertTrue(
                again.output().contains("already there\n"), "an unpruned store says nothing of it: " + again.output());
    }

    /**
     * Values Kubernetes allows that a column does not hold cost only their own event, reported with its line: a GET
     * of a 300-character name in the audit log, a pod whose owner reference names a 100-character kind. A pod with
     * more than 8 KB of labels is stored whole (labels have no width).
     */
    @Test
    void aValueLongerThanTheStoreHoldsCostsOnlyItsOwnEvent() throws Exception {
        String url = stores.url("h2", dir);
        List<String> audit = new ArrayList<>(Files.readAllLines(
                RepositoryPaths.fixtures().resolve("third_party/audit-audit2rbac/testdata/demo.log")));
        com.fasterxml.jackson.databind.node.ObjectNode third = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(audit.get(2));
        ((com.fasterxml.jackson.databind.node.ObjectNode) third.get("objectRef")).put("name", "n".repeat(300));
        audit.set(2, third.toString());
        Path log = Files.write(dir.resolve("audit.log"), audit);
        StringBuilder labels = new StringBuilder();
        for (int i = 0; i < 150; i++) {
            labels.append(i == 0 ? "" : ",")
                    .append("\"example.com/label-")
                    .append(i)
                    .append("\":\"")
                    .append("v".repeat(63))
                    .append('"');
        }
        String many =
                "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"many-labels\",\"namespace\":\"shop\",\"creationTimestamp\":\"2026-11-20T10:00:00Z\","
                        + "\"labels\":{" + labels + "}},\"spec\":{\"serviceAccountName\":\"web\"}}";
        String oddOwner =
                "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"odd-owner\",\"namespace\":\"shop\",\"creationTimestamp\":\"2026-11-20T10:00:00Z\","
                        + "\"ownerReferences\":[{\"apiVersion\":\"example.com/v1\",\"kind\":\"" + "K".repeat(100)
                        + "\",\"name\":\"o\","
                        + "\"uid\":\"1\",\"controller\":true}]},\"spec\":{\"serviceAccountName\":\"web\"}}";
        String plain =
                "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"plain\",\"namespace\":\"shop\",\"creationTimestamp\":\"2026-11-20T10:00:00Z\"},"
                        + "\"spec\":{\"serviceAccountName\":\"web\"}}";
        Path admission = Files.write(dir.resolve("pods.jsonl"), List.of(many, oddOwner, plain));
        Run run = observe("--admission", admission.toString(), "--audit-log", log.toString(), "--store", url);
        assertEquals(0, run.code(), run.output());
        assertTrue(
                run.output()
                        .contains(log + ":3: too long: api_access.name is 300 characters, the store keeps at most 253"),
                run.output());
        assertTrue(
                run.output().contains(admission + ":2: too long: pod_identity.workload_kind is 100 characters"),
                run.output());
        try (ObservationStore store = ObservationStore.open(url)) {
            assertEquals(audit.size() - 1, store.ingestedEvents("audit"));
            List<String> pods = store.podIdentities().keySet().stream()
                    .map(PodIdentity::pod)
                    .sorted()
                    .toList();
            assertEquals(List.of("many-labels", "plain"), pods);
            assertTrue(store.podIdentities().keySet().stream()
                    .anyMatch(p -> p.labels().length() > 10_000));
        }
        // Read again: the same, nothing counted twice.
        Run again = observe("--admission", admission.toString(), "--audit-log", log.toString(), "--store", url);
        assertEquals(0, again.code(), again.output());
        assertEquals(0, again.stored("new"), again.output());
    }
}
