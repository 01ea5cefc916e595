package dev.tailor.util;

import java.io.IOException;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * A stage that runs on a thread of its own beside the caller's work, and whose result — or failure, as it was thrown
 * — the caller takes when it needs it. For the CLI's independent stages (a second generation, reading a proposal
 * while the store is read): on two cores they take half the time side by side, and since each produces its own
 * result and the caller combines them in a fixed order, the output is the same as one after the other.
 */
public final class Background<T> {

    private final FutureTask<T> task;

    private Background(FutureTask<T> task) {
        this.task = task;
    }

    /** Starts {@code work} on a new daemon thread named {@code name}. */
    public static <T> Background<T> start(String name, Callable<T> work) {
        FutureTask<T> task = new FutureTask<>(work);
        Thread thread = new Thread(task, "tailor-" + name);
        thread.setDaemon(true);
        thread.start();
        return new Background<>(task);
    }

    /**
     * Waits for the result. The stage's own exception is thrown again as it was: an {@link IOException} or
     * {@link SQLException} as such, an unchecked one as itself; any other checked one wrapped.
     */
    public T join() throws IOException, SQLException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the stage runs to its end regardless; its result is still wanted
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof SQLException sql) {
                throw sql;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause.getMessage(), cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
