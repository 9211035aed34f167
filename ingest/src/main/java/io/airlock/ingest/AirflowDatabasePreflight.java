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
 * a connector stack trace. {@code log} and {@code dag_run} are required; {@code ab_user} is captured when it exists: Airflow 3
 * without the FAB auth manager (SimpleAuthManager, Keycloak) has no such table, and then the login rules see nothing
 * ({@link #AB_USER_ABSENT}) while the rest is captured.
 */
public final class AirflowDatabasePreflight {

    /** The tables without which there is nothing to capture. */
    public static final List<String> REQUIRED_TABLES = List.of("log", "dag_run");

    /** Why a missing {@code ab_user} is no error, and what it costs; logged at start and shown by {@code check-config}. */
    public static final String AB_USER_ABSENT = "table public.ab_user does not exist (Airflow 3 without the FAB auth manager): "
            + "capturing log and dag_run only; the login rules AL-001, AL-002 and AL-003 and the ab_user account changes of "
            + "AL-012 see nothing without it";

    /** What the check found: the problems that prevent capturing, and the captured tables that exist. */
    public record Findings(List<String> problems, List<String> tables) {

        public Findings {
            problems = List.copyOf(problems);
            tables = List.copyOf(tables);
        }

        /** Whether {@code ab_user} is missing (and so not captured). */
        public boolean abUserAbsent() {
            return !tables.contains("ab_user");
        }
    }

    private final AirflowDatabaseSettings settings;

    public AirflowDatabasePreflight(AirflowDatabaseSettings settings) {
        this.settings = settings;
    }

    /**
     * @return what was found, without problems: {@link Findings#tables()} are the tables of {@link Topics#AIRFLOW_TABLES}
     *     that exist, in that order, to be captured
     * @throws CaptureConfigurationException listing every problem found
     */
    public Findings check() {
        Findings findings = inspect();
        List<String> problems = findings.problems();
        if (!problems.isEmpty()) {
            throw new CaptureConfigurationException("The Airflow database " + settings.database() + " at " + settings.host() + ":"
                    + settings.port() + " cannot be captured:\n  - " + String.join("\n  - ", problems));
        }
        return findings;
    }

    /** Connects once and checks everything; a missing {@code ab_user} is no problem (see {@link #AB_USER_ABSENT}). */
    public Findings inspect() {
        var props = new Properties();
        props.setProperty("user", settings.user());
        props.setProperty("password", settings.password());
        List<String> problems = new ArrayList<>();
        List<String> tables = new ArrayList<>();
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
                        if (rs.next() && rs.getString(1) != null) {
                            tables.add(table);
                        } else if (REQUIRED_TABLES.contains(table)) {
                            problems.add("table public." + table + " does not exist (is this the Airflow metadata database, "
                                    + "and has `airflow db migrate` run?)");
                        }
                    }
                }
            }
        } catch (SQLException e) {
            problems.add("cannot connect as '" + settings.user() + "': " + SqlFailures.withRootCause(e));
        }
        return new Findings(problems, tables);
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }
}
