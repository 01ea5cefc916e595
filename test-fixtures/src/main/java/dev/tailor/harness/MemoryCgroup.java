package dev.tailor.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A memory cgroup of this process's own with a limit, as a container's: a process started in it is charged for what
 * it uses (anonymous memory and the page cache it reads and writes) and is killed by the kernel beyond the limit, as
 * the kubelet's cgroup would kill the container. Made beneath this process's own memory cgroup where that is
 * writable (cgroup v1's memory controller, or a cgroup v2 directory whose children have {@code memory.max}); where it
 * is not, there is none and a run holds the limit only as the JVM's {@code -XX:MaxRAM}.
 */
public final class MemoryCgroup implements AutoCloseable {

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static final Path OWN = Path.of("/proc/self/cgroup");

    private final Path dir;
    private final boolean v1;
    private final long limitBytes;

    private MemoryCgroup(Path dir, boolean v1, long limitBytes) {
        this.dir = dir;
        this.v1 = v1;
        this.limitBytes = limitBytes;
    }

    /** A new cgroup named {@code name} limited to {@code limitBytes}, or none if this machine does not allow one. */
    public static Optional<MemoryCgroup> create(String name, long limitBytes) {
        try {
            for (Path parent : ownMemoryCgroups()) {
                Path dir = parent.resolve(name);
                boolean v1 = Files.exists(parent.resolve("memory.limit_in_bytes"));
                try {
                    Files.createDirectory(dir);
                } catch (IOException notHere) {
                    continue;
                }
                try {
                    Files.writeString(
                            dir.resolve(v1 ? "memory.limit_in_bytes" : "memory.max"), Long.toString(limitBytes));
                    noSwap(dir, v1, limitBytes);
                    return Optional.of(new MemoryCgroup(dir, v1, limitBytes));
                } catch (IOException noLimitHere) {
                    Files.deleteIfExists(dir);
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // no cgroup file system, or not one this process may change
        }
        return Optional.empty();
    }

    /**
     * No swap beyond the limit, as the kubelet runs a container by default: on a machine with swap the kernel would
     * otherwise swap the process out at the limit instead of killing it. (Where swap is not accounted, there is no
     * such file and nothing to do.)
     */
    private static void noSwap(Path dir, boolean v1, long limitBytes) {
        Path swap = dir.resolve(v1 ? "memory.memsw.limit_in_bytes" : "memory.swap.max");
        if (Files.exists(swap)) {
            try {
                Files.writeString(swap, v1 ? Long.toString(limitBytes) : "0");
            } catch (IOException notAllowed) {
                // the limit holds for memory; swap, if any, is as the machine has it
            }
        }
    }

    /** {@code command} started in this cgroup: a shell moves itself in, then becomes the command (the same pid). */
    public List<String> wrap(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of(
                "/bin/sh",
                "-c",
                "echo $$ > \"$0\" && exec \"$@\"",
                dir.resolve("cgroup.procs").toString()));
        wrapped.addAll(command);
        return wrapped;
    }

    public long limitBytes() {
        return limitBytes;
    }

    /**
     * The most this cgroup was charged at once, or -1 where the kernel does not keep it (cgroup v2 before Linux 5.19).
     */
    public long peakBytes() {
        return readLong(v1 ? "memory.max_usage_in_bytes" : "memory.peak").orElse(-1L);
    }

    /** How many times the kernel killed a process of this cgroup for going beyond its limit. */
    public long oomKills() {
        return field(v1 ? "memory.oom_control" : "memory.events", "oom_kill").orElse(0L);
    }

    /** Removes the cgroup; its processes must have ended. */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException stillInUse) {
            // a process of it lives on: the kernel keeps the cgroup until an admin removes it
        }
    }

    private Optional<Long> readLong(String file) {
        try {
            return Optional.of(
                    Long.parseLong(Files.readString(dir.resolve(file)).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private Optional<Long> field(String file, String key) {
        try {
            for (String line : Files.readAllLines(dir.resolve(file))) {
                String[] kv = line.trim().split("\\s+");
                if (kv.length == 2 && kv[0].equals(key)) {
                    return Optional.of(Long.parseLong(kv[1]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not kept here
        }
        return Optional.empty();
    }

    /**
     * This process's memory cgroups as directories: cgroup v1's memory controller (a hierarchy of its own), then
     * cgroup v2's unified hierarchy — each the mount point joined with this process's path within that hierarchy.
     */
    private static List<Path> ownMemoryCgroups() throws IOException {
        List<Path> found = new ArrayList<>();
        List<String> own = Files.readAllLines(OWN);
        for (String mount : Files.readAllLines(MOUNTINFO)) {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            String[] halves = mount.split(" - ", 2);
            String[] fields = halves[0].split(" ");
            if (halves.length < 2 || fields.length < 5 || !fields[3].equals("/")) {
                continue; // a cgroup mounted from below its root: this process's path is not within it
            }
            String[] after = halves[1].split(" ");
            Path point = Path.of(fields[4]);
            if (after[0].equals("cgroup")
                    && List.of(after[after.length - 1].split(",")).contains("memory")) {
                own.stream()
                        .map(l -> l.split(":", 3))
                        .filter(p -> p.length == 3 && List.of(p[1].split(",")).contains("memory"))
                        .forEach(p -> found.add(under(point, p[2])));
            } else if (after[0].equals("cgroup2")) {
                own.stream()
                        .map(l -> l.split(":", 3))
                        .filter(p -> p.length == 3 && p[0].equals("0") && p[1].isEmpty())
                        .forEach(p -> found.add(under(point, p[2])));
            }
        }
        return found;
    }

    private static Path under(Path mountPoint, String path) {
        return mountPoint.resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
