package io.airlock.streams.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.Json;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.SourceHeaders;
import io.airlock.streams.AbUserRow;
import io.airlock.streams.DagRunRow;
import io.airlock.streams.LogRow;
import io.airlock.streams.TopologyFixture;
import io.airlock.streams.VaultAuditLine;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every normalized event says where it was read: {@code airlock.source} and {@code airlock.position}. */
class SourcePositionTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private final TopologyFixture fixture = new TopologyFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private static long lsnOf(String change) {
        return Json.tree(change.getBytes(java.nio.charset.StandardCharsets.UTF_8)).path("source").path("lsn").asLong();
    }

    @Test
    void shouldCarryThePostgresDatabaseAndLsnOfEveryCdcTable() {
        String log = LogRow.airflow3(7).event("patch_dag").owner("alice").dag("etl").at(T0).insert();
        fixture.log("{\"id\":7}", log, T0);
        AbUserRow bob = AbUserRow.of(2, "bob");
        String login = bob.failCount(1).update(T0.plusSeconds(1));
        fixture.abUser(bob, login, T0.plusSeconds(1));
        DagRunRow run = DagRunRow.airflow3(3, "etl", "manual__1").runType("manual").state("queued").queuedAt(T0.plusSeconds(2));
        String created = run.insert(T0.plusSeconds(2));
        fixture.dagRun(run.key(), created, T0.plusSeconds(2));

        List<NormalizedEvent> events = fixture.events();
        assertThat(events).extracting(NormalizedEvent::dataset, NormalizedEvent::source, NormalizedEvent::position)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("airflow.log", "postgres:airflow", lsnOf(log)),
                        org.assertj.core.groups.Tuple.tuple("airflow.ab_user", "postgres:airflow", lsnOf(login)),
                        org.assertj.core.groups.Tuple.tuple("airflow.dag_run", "postgres:airflow", lsnOf(created)));
        assertThat(lsnOf(login)).isGreaterThan(0);
    }

    @Test
    void shouldLeaveThePositionOutWhenTheChangeHasNoLsn() {
        ObjectNode change = (ObjectNode) Json.tree(LogRow.airflow2(8).event("trigger").owner("carol").at(T0).insert()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ((ObjectNode) change.get("source")).remove("lsn");
        fixture.log("{\"id\":8}", Json.writeString(change), T0);

        NormalizedEvent event = fixture.events().get(0);
        assertThat(event.source()).isEqualTo("postgres:airflow");
        assertThat(event.position()).isNull();
        assertThat(fixture.deadLetters()).isEmpty();
    }

    @Test
    void shouldTakeAVaultFileLinesSourceAndByteOffsetFromTheRecordHeaders() {
        VaultAuditLine line = VaultAuditLine.response("r-1").at(T0).read("airflow/data/connections/db");
        fixture.vaultAudit(line.key(), line.json(), T0,
                Map.of(SourceHeaders.SOURCE, "vault-file:2049-131075", SourceHeaders.POSITION, "1048576"));

        NormalizedEvent event = fixture.events().get(0);
        assertThat(event.source()).isEqualTo("vault-file:2049-131075");
        assertThat(event.position()).isEqualTo(1_048_576L);
    }

    @Test
    void shouldGiveASocketLineItsSourceButNoPosition() {
        VaultAuditLine line = VaultAuditLine.response("r-2").at(T0);
        fixture.vaultAudit(line.key(), line.json(), T0, Map.of(SourceHeaders.SOURCE, "vault-socket:10.0.0.5:48122"));

        NormalizedEvent event = fixture.events().get(0);
        assertThat(event.source()).isEqualTo("vault-socket:10.0.0.5:48122");
        assertThat(event.position()).isNull();
    }

    @Test
    void shouldLeaveBothOutWithoutHeaders() {
        VaultAuditLine line = VaultAuditLine.response("r-3").at(T0);
        fixture.vaultAudit(line.key(), line.json(), T0);

        NormalizedEvent event = fixture.events().get(0);
        assertThat(event.source()).isNull();
        assertThat(event.position()).isNull();
    }
}
