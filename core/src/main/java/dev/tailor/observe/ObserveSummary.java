package dev.tailor.observe;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.tailor.identity.Pods;
import dev.tailor.identity.Workload;
import java.io.PrintStream;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What {@code tailor observe} read, as a person reads it at the end of a run and as {@code --summary FILE} writes it
 * (JSON, keys sorted, no timings: the same input gives the same file): events per source, per workload and per
 * API subject, what could not be attributed to a workload, what was skipped and why, and the bad lines by reason.
 */
@JsonPropertyOrder({"events", "workloads", "subjects", "peers", "unattributedSyscalls", "skipped", "badLines"})
public final class ObserveSummary {

    /**
     * Per workload: api (audit requests made by its pods: those whose token named the pod, and those of a service
     * account it runs as whose token named none), flowsOut, flowsIn, syscalls, pods.
     */
    public final Map<String, Map<String, Long>> workloads = new TreeMap<>();
    /** Events per source: audit, flows, syscalls, profiles, pods, decisions. */
    public final Map<String, Long> events = new TreeMap<>();
    /** Audit requests per subject (user or service account). */
    public final Map<String, Long> subjects = new TreeMap<>();
    /** Flows from sources that are no workload: Cilium's reserved identities, or "outside the cluster". */
    public final Map<String, Long> peers = new TreeMap<>();
    /** Syscall records no container could be named for, by executable. */
    public final Map<String, Long> unattributedSyscalls = new TreeMap<>();

    public final Map<String, Long> skipped = new TreeMap<>();
    public final Map<String, Long> badLines = new TreeMap<>();

    private final Map<String, Set<String>> podNames = new TreeMap<>();
    /** Audit requests per subject and pod, of the requests whose token named the pod that made them. */
    private final Map<String, Map<String, Long>> podRequests = new TreeMap<>();

    /** The summary as {@code --summary} writes it: indented JSON, keys sorted, a final newline. */
    public String toJson() {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper()
                            .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                            .enable(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                            .writeValueAsString(this)
                    + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public void event(String source) {
        count(source, 1);
    }

    public void workload(String workload, String what) {
        workload(workload, what, 1);
    }

    public void workload(String workload, String what, long n) {
        workloads.computeIfAbsent(workload, k -> new TreeMap<>()).merge(what, n, Long::sum);
    }

    /** Adds {@code n} events of a source (nothing when there were none, as {@link #event}). */
    public void count(String source, long n) {
        if (n > 0) {
            events.merge(source, n, Long::sum);
        }
    }

    /** Adds {@code n} events skipped for a reason (nothing when there were none). */
    public void skip(String reason, long n) {
        if (n > 0) {
            skipped.merge(reason, n, Long::sum);
        }
    }

    /** An audit request of {@code subject}, made by the pod {@code pod} when its token named one (else ""). */
    public void request(String subject, String pod) {
        subjects.merge(subject, 1L, Long::sum);
        if (!pod.isEmpty()) {
            podRequests.computeIfAbsent(subject, k -> new TreeMap<>()).merge(pod, 1L, Long::sum);
        }
    }

    public void pod(Workload workload, String pod) {
        if (podNames.computeIfAbsent(workload.toString(), k -> new TreeSet<>()).add(pod)) {
            workload(workload.toString(), "pods");
        }
    }

    /** Adds the counts of another summary (a part of an input read on a thread of its own). */
    public void add(ObserveSummary other) {
        // "pods" counts distinct pod names: added below from the names, so a pod both parts saw counts once.
        other.workloads.forEach((w, counts) -> counts.forEach((what, n) -> {
            if (!what.equals("pods")) {
                workloads.computeIfAbsent(w, k -> new TreeMap<>()).merge(what, n, Long::sum);
            }
        }));
        for (var pair : java.util.List.of(
                Map.entry(events, other.events),
                Map.entry(subjects, other.subjects),
                Map.entry(peers, other.peers),
                Map.entry(unattributedSyscalls, other.unattributedSyscalls),
                Map.entry(skipped, other.skipped),
                Map.entry(badLines, other.badLines))) {
            pair.getValue().forEach((k, n) -> pair.getKey().merge(k, n, Long::sum));
        }
        other.podRequests.forEach((subject, byPod) -> byPod.forEach((pod, n) ->
                podRequests.computeIfAbsent(subject, k -> new TreeMap<>()).merge(pod, n, Long::sum)));
        other.podNames.forEach((w, names) -> names.forEach(pod -> {
            if (podNames.computeIfAbsent(w, k -> new TreeSet<>()).add(pod)) {
                workload(w, "pods");
            }
        }));
    }

    public void skipped(Map<String, Long> reasons) {
        reasons.forEach((k, v) -> skipped.merge(k, v, Long::sum));
    }

    /** Ties audit requests to the workloads that run as each service account, once everything is read. */
    public void attributeSubjects(Pods pods) {
        subjects.forEach((subject, n) -> {
            // A request whose token named its pod belongs to that pod's workload alone; one that named none, to
            // every workload running as its service account (several, when they share one, as many share
            // "default").
            String[] account = subject.split(":");
            Map<String, Long> byPod = account.length == 4 && subject.startsWith("system:serviceaccount:")
                    ? podRequests.getOrDefault(subject, Map.of())
                    : Map.of();
            long named = 0;
            for (var e : byPod.entrySet()) {
                workload(pods.workload(account[2], e.getKey(), Map.of(), null).toString(), "api", e.getValue());
                named += e.getValue();
            }
            long unnamed = n - named;
            if (unnamed > 0) {
                pods.runningAs(subject).forEach(w -> workload(w.toString(), "api", unnamed));
            }
        });
    }

    public void print(PrintStream out, Pods pods, Problems problems) {
        if (!workloads.isEmpty()) {
            out.println("per workload:        api requests   flows out    flows in    syscalls   pods");
            workloads.forEach((w, n) -> out.printf(
                    "  %-60s %10d %10d %10d %10d %6d%n",
                    w,
                    n.getOrDefault("api", 0L),
                    n.getOrDefault("flowsOut", 0L),
                    n.getOrDefault("flowsIn", 0L),
                    n.getOrDefault("syscalls", 0L),
                    n.getOrDefault("pods", 0L)));
        }
        if (!subjects.isEmpty()) {
            out.println("audit requests per subject:");
            subjects.forEach((subject, n) -> {
                Set<Workload> runningAs = pods.runningAs(subject);
                out.printf(
                        "  %8d  %s%s%n",
                        n,
                        subject,
                        runningAs.isEmpty()
                                ? ""
                                : "  (run by "
                                        + String.join(
                                                ", ",
                                                runningAs.stream()
                                                        .map(Workload::toString)
                                                        .toList()) + ")");
            });
        }
        print(out, "flows from sources that are no workload:", peers);
        print(out, "syscall records without a container, by executable:", unattributedSyscalls);
        print(out, "skipped:", skipped);
        if (problems.total() > 0) {
            out.printf("bad lines: %d%n", problems.total());
            problems.byReason().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(e -> out.printf("  %8d  %s%n", e.getValue(), e.getKey()));
            problems.first().forEach(p -> out.println("  " + p));
            if (problems.total() > Problems.SHOWN) {
                out.printf("  … and %d more%n", problems.total() - Problems.SHOWN);
            }
        }
    }

    private static void print(PrintStream out, String title, Map<String, Long> counts) {
        if (!counts.isEmpty()) {
            out.println(title);
            counts.forEach((k, n) -> out.printf("  %8d  %s%n", n, k));
        }
    }
}
