package io.airlock.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL server stopped and started again (its own instance, not the shared one) keeps its port, its committed rows
 * and its logical replication slots; connections fail while it is down. (What Debezium does meanwhile is covered end to
 * end by {@code PostgresRestartSystemTest}.)
 */
class EmbeddedPostgresRestartTest {

    @Test
    void shouldKeepPortRowsAndReplicationSlotAcrossARestart() throws SQLException {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start()) {
            int port = postgres.port();
            postgres.createDatabase("restart");
            try (Connection c = postgres.connect("restart"); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
                s.execute("INSERT INTO t VALUES (1, 'before')");
                s.execute("SELECT pg_create_logical_replication_slot('restart_slot', 'pgoutput')");
            }

            postgres.stop();
            assertThat(postgres.isRunning()).isFalse();
            assertThatThrownBy(() -> postgres.connect("restart").close()).isInstanceOf(SQLException.class);
            postgres.restart();

            assertThat(postgres.isRunning()).isTrue();
            assertThat(postgres.port()).isEqualTo(port);
            assertThat(postgres.jdbcUrl("restart")).contains(":" + port + "/");
            try (Connection c = postgres.connect("restart"); Statement s = c.createStatement()) {
                assertThat(single(s, "SELECT v FROM t WHERE id = 1")).isEqualTo("before");
                assertThat(single(s, "SELECT slot_type || ' ' || plugin || ' ' || database FROM pg_replication_slots"
                        + " WHERE slot_name = 'restart_slot'")).isEqualTo("logical pgoutput restart");
                assertThat(single(s, "SHOW wal_level")).isEqualTo("logical");
                s.execute("INSERT INTO t VALUES (2, 'after')");
                assertThat(single(s, "SELECT count(*) FROM t")).isEqualTo("2");
            }

            postgres.restart(); // while running: stops first
            assertThat(postgres.port()).isEqualTo(port);
            try (Connection c = postgres.connect("restart"); Statement s = c.createStatement()) {
                assertThat(single(s, "SELECT string_agg(v, ',' ORDER BY id) FROM t")).isEqualTo("before,after");
            }
        }
    }

    private static String single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getString(1);
        }
    }
}
