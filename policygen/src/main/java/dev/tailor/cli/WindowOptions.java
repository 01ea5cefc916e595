package dev.tailor.cli;

import dev.tailor.contract.Names;
import dev.tailor.kube.Kubeconfig;
import dev.tailor.kube.TailorApi;
import dev.tailor.store.ObservationSnapshot;
import dev.tailor.store.ObservationStore;
import dev.tailor.store.StoredObservations;
import dev.tailor.util.Durations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Option;

/** The store and the observation window, as the commands that read observations take them. */
final class WindowOptions {

    @Option(
            names = "--store",
            paramLabel = "URL|cluster",
            description = "the store (default: the H2 file in ./.tailor/); "
                    + "'cluster': the running webhook's, read through the API server with your kubeconfig")
    String store;

    /** {@code --store cluster}: the webhook's store, through Tailor's API. */
    static final String CLUSTER = "cluster";

    /**
     * The observations: a snapshot of the webhook's store through Tailor's API ({@code --store cluster}), else the
     * store at {@link #url()}, which must exist.
     *
     * @throws IOException when the snapshot cannot be had (forbidden, the API missing), saying why
     */
    StoredObservations open() throws SQLException, IOException {
        return shared != null ? shared.open(this) : openStore();
    }

    private StoredObservations openStore() throws SQLException, IOException {
        if (!CLUSTER.equals(store)) {
            return ObservationStore.openExisting(url());
        }
        // The window's enforce previews, not its decision-log lines (a webhook before them sends the lines).
        String path = "/observationsnapshots/current?since=" + java.net.URLEncoder.encode(since, StandardCharsets.UTF_8)
                + (until == null ? "" : "&until=" + java.net.URLEncoder.encode(until, StandardCharsets.UTF_8))
                + "&enforcePreviews=true";
        String body = TailorApi.get(
                Kubeconfig::client,
                path,
                "observationsnapshots." + Names.GROUP + " (the ClusterRole tailor-observations-reader)");
        return ObservationSnapshot.read(new java.io.ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
    }

    /** The store as messages name it (a password in a URL left out). */
    String describe() {
        return CLUSTER.equals(store)
                ? "the webhook's store (through Tailor's API)"
                : "the store " + ObservationStore.redact(url());
    }

    @Option(
            names = "--since",
            paramLabel = "DURATION",
            description = "the observation window, e.g. 7d, 36h (default: ${DEFAULT-VALUE})")
    String since = "7d";

    @Option(
            names = "--until",
            paramLabel = "TIME",
            description = "end of the window, RFC 3339 (default: the last observation)")
    String until;

    String url() {
        return store != null
                ? store
                : ObservationStore.embeddedUrl(Path.of(".tailor").toAbsolutePath());
    }

    /** Set by {@code tailor propose} for the commands it runs: the observations they all read. */
    Shared shared;

    /**
     * The observations commands run one after another read ({@code tailor propose}: generate, then impact of what it
     * wrote), opened and read once: both see the same data — the webhook's store goes on filling between two reads,
     * so the second could window newer observations than the proposal was made from — and the cluster's snapshot is
     * asked for once. Closing it closes the store.
     */
    static final class Shared implements AutoCloseable {
        private StoredObservations store;
        private java.util.List<String> openedAs;

        StoredObservations open(WindowOptions options) throws SQLException, IOException {
            java.util.List<String> as = java.util.Arrays.asList(options.store, options.since, options.until);
            if (store == null) {
                store = StoredObservations.readOnce(options.openStore());
                openedAs = as;
            } else if (!openedAs.equals(as)) {
                throw new IllegalStateException("one read of the observations shared by commands with different "
                        + "windows: " + openedAs + " and " + as);
            }
            return StoredObservations.leftOpen(store);
        }

        @Override
        public void close() throws SQLException {
            if (store != null) {
                store.close();
            }
        }
    }

    /** @throws IllegalArgumentException when --since is no duration */
    Duration window() {
        return Durations.parse(since);
    }

    /** The window's end, or null for the last observation; @throws java.time.format.DateTimeParseException */
    Instant end() {
        return until == null ? null : dev.tailor.util.Durations.windowEnd(until);
    }
}
