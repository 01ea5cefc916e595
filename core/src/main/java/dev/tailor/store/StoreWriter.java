package dev.tailor.store;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * Stores events in batches on a thread of its own, so that reading and parsing the next batch overlaps storing the
 * last one (on two cores, each gets one). Batches are stored one at a time, in the order they were handed over,
 * whatever their kind. At most {@value #IN_FLIGHT} full batches wait or are being stored; {@link Batch#add} blocks
 * beyond that, so memory stays bounded whatever the input's size.
 *
 * <p>A batch is acknowledged — {@code stored} is called — only after its transaction committed. When a batch fails,
 * nothing of it is kept, nothing handed over after it is stored, and the next {@code add} or {@link #flush} throws.
 */
public final class StoreWriter implements AutoCloseable {

    static final int IN_FLIGHT = 2;

    /** Stores one batch in one transaction. */
    @FunctionalInterface
    public interface Ingest<E> {
        ObservationStore.BatchResult run(List<E> batch) throws SQLException;
    }

    /** Called on the writer's thread after each batch is committed. */
    @FunctionalInterface
    public interface Stored {
        void stored(ObservationStore.BatchResult result);
    }

    /** Thrown on the reading thread when a batch could not be stored. */
    public static final class StoreFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StoreFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final int size;
    private final Stored stored;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tailor-store-writer");
        t.setDaemon(true);
        return t;
    });
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
    private final List<Batch<?>> batches = new ArrayList<>();
    private volatile StoreFailedException failure;

    public StoreWriter(int size, Stored stored) {
        this.size = size;
        this.stored = stored;
    }

    /** A new kind of batch, stored by {@code ingest}. */
    public <E> Batch<E> batch(Ingest<E> ingest) {
        Batch<E> batch = new Batch<>(ingest);
        batches.add(batch);
        return batch;
    }

    /** Events of one kind waiting to be handed over: {@code size} at a time. Used from one thread. */
    public final class Batch<E> {
        private final Ingest<E> ingest;
        private List<E> pending;

        private Batch(Ingest<E> ingest) {
            this.ingest = ingest;
            this.pending = new ArrayList<>(size);
        }

        /** Adds an event; hands the batch over when it is full (blocking while {@value #IN_FLIGHT} are in flight). */
        public void add(E e) {
            pending.add(e);
            if (pending.size() == size) {
                handOver();
            }
        }

        private void handOver() {
            if (pending.isEmpty()) {
                return;
            }
            List<E> full = pending;
            pending = new ArrayList<>(size);
            check();
            try {
                inFlight.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreFailedException("interrupted while waiting for the store", e);
            }
            thread.execute(() -> {
                try {
                    if (failure == null) {
                        stored.stored(ingest.run(full));
                    }
                } catch (SQLException | RuntimeException e) {
                    failure = new StoreFailedException(
                            "storing a batch of " + full.size() + " events failed (nothing "
                                    + "of it was kept; run again to retry): " + reason(e),
                            e);
                } finally {
                    inFlight.release();
                }
            });
        }
    }

    /**
     * Hands over every partial batch without waiting (at the end of an input: its last events are stored now, not
     * when the next input has filled their batch). Call it from the thread that adds, or once those are done.
     */
    public void handOver() {
        batches.forEach(Batch::handOver);
    }

    /** Hands over every partial batch and waits until everything handed over is stored. */
    public void flush() {
        handOver();
        try {
            thread.submit(() -> {}).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreFailedException("interrupted while waiting for the store", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        check();
    }

    /**
     * Why a batch could not be stored, as a user can act on it: a full disk or a read-only store said so (a database
     * reports them deep in its causes, and then only "the database has been closed"), else the error's own message.
     */
    static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("No space left on device")
                    || m.contains("File too large")
                    || m.contains("Disk quota exceeded")) {
                return "the disk is full ("
                        + (m.contains("File too large")
                                ? "File too large"
                                : m.contains("Disk quota") ? "Disk quota exceeded" : "No space left on device")
                        + ")";
            }
            if (m.contains("database is read only")
                    || m.contains("Read-only file system")
                    || t instanceof java.nio.file.AccessDeniedException) {
                return "the store is read-only (" + abbreviated(m) + ")";
            }
        }
        // H2 reports an I/O failure as "Writing to … failed" and then closes: the cause is in the suppressed ones.
        if (e.getSuppressed().length > 0) {
            return abbreviated(e.getMessage()) + " (" + reason(e.getSuppressed()[0]) + ")";
        }
        return abbreviated(e.getMessage());
    }

    private static String abbreviated(String message) {
        return message == null || message.length() <= 300 ? message : message.substring(0, 300) + "…";
    }

    private void check() {
        StoreFailedException f = failure;
        if (f != null) {
            throw f;
        }
    }

    /**
     * Lets the batch being stored (and any already handed over) finish — a transaction is never interrupted — and
     * stops the thread. What was not handed over is not stored.
     */
    @Override
    public void close() {
        thread.shutdown();
        try {
            while (!thread.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)) {
                // a batch takes well under a minute; keep waiting rather than leave one half done
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
