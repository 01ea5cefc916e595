package dev.tailor.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * The statements of one batch, each prepared once and run for every row the batch touches: preparing them anew per
 * row cost the store writer more than running them (tailor bench-generate, 1,000 workloads). Closed together.
 */
final class PreparedStatements implements AutoCloseable {
    private final Connection connection;
    private final Map<String, PreparedStatement> prepared = new HashMap<>();

    PreparedStatements(Connection connection) {
        this.connection = connection;
    }

    PreparedStatement get(String sql) throws SQLException {
        PreparedStatement s = prepared.get(sql);
        if (s == null) {
            s = connection.prepareStatement(sql);
            prepared.put(sql, s);
        }
        return s;
    }

    PreparedStatement returningKeys(String sql) throws SQLException {
        PreparedStatement s = prepared.get("keys:" + sql);
        if (s == null) {
            s = connection.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS);
            prepared.put("keys:" + sql, s);
        }
        return s;
    }

    @Override
    public void close() throws SQLException {
        SQLException first = null;
        for (PreparedStatement s : prepared.values()) {
            try {
                s.close();
            } catch (SQLException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
