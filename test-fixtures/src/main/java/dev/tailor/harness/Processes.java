package dev.tailor.harness;

import java.util.concurrent.TimeUnit;

/** Stopping a child process: politely (SIGTERM), then, after 10 s, by force. */
public final class Processes {
    private Processes() {}

    public static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
