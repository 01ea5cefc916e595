package dev.tailor.store;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Fresh, empty stores for tests: an H2 file in a temporary directory, or a schema of its own on the real
 * PostgreSQL server {@code .ci/run} starts (its URL in {@code TAILOR_TEST_POSTGRES_URL}). {@link #dropAll} removes
 * the schemas again.
 *
 * <p>Which of them a test runs on follows its tier: the unit tests ({@code mvn test}, surefire, {@code *Test}) use H2
 * and need nothing installed; the integration tests ({@code mvn verify}, failsafe, {@code *IT}, where
 * {@code test.tier=integration}) use PostgreSQL — a store test class runs there again as its
 * {@code *PostgresIT} subclass.
 */
public final class TestStores {

    public static final String POSTGRES = "TAILOR_TEST_POSTGRES_URL";

    private final List<String> schemas = new ArrayList<>();

    private static final boolean INTEGRATION = "integration".equals(System.getProperty("test.tier"));

    /** The store this tier's tests run on: H2 in the unit tests, PostgreSQL in the integration tests. */
    public static Stream<String> kinds() {
        return INTEGRATION ? Stream.of("postgresql") : Stream.of("h2");
    }

    /** Both stores, for an integration test that runs on each. */
    public static Stream<String> allKinds() {
        return Stream.of("h2", "postgresql");
    }

    public String url(String kind, Path dir) throws SQLException {
        if (kind.equals("h2")) {
            return ObservationStore.embeddedUrl(dir.resolve(UUID.randomUUID().toString()));
        }
        String base = base();
        String schema = "tailor_test_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(base);
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        schemas.add(schema);
        return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    public void dropAll() throws SQLException {
        if (schemas.isEmpty()) {
            return;
        }
        try (Connection c = DriverManager.getConnection(base());
                Statement s = c.createStatement()) {
            for (String schema : schemas) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
        schemas.clear();
    }

    private static String base() {
        String base = System.getenv(POSTGRES);
        assertNotNull(
                base,
                POSTGRES + " is not set: run the tests with `bash .ci/run`, which installs and starts "
                        + "PostgreSQL from Debian's packages, or point it at a server of yours "
                        + "(jdbc:postgresql://127.0.0.1:5432/DB?user=U&password=P)");
        return base;
    }

    /** Stores audit requests as the ingest pipeline does: each as the access it counts toward, by its audit ID. */
    public static ObservationStore.BatchResult ingestAudit(
            ObservationStore store, java.util.List<dev.tailor.observe.audit.ApiRequest> batch)
            throws java.sql.SQLException {
        return store.ingestAccesses(batch.stream()
                .map(r -> Sighting.of(r.auditId(), r.time(), dev.tailor.observe.audit.ApiAccess.of(r)))
                .toList());
    }

    /** Stores flows as the pipeline does: each as its edge (replies and flows without L4 count toward none). */
    public static ObservationStore.BatchResult ingestFlows(
            ObservationStore store, java.util.List<dev.tailor.observe.flows.Flow> batch) throws java.sql.SQLException {
        java.util.List<Sighting<dev.tailor.observe.flows.NetworkEdge>> edges = new java.util.ArrayList<>();
        for (dev.tailor.observe.flows.Flow f : batch) {
            dev.tailor.observe.flows.NetworkEdge edge = dev.tailor.observe.flows.NetworkEdge.of(f, store.pods());
            if (edge != null) {
                edges.add(new Sighting<>(f.fingerprintHigh(), f.fingerprintLow(), f.time(), edge));
            }
        }
        return store.ingestEdges(edges);
    }

    /** Stores syscall records as the pipeline does: each as its use, attributed by the pods the store knows. */
    public static ObservationStore.BatchResult ingestSyscalls(
            ObservationStore store, java.util.List<dev.tailor.observe.syscalls.SyscallRecord> batch)
            throws java.sql.SQLException {
        var pods = store.pods();
        return store.ingestSyscallUses(batch.stream()
                .map(r -> Sighting.of(r.key(), r.time(), dev.tailor.observe.syscalls.SyscallUse.of(r, pods)))
                .toList());
    }
}
