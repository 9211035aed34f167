package io.airlock.ingest;

import io.airlock.core.Topics;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Checks what logical replication of the Airflow tables needs, before Debezium starts, and fails with plain words instead of
 * a connector stack trace.
 */
public final class AirflowDatabasePreflight {

    private final AirflowDatabaseSettings settings;

    public AirflowDatabasePreflight(AirflowDatabaseSettings settings) {
        this.settings = settings;
    }

    /** @throws CaptureConfigurationException listing every problem found */
    public void check() {
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            throw new CaptureConfigurationException("The Airflow database " + settings.database() + " at " + settings.host() + ":"
                    + settings.port() + " cannot be captured:\n  - " + String.join("\n  - ", problems));
        }
    }

    public List<String> problems() {
        var props = new Properties();
        props.setProperty("user", settings.user());
        props.setProperty("password", settings.password());
        List<String> problems = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(settings.jdbcUrl(), props)) {
            String walLevel = single(c, "SHOW wal_level");
            if (!"logical".equals(walLevel)) {
                problems.add("wal_level is '" + walLevel + "', logical replication needs wal_level=logical "
                        + "(set it in postgresql.conf or with ALTER SYSTEM SET wal_level = logical, then restart PostgreSQL)");
            }
            try (PreparedStatement s = c.prepareStatement("SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user");
                    ResultSet rs = s.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    problems.add("user '" + settings.user() + "' lacks the REPLICATION privilege (ALTER ROLE " + settings.user()
                            + " WITH REPLICATION)");
                }
            }
            for (String table : Topics.AIRFLOW_TABLES) {
                try (PreparedStatement s = c.prepareStatement("SELECT to_regclass(?)")) {
                    s.setString(1, "public." + table);
                    try (ResultSet rs = s.executeQuery()) {
                        if (!rs.next() || rs.getString(1) == null) {
                            problems.add("table public." + table + " does not exist (is this the Airflow metadata database, "
                                    + "and has `airflow db migrate` run?)");
                        }
                    }
                }
            }
        } catch (SQLException e) {
            problems.add("cannot connect as '" + settings.user() + "': " + e.getMessage());
        }
        return problems;
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }
}
