package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Severity;
import io.airlock.core.StableIds;
import io.airlock.streams.DebeziumEnvelope;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.LogRow;
import io.airlock.streams.TopologyFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AuditTrailTamperingRuleTest {

    /** Tuesday 2026-03-03 11:00 UTC: business hours make no difference to this rule. */
    private static final Instant T0 = Instant.parse("2026-03-03T11:00:00Z");
    private final TopologyFixture fixture = new TopologyFixture();
    private long nextId = 1;

    @AfterEach
    void close() {
        fixture.close();
    }

    private LogRow written(String event, String owner, Instant at) {
        LogRow row = LogRow.airflow3(nextId++).event(event).owner(owner).dag("etl").at(at);
        fixture.log(row.key(), row.insert(), at);
        return row;
    }

    private void deleted(LogRow row, Instant at) {
        fixture.log(row.key(), row.deletedAt(at), at);
    }

    private List<Alert> al013() {
        return fixture.alertUpdates().stream().filter(a -> a.ruleId().equals("AL-013")).toList();
    }

    @Test
    void shouldRaiseAHighAlertWhenAuditRowsAreDeletedWithoutACleanUp() {
        LogRow patch = written("patch_dag", "mallory", T0);
        LogRow trigger = written("trigger_dag_run", "mallory", T0.plusSeconds(5));
        deleted(patch, T0.plusSeconds(60));
        deleted(trigger, T0.plusSeconds(60));

        Map<String, Alert> alerts = TopologyFixture.latest(al013());
        assertThat(alerts).hasSize(1);
        Alert alert = alerts.values().iterator().next();
        assertThat(alert.severity()).isEqualTo(Severity.HIGH);
        assertThat(alert.entity()).isEqualTo("airflow.log");
        assertThat(alert.count()).isEqualTo(2);
        assertThat(alert.techniqueIds()).contains("T1070");
        assertThat(alert.runbook()).isEqualTo("docs/runbooks/AL-013-audit-trail-tampering.md");
        assertThat(alert.summary()).contains("Airflow's audit log (table log): 2 rows deleted", "no `airflow db clean` before them");
    }

    @Test
    void shouldNameTheDeletedRowsAuditEventsSoTheirContentCanBeFound() {
        LogRow patch = written("patch_dag", "mallory", T0);
        deleted(patch, T0.plusSeconds(60));

        List<NormalizedEvent> events = fixture.events();
        String indexed = events.get(0).id();
        assertThat(events.get(1)).satisfies(e -> {
            assertThat(e.action()).isEqualTo("log-row-deleted");
            assertThat(e.category()).isEqualTo("database");
            assertThat(e.reason()).isEqualTo("log.id=1 event.id=" + indexed + " written-within-24h");
            assertThat(e.userName()).isNull();
        });
        assertThat(indexed).isEqualTo(StableIds.of(NormalizedEvent.DATASET_LOG, "1"));
    }

    @Test
    void shouldTakeDeletesAfterAirflowDbCleanForRetentionButNotLaterOnes() {
        LogRow old = written("trigger", "alice", T0.minus(Duration.ofDays(120)));
        LogRow older = written("trigger", "alice", T0.minus(Duration.ofDays(121)));
        LogRow oldest = written("trigger", "alice", T0.minus(Duration.ofDays(122)));
        written("cli_cleanup_tables", "airflow", T0);
        deleted(old, T0.plusSeconds(30));
        deleted(older, T0.plusSeconds(31));
        assertThat(al013()).isEmpty();

        deleted(oldest, T0.plus(Duration.ofHours(13)));
        assertThat(TopologyFixture.latest(al013()).values()).singleElement()
                .satisfies(a -> assertThat(a.summary()).contains("1 row deleted", "; the last `airflow db clean` started TUE "
                        + "2026-03-03 11:00 UTC, more than 12h before it").doesNotContain("Airflow itself never"));
    }

    /**
     * A backtest of a week's streamed changes without a snapshot of {@code log}: Airlock never saw the month-old rows the
     * first night's clean-up deletes (their ids lie below every id it saw), so it cannot call them younger than a day.
     */
    @Test
    void shouldTakeDeletesAfterACleanOfRowsBelowEveryIdSeenForRetentionWhenNothingOlderIsKnown() {
        nextId = 500_001;
        LogRow fresh = written("trigger_dag_run", "mallory", T0.minus(Duration.ofHours(2)));
        written("cli_cleanup_tables", "airflow", T0);
        for (long id = 100_000; id < 100_005; id++) {
            deleted(LogRow.airflow3(id).event("trigger").owner("alice").dag("etl").at(T0.minus(Duration.ofDays(30))), T0.plusSeconds(30));
        }
        assertThat(al013()).as("rows older than anything Airlock saw, deleted by a clean-up").isEmpty();

        deleted(fresh, T0.plusSeconds(40));
        assertThat(TopologyFixture.latest(al013()).values()).singleElement()
                .satisfies(a -> assertThat(a.summary()).contains("1 row deleted"));
    }

    @Test
    void shouldTakeLogDeletesOfALongAirflowDbCleanForRetentionHoursAfterItStarted() {
        List<LogRow> old = List.of(written("trigger", "alice", T0.minus(Duration.ofDays(120))),
                written("trigger", "alice", T0.minus(Duration.ofDays(120)).plusSeconds(1)));
        written("cli_cleanup_tables", "airflow", T0); // then dag_run and its cascades for hours, log later (apache/airflow#24484)
        Instant logTable = T0.plus(Duration.ofMinutes(450));
        old.forEach(row -> deleted(row, logTable));

        assertThat(al013()).isEmpty();
    }

    @Test
    void shouldTakeDeletesBeyondTheConfiguredCleanupSpanForNoRetention() {
        var config = DetectionConfig.defaults().withCleanupSpan(Duration.ofHours(4));
        try (var fourHours = new TopologyFixture(config)) {
            List<LogRow> old = List.of(LogRow.airflow3(1).event("trigger").owner("alice").at(T0.minus(Duration.ofDays(120))),
                    LogRow.airflow3(2).event("trigger").owner("alice").at(T0.minus(Duration.ofDays(120)).plusSeconds(1)));
            old.forEach(row -> fourHours.log(row.key(), row.insert(), row.dttm()));
            LogRow clean = LogRow.airflow3(3).event("cli_cleanup_tables").owner("airflow").at(T0);
            fourHours.log(clean.key(), clean.insert(), T0);
            Instant logTable = T0.plus(Duration.ofMinutes(450));
            old.forEach(row -> fourHours.log(row.key(), row.deletedAt(logTable), logTable));

            assertThat(TopologyFixture.latest(fourHours.alertUpdates()).values()).singleElement().satisfies(a -> {
                assertThat(a.ruleId()).isEqualTo("AL-013");
                assertThat(a.summary()).contains("2 rows deleted", "; the last `airflow db clean` started TUE 2026-03-03 11:00 UTC, "
                        + "more than 4h before them");
            });
        }
    }

    @Test
    void shouldNeverTakeADeleteOfARowYoungerThanTheMinimumRetentionForRetentionEvenRightAfterAClean() {
        written("trigger", "alice", T0.minus(Duration.ofDays(90)));
        LogRow traces = written("patch_dag", "mallory", T0);
        written("cli_cleanup_tables", "mallory", T0.plusSeconds(60)); // forged, or `airflow db clean --dry-run`
        deleted(traces, T0.plusSeconds(120));

        assertThat(TopologyFixture.latest(al013()).values()).singleElement()
                .satisfies(a -> assertThat(a.summary()).contains("1 row deleted")
                        .contains("; it was written within the last 24h — younger than the shortest retention Airlock assumes "
                                + "for `airflow db clean` (rules.AL-013.min-retention) (the last one started TUE 2026-03-03 11:01 UTC)")
                        .doesNotContain("more than", "never deletes", "Airflow itself never"));
        assertThat(fixture.events()).filteredOn(e -> "log-row-deleted".equals(e.action())).singleElement()
                .satisfies(e -> assertThat(e.reason()).endsWith("written-within-24h"));
    }

    /** A deployment keeping 3 h of audit log: `airflow db clean --clean-before-timestamp` 3 h back deletes rows 6 h old. */
    @Test
    void shouldTakeDeletesOfRowsOlderThanAShorterConfiguredMinRetentionAfterACleanForRetention() {
        List<Instant> writtenAt = List.of(T0.minus(Duration.ofHours(9)), T0.minus(Duration.ofHours(6)), T0.minus(Duration.ofHours(1)));
        Map<Duration, List<Alert>> alertsByMinRetention = new java.util.LinkedHashMap<>();
        Map<Duration, List<String>> reasonsByMinRetention = new java.util.LinkedHashMap<>();
        for (Duration minRetention : List.of(Duration.ofHours(2), DetectionConfig.DEFAULT_MIN_RETENTION)) {
            try (var deployment = new TopologyFixture(DetectionConfig.defaults().withMinRetention(minRetention))) {
                List<LogRow> rows = new java.util.ArrayList<>();
                for (int i = 0; i < writtenAt.size(); i++) {
                    LogRow row = LogRow.airflow3(i + 1).event("graph").owner("viewer").dag("etl").at(writtenAt.get(i));
                    deployment.log(row.key(), row.insert(), row.dttm());
                    rows.add(row);
                }
                LogRow clean = LogRow.airflow3(10).event("cli_cleanup_tables").owner("airflow").at(T0);
                deployment.log(clean.key(), clean.insert(), T0);
                Instant deletes = T0.plusSeconds(5);
                rows.subList(0, 2).forEach(row -> deployment.log(row.key(), row.deletedAt(deletes), deletes));

                alertsByMinRetention.put(minRetention, deployment.alertUpdates());
                reasonsByMinRetention.put(minRetention, deployment.events().stream()
                        .filter(e -> "log-row-deleted".equals(e.action())).map(NormalizedEvent::reason).toList());
            }
        }

        assertThat(alertsByMinRetention.get(Duration.ofHours(2))).isEmpty();
        assertThat(reasonsByMinRetention.get(Duration.ofHours(2))).noneMatch(r -> r.contains("written-within"));
        assertThat(TopologyFixture.latest(alertsByMinRetention.get(Duration.ofHours(24))).values()).singleElement()
                .satisfies(a -> assertThat(a.summary()).contains("2 rows deleted", "both were written within the last 24h — "
                        + "younger than the shortest retention Airlock assumes for `airflow db clean` (rules.AL-013.min-retention)"));
        assertThat(reasonsByMinRetention.get(Duration.ofHours(24))).allMatch(r -> r.endsWith(" written-within-24h"));
    }

    @Test
    void shouldNameTheConfiguredMinRetentionInTheSummaryAsTheMarkDoes() {
        Map<Duration, String> written = Map.of(Duration.ofHours(2), "2h", Duration.ofMinutes(90), "90m", Duration.ofSeconds(30), "30s");
        written.forEach((minRetention, asWritten) -> {
            try (var deployment = new TopologyFixture(DetectionConfig.defaults().withMinRetention(minRetention))) {
                LogRow traces = LogRow.airflow3(1).event("patch_dag").owner("mallory").dag("etl").at(T0);
                deployment.log(traces.key(), traces.insert(), T0);
                LogRow clean = LogRow.airflow3(2).event("cli_cleanup_tables").owner("mallory").at(T0.plusSeconds(5));
                deployment.log(clean.key(), clean.insert(), clean.dttm());
                deployment.log(traces.key(), traces.deletedAt(T0.plusSeconds(10)), T0.plusSeconds(10));

                assertThat(TopologyFixture.latest(deployment.alertUpdates()).values()).as(asWritten).singleElement()
                        .satisfies(a -> assertThat(a.summary()).contains("it was written within the last " + asWritten + " — younger than"));
                assertThat(deployment.events()).filteredOn(e -> "log-row-deleted".equals(e.action())).singleElement()
                        .satisfies(e -> assertThat(e.reason()).endsWith(" written-within-" + asWritten));
            }
        });
    }

    @Test
    void shouldGiveEachReasonTheDeletesAreNoRetentionFor() {
        LogRow old = written("trigger", "alice", T0.minus(Duration.ofDays(90)));
        LogRow older = written("trigger", "alice", T0.minus(Duration.ofDays(91)));
        LogRow traces = written("patch_dag", "mallory", T0);
        deleted(old, T0.plusSeconds(60));
        deleted(older, T0.plusSeconds(61));
        deleted(traces, T0.plusSeconds(62));

        assertThat(TopologyFixture.latest(al013()).values()).singleElement()
                .satisfies(a -> assertThat(a.summary()).contains("3 rows deleted", "; 1 of them was written within the last 24h "
                        + "— younger than the shortest retention Airlock assumes for `airflow db clean` (rules.AL-013.min-retention); "
                        + "no `airflow db clean` before them"));
    }

    @Test
    void shouldTakeNoDeleteOfFreshRowsForRetentionAfterASnapshotRowWithAForgedFutureDttm() {
        Instant snapshot = T0.minus(Duration.ofHours(1));
        LogRow old = LogRow.airflow3(1).event("cli_task_run").owner("airflow").at(T0.minus(Duration.ofDays(30)));
        LogRow forged = LogRow.airflow3(2).event("cli_task_run").owner("airflow").at(Instant.parse("2099-01-01T00:00:00Z"));
        for (LogRow row : List.of(old, forged)) {
            fixture.log(row.key(), row.snapshotAt(snapshot), snapshot);
        }
        nextId = 3;
        LogRow traces = written("variable.edit", "mallory", T0);
        written("cli_cleanup_tables", "airflow", T0.plusSeconds(60));
        deleted(old, T0.plusSeconds(90));
        deleted(traces, T0.plusSeconds(120));

        assertThat(TopologyFixture.latest(al013()).values()).singleElement()
                .satisfies(a -> assertThat(a.summary()).contains("1 row deleted", "it was written within the last 24h"));
    }

    @Test
    void shouldTakeNoDeleteOfFreshRowsForRetentionAfterAnAuditRowWithAForgedHugeId() {
        LogRow old = written("cli_task_run", "airflow", T0.minus(Duration.ofDays(30)));
        Instant forgedAt = T0.minus(Duration.ofHours(60));
        LogRow forged = LogRow.airflow3(2_000_000_000L).event("cli_task_run").owner("airflow").at(forgedAt);
        fixture.log(forged.key(), forged.insert(), forgedAt); // INSERT INTO log (id, …) VALUES (2000000000, …)
        nextId = 200;
        for (Instant t = forgedAt.plusSeconds(300); t.isBefore(T0); t = t.plus(Duration.ofHours(1))) {
            written("cli_task_run", "airflow", t);
        }
        List<LogRow> traces = List.of(written("variable.edit", "mallory", T0), written("variable.edit", "mallory", T0.plusSeconds(60)),
                written("variable.edit", "mallory", T0.plusSeconds(120)));
        Instant clean = T0.plus(Duration.ofMinutes(20));
        written("cli_cleanup_tables", "airflow", clean); // or `airflow db clean --dry-run`
        deleted(old, clean.plusSeconds(30));
        traces.forEach(row -> deleted(row, clean.plusSeconds(60)));

        assertThat(TopologyFixture.latest(al013()).values()).singleElement().satisfies(a -> {
            assertThat(a.count()).isEqualTo(3);
            assertThat(a.summary()).contains("3 rows deleted", "all 3 were written within the last 24h");
        });
    }

    @Test
    void shouldAlwaysAlertOnARewrittenAuditRowAndOnTruncates() {
        LogRow patch = written("patch_dag", "mallory", T0);
        written("cli_cleanup_tables", "airflow", T0.plusSeconds(1));
        fixture.log(patch.key(), patch.owner("alice").updatedAt(T0.plusSeconds(30)), T0.plusSeconds(30));
        fixture.log(null, DebeziumEnvelope.truncate("log", T0.plusSeconds(40)), T0.plusSeconds(40));
        fixture.dagRun(null, DebeziumEnvelope.truncate("dag_run", T0.plusSeconds(50)), T0.plusSeconds(50));
        fixture.abUserRaw(null, DebeziumEnvelope.truncate("ab_user", T0.plusSeconds(60)), T0.plusSeconds(60));

        Map<String, Alert> alerts = TopologyFixture.latest(al013());
        assertThat(alerts.values()).extracting(Alert::entity)
                .containsExactlyInAnyOrder("airflow.log", "airflow.dag_run", "airflow.ab_user");
        assertThat(alerts.values()).filteredOn(a -> a.entity().equals("airflow.log")).singleElement()
                .satisfies(a -> assertThat(a.summary()).contains("table truncated", "1 row rewritten")
                        .endsWith(" — Airflow itself never does this"));
        assertThat(alerts.values()).filteredOn(a -> a.entity().equals("airflow.dag_run")).singleElement()
                .satisfies(a -> assertThat(a.summary()).startsWith("Airflow table dag_run: table truncated at 2026-03-03T11:00:50Z"));
        assertThat(fixture.deadLetters()).isEmpty();
    }

    @Test
    void shouldNeitherFailOnARowWithoutEventNorTakeAnAuditRowNamedLikeAChangeForOne() {
        written(null, "alice", T0);
        written("", "alice", T0.plusSeconds(1));
        written("log-row-deleted", "mallory", T0.plusSeconds(2));
        written("table-truncated", "mallory", T0.plusSeconds(3));

        assertThat(al013()).isEmpty();
        assertThat(fixture.deadLetters()).isEmpty();
    }

    @Test
    void shouldGroupADeletionSpreeIntoOneAlertWithAnExactCount() {
        for (int i = 0; i < 120; i++) {
            deleted(written("patch_dag", "mallory", T0.plusSeconds(i)), T0.plus(Duration.ofMinutes(10)).plusSeconds(i));
        }

        List<Alert> updates = al013();
        assertThat(TopologyFixture.latest(updates)).hasSize(1);
        Alert last = updates.get(updates.size() - 1);
        assertThat(last.count()).isEqualTo(120);
        assertThat(last.evidence()).hasSize(Alert.MAX_EVIDENCE);
        assertThat(last.summary()).contains("120 rows deleted");
    }

    @Test
    void shouldHonourTheTablesExceptionAndDisabling() {
        var excepted = DetectionConfig.defaults().withRule(RuleDefinition.AUDIT_TRAIL_TAMPERING,
                RuleDefinition.AUDIT_TRAIL_TAMPERING.defaults().withAllowEntities(Set.of("airflow.log")));
        var disabled = DetectionConfig.defaults().withRule(RuleDefinition.AUDIT_TRAIL_TAMPERING,
                RuleDefinition.AUDIT_TRAIL_TAMPERING.defaults().disabled());
        for (DetectionConfig config : List.of(excepted, disabled)) {
            try (var other = new TopologyFixture(config)) {
                LogRow row = LogRow.airflow3(1).event("patch_dag").owner("mallory").at(T0);
                other.log(row.key(), row.insert(), T0);
                other.log(row.key(), row.deletedAt(T0.plusSeconds(5)), T0.plusSeconds(5));
                assertThat(other.alertUpdates()).noneMatch(a -> a.ruleId().equals("AL-013"));
            }
        }
    }
}
