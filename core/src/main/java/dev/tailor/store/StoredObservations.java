package dev.tailor.store;

import dev.tailor.contract.AdmissionDecision;
import dev.tailor.observe.admission.AllowedRequests;
import dev.tailor.observe.audit.ApiAccess;
import dev.tailor.observe.flows.NetworkEdge;
import dev.tailor.observe.syscalls.SyscallUse;
import dev.tailor.store.ObservationStore.StoredAccess;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What generate and impact read of the observations: the store itself ({@link ObservationStore}), or a snapshot of
 * the running webhook's store fetched through Tailor's API ({@link ObservationSnapshot}).
 */
public interface StoredObservations extends AutoCloseable {

    Map<ApiAccess, StoredAccess> apiAccesses() throws SQLException;

    Map<NetworkEdge, StoredAccess> networkEdges() throws SQLException;

    Map<SyscallUse, StoredAccess> syscallUses() throws SQLException;

    Map<PodIdentity, StoredAccess> podIdentities() throws SQLException;

    /** Pods ({@code namespace/pod}) whose creation the admission stream showed. */
    Set<String> podsSeenCreated() throws SQLException;

    /** The containers of the workloads' pods ({@code spec.containers}), as {@code namespace/kind.name/container}. */
    Set<String> workloadContainers() throws SQLException;

    /** The workloads' init containers, as {@code namespace/kind.name/container}. */
    Set<String> initContainers() throws SQLException;

    /** The ephemeral containers added to the workloads' pods ({@code kubectl debug}), as {@code namespace/kind.name/container}. */
    Set<String> ephemeralContainers() throws SQLException;

    /** The decision-log lines that name a check, between two instants (inclusive, exclusive), in time order. */
    List<AdmissionDecision> decisions(Instant from, Instant until) throws SQLException;

    /**
     * Hands each decision-log line that names a check between two instants (inclusive, exclusive) to {@code each}: in
     * time order from {@link #decisions}, unless the store reads them a page at a time (a namespace after another).
     */
    default void forEachDecision(Instant from, Instant until, EachDecision each) throws SQLException, IOException {
        for (AdmissionDecision d : decisions(from, until)) {
            each.accept(d);
        }
    }

    /** What {@link #forEachDecision} hands each line to: a writer, say. */
    @FunctionalInterface
    interface EachDecision {
        void accept(AdmissionDecision decision) throws IOException;
    }

    /** The requests allowed with no check against them, counted by day. */
    Map<AllowedRequests, StoredAccess> allowedRequests() throws SQLException;

    /**
     * Per namespace: of its admission requests between two instants (inclusive, exclusive), how many enforce mode
     * would have rejected, and for what — from the lines handed over by {@link #forEachDecision}, unless the store
     * counts them itself.
     */
    default Map<String, dev.tailor.observe.admission.EnforcePreview> enforcePreviews(Instant from, Instant until)
            throws SQLException {
        return dev.tailor.observe.admission.EnforcePreview.perNamespace(this, from, until);
    }

    @Override
    void close() throws SQLException;

    /**
     * A view that reads each table once and answers from memory after that — for a command that windows the same
     * observations several times (impact: the window, the backtest's six days and its held-out day). Closing it
     * closes {@code store}.
     */
    static StoredObservations readOnce(StoredObservations store) {
        return new StoredObservations() {
            private Map<ApiAccess, StoredAccess> api;
            private Map<NetworkEdge, StoredAccess> edges;
            private Map<SyscallUse, StoredAccess> syscalls;
            private Map<PodIdentity, StoredAccess> pods;
            private Set<String> created;
            private Set<String> regular;
            private Set<String> init;
            private Set<String> ephemeral;
            private Map<AllowedRequests, StoredAccess> allowed;

            @Override
            public synchronized Map<ApiAccess, StoredAccess> apiAccesses() throws SQLException {
                return api != null ? api : (api = java.util.Collections.unmodifiableMap(store.apiAccesses()));
            }

            @Override
            public synchronized Map<NetworkEdge, StoredAccess> networkEdges() throws SQLException {
                return edges != null ? edges : (edges = java.util.Collections.unmodifiableMap(store.networkEdges()));
            }

            @Override
            public synchronized Map<SyscallUse, StoredAccess> syscallUses() throws SQLException {
                return syscalls != null
                        ? syscalls
                        : (syscalls = java.util.Collections.unmodifiableMap(store.syscallUses()));
            }

            @Override
            public synchronized Map<PodIdentity, StoredAccess> podIdentities() throws SQLException {
                return pods != null ? pods : (pods = java.util.Collections.unmodifiableMap(store.podIdentities()));
            }

            @Override
            public synchronized Set<String> podsSeenCreated() throws SQLException {
                return created != null
                        ? created
                        : (created = java.util.Collections.unmodifiableSet(store.podsSeenCreated()));
            }

            @Override
            public synchronized Set<String> workloadContainers() throws SQLException {
                return regular != null
                        ? regular
                        : (regular = java.util.Collections.unmodifiableSet(store.workloadContainers()));
            }

            @Override
            public synchronized Set<String> initContainers() throws SQLException {
                return init != null ? init : (init = java.util.Collections.unmodifiableSet(store.initContainers()));
            }

            @Override
            public synchronized Set<String> ephemeralContainers() throws SQLException {
                return ephemeral != null
                        ? ephemeral
                        : (ephemeral = java.util.Collections.unmodifiableSet(store.ephemeralContainers()));
            }

            @Override
            public List<AdmissionDecision> decisions(Instant from, Instant until) throws SQLException {
                return store.decisions(from, until);
            }

            @Override
            public void forEachDecision(Instant from, Instant until, EachDecision each)
                    throws SQLException, IOException {
                store.forEachDecision(from, until, each);
            }

            @Override
            public Map<String, dev.tailor.observe.admission.EnforcePreview> enforcePreviews(Instant from, Instant until)
                    throws SQLException {
                return store.enforcePreviews(from, until);
            }

            @Override
            public synchronized Map<AllowedRequests, StoredAccess> allowedRequests() throws SQLException {
                return allowed != null
                        ? allowed
                        : (allowed = java.util.Collections.unmodifiableMap(store.allowedRequests()));
            }

            @Override
            public void close() throws SQLException {
                store.close();
            }
        };
    }

    /** A view of {@code store} that leaves it open when closed: for commands that read one store one after another. */
    static StoredObservations leftOpen(StoredObservations store) {
        return new StoredObservations() {
            @Override
            public Map<ApiAccess, StoredAccess> apiAccesses() throws SQLException {
                return store.apiAccesses();
            }

            @Override
            public Map<NetworkEdge, StoredAccess> networkEdges() throws SQLException {
                return store.networkEdges();
            }

            @Override
            public Map<SyscallUse, StoredAccess> syscallUses() throws SQLException {
                return store.syscallUses();
            }

            @Override
            public Map<PodIdentity, StoredAccess> podIdentities() throws SQLException {
                return store.podIdentities();
            }

            @Override
            public Set<String> podsSeenCreated() throws SQLException {
                return store.podsSeenCreated();
            }

            @Override
            public Set<String> workloadContainers() throws SQLException {
                return store.workloadContainers();
            }

            @Override
            public Set<String> initContainers() throws SQLException {
                return store.initContainers();
            }

            @Override
            public Set<String> ephemeralContainers() throws SQLException {
                return store.ephemeralContainers();
            }

            @Override
            public List<AdmissionDecision> decisions(Instant from, Instant until) throws SQLException {
                return store.decisions(from, until);
            }

            @Override
            public void forEachDecision(Instant from, Instant until, EachDecision each)
                    throws SQLException, IOException {
                store.forEachDecision(from, until, each);
            }

            @Override
            public Map<String, dev.tailor.observe.admission.EnforcePreview> enforcePreviews(Instant from, Instant until)
                    throws SQLException {
                return store.enforcePreviews(from, until);
            }

            @Override
            public Map<AllowedRequests, StoredAccess> allowedRequests() throws SQLException {
                return store.allowedRequests();
            }

            @Override
            public void close() {}
        };
    }
}
