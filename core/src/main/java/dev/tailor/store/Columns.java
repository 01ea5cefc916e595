package dev.tailor.store;

import dev.tailor.contract.AdmissionDecision;
import dev.tailor.identity.PodRecord;
import dev.tailor.observe.BadEvent;
import dev.tailor.observe.admission.AllowedRequests;
import dev.tailor.observe.audit.ApiAccess;
import dev.tailor.observe.flows.NetworkEdge;
import dev.tailor.observe.syscalls.SyscallUse;

/**
 * How long each stored string may be — the widths of the schema's columns (db/migration), which follow Kubernetes'
 * own limits: object names and namespaces 253, label keys 317, a workload ("kind/name") 320, user names 512. An event
 * with a longer value (valid for the API server: a GET of a name no object can have, an owner reference's kind of
 * 100 characters) is refused alone, with the column and the length, before it reaches a batch: one such event never
 * costs the others. {@code ColumnsTest} checks these widths against the schema.
 */
public final class Columns {
    private Columns() {}

    static final int NAME = 253;
    static final int WORKLOAD = 320;
    static final int USER = 512;
    static final int URL = 1024;

    /** The reason {@code a} cannot be stored, or null. */
    public static String problem(ApiAccess a) {
        return first(
                "api_access",
                col("subject", a.subject(), USER),
                col("verb", a.verb(), 64),
                col("api_group", a.apiGroup(), NAME),
                col("resource", a.resource(), NAME),
                col("subresource", a.subresource(), NAME),
                col("namespace", a.namespace(), NAME),
                col("name", a.name(), NAME),
                col("non_resource_url", a.nonResourceUrl(), URL));
    }

    public static String problem(NetworkEdge e) {
        return first(
                "network_flow",
                col("src_namespace", e.srcNamespace(), NAME),
                col("src_workload", e.srcWorkload(), WORKLOAD),
                col("src_address", e.srcAddress(), 64),
                col("dst_namespace", e.dstNamespace(), NAME),
                col("dst_workload", e.dstWorkload(), WORKLOAD),
                col("dst_address", e.dstAddress(), 64),
                col("dst_dns_name", e.dstDnsName(), NAME),
                col("protocol", e.protocol(), 16));
    }

    public static String problem(SyscallUse u) {
        return first(
                "syscall_use",
                col("namespace", u.namespace(), NAME),
                col("workload", u.workload(), WORKLOAD),
                col("container", u.container(), NAME),
                col("executable", u.executable(), URL),
                col("architecture", u.architecture(), 16),
                col("syscall", u.syscall(), 64),
                col("action", u.action(), 16));
    }

    /** Labels are stored in full (a pod may have any number); everything else of a pod's identity is bounded. */
    public static String problem(PodIdentity p) {
        return first(
                "pod_identity",
                col("namespace", p.namespace(), NAME),
                col("pod", p.pod(), NAME),
                col("workload_kind", p.workloadKind(), 64),
                col("workload_name", p.workloadName(), NAME),
                col("service_account", p.serviceAccount(), NAME));
    }

    public static String problem(PodRecord p) {
        return first(
                "pod_identity",
                col("namespace", p.namespace(), NAME),
                col("pod", p.pod(), NAME),
                col("workload_kind", p.workload().kind(), 64),
                col("workload_name", p.workload().name(), NAME),
                col("service_account", p.serviceAccount(), NAME));
    }

    /** The message is stored shortened; everything else of a decision is bounded. */
    public static String problem(AdmissionDecision d) {
        return first(
                "admission_decision",
                col("uid", nonNull(d.uid()), 64),
                col("check_id", nonNull(d.check()), 128),
                col("namespace", nonNull(d.namespace()), NAME),
                col("workload", nonNull(d.workload()), WORKLOAD),
                col("username", nonNull(d.user()), USER),
                col("operation", nonNull(d.operation()), 16),
                col("kind", nonNull(d.kind()), 128),
                col("name", nonNull(d.name()), NAME),
                col("mode", nonNull(d.mode()), 16),
                col("verdict", nonNull(d.verdict()), 16));
    }

    public static String problem(AllowedRequests r) {
        return first(
                "admission_allowed",
                col("namespace", r.namespace(), NAME),
                col("workload", r.workload(), WORKLOAD),
                col("kind", r.kind(), 128),
                col("operation", r.operation(), 16),
                col("mode", r.mode(), 16));
    }

    /** Throws {@link BadEvent} ("too long") when {@code problem} is not null: for a reader's sink. */
    public static void require(String problem) {
        if (problem != null) {
            throw new BadEvent("too long", problem);
        }
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    private record Col(String name, String value, int width) {}

    private static Col col(String name, String value, int width) {
        return new Col(name, value, width);
    }

    private static String first(String table, Col... columns) {
        for (Col c : columns) {
            if (c.value() != null && c.value().length() > c.width()) {
                return "too long: " + table + "." + c.name() + " is "
                        + c.value().length() + " characters, the store keeps at most " + c.width() + " (\""
                        + c.value().substring(0, 40) + "…\")";
            }
        }
        return null;
    }
}
