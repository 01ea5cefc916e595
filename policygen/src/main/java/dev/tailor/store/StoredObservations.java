package dev.tailor.store;

import dev.tailor.observe.admission.AdmissionDecision;
import dev.tailor.observe.audit.ApiAccess;
import dev.tailor.observe.flows.NetworkEdge;
import dev.tailor.observe.syscalls.SyscallUse;
import dev.tailor.store.ObservationStore.PodIdentity;
import dev.tailor.store.ObservationStore.StoredAccess;
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

    /** The decisions between two instants (inclusive, exclusive), in time order. */
    List<AdmissionDecision> decisions(Instant from, Instant until) throws SQLException;

    @Override
    void close() throws SQLException;
}
