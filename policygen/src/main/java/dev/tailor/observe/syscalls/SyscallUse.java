package dev.tailor.observe.syscalls;

import dev.tailor.identity.WorkloadIdentity;
import java.util.Map;

/**
 * What Tailor aggregates syscall records by: the container of a workload (or, when the record names none, the
 * executable), the architecture, the syscall and the seccomp action that logged it.
 */
public record SyscallUse(
        String namespace,
        String workload,
        String container,
        String executable,
        String architecture,
        String syscall,
        String action) implements Comparable<SyscallUse> {

    public static SyscallUse of(SyscallRecord r) {
        String workload = r.pod().isEmpty() ? "" : WorkloadIdentity.ofPod(r.namespace(), r.pod(), Map.of()).key();
        // With a container named, the executable is one of many in it: the container is the unit of a profile.
        String executable = r.container().isEmpty() ? r.executable() : "";
        return new SyscallUse(r.namespace(), workload, r.container(), executable, r.architecture(), r.syscall(), r.action());
    }

    @Override
    public int compareTo(SyscallUse o) {
        return toString().compareTo(o.toString());
    }
}
