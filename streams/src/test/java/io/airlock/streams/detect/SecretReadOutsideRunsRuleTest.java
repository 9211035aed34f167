package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Severity;
import io.airlock.streams.DagRunRow;
import io.airlock.streams.DebeziumEnvelope;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.TopologyFixture;
import io.airlock.streams.VaultOperation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SecretReadOutsideRunsRuleTest {

    private static final Instant T10 = Instant.parse("2026-03-02T10:00:00Z");
    private static final String RUN_A = "scheduled__2026-03-02T00:00:00+00:00";
    private static final String RUN_B = "manual__2026-03-02T08:00:00+00:00";
    private final TopologyFixture fixture = new TopologyFixture();
    private long nextRowId = 100;

    @AfterEach
    void close() {
        fixture.close();
    }

    private static Instant at(String hhmmss) {
        return Instant.parse("2026-03-02T" + hhmmss + "Z");
    }

    /** Queued at {@code start} minus 10 s, running at {@code start}, and — when {@code end} is given — finished at it. */
    private void run(long id, String dag, String runId, Instant start, Instant end) {
        var row = DagRunRow.airflow2(id, dag, runId).queuedAt(start.minusSeconds(10));
        fixture.dagRun(row.key(), row.insert(start.minusSeconds(10)), start.minusSeconds(10));
        row.state("running").startDate(start);
        fixture.dagRun(row.key(), row.update(start), start);
        if (end != null) {
            row.state("success").endDate(end);
            fixture.dagRun(row.key(), row.update(end), end);
        }
    }

    /** Moves the rule's stream time to {@code t} with an unrelated queued run (which covers no reads). */
    private void streamTimeTo(Instant t) {
        var row = DagRunRow.airflow2(nextRowId++, "clock", "scheduled__" + t).queuedAt(t);
        fixture.dagRun(row.key(), row.insert(t), t);
    }

    /** A progress marker of the normalization task of partition {@code task}: it has come to {@code at}. */
    private static TestRecord<String, NormalizedEvent> marker(String task, Instant at) {
        return new TestRecord<>("airflow", null, fromTask(task), at);
    }

    private static TestRecord<String, NormalizedEvent> serviceRead(String task, String kvPath, Instant at) {
        NormalizedEvent read = NormalizedEvent.builder(at, "read-" + at, NormalizedEvent.DATASET_VAULT).action("read")
                .vaultOperation("read").vaultIdentity("ent-airflow").userName("approle-airflow").vaultKvPath(kvPath)
                .vaultPath(kvPath.replaceFirst("/", "/data/")).build();
        return new TestRecord<>("airflow", read, fromTask(task), at);
    }

    private static TestRecord<String, NormalizedEvent> runChange(String task, String action, Instant at) {
        NormalizedEvent change = NormalizedEvent.builder(at, action + "-" + at, NormalizedEvent.DATASET_DAG_RUN).action(action)
                .dagId("etl").runId(RUN_A).build();
        return new TestRecord<>("airflow", change, fromTask(task), at);
    }

    private static TestRecord<String, NormalizedEvent> truncate(String task, Instant at) {
        NormalizedEvent truncate = NormalizedEvent.builder(at, "truncate-" + at, NormalizedEvent.DATASET_DAG_RUN)
                .action("table-truncated").build();
        return new TestRecord<>("airflow", truncate, fromTask(task), at);
    }

    private static Headers fromTask(String task) {
        return new RecordHeaders().add(UpstreamProgress.HEADER, task.getBytes(StandardCharsets.UTF_8));
    }

    private static VaultOperation workerReads(String path, Instant t) {
        return VaultOperation.read(path).by("approle-airflow", "ent-airflow").at(t);
    }

    private List<Alert> al022() {
        return fixture.alertUpdates().stream().filter(a -> a.ruleId().equals("AL-022")).toList();
    }

    @Test
    void shouldDecideAPendingReadByTheWallClockWhenAirflowGoesIdle() {
        run(1, "etl", RUN_A, T10, at("10:10:00"));
        workerReads("airflow/data/connections/warehouse", at("10:30:00")).pipeTo(fixture);
        assertThat(al022()).as("no later event moves stream time").isEmpty();

        fixture.advanceWallClock(java.time.Duration.ofSeconds(10));
        assertThat(al022()).as("pending for less than the idle delay").isEmpty();
        fixture.advanceWallClock(java.time.Duration.ofSeconds(30));

        assertThat(al022()).singleElement().satisfies(alert -> assertThat(alert.entity()).isEqualTo("ent-airflow"));
    }

    @Test
    void shouldWaitForTheSlowestTaskWritingItsInputBeforeDecidingARead() {
        TestInputTopic<String, NormalizedEvent> activity = fixture.repartitionTopic(SecretReadOutsideRunsRule.TOPIC);
        activity.pipeInput(marker("1", at("10:00:00"))); // the task with the dag_run rows, about to fall behind
        activity.pipeInput(serviceRead("0", "airflow/connections/warehouse", at("10:30:00")));
        activity.pipeInput(serviceRead("0", "airflow/connections/payments", at("10:50:00")));
        activity.pipeInput(marker("0", at("11:30:00"))); // stream time 11:30: both reads are past their grace in it

        assertThat(al022()).as("task 1 has only come to 10:00").isEmpty();

        activity.pipeInput(runChange("1", "dag-run-running", at("10:25:00")));
        activity.pipeInput(runChange("1", "dag-run-success", at("10:40:00")));
        activity.pipeInput(marker("1", at("11:30:00")));

        assertThat(al022()).singleElement().satisfies(alert -> {
            assertThat(alert.count()).as("only the read after the run").isEqualTo(1);
            assertThat(alert.firstSeen()).isEqualTo(at("10:50:00"));
            assertThat(alert.summary()).contains("airflow/connections/payments").doesNotContain("warehouse");
        });
    }

    @Test
    void shouldJudgeAReadStampedDaysAheadAtItsCappedRecordTimeInsteadOfHoldingItForDays() {
        try (var live = new TopologyFixture(DetectionConfig.defaults(), at("10:30:00"))) {
            var row = DagRunRow.airflow2(1, "etl", RUN_A).queuedAt(at("10:24:50")).state("running").startDate(at("10:25:00"));
            live.dagRun(row.key(), row.insert(at("10:25:00")), at("10:25:00"));
            // a Vault node three days ahead, its line arriving at 10:30: the normalizer caps its record timestamp
            VaultOperation ahead = workerReads("airflow/data/connections/warehouse", at("10:30:00").plus(Duration.ofDays(3)));
            live.vaultAudit(ahead.responseLine().key(), ahead.responseLine().json(), at("10:30:00"));
            live.advanceWallClockTo(at("11:30:00"));
            var clock = DagRunRow.airflow2(99, "clock", "clock").queuedAt(at("11:30:00"));
            live.dagRun(clock.key(), clock.insert(at("11:30:00")), at("11:30:00"));

            org.apache.kafka.streams.state.KeyValueStore<String, NormalizedEvent> pending =
                    live.keyValueStore(SecretReadOutsideRunsRule.PENDING_STORE);
            try (var all = pending.all()) {
                assertThat(all.hasNext()).as("decided, not kept until the clock reaches Vault's").isFalse();
            }
            assertThat(live.alertUpdates()).as("the run was running when the read came").noneMatch(a -> a.ruleId().equals("AL-022"));
        }
    }

    @Test
    void shouldStopWaitingForATaskThatHasBeenSilentForHalfAMinute() {
        TestInputTopic<String, NormalizedEvent> activity = fixture.repartitionTopic(SecretReadOutsideRunsRule.TOPIC);
        activity.pipeInput(marker("1", at("10:00:00")));
        activity.pipeInput(serviceRead("0", "airflow/connections/payments", at("10:50:00")));
        activity.pipeInput(marker("0", at("11:30:00")));
        assertThat(al022()).isEmpty();

        fixture.advanceWallClock(UpstreamProgress.ACTIVE_FOR);
        activity.pipeInput(marker("0", at("11:31:00")));

        assertThat(al022()).singleElement().satisfies(alert -> assertThat(alert.firstSeen()).isEqualTo(at("10:50:00")));
    }

    @Test
    void shouldKnowAirflowByItsAppRoleRoleNameSinceEveryAppRoleTokenIsNamedApprole() {
        run(1, "etl", RUN_A, T10, at("10:10:00"));
        VaultOperation.read("airflow/data/connections/warehouse").byAppRole("airflow-workers", "ent-7").at(at("10:30:00")).pipeTo(fixture);
        VaultOperation.read("airflow/data/connections/payments").byAppRole("reporting", "ent-8").at(at("10:30:00")).pipeTo(fixture);
        streamTimeTo(at("11:00:00"));

        assertThat(al022()).singleElement().satisfies(alert -> assertThat(alert.entity()).isEqualTo("ent-7"));
    }

    @Test
    void shouldNotAlertOnReadsDuringARun() {
        run(1, "etl", RUN_A, T10, at("10:10:00"));
        workerReads("airflow/data/connections/warehouse", at("10:05:00")).pipeTo(fixture);
        streamTimeTo(at("11:00:00"));

        assertThat(al022()).isEmpty();
    }

    @Test
    void shouldRaiseAHighAlertForAReadWhileNoRunIsRunningOnceTheGraceHasPassed() {
        run(1, "etl", RUN_A, T10, at("10:10:00"));
        workerReads("airflow/data/connections/warehouse", at("10:30:00")).pipeTo(fixture);
        streamTimeTo(at("10:31:59"));
        assertThat(al022()).as("undecided within the grace").isEmpty();

        streamTimeTo(at("10:32:00").plus(VaultOperation.LATENCY)); // read time (the response's) + 2 min grace

        assertThat(al022()).singleElement().satisfies(alert -> {
            assertThat(alert.severity()).isEqualTo(Severity.HIGH);
            assertThat(alert.entity()).isEqualTo("ent-airflow");
            assertThat(alert.count()).isEqualTo(1);
            assertThat(alert.firstSeen()).isEqualTo(at("10:30:00").plus(VaultOperation.LATENCY));
            assertThat(alert.techniqueIds()).contains("T1552");
            assertThat(alert.runbook()).isEqualTo("docs/runbooks/AL-022-secret-read-outside-dag-runs.md");
            assertThat(alert.summary()).contains("approle-airflow", "airflow/connections/warehouse", "from 10.0.4.17",
                    "the latest read: no DAG run was running");
        });
    }

    @Test
    void shouldNameTheLatestAddressAsTheLatestWhenSeveralReadsAreCounted() {
        run(1, "etl", RUN_A, T10, at("10:10:00"));
        workerReads("airflow/data/connections/warehouse", at("10:30:00")).pipeTo(fixture);
        workerReads("airflow/data/connections/payments", at("10:30:10")).from("10.0.9.99").pipeTo(fixture);
        streamTimeTo(at("10:33:00"));

        assertThat(al022()).last().satisfies(alert -> {
            assertThat(alert.count()).isEqualTo(2);
            assertThat(alert.summary()).contains("the latest from 10.0.9.99").doesNotContain("10.0.4.17");
        });
    }

    @Test
    void shouldTakeARunAsEndedAtItsCommitWhenItsEndDateIsLater() {
        // a run whose end_date (a forged row, or a scheduler clock a year ahead) lies after the commit that ended it
        var row = DagRunRow.airflow2(1, "etl", RUN_A).queuedAt(T10.minusSeconds(10));
        fixture.dagRun(row.key(), row.insert(T10.minusSeconds(10)), T10.minusSeconds(10));
        row.state("running").startDate(T10);
        fixture.dagRun(row.key(), row.update(T10), T10);
        row.state("success").endDate(T10.plus(Duration.ofDays(365)));
        fixture.dagRun(row.key(), row.update(at("10:10:00")), at("10:10:00"));

        workerReads("airflow/data/connections/warehouse", at("10:30:00")).pipeTo(fixture);
        streamTimeTo(at("10:32:00").plus(VaultOperation.LATENCY));

        assertThat(al022()).singleElement().satisfies(alert -> {
            assertThat(alert.entity()).isEqualTo("ent-airflow");
            assertThat(alert.summary()).contains("no DAG run was running");
        });
    }

    @Test
    void shouldAllowTheGraceBeforeARunStartsAndAfterItEnds() {
        workerReads("airflow/data/connections/warehouse", at("09:58:30")).pipeTo(fixture);
        run(1, "etl", RUN_A, T10, at("10:10:00"));
        workerReads("airflow/data/variables/bucket", at("10:11:30")).pipeTo(fixture);
        streamTimeTo(at("11:00:00"));

        assertThat(al022()).isEmpty();
    }

    /** A read whose response Vault wrote at {@code at}: the event's time. */
    private static VaultOperation workerReadRespondedAt(String path, Instant at) {
        return workerReads(path, at.minus(VaultOperation.LATENCY));
    }

    /** The grace holds both its ends: a read exactly 2 min before a run starts or after it ends is inside it, 1 s more is not. */
    @Test
    void shouldCountAReadExactlyTheGraceOutsideARunAsInsideItButNotOneSecondMore() {
        run(1, "etl", RUN_A, T10, at("10:10:00"));
        workerReadRespondedAt("airflow/data/connections/before-edge", at("09:58:00")).pipeTo(fixture);
        workerReadRespondedAt("airflow/data/connections/before-out", at("09:57:59")).pipeTo(fixture);
        workerReadRespondedAt("airflow/data/connections/after-edge", at("10:12:00")).pipeTo(fixture);
        workerReadRespondedAt("airflow/data/connections/after-out", at("10:12:01")).pipeTo(fixture);
        streamTimeTo(at("11:00:00"));

        assertThat(TopologyFixture.latest(al022()).values()).singleElement().satisfies(alert -> {
            assertThat(alert.count()).isEqualTo(2);
            assertThat(alert.firstSeen()).isEqualTo(at("09:57:59"));
            assertThat(alert.lastSeen()).isEqualTo(at("10:12:01"));
            assertThat(alert.summary()).contains("airflow/connections/before-out", "airflow/connections/after-out")
                    .doesNotContain("edge");
        });
    }

    @Test
    void shouldWaitForARunStartThatArrivesAfterTheRead() {
        workerReads("airflow/data/connections/warehouse", at("10:00:05")).pipeTo(fixture);
        workerReads("airflow/data/connections/warehouse", at("10:01:00")).pipeTo(fixture);
        run(1, "etl", RUN_A, T10, null); // CDC behind Vault by a minute
        streamTimeTo(at("10:30:00"));

        assertThat(al022()).isEmpty();
    }

    @Test
    void shouldAlertOnAReadAttributedToARunThatWasNotRunningEvenInsideAnotherRun() {
        run(1, "etl", RUN_B, at("08:00:00"), at("08:20:00"));
        run(2, "etl", RUN_A, T10, at("10:30:00"));
        workerReads("airflow/data/connections/warehouse", at("10:05:00")).attributedTo("etl", RUN_A).pipeTo(fixture);
        workerReads("airflow/data/connections/payments", at("10:06:00")).attributedTo("etl", RUN_B).pipeTo(fixture);
        workerReads("airflow/data/connections/crm", at("10:07:00")).attributedTo(null, "manual__never-seen").pipeTo(fixture);
        streamTimeTo(at("11:00:00"));

        List<Alert> updates = al022();
        assertThat(updates).hasSize(2);
        assertThat(updates.get(0).summary()).contains("airflow/connections/payments", "etl/" + RUN_B, "was not running");
        assertThat(updates.get(1).count()).isEqualTo(2);
        assertThat(updates.get(1).summary()).contains("manual__never-seen", "does not know (never seen, or ended more than 24 h before)");
        assertThat(TopologyFixture.latest(updates)).hasSize(1);
    }

    @Test
    void shouldTakeADeletedRunningRunAsEndedWhenItWasDeleted() {
        run(1, "etl", RUN_A, T10, null);
        var row = DagRunRow.airflow2(1, "etl", RUN_A);
        fixture.dagRun(row.key(), row.change("d", at("10:10:00"), null), at("10:10:00")); // deleted in the UI while running
        workerReads("airflow/data/connections/warehouse", at("10:05:00")).pipeTo(fixture);
        workerReads("airflow/data/connections/warehouse", at("10:30:00")).pipeTo(fixture);
        streamTimeTo(at("11:00:00"));

        assertThat(al022()).singleElement().satisfies(a -> {
            assertThat(a.firstSeen()).isEqualTo(at("10:30:00").plus(VaultOperation.LATENCY));
            assertThat(a.summary()).contains("no DAG run was running");
        });
    }

    @Test
    void shouldTakeEveryRunRunningAtATruncateOfDagRunAsEndedThen() {
        run(1, "etl", RUN_A, T10, null);
        run(2, "reports", RUN_B, at("10:01:00"), null);
        // TRUNCATE dag_run while both run: no key, no rows
        fixture.dagRun(null, DebeziumEnvelope.truncate("dag_run", at("10:05:00")), at("10:05:00"));
        workerReads("airflow/data/connections/warehouse", at("10:02:00")).pipeTo(fixture);
        workerReads("airflow/data/connections/warehouse", at("10:04:59")).pipeTo(fixture);
        workerReads("airflow/data/connections/aws_prod", at("12:00:00")).pipeTo(fixture);
        streamTimeTo(at("13:00:00"));

        List<Alert> alerts = fixture.alertUpdates();
        assertThat(alerts).filteredOn(a -> a.ruleId().equals("AL-022")).as("the reads inside the runs, before the truncate, are covered")
                .singleElement().satisfies(a -> {
                    assertThat(a.count()).isEqualTo(1);
                    assertThat(a.firstSeen()).isEqualTo(at("12:00:00").plus(VaultOperation.LATENCY));
                    assertThat(a.summary()).contains("aws_prod", "no DAG run was running").doesNotContain("warehouse");
                });
        assertThat(alerts).as("the truncate is AL-013 itself").anySatisfy(a -> assertThat(a.ruleId()).isEqualTo("AL-013"));
    }

    @Test
    void shouldEndARunAtATruncateThatArrivedBeforeItsStartFromASlowerTask() {
        TestInputTopic<String, NormalizedEvent> activity = fixture.repartitionTopic(SecretReadOutsideRunsRule.TOPIC);
        activity.pipeInput(marker("1", at("09:59:00"))); // the task with the run's rows, behind
        activity.pipeInput(truncate("0", at("10:05:00"))); // keyless: on another partition, so another task
        activity.pipeInput(serviceRead("0", "airflow/connections/payments", at("11:00:00")));
        activity.pipeInput(marker("0", at("11:30:00")));
        activity.pipeInput(runChange("1", "dag-run-running", at("10:00:00"))); // running when the table was truncated
        activity.pipeInput(marker("1", at("11:30:00")));

        assertThat(al022()).singleElement().satisfies(alert -> {
            assertThat(alert.firstSeen()).isEqualTo(at("11:00:00"));
            assertThat(alert.summary()).contains("no DAG run was running");
        });
    }

    @Test
    void shouldLetARunStartedAfterATruncateCoverItsReads() {
        run(1, "etl", RUN_A, T10, null);
        fixture.dagRun(null, DebeziumEnvelope.truncate("dag_run", at("10:05:00")), at("10:05:00"));
        run(2, "etl", RUN_B, at("10:30:00"), null); // Airflow goes on scheduling: a new row
        workerReads("airflow/data/connections/warehouse", at("11:00:00")).pipeTo(fixture);
        streamTimeTo(at("12:00:00"));

        assertThat(al022()).isEmpty();
    }

    @Test
    void shouldNotTakeAFinishedRunAsRunningUntilItIsDeleted() {
        run(1, "etl", RUN_A, T10, at("10:10:00"));
        workerReads("airflow/data/connections/warehouse", at("11:59:00")).pipeTo(fixture);
        var row = DagRunRow.airflow2(1, "etl", RUN_A);
        fixture.dagRun(row.key(), row.change("d", at("12:00:00"), row), at("12:00:00"));
        streamTimeTo(at("13:00:00"));

        assertThat(al022()).singleElement().satisfies(a -> assertThat(a.firstSeen()).isEqualTo(at("11:59:00").plus(VaultOperation.LATENCY)));
    }

    @Test
    void shouldKnowRunsThatWereAlreadyRunningWhenTheSnapshotWasTaken() {
        var row = DagRunRow.airflow3(7, "etl", RUN_A).queuedAt(at("09:00:00")).startDate(at("09:00:05")).state("running");
        fixture.dagRun(row.key(), row.change("r", T10, null), T10);
        workerReads("airflow/data/connections/warehouse", at("10:05:00")).pipeTo(fixture);
        streamTimeTo(at("11:00:00"));

        assertThat(al022()).isEmpty();
    }

    @Test
    void shouldNotLetASnapshotRowOfALaterRunDecideAnEarlierReadBeforeItsOwnRunIsKnown() {
        // the snapshot takes each row at its queued_at; a run queued at 10:00 that started at 11:00 says "running" at 11:00
        var later = DagRunRow.airflow2(1, "x", "rx").queuedAt(at("10:00:00")).startDate(at("11:00:00")).state("running");
        fixture.dagRun(later.key(), later.change("r", at("12:10:00"), null), at("12:10:00"));
        workerReads("airflow/data/variables/y_cfg", at("10:30:00")).pipeTo(fixture);
        var own = DagRunRow.airflow2(2, "y", "ry").queuedAt(at("10:31:00")).startDate(at("10:31:00")).state("success")
                .endDate(at("10:40:00"));
        fixture.dagRun(own.key(), own.change("r", at("12:10:00"), null), at("12:10:00"));
        streamTimeTo(at("12:20:00"));

        assertThat(al022()).as("the read is a minute before y's run: within the grace").isEmpty();
    }

    @Test
    void shouldKnowRunsFirstSeenInAnUpdateWithOrWithoutBeforeImageAsAReplayOfAnExcerptDoes() {
        var running = DagRunRow.airflow2(1, "etl", RUN_A).queuedAt(at("10:00:00")).startDate(at("10:00:05")).state("running");
        fixture.dagRun(running.key(), running.change("u", at("10:05:00"), running), at("10:05:00"));
        var finished = DagRunRow.airflow2(2, "load", "scheduled__b").queuedAt(at("09:50:00")).startDate(at("09:50:00"))
                .state("success").endDate(at("10:20:00"));
        fixture.dagRun(finished.key(), finished.change("u", at("10:20:01"), null), at("10:20:01"));
        workerReads("airflow/data/variables/etl_cfg", at("10:06:00")).attributedTo("etl", RUN_A).pipeTo(fixture);
        workerReads("airflow/data/variables/load_cfg", at("10:07:00")).attributedTo("load", "scheduled__b").pipeTo(fixture);
        streamTimeTo(at("11:00:00"));

        assertThat(al022()).isEmpty();
    }

    @Test
    void shouldCoverEveryRunningSpanOfAClearedRun() {
        var row = DagRunRow.airflow2(3, "etl", RUN_A).queuedAt(at("09:00:00"));
        fixture.dagRun(row.key(), row.insert(at("09:00:00")), at("09:00:00"));
        fixture.dagRun(row.key(), row.state("running").startDate(at("09:00:05")).update(at("09:00:05")), at("09:00:05"));
        fixture.dagRun(row.key(), row.state("failed").endDate(at("09:10:00")).update(at("09:10:00")), at("09:10:00"));
        fixture.dagRun(row.key(), row.state("queued").clearNumber(1).endDate(null).update(at("10:00:00")), at("10:00:00"));
        fixture.dagRun(row.key(), row.state("running").startDate(at("10:00:05")).update(at("10:00:05")), at("10:00:05"));
        workerReads("airflow/data/connections/warehouse", at("09:05:00")).attributedTo("etl", RUN_A).pipeTo(fixture);
        workerReads("airflow/data/connections/warehouse", at("10:20:00")).attributedTo("etl", RUN_A).pipeTo(fixture);
        workerReads("airflow/data/connections/warehouse", at("09:40:00")).attributedTo("etl", RUN_A).pipeTo(fixture);
        streamTimeTo(at("11:00:00"));

        assertThat(al022()).singleElement().satisfies(a -> assertThat(a.firstSeen()).isEqualTo(at("09:40:00").plus(VaultOperation.LATENCY)));
    }

    @Test
    void shouldIgnoreOtherIdentitiesAndCountADuplicatedReadOnce() {
        VaultOperation.read("airflow/data/connections/warehouse").by("userpass-alice", "ent-alice").at(at("10:30:00")).pipeTo(fixture);
        VaultOperation outside = workerReads("airflow/data/connections/warehouse", at("10:40:00"));
        outside.pipeTo(fixture);
        outside.pipeTo(fixture);
        streamTimeTo(at("11:00:00"));

        assertThat(al022()).singleElement().satisfies(a -> {
            assertThat(a.entity()).isEqualTo("ent-airflow");
            assertThat(a.evidence()).hasSize(1);
        });
    }

    @Test
    void shouldHonourAConfiguredGrace() {
        var config = DetectionConfig.defaults().withRule(RuleDefinition.SECRET_READ_OUTSIDE_RUNS, RuleSettings.of(1, Duration.ofMinutes(30)));
        try (var lenient = new TopologyFixture(config)) {
            var row = DagRunRow.airflow2(1, "etl", RUN_A).queuedAt(T10).state("running").startDate(T10);
            lenient.dagRun(row.key(), row.insert(T10), T10);
            lenient.vaultAudit("r-1", workerReads("airflow/data/connections/warehouse", at("09:35:00")).responseLine().json(), at("09:35:00"));
            var clock = DagRunRow.airflow2(99, "clock", "clock").queuedAt(at("12:00:00"));
            lenient.dagRun(clock.key(), clock.insert(at("12:00:00")), at("12:00:00"));
            assertThat(lenient.alertUpdates()).noneMatch(a -> a.ruleId().equals("AL-022"));
        }
    }

    @Test
    void shouldRaiseNothingWhenDisabled() {
        var config = DetectionConfig.defaults().withRule(RuleDefinition.SECRET_READ_OUTSIDE_RUNS,
                RuleDefinition.SECRET_READ_OUTSIDE_RUNS.defaults().disabled());
        try (var disabled = new TopologyFixture(config)) {
            disabled.vaultAudit("r-1", workerReads("airflow/data/connections/warehouse", T10).responseLine().json(), T10);
            var clock = DagRunRow.airflow2(99, "clock", "clock").queuedAt(at("12:00:00"));
            disabled.dagRun(clock.key(), clock.insert(at("12:00:00")), at("12:00:00"));
            assertThat(disabled.alertUpdates()).noneMatch(a -> a.ruleId().equals("AL-022"));
        }
    }
}
