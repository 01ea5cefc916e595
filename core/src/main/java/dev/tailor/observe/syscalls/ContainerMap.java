package dev.tailor.observe.syscalls;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.observe.UnknownFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which container a process belongs to, for kernel seccomp lines: they name a pid, never a pod. Read from what
 * {@code crictl inspect ID…} prints on the node (containerd and CRI-O both), one or more JSON objects — the
 * container's labels {@code io.kubernetes.pod.namespace}, {@code io.kubernetes.pod.name},
 * {@code io.kubernetes.container.name}, its {@code info.pid} and {@code status.startedAt}.
 *
 * <p>The pid is the container's first process; the kernel logs its children under their own pids, which no
 * runtime lists, so those stay unattributed (counted, under their executable). Pids are reused after a process
 * ends: a record is matched to the container with that pid that started last before the record.
 */
public final class ContainerMap {

    /** Made only when a map is read: making an ObjectMapper cost an observe without one 0.13 s of its start. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().configure(JsonParser.Feature.ALLOW_COMMENTS, false);
    }

    /** One container the map knows. */
    public record Container(long pid, Instant started, String namespace, String pod, String container) {}

    private final Map<Long, List<Container>> byPid = new HashMap<>();

    public int size() {
        return byPid.values().stream().mapToInt(List::size).sum();
    }

    /** Adds what {@code crictl inspect} printed; fails naming the document that is not a container's inspection. */
    public void read(String name, InputStream in) throws IOException, UnknownFormatException {
        int n = 0;
        try (MappingIterator<JsonNode> docs =
                Json.MAPPER.readerFor(JsonNode.class).readValues(in)) {
            // hasNextValue/nextValue, not hasNext/next: those wrap a parse error in an unchecked exception.
            while (docs.hasNextValue()) {
                JsonNode doc = docs.nextValue();
                n++;
                JsonNode labels = doc.path("status").path("labels");
                long pid = doc.path("info").path("pid").asLong(0);
                String namespace = labels.path("io.kubernetes.pod.namespace").asText("");
                if (pid <= 0 || namespace.isEmpty()) {
                    throw new UnknownFormatException(
                            name + ": document " + n + " is not a container as `crictl inspect` "
                                    + "prints it (needs info.pid and status.labels[\"io.kubernetes.pod.namespace\"])");
                }
                Instant started;
                try {
                    started = Instant.parse(doc.path("status").path("startedAt").asText(Instant.EPOCH.toString()));
                } catch (DateTimeParseException e) {
                    throw new UnknownFormatException(
                            name + ": document " + n + ": status.startedAt is no RFC 3339 time");
                }
                byPid.computeIfAbsent(pid, k -> new ArrayList<>())
                        .add(new Container(
                                pid,
                                started,
                                namespace,
                                labels.path("io.kubernetes.pod.name").asText(""),
                                labels.path("io.kubernetes.container.name").asText("")));
            }
        } catch (JsonProcessingException e) {
            throw new UnknownFormatException(
                    name + ": not `crictl inspect` JSON after document " + n + ": " + e.getOriginalMessage());
        }
    }

    /** The record attributed to its container when the map knows its pid, else the record as it is. */
    public SyscallRecord attribute(SyscallRecord r) {
        if (!r.container().isEmpty() || r.workload() != null) {
            return r;
        }
        Container best = null;
        for (Container c : byPid.getOrDefault(r.pid(), List.of())) {
            if (!c.started().isAfter(r.time()) && (best == null || c.started().isAfter(best.started()))) {
                best = c;
            }
        }
        return best == null ? r : r.inContainer(best.namespace(), best.pod(), best.container());
    }
}
