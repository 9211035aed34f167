package io.airlock.embedded;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Writes to one Airflow metadata database the way Airflow and Flask-AppBuilder (FAB) write them, so
 * tests and the demo produce the same change events Debezium captures from a real deployment.
 *
 * <p>Each method runs in one transaction, as one SQLAlchemy session commit does, and knows the
 * differences between {@link AirflowSchema#V2_10} and {@link AirflowSchema#V3}. Every call opens its own
 * connection, so an instance may be shared between threads.
 */
public final class AirflowDatabase {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SALT_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final int PBKDF2_ITERATIONS = 260_000;

    private final EmbeddedPostgres postgres;
    private final String database;
    private final AirflowSchema schema;

    /** Binds to an existing database that already holds the tables of {@code schema}. */
    public AirflowDatabase(EmbeddedPostgres postgres, String database, AirflowSchema schema) {
        this.postgres = Objects.requireNonNull(postgres, "postgres");
        this.database = Objects.requireNonNull(database, "database");
        this.schema = Objects.requireNonNull(schema, "schema");
    }

    /** Creates {@code database}, creates the Airflow tables of {@code schema} in it and binds to it. */
    public static AirflowDatabase create(EmbeddedPostgres postgres, String database, AirflowSchema schema) {
        postgres.createDatabase(database);
        postgres.createAirflowSchema(database, schema);
        return new AirflowDatabase(postgres, database, schema);
    }

    /** The database name. */
    public String database() {
        return database;
    }

    /** The Airflow schema version of this database. */
    public AirflowSchema schema() {
        return schema;
    }

    /** JDBC URL of this database. */
    public String jdbcUrl() {
        return postgres.jdbcUrl(database);
    }

    /** Creates an active user with the {@code Viewer} role, as {@code airflow users create} does; returns its id. */
    public long createUser(String username, String email) {
        return createUser(username, email, "Viewer");
    }

    /**
     * Creates an active user with a random password (stored as a werkzeug {@code pbkdf2:sha256:260000$...}
     * hash) and the given role; returns its {@code ab_user.id}.
     *
     * <p>Real FAB leaves {@code login_count} and {@code fail_login_count} NULL until the first login; here
     * they start at 0, and the login methods treat NULL as 0 exactly like FAB's {@code update_user_auth_stat}.
     */
    public long createUser(String username, String email, String role) {
        LocalDateTime now = LocalDateTime.now();
        return inTransaction(c -> {
            long id;
            try (PreparedStatement s = c.prepareStatement("INSERT INTO ab_user (first_name, last_name, username, password, "
                    + "active, email, last_login, login_count, fail_login_count, created_on, changed_on, created_by_fk, "
                    + "changed_by_fk) VALUES (?, ?, ?, ?, true, ?, NULL, 0, 0, ?, ?, NULL, NULL) RETURNING id")) {
                s.setString(1, username);
                s.setString(2, "User");
                s.setString(3, username);
                s.setString(4, passwordHash(randomString(24)));
                s.setString(5, email);
                s.setObject(6, now);
                s.setObject(7, now);
                id = singleLong(s);
            }
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO ab_user_role (user_id, role_id) SELECT ?, id FROM ab_role WHERE name = ?")) {
                s.setLong(1, id);
                s.setString(2, role);
                if (s.executeUpdate() != 1) {
                    throw new IllegalArgumentException("unknown role " + role);
                }
            }
            return id;
        });
    }

    /**
     * A wrong password for {@code username}: FAB reads the user and, only if it exists and is active, runs
     * {@code UPDATE ab_user SET fail_login_count=? WHERE id=?}.
     *
     * @return whether a row changed (false for unknown or inactive users, as in FAB)
     */
    public boolean failedLogin(String username) {
        return inTransaction(c -> {
            Optional<UserRow> user = findUser(c, username);
            if (user.isEmpty() || !user.get().active()) {
                return false;
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE ab_user SET fail_login_count=? WHERE ab_user.id = ?")) {
                s.setInt(1, user.get().failLoginCount() + 1);
                s.setLong(2, user.get().id());
                return s.executeUpdate() == 1;
            }
        });
    }

    /**
     * A successful login at {@code at} (naive local time of the webserver): {@code login_count + 1},
     * {@code last_login = at}, and {@code fail_login_count = 0} (written only when it was not already 0,
     * as SQLAlchemy only writes changed attributes).
     *
     * @return whether a row changed (false for unknown or inactive users)
     */
    public boolean successfulLogin(String username, LocalDateTime at) {
        return inTransaction(c -> {
            Optional<UserRow> found = findUser(c, username);
            if (found.isEmpty() || !found.get().active()) {
                return false;
            }
            UserRow user = found.get();
            boolean resetFailures = user.failLoginCount() != 0 || user.failLoginCountNull();
            String sql = "UPDATE ab_user SET last_login=?, login_count=?" + (resetFailures ? ", fail_login_count=?" : "")
                    + " WHERE ab_user.id = ?";
            try (PreparedStatement s = c.prepareStatement(sql)) {
                int i = 1;
                s.setObject(i++, at);
                s.setInt(i++, user.loginCount() + 1);
                if (resetFailures) {
                    s.setInt(i++, 0);
                }
                s.setLong(i, user.id());
                return s.executeUpdate() == 1;
            }
        });
    }

    /**
     * An admin (de)activates {@code username} in the FAB user edit view.
     *
     * @return whether a row changed (false for unknown users or when the flag already had that value)
     */
    public boolean setActive(String username, boolean active) {
        return inTransaction(c -> {
            Optional<UserRow> user = findUser(c, username);
            if (user.isEmpty() || user.get().active() == active) {
                return false;
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE ab_user SET active=?, changed_on=? WHERE ab_user.id = ?")) {
                s.setBoolean(1, active);
                s.setObject(2, LocalDateTime.now());
                s.setLong(3, user.get().id());
                return s.executeUpdate() == 1;
            }
        });
    }

    /**
     * An audit-log row as Airflow's {@code Log} model inserts it ({@code owner_display_name} = {@code owner});
     * returns its {@code log.id}.
     *
     * @param dagId     nullable
     * @param extraJson nullable; Airflow stores JSON text with secret values already masked
     */
    public long auditLog(Instant dttm, String event, String owner, String dagId, String extraJson) {
        return inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO log (dttm, dag_id, task_id, map_index, event, "
                    + schema.logicalDateColumn() + ", run_id, owner, owner_display_name, extra, try_number) "
                    + "VALUES (?, ?, NULL, NULL, ?, NULL, NULL, ?, ?, ?, NULL) RETURNING id")) {
                s.setObject(1, utc(dttm));
                s.setString(2, dagId);
                s.setString(3, event);
                s.setString(4, owner);
                s.setString(5, owner);
                s.setString(6, extraJson);
                return singleLong(s);
            }
        });
    }

    /**
     * {@code DELETE FROM log WHERE owner = ?}: what someone with write access to the database does to remove a user's
     * traces; Airflow never does it. Returns the rows deleted.
     */
    public int deleteAuditLogOf(String owner) {
        return inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM log WHERE owner = ?")) {
                s.setString(1, owner);
                return s.executeUpdate();
            }
        });
    }

    /**
     * {@code rows} audit-log rows in one transaction, as a busy Airflow writes them: 50 DAGs, 20 owners, every tenth row a
     * {@code trigger}, the rest {@code cli_task_run}, dated the last {@code rows} seconds before now.
     */
    public void bulkAuditLog(int rows) {
        inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO log (dttm, dag_id, task_id, event, owner, owner_display_name, extra) "
                        + "SELECT now() - (g || ' seconds')::interval, 'dag_' || (g % 50), 'task_' || (g % 7), "
                        + "CASE WHEN g % 10 = 0 THEN 'trigger' ELSE 'cli_task_run' END, 'user_' || (g % 20), 'user_' || (g % 20), "
                        + "'{\"k\": \"***\"}' FROM generate_series(1, " + rows + ") g");
            }
            return null;
        });
    }

    /**
     * A new DAG run; returns its {@code dag_run.id}. {@code start} is also the logical date (and in 3.x
     * {@code run_after}); a manual run counts as externally triggered (2.10) or triggered from the UI (3.x).
     *
     * @param runType {@code scheduled}, {@code manual}, {@code backfill}, {@code dataset_triggered} (2.10) /
     *                {@code asset_triggered} (3.x)
     * @param state   {@code queued}, {@code running}, {@code success} or {@code failed}
     * @param end     nullable
     */
    public long dagRun(String dagId, String runId, String runType, String state, Instant start, Instant end) {
        return dagRun(dagId, runId, runType, state, start, end, null);
    }

    /**
     * Like {@link #dagRun(String, String, String, String, Instant, Instant)}, with the user who triggered
     * it ({@code triggering_user_name}, 3.x only; ignored on 2.10).
     */
    public long dagRun(String dagId, String runId, String runType, String state, Instant start, Instant end,
            String triggeringUserName) {
        Objects.requireNonNull(start, "start");
        OffsetDateTime now = utc(Instant.now());
        return inTransaction(c -> {
            String sql = schema == AirflowSchema.V2_10
                    ? "INSERT INTO dag_run (dag_id, queued_at, execution_date, start_date, end_date, state, run_id, "
                            + "creating_job_id, external_trigger, run_type, conf, data_interval_start, data_interval_end, "
                            + "last_scheduling_decision, dag_hash, log_template_id, updated_at, clear_number) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, NULL, NULL, NULL, NULL, NULL, NULL, ?, 0) RETURNING id"
                    : "INSERT INTO dag_run (dag_id, queued_at, logical_date, start_date, end_date, state, run_id, "
                            + "creating_job_id, run_type, triggered_by, triggering_user_name, conf, data_interval_start, "
                            + "data_interval_end, run_after, last_scheduling_decision, log_template_id, updated_at, "
                            + "clear_number, span_status) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, '{}'::jsonb, NULL, NULL, "
                            + "?, NULL, NULL, ?, 0, 'not_started') RETURNING id";
            try (PreparedStatement s = c.prepareStatement(sql)) {
                int i = 1;
                s.setString(i++, dagId);
                s.setObject(i++, utc(start));
                s.setObject(i++, utc(start));
                s.setObject(i++, "queued".equals(state) ? null : utc(start), Types.TIMESTAMP_WITH_TIMEZONE);
                s.setObject(i++, end == null ? null : utc(end), Types.TIMESTAMP_WITH_TIMEZONE);
                s.setString(i++, state);
                s.setString(i++, runId);
                if (schema == AirflowSchema.V2_10) {
                    s.setBoolean(i++, "manual".equals(runType));
                    s.setString(i++, runType);
                } else {
                    s.setString(i++, runType);
                    s.setString(i++, triggeredBy(runType));
                    s.setString(i++, triggeringUserName);
                    s.setObject(i++, utc(start));
                }
                s.setObject(i, now);
                return singleLong(s);
            }
        });
    }

    /**
     * The scheduler moves a DAG run to {@code state} at {@code at}: {@code start_date} is set when it starts
     * running, {@code end_date} when it finishes ({@code success}/{@code failed}).
     *
     * @return whether the run exists
     */
    public boolean updateDagRunState(String dagId, String runId, String state, Instant at) {
        return inTransaction(c -> {
            long id;
            try (PreparedStatement s = c.prepareStatement("SELECT id FROM dag_run WHERE dag_id = ? AND run_id = ?")) {
                s.setString(1, dagId);
                s.setString(2, runId);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                    id = rs.getLong(1);
                }
            }
            boolean finished = "success".equals(state) || "failed".equals(state);
            String dateColumn = finished ? "end_date" : "running".equals(state) ? "start_date" : null;
            String sql = "UPDATE dag_run SET state=?, " + (dateColumn == null ? "" : dateColumn + "=?, ")
                    + "updated_at=? WHERE dag_run.id = ?";
            try (PreparedStatement s = c.prepareStatement(sql)) {
                int i = 1;
                s.setString(i++, state);
                if (dateColumn != null) {
                    s.setObject(i++, utc(at));
                }
                s.setObject(i++, utc(Instant.now()));
                s.setLong(i, id);
                return s.executeUpdate() == 1;
            }
        });
    }

    /** A werkzeug-compatible {@code pbkdf2:sha256:260000$salt$hex} hash of {@code password}. */
    static String passwordHash(String password) {
        String salt = randomString(16);
        try {
            SecretKeyFactory factory = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            byte[] key = factory.generateSecret(new PBEKeySpec(password.toCharArray(),
                    salt.getBytes(java.nio.charset.StandardCharsets.UTF_8), PBKDF2_ITERATIONS, 256)).getEncoded();
            return "pbkdf2:sha256:" + PBKDF2_ITERATIONS + "$" + salt + "$" + HexFormat.of().formatHex(key);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
        }
    }

    private static String triggeredBy(String runType) {
        return switch (runType.toLowerCase(Locale.ROOT)) {
            case "manual" -> "UI";
            case "scheduled" -> "TIMETABLE";
            case "backfill" -> "BACKFILL";
            case "asset_triggered", "dataset_triggered" -> "ASSET";
            default -> "TEST";
        };
    }

    private static String randomString(int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(SALT_CHARS.charAt(RANDOM.nextInt(SALT_CHARS.length())));
        }
        return b.toString();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static Optional<UserRow> findUser(Connection c, String username) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT id, active, login_count, fail_login_count FROM ab_user WHERE username = ?")) {
            s.setString(1, username);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                long id = rs.getLong(1);
                boolean active = rs.getBoolean(2);
                int loginCount = rs.getInt(3);
                int failLoginCount = rs.getInt(4);
                boolean failNull = rs.wasNull();
                return Optional.of(new UserRow(id, active, loginCount, failLoginCount, failNull));
            }
        }
    }

    private static long singleLong(PreparedStatement s) throws SQLException {
        try (ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("no generated id");
            }
            return rs.getLong(1);
        }
    }

    private <T> T inTransaction(SqlWork<T> work) {
        try (Connection c = postgres.connect(database)) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("write to Airflow database " + database + " failed", e);
        }
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private record UserRow(long id, boolean active, int loginCount, int failLoginCount, boolean failLoginCountNull) {
    }

}
