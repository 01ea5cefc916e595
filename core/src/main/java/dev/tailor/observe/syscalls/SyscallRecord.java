package dev.tailor.observe.syscalls;

import java.time.Instant;

/**
 * One syscall a process made that seccomp logged (or blocked), decoded.
 *
 * @param key       what makes the record the same when read again: the audit record's serial ({@code audit(TIME:SERIAL)})
 *                  with its time and pid
 * @param container the container, when the source names it (the SPO log enricher does; kernel lines need a pid →
 *                  container mapping)
 * @param action    the seccomp action from {@code code=} (log, errno, kill_process, …); "" when the source gives none;
 *                  {@code profile} for a syscall an existing profile allows
 * @param workload  the workload, when the source names it rather than a pod (a recorded profile); null otherwise
 */
public record SyscallRecord(
        String key,
        Instant time,
        long pid,
        String executable,
        String architecture,
        int number,
        String syscall,
        String action,
        String namespace,
        String pod,
        String container,
        dev.tailor.identity.Workload workload) {

    /** This record attributed to a container found by its pid. */
    public SyscallRecord inContainer(String namespace, String pod, String container) {
        return new SyscallRecord(
                key, time, pid, executable, architecture, number, syscall, action, namespace, pod, container, workload);
    }
}
