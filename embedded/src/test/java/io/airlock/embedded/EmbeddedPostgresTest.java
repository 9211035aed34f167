package io.airlock.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@ExtendWith(RealComponents.class)
class EmbeddedPostgresTest {

    @Test
    void shouldRunWithLogicalDecodingSettings(EmbeddedPostgres postgres) throws SQLException {
        assertThat(show(postgres, "wal_level")).isEqualTo("logical");
        assertThat(show(postgres, "max_replication_slots")).isEqualTo("20");
        assertThat(show(postgres, "max_wal_senders")).isEqualTo("20");
        assertThat(show(postgres, "listen_addresses")).isEqualTo("localhost");
        assertThat(show(postgres, "server_version")).startsWith("17.");
        assertThat(postgres.jdbcUrl("postgres")).isEqualTo("jdbc:postgresql://localhost:" + postgres.port() + "/postgres");
    }

    @Test
    void shouldCreateBothAirflowSchemasInSeparateDatabases(EmbeddedPostgres postgres) throws SQLException {
        String v2 = RealComponents.uniqueName("airflow2");
        String v3 = RealComponents.uniqueName("airflow3");
        postgres.createDatabase(v2);
        postgres.createDatabase(v3);
        postgres.createAirflowSchema(v2, AirflowSchema.V2_10);
        postgres.createAirflowSchema(v3, AirflowSchema.V3);

        Map<String, String> v2Columns = columns(postgres, v2);
        Map<String, String> v3Columns = columns(postgres, v3);

        assertThat(v2Columns).containsEntry("log.dttm", "timestamp with time zone")
                .containsEntry("log.event", "character varying")
                .containsEntry("log.execution_date", "timestamp with time zone")
                .containsEntry("dag_run.external_trigger", "boolean")
                .containsEntry("ab_user.last_login", "timestamp without time zone")
                .doesNotContainKeys("log.logical_date", "dag_run.run_after", "dag_run.triggered_by");
        assertThat(v3Columns).containsEntry("log.logical_date", "timestamp with time zone")
                .containsEntry("dag_run.run_after", "timestamp with time zone")
                .containsEntry("dag_run.triggered_by", "character varying")
                .containsEntry("dag_run.triggering_user_name", "character varying")
                .containsEntry("ab_user.fail_login_count", "integer")
                .doesNotContainKeys("log.execution_date", "dag_run.execution_date", "dag_run.external_trigger");
        for (String table : new String[] {"log", "dag_run", "ab_user", "ab_role", "ab_user_role"}) {
            assertThat(primaryKey(postgres, v2, table)).as(table).isEqualTo("id");
            assertThat(primaryKey(postgres, v3, table)).as(table).isEqualTo("id");
        }
    }

    @ParameterizedTest
    @EnumSource(AirflowSchema.class)
    void failedLoginShouldIncrementFailLoginCountByExactlyOne(AirflowSchema schema, EmbeddedPostgres postgres)
            throws SQLException {
        AirflowDatabase airflow = AirflowDatabase.create(postgres, RealComponents.uniqueName("logins"), schema);
        long id = airflow.createUser("alice", "alice@example.com");

        assertThat(airflow.failedLogin("alice")).isTrue();
        assertThat(user(postgres, airflow, id)).containsEntry("fail_login_count", 1).containsEntry("login_count", 0);
        assertThat(airflow.failedLogin("alice")).isTrue();
        assertThat(user(postgres, airflow, id)).containsEntry("fail_login_count", 2).containsEntry("login_count", 0);
    }

    @ParameterizedTest
    @EnumSource(AirflowSchema.class)
    void successfulLoginShouldResetFailuresAndCountTheLogin(AirflowSchema schema, EmbeddedPostgres postgres)
            throws SQLException {
        AirflowDatabase airflow = AirflowDatabase.create(postgres, RealComponents.uniqueName("logins"), schema);
        long id = airflow.createUser("bob", "bob@example.com");
        airflow.failedLogin("bob");
        airflow.failedLogin("bob");
        LocalDateTime at = LocalDateTime.of(2025, 3, 30, 2, 30, 15);

        assertThat(airflow.successfulLogin("bob", at)).isTrue();

        assertThat(user(postgres, airflow, id))
                .containsEntry("fail_login_count", 0)
                .containsEntry("login_count", 1)
                .containsEntry("last_login", at);
    }

    @Test
    void shouldChangeNothingForUnknownOrInactiveUsers(EmbeddedPostgres postgres) throws SQLException {
        AirflowDatabase airflow = AirflowDatabase.create(postgres, RealComponents.uniqueName("logins"), AirflowSchema.V3);
        long id = airflow.createUser("carol", "carol@example.com");
        assertThat(airflow.setActive("carol", false)).isTrue();

        assertThat(airflow.failedLogin("mallory")).isFalse();
        assertThat(airflow.failedLogin("carol")).isFalse();
        assertThat(airflow.successfulLogin("carol", LocalDateTime.now())).isFalse();
        assertThat(user(postgres, airflow, id)).containsEntry("fail_login_count", 0).containsEntry("active", false);
    }

    @Test
    void shouldStoreWerkzeugPasswordHashesOnly(EmbeddedPostgres postgres) throws SQLException {
        AirflowDatabase airflow = AirflowDatabase.create(postgres, RealComponents.uniqueName("users"), AirflowSchema.V2_10);
        long id = airflow.createUser("dave", "dave@example.com", "Admin");

        assertThat((String) user(postgres, airflow, id).get("password"))
                .matches("pbkdf2:sha256:260000\\$[A-Za-z0-9]{16}\\$[0-9a-f]{64}");
    }

    @Test
    void shouldWriteVersionSpecificAuditLogAndDagRunColumns(EmbeddedPostgres postgres) throws SQLException {
        AirflowDatabase v2 = AirflowDatabase.create(postgres, RealComponents.uniqueName("runs"), AirflowSchema.V2_10);
        AirflowDatabase v3 = AirflowDatabase.create(postgres, RealComponents.uniqueName("runs"), AirflowSchema.V3);
        Instant start = Instant.parse("2025-01-04T23:10:00Z");
        Instant end = Instant.parse("2025-01-04T23:12:00Z");

        for (AirflowDatabase airflow : new AirflowDatabase[] {v2, v3}) {
            long logId = airflow.auditLog(start, "trigger", "alice", "payments", "{\"host_name\": \"web-1\"}");
            long runId = airflow.dagRun("payments", "manual__2025-01-04T23:10:00+00:00", "manual", "queued", start, null);
            assertThat(airflow.updateDagRunState("payments", "manual__2025-01-04T23:10:00+00:00", "running", start)).isTrue();
            assertThat(airflow.updateDagRunState("payments", "manual__2025-01-04T23:10:00+00:00", "success", end)).isTrue();
            assertThat(airflow.updateDagRunState("payments", "no-such-run", "success", end)).isFalse();

            Map<String, Object> log = row(postgres, airflow, "SELECT * FROM log WHERE id = " + logId);
            assertThat(log).containsEntry("event", "trigger").containsEntry("owner", "alice").containsEntry("dag_id", "payments");
            Map<String, Object> run = row(postgres, airflow, "SELECT * FROM dag_run WHERE id = " + runId);
            assertThat(run).containsEntry("state", "success").containsEntry("run_type", "manual");
            assertThat(((java.sql.Timestamp) run.get("end_date")).toInstant()).isEqualTo(end);
            if (airflow.schema() == AirflowSchema.V2_10) {
                assertThat(run).containsEntry("external_trigger", true).containsKey("execution_date");
            } else {
                assertThat(run).containsEntry("triggered_by", "UI").doesNotContainKey("external_trigger");
                assertThat(((java.sql.Timestamp) run.get("run_after")).toInstant()).isEqualTo(start);
            }
        }
    }

    private static String show(EmbeddedPostgres postgres, String setting) throws SQLException {
        try (Connection c = postgres.connect("postgres"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static Map<String, String> columns(EmbeddedPostgres postgres, String database) throws SQLException {
        Map<String, String> columns = new HashMap<>();
        try (Connection c = postgres.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT table_name, column_name, data_type FROM information_schema.columns "
                        + "WHERE table_schema = 'public'")) {
            while (rs.next()) {
                columns.put(rs.getString(1) + "." + rs.getString(2), rs.getString(3));
            }
        }
        return columns;
    }

    private static String primaryKey(EmbeddedPostgres postgres, String database, String table) throws SQLException {
        try (Connection c = postgres.connect(database);
                ResultSet rs = c.getMetaData().getPrimaryKeys(null, "public", table)) {
            StringBuilder key = new StringBuilder();
            while (rs.next()) {
                key.append(key.length() == 0 ? "" : ",").append(rs.getString("COLUMN_NAME"));
            }
            return key.toString();
        }
    }

    private static Map<String, Object> user(EmbeddedPostgres postgres, AirflowDatabase airflow, long id) throws SQLException {
        return row(postgres, airflow, "SELECT * FROM ab_user WHERE id = " + id);
    }

    private static Map<String, Object> row(EmbeddedPostgres postgres, AirflowDatabase airflow, String sql) throws SQLException {
        try (Connection c = postgres.connect(airflow.database()); PreparedStatement s = c.prepareStatement(sql);
                ResultSet rs = s.executeQuery()) {
            assertThat(rs.next()).as(sql).isTrue();
            Map<String, Object> row = new HashMap<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                Object value = rs.getObject(i);
                if (value instanceof java.sql.Timestamp ts && "timestamp".equals(rs.getMetaData().getColumnTypeName(i))) {
                    value = ts.toLocalDateTime();
                }
                row.put(rs.getMetaData().getColumnName(i), value);
            }
            return row;
        }
    }
}
