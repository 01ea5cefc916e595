package dev.tailor.webhook.decisions;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tailor.contract.AdmissionDecision;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The decision log as JSON lines in a file, bounded by rotation: when the file passes {@code maxBytes} it
 * becomes {@code <file>.1} (older ones shift to {@code .2} … {@code .maxFiles}, the oldest is dropped), so the
 * log never takes more than about {@code (maxFiles + 1) * maxBytes} of disk.
 *
 * <p>Durable: each decision's lines are written with one {@code write} to the operating system before the
 * admission response goes out, so a crash of the webhook loses nothing it answered; {@link #sync} forces them
 * to the disk (called periodically and on shutdown). Forcing never holds the lock that {@link #record} takes: decisions
 * are recorded on the HTTP server's event loops, which must not wait for a disk — a rotated file is forced and
 * closed by the next {@link #sync}, not by the write that rotated it.
 */
public final class JsonLinesDecisionLog implements DecisionLog, AutoCloseable {

    private static final JsonFactory JSON = new JsonFactory();

    private final Path path;
    private final long maxBytes;
    private final int maxFiles;
    private FileChannel channel;
    /** The file rotation set aside, still to be forced and closed by {@link #sync}; null when there is none. */
    private FileChannel retired;

    private long size;

    public JsonLinesDecisionLog(Path path, long maxBytes, int maxFiles) {
        if (maxBytes < 1024) {
            throw new IllegalArgumentException("decision log maxBytes must be at least 1024, was " + maxBytes);
        }
        this.path = path.toAbsolutePath();
        this.maxBytes = maxBytes;
        this.maxFiles = Math.max(0, maxFiles);
        try {
            Files.createDirectories(this.path.getParent());
            open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the decision log " + this.path, e);
        }
    }

    private void open() throws IOException {
        channel =
                FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = channel.size();
    }

    @Override
    public void record(List<AdmissionDecision> records) {
        if (records.isEmpty()) {
            return;
        }
        // Serialized before the lock: two event loops recording at once wait for each other's write only.
        ByteBuffer bytes = ByteBuffer.wrap(lines(records));
        synchronized (this) {
            try {
                if (size > 0 && size + bytes.remaining() > maxBytes) {
                    rotate();
                }
                while (bytes.hasRemaining()) {
                    size += channel.write(bytes);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the decision log " + path, e);
            }
        }
    }

    /**
     * The records' lines: each the record's JSON object, its fields in their order, the time as ISO-8601 — what
     * Jackson's bean serializer writes of it (the test holds the two equal), without its set-up for each call and its
     * reflective reads of the record: through the serializer a decision's line took 1.6 % of a Pod's admission.
     */
    private byte[] lines(List<AdmissionDecision> records) {
        ByteArrayOutputStream lines = new ByteArrayOutputStream(256 * records.size());
        try (JsonGenerator out = JSON.createGenerator(lines)) {
            out.setRootValueSeparator(null);
            for (AdmissionDecision r : records) {
                out.writeStartObject();
                field(out, "time", r.time() == null ? null : r.time().toString());
                field(out, "uid", r.uid());
                field(out, "namespace", r.namespace());
                field(out, "workload", r.workload());
                field(out, "user", r.user());
                field(out, "operation", r.operation());
                field(out, "kind", r.kind());
                field(out, "name", r.name());
                field(out, "mode", r.mode());
                field(out, "check", r.check());
                field(out, "verdict", r.verdict());
                field(out, "message", r.message());
                out.writeEndObject();
                out.writeRaw('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the decision log " + path, e);
        }
        return lines.toByteArray();
    }

    private static void field(JsonGenerator out, String name, String value) throws IOException {
        if (value == null) {
            out.writeNullField(name);
        } else {
            out.writeStringField(name, value);
        }
    }

    private void rotate() throws IOException {
        if (retired != null) {
            // Two rotations within one sync period (a tiny maxBytes): the older file is forced here, once.
            retired.force(true);
            retired.close();
        }
        retired = channel;
        if (maxFiles == 0) {
            Files.delete(path);
        } else {
            Files.deleteIfExists(rotated(maxFiles));
            for (int i = maxFiles - 1; i >= 1; i--) {
                if (Files.exists(rotated(i))) {
                    Files.move(rotated(i), rotated(i + 1), StandardCopyOption.ATOMIC_MOVE);
                }
            }
            Files.move(path, rotated(1), StandardCopyOption.ATOMIC_MOVE);
        }
        open();
    }

    private Path rotated(int n) {
        return path.resolveSibling(path.getFileName() + "." + n);
    }

    /** Forces what was written to the disk, without holding up {@link #record} while the disk works. */
    public void sync() {
        FileChannel current;
        FileChannel rotated;
        synchronized (this) {
            current = channel;
            rotated = retired;
            retired = null;
        }
        try {
            if (rotated != null) {
                rotated.force(true);
                rotated.close();
            }
            if (current.isOpen()) {
                current.force(false);
            }
        } catch (java.nio.channels.ClosedChannelException closedMeanwhile) {
            // closed by close(), which forced it first
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sync the decision log " + path, e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (retired != null) {
                retired.force(true);
                retired.close();
                retired = null;
            }
            if (channel.isOpen()) {
                channel.force(true);
                channel.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the decision log " + path, e);
        }
    }
}
