package dev.tailor.observe.syscalls;

import dev.tailor.identity.Pods;
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
        String action)
        implements dev.tailor.util.Joined.Ordered<SyscallUse> {

    /** What a record aggregates into; its pod is attributed to a workload through {@code pods}. */
    public static SyscallUse of(SyscallRecord r, Pods pods) {
        String workload = r.workload() != null
                ? r.workload().key()
                : r.pod().isEmpty()
                        ? ""
                        : pods.workload(r.namespace(), r.pod(), Map.of(), null).key();
        // With a container named, the executable is one of many in it: the container is the unit of a profile.
        String executable = r.container().isEmpty() ? r.executable() : "";
        return new SyscallUse(
                r.namespace(), workload, r.container(), executable, r.architecture(), r.syscall(), r.action());
    }

    // Ordered by its toString(), given in parts (Joined.Ordered).
    @Override
    public int partCount() {
        return 13;
    }

    @Override
    public String part(int i) {
        return switch (i) {
            case 0 -> namespace;
            case 1 -> ", workload=";
            case 2 -> workload;
            case 3 -> ", container=";
            case 4 -> container;
            case 5 -> ", executable=";
            case 6 -> executable;
            case 7 -> ", architecture=";
            case 8 -> architecture;
            case 9 -> ", syscall=";
            case 10 -> syscall;
            case 11 -> ", action=";
            default -> action;
        };
    }
}
