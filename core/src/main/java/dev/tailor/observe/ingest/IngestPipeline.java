package dev.tailor.observe.ingest;

import dev.tailor.contract.AdmissionDecision;
import dev.tailor.identity.PodRecord;
import dev.tailor.identity.Pods;
import dev.tailor.observe.ObserveSummary;
import dev.tailor.observe.Problems;
import dev.tailor.observe.admission.AdmissionStreamReader;
import dev.tailor.observe.audit.ApiAccess;
import dev.tailor.observe.audit.ApiRequest;
import dev.tailor.observe.audit.AuditLogReader;
import dev.tailor.observe.flows.Flow;
import dev.tailor.observe.flows.FlowPods;
import dev.tailor.observe.flows.HubbleFlowReader;
import dev.tailor.observe.flows.NetworkEdge;
import dev.tailor.observe.syscalls.ContainerMap;
import dev.tailor.observe.syscalls.SeccompProfileReader;
import dev.tailor.observe.syscalls.SyscallLogReader;
import dev.tailor.observe.syscalls.SyscallRecord;
import dev.tailor.observe.syscalls.SyscallUse;
import dev.tailor.store.Columns;
import dev.tailor.store.Sighting;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The one ingest pipeline: reader → attribution → aggregation → store writer. {@code tailor observe} runs it over
 * files (a big one in parts, each part a call of its own on a thread of its own), the webhook's {@code /ingest/*}
 * endpoints over each request's body. Each method reads one input with its format's reader, attributes every event
 * (a request to its account and access, a flow to the workloads at its ends, a syscall record to its container's
 * workload), checks that the store can hold what it aggregates into (a value too long for its column is the event's
 * problem, named by its line, and costs no other event), counts it into the summary, and hands the store's form of
 * it — a {@link Sighting} of the aggregate — to {@code out}, which batches it for the store.
 */
public final class IngestPipeline {

    /**
     * Distinct edges one read counts flows by before it adds them to its summary; distinct accesses it keeps one
     * instance of.
     */
    static final int DISTINCT_HELD = 20_000;

    private final Pods pods;
    private final ContainerMap containers;
    private final Runnable onEvent;

    /**
     * A pipeline attributing by the pods the store knows and the container maps given; {@code onEvent} is told of
     * every event read (a progress line's count).
     */
    public IngestPipeline(Pods pods, ContainerMap containers, Runnable onEvent) {
        this.pods = pods;
        this.containers = containers;
        this.onEvent = onEvent;
    }

    /** What one read came to: the input's lines and the events in them. */
    public record Read(long lines, long events) {}

    /** The admission stream: pods seen (what later flows and syscalls are attributed by) and decisions. */
    public AdmissionStreamReader.Stats admission(
            String name,
            InputStream in,
            ObserveSummary summary,
            Problems problems,
            Consumer<PodRecord> podsOut,
            Consumer<AdmissionDecision> decisionsOut)
            throws IOException {
        AdmissionStreamReader.Stats stats = new AdmissionStreamReader()
                .read(
                        name,
                        in,
                        p -> {
                            onEvent.run();
                            summary.event("pods");
                            Columns.require(Columns.problem(p));
                            if (!p.pod().isEmpty()) {
                                summary.pod(pods.decided(p).workload(), p.pod());
                            }
                            podsOut.accept(p);
                        },
                        d -> {
                            onEvent.run();
                            Columns.require(Columns.problem(d));
                            summary.event("decisions");
                            decisionsOut.accept(d);
                        },
                        problems);
        summary.skipped(stats.skipped());
        return stats;
    }

    /** An audit log, one event a line, as kube-apiserver's log backend writes it. */
    public Read audit(
            String name, InputStream in, ObserveSummary summary, Problems problems, Consumer<Sighting<ApiAccess>> out)
            throws IOException {
        AuditLogReader.Stats stats = new AuditLogReader().read(name, in, requests(summary, out), problems);
        summary.skipped(stats.skipped());
        return new Read(stats.lines(), stats.requests());
    }

    /**
     * The next {@code max} items of an {@code audit.k8s.io/v1} EventList as kube-apiserver's webhook backend sends
     * it, read as it arrives; whether more may follow. Each read is a batch of its own (its accesses one instance
     * each), so that a body of any length costs the memory of {@code max} items.
     */
    public boolean auditEventList(
            AuditLogReader.EventListStream list, int max, ObserveSummary summary, Consumer<Sighting<ApiAccess>> out)
            throws IOException {
        return list.read(max, requests(summary, out));
    }

    /** Each request as its access, one instance of each distinct access (a batch holds it, not each request's). */
    private Consumer<ApiRequest> requests(ObserveSummary summary, Consumer<Sighting<ApiAccess>> out) {
        Map<ApiAccess, ApiAccess> accesses = new HashMap<>();
        return r -> {
            onEvent.run();
            ApiAccess access = ApiAccess.of(r);
            if (!accesses.containsKey(access)) { // checked once per distinct access, not per request
                Columns.require(Columns.problem(access));
            }
            summary.event("audit");
            summary.request(r.subject(), r.pod());
            if (r.denied()) {
                summary.event("auditDenied");
            }
            if (accesses.size() >= DISTINCT_HELD) {
                accesses.clear();
            }
            out.accept(Sighting.of(r.auditId(), r.time(), accesses.computeIfAbsent(access, a -> a)));
        };
    }

    /**
     * Hubble flows, one JSON object a line. Pods only flows name (kube-system's, which the webhook is never sent) are
     * noted in {@code named} by their labels; flow replies and flows without L4 aggregate into nothing and are only
     * counted.
     */
    public Read flows(
            String name,
            InputStream in,
            ObserveSummary summary,
            Problems problems,
            FlowPods named,
            Consumer<Sighting<NetworkEdge>> out)
            throws IOException {
        // Counted by edge, and into the summary by workload only now and then: a flow costs one hash lookup here,
        // not two workload names made and looked up in sorted maps. The batch gets the edge counted (one instance
        // an edge), not the flow's own.
        Map<NetworkEdge, EdgeCount> edges = new HashMap<>();
        long[] skipped = {0, 0}; // replies, flows without L4
        Consumer<Flow> flows = f -> {
            onEvent.run();
            named.note(f);
            NetworkEdge edge = NetworkEdge.of(f, pods);
            if (edge == null) {
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
                countFlows(summary, edges);
            }
            out.accept(new Sighting<>(f.fingerprintHigh(), f.fingerprintLow(), f.time(), counted.edge));
        };
        HubbleFlowReader.Stats stats = new HubbleFlowReader().read(name, in, flows, problems);
        countFlows(summary, edges);
        summary.count("flows", stats.flows());
        summary.skip("flow replies (never an allow rule of their own)", skipped[0]);
        summary.skip("flows without L4 (nothing to allow)", skipped[1]);
        return new Read(stats.lines(), stats.flows());
    }

    /**
     * Seccomp records: the Security Profiles Operator's log enricher lines, or the kernel's audit lines (which name
     * a process, not a container: attributed only through the container maps given).
     */
    public Read syscalls(
            String name, InputStream in, ObserveSummary summary, Problems problems, Consumer<Sighting<SyscallUse>> out)
            throws IOException {
        SyscallLogReader.Stats stats = new SyscallLogReader()
                .read(
                        name,
                        in,
                        r -> {
                            onEvent.run();
                            summary.event("syscalls");
                            SyscallRecord attributed = containers.attribute(r);
                            SyscallUse use = SyscallUse.of(attributed, pods);
                            Columns.require(Columns.problem(use));
                            countSyscall(summary, use);
                            out.accept(Sighting.of(attributed.key(), attributed.time(), use));
                        },
                        problems);
        summary.skipped(stats.skipped());
        return new Read(stats.lines(), stats.records());
    }

    /** A recorded seccomp profile's allowed syscalls, as if each had been seen once. */
    public void profile(
            SeccompProfileReader.Result profile, ObserveSummary summary, Consumer<Sighting<SyscallUse>> out) {
        for (SyscallRecord r : profile.records()) {
            summary.event("profiles");
            SyscallUse use = SyscallUse.of(r, pods);
            countSyscall(summary, use);
            out.accept(Sighting.of(r.key(), r.time(), use));
        }
        summary.skipped(profile.skipped());
    }

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
}
