package io.airlock.streams.normalize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.airlock.core.Json;
import io.airlock.core.NormalizedEvent;
import io.airlock.streams.DagRunRow;
import io.airlock.streams.TopologyFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DagRunNormalizerTest {

    private static final Instant T0 = Instant.parse("2026-03-02T22:15:00.250Z");
    private final TopologyFixture fixture = new TopologyFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private void pipe(DagRunRow run, String change, Instant at) {
        fixture.dagRun(run.key(), change, at);
    }

    @Test
    void shouldMapAnAirflow2ManualRunInsertToACreatedEventAtItsQueuedTime() {
        var run = DagRunRow.airflow2(1, "etl", "manual__2026-03-02T22:15:00+00:00").runType("manual").queuedAt(T0);
        pipe(run, run.insert(T0.plusMillis(3)), T0.plusMillis(3));

        List<TestRecord<String, NormalizedEvent>> records = fixture.eventRecords();
        assertThat(records).hasSize(1);
        assertThat(records.get(0).key()).isEmpty();
        assertThat(records.get(0).getRecordTime()).isEqualTo(T0);
        NormalizedEvent event = records.get(0).value();
        assertThat(event).extracting(NormalizedEvent::timestamp, NormalizedEvent::dataset, NormalizedEvent::category,
                NormalizedEvent::action, NormalizedEvent::dagId, NormalizedEvent::runId, NormalizedEvent::runType,
                NormalizedEvent::state, NormalizedEvent::userName)
                .containsExactly(T0, "airflow.dag_run", "process", "dag-run-created", "etl", "manual__2026-03-02T22:15:00+00:00",
                        "manual", "queued", null);
    }

    /** A manual run whose {@code queued_at} holds no usable time is created at its commit time, as one with a null one. */
    @Test
    void shouldCreateARunWhoseQueuedAtIsNoUsableTimeAtItsCommitAsANullOne() {
        List<String> queued = List.of("\"1969-12-31T23:00:00Z\"", "\"infinity\"", "\"2026-03-02 22:15:00+00\"", "-5000", "null");
        for (int i = 0; i < queued.size(); i++) {
            var run = DagRunRow.airflow3(40 + i, "etl", "manual__" + i).runType("manual").triggeringUser("alice")
                    .queuedAt(Instant.parse("2026-01-01T00:00:00Z"));
            Instant committed = T0.plusSeconds(i);
            pipe(run, run.insert(committed).replace("\"queued_at\":\"2026-01-01T00:00:00Z\"", "\"queued_at\":" + queued.get(i)),
                    committed);
        }

        assertThat(fixture.deadLetters()).isEmpty();
        assertThat(fixture.events()).extracting(NormalizedEvent::runId, NormalizedEvent::action, NormalizedEvent::timestamp)
                .containsExactly(tuple("manual__0", "dag-run-created", T0), tuple("manual__1", "dag-run-created", T0.plusSeconds(1)),
                        tuple("manual__2", "dag-run-created", T0.plusSeconds(2)), tuple("manual__3", "dag-run-created", T0.plusSeconds(3)),
                        tuple("manual__4", "dag-run-created", T0.plusSeconds(4)));
    }

    @Test
    void shouldMapAirflow3StateChangesWithoutBeforeImagesToRunningAndSuccessOfTheTriggeringUser() {
        Instant started = T0.plusSeconds(2);
        Instant ended = T0.plusSeconds(95);
        var run = DagRunRow.airflow3(2, "etl", "manual__2026-03-02T22:15:00+00:00").runType("manual").triggeringUser("alice")
                .queuedAt(T0);
        pipe(run, run.insert(T0), T0);
        pipe(run, run.state("running").startDate(started).update(started.plusMillis(10)), started.plusMillis(10));
        pipe(run, run.update(T0.plusSeconds(30)), T0.plusSeconds(30)); // scheduler touches the row, state unchanged
        pipe(run, run.state("success").endDate(ended).update(ended.plusMillis(10)), ended.plusMillis(10));

        List<TestRecord<String, NormalizedEvent>> records = fixture.eventRecords();
        assertThat(records).extracting(TestRecord::key).containsOnly("alice");
        assertThat(records).extracting(TestRecord::value)
                .extracting(NormalizedEvent::action, NormalizedEvent::timestamp, NormalizedEvent::state, NormalizedEvent::outcome)
                .containsExactly(tuple("dag-run-created", T0, "queued", null), tuple("dag-run-running", started, "running", null),
                        tuple("dag-run-success", ended, "success", "success"));
        assertThat(records).extracting(TestRecord::value).allSatisfy(e -> {
            assertThat(e.userName()).isEqualTo("alice");
            assertThat(e.relatedUsers()).containsExactly("alice");
            assertThat(e.runType()).isEqualTo("manual");
        });
    }

    @Test
    void shouldTakeAnUpdateOfARunItDoesNotKnowAsItsFirstSightWithOrWithoutBeforeImage() {
        var before = DagRunRow.airflow2(3, "etl", "scheduled__2026-03-01").state("running").queuedAt(T0).startDate(T0);
        var failed = DagRunRow.airflow2(3, "etl", "scheduled__2026-03-01").state("failed").queuedAt(T0).startDate(T0)
                .endDate(T0.plusSeconds(60));
        var stillRunning = DagRunRow.airflow2(4, "etl", "scheduled__2026-03-02").state("running").queuedAt(T0).startDate(T0);
        pipe(failed, failed.change("u", T0.plusSeconds(61), before), T0.plusSeconds(61));
        // the scheduler's last_scheduling_decision: the before image (REPLICA IDENTITY FULL) has the same state
        pipe(stillRunning, stillRunning.change("u", T0.plusSeconds(62), stillRunning), T0.plusSeconds(62));
        pipe(stillRunning, stillRunning.change("u", T0.plusSeconds(63), stillRunning), T0.plusSeconds(63));

        assertThat(fixture.events()).extracting(NormalizedEvent::runId, NormalizedEvent::action, NormalizedEvent::timestamp)
                .containsExactly(tuple("scheduled__2026-03-01", "dag-run-created", T0),
                        tuple("scheduled__2026-03-01", "dag-run-failed", T0.plusSeconds(60)),
                        tuple("scheduled__2026-03-02", "dag-run-created", T0),
                        tuple("scheduled__2026-03-02", "dag-run-running", T0));
    }

    @Test
    void shouldCompareAQueuedRunItDoesNotKnowWithItsBeforeImage() {
        var failed = DagRunRow.airflow2(9, "etl", "scheduled__2026-03-01").state("failed").queuedAt(T0).startDate(T0)
                .endDate(T0.plusSeconds(60));
        var queued = DagRunRow.airflow2(9, "etl", "scheduled__2026-03-01").state("queued").queuedAt(T0.plusSeconds(600));
        var stillQueued = DagRunRow.airflow2(10, "etl", "scheduled__2026-03-02").state("queued").queuedAt(T0);
        pipe(queued, queued.change("u", T0.plusSeconds(600), failed), T0.plusSeconds(600));
        pipe(stillQueued, stillQueued.change("u", T0.plusSeconds(601), stillQueued), T0.plusSeconds(601));

        assertThat(fixture.events()).extracting(NormalizedEvent::runId, NormalizedEvent::action)
                .containsExactly(tuple("scheduled__2026-03-01", "dag-run-queued"));
    }

    @Test
    void shouldReportTheCurrentStateOfARunSeenFirstInAnUpdateWithoutBeforeImage() {
        var run = DagRunRow.airflow3(5, "etl", "scheduled__2026-03-02").state("running").startDate(T0);
        pipe(run, run.update(T0.plusSeconds(5)), T0.plusSeconds(5));

        assertThat(fixture.events()).extracting(NormalizedEvent::action).containsExactly("dag-run-created", "dag-run-running");
    }

    @Test
    void shouldReportRunningRunsOfASnapshotAndPrimeTheirState() {
        var running = DagRunRow.airflow3(6, "etl", "scheduled__2026-03-02").state("running").queuedAt(T0).startDate(T0.plusSeconds(1));
        var done = DagRunRow.airflow3(7, "etl", "scheduled__2026-03-01").state("success").queuedAt(T0.minusSeconds(86_400))
                .startDate(T0.minusSeconds(86_399)).endDate(T0.minusSeconds(86_000));
        pipe(running, running.change("r", T0.plusSeconds(10), null), T0.plusSeconds(10));
        pipe(done, done.change("r", T0.plusSeconds(10), null), T0.plusSeconds(10));
        pipe(running, running.update(T0.plusSeconds(20)), T0.plusSeconds(20));
        pipe(running, running.state("failed").endDate(T0.plusSeconds(30)).update(T0.plusSeconds(31)), T0.plusSeconds(31));

        assertThat(fixture.events()).extracting(NormalizedEvent::runId, NormalizedEvent::action, NormalizedEvent::timestamp)
                .containsExactly(tuple("scheduled__2026-03-02", "dag-run-created", T0),
                        tuple("scheduled__2026-03-02", "dag-run-running", T0.plusSeconds(1)),
                        tuple("scheduled__2026-03-01", "dag-run-created", T0.minusSeconds(86_400)),
                        tuple("scheduled__2026-03-01", "dag-run-success", T0.minusSeconds(86_000)),
                        tuple("scheduled__2026-03-02", "dag-run-failed", T0.plusSeconds(30)));
    }

    @Test
    void shouldReportAClearedRunQueuedAgainAtItsCommitTime() {
        var run = DagRunRow.airflow2(8, "etl", "scheduled__2026-03-01").state("failed").queuedAt(T0).startDate(T0)
                .endDate(T0.plusSeconds(60));
        pipe(run, run.change("r", T0.plusSeconds(70), null), T0.plusSeconds(70));
        fixture.events();
        Instant cleared = T0.plusSeconds(600);
        pipe(run, run.state("queued").startDate(null).endDate(null).clearNumber(1).update(cleared), cleared);

        assertThat(fixture.events()).extracting(NormalizedEvent::action, NormalizedEvent::timestamp)
                .containsExactly(tuple("dag-run-queued", cleared));
    }

    @Test
    void shouldGiveTheCreatedEventOfALiveInsertAndALaterSnapshotTheSameId() {
        var run = DagRunRow.airflow3(9, "etl", "manual__x").runType("manual").queuedAt(T0);
        pipe(run, run.insert(T0), T0);
        pipe(run, run.change("r", T0.plusSeconds(3600), null), T0.plusSeconds(3600));

        List<NormalizedEvent> events = fixture.events();
        assertThat(events).hasSize(2);
        assertThat(events.get(1).id()).isEqualTo(events.get(0).id());
    }

    @Test
    void shouldForgetFinishedRunsAfterTheRetentionButKeepUnfinishedOnes() {
        var finished = DagRunRow.airflow3(10, "etl", "a").state("success").startDate(T0).endDate(T0.plusSeconds(5));
        var running = DagRunRow.airflow3(11, "etl", "b").state("running").startDate(T0);
        pipe(finished, finished.insert(T0.plusSeconds(6)), T0.plusSeconds(6));
        pipe(running, running.insert(T0.plusSeconds(6)), T0.plusSeconds(6));
        KeyValueStore<String, DagRunState> store = fixture.keyValueStore(DagRunNormalizer.STORE);
        assertThat(store.get(finished.key())).isNotNull();

        Instant later = T0.plus(DagRunNormalizer.FINISHED_RETENTION).plus(DagRunNormalizer.PRUNE_INTERVAL).plus(Duration.ofMinutes(1));
        var next = DagRunRow.airflow3(12, "etl", "c").queuedAt(later);
        pipe(next, next.insert(later), later);

        assertThat(store.get(finished.key())).isNull();
        assertThat(store.get(running.key())).isEqualTo(new DagRunState("running", T0.plusSeconds(6).toEpochMilli(), "etl", "b"));
        assertThat(store.get(next.key())).isNotNull();
    }

    @Test
    void shouldNameADeletedRunFromItsLastStateAndForgetIt() {
        var run = DagRunRow.airflow2(13, "etl", "manual__y").runType("manual").queuedAt(T0).state("running").startDate(T0);
        pipe(run, run.insert(T0), T0);
        pipe(run, run.change("d", T0.plusSeconds(60), null), T0.plusSeconds(60)); // the before image holds only the id

        List<NormalizedEvent> events = fixture.events();
        assertThat(events).extracting(NormalizedEvent::action).containsExactly("dag-run-created", "dag-run-running", "dag-run-deleted");
        NormalizedEvent deleted = events.get(2);
        assertThat(deleted.dagId()).isEqualTo("etl");
        assertThat(deleted.runId()).isEqualTo("manual__y");
        assertThat(deleted.timestamp()).isEqualTo(T0.plusSeconds(60));
        assertThat(fixture.<String, DagRunState>keyValueStore(DagRunNormalizer.STORE).get(run.key())).isNull();
        assertThat(fixture.deadLetters()).isEmpty();
    }

    @Test
    void shouldNameADeletedRunFromItsLastStateWhenDebeziumFilledTheKeyOnlyBeforeImageWithEmptyValues() {
        var run = DagRunRow.airflow2(17, "etl", "manual__z").runType("manual").queuedAt(T0).state("running").startDate(T0);
        pipe(run, run.insert(T0), T0);
        long ms = T0.plusSeconds(60).toEpochMilli();
        fixture.dagRun(run.key(), "{\"before\":{\"id\":17,\"dag_id\":\"\",\"run_id\":\"\",\"run_type\":\"\",\"state\":null},"
                + "\"after\":null,\"source\":{\"connector\":\"postgresql\",\"db\":\"airflow\",\"table\":\"dag_run\",\"ts_ms\":" + ms
                + ",\"lsn\":99999},\"op\":\"d\",\"ts_ms\":" + ms + "}", T0.plusSeconds(60));

        assertThat(fixture.events()).filteredOn(e -> e.action().equals("dag-run-deleted")).singleElement()
                .satisfies(e -> {
                    assertThat(e.dagId()).isEqualTo("etl");
                    assertThat(e.runId()).isEqualTo("manual__z");
                });
    }

    @Test
    void shouldForgetEveryRunCommittedBeforeATruncateAndTellOnlyTheTruncate() {
        var running = DagRunRow.airflow2(21, "etl", "scheduled__a").queuedAt(T0).state("running").startDate(T0);
        var finished = DagRunRow.airflow2(22, "etl", "scheduled__b").queuedAt(T0).state("success").startDate(T0).endDate(T0.plusSeconds(5));
        var queued = DagRunRow.airflow2(23, "etl", "manual__c").runType("manual").queuedAt(T0.plusSeconds(10));
        pipe(running, running.insert(T0), T0);
        pipe(finished, finished.insert(T0.plusSeconds(5)), T0.plusSeconds(5));
        pipe(queued, queued.insert(T0.plusSeconds(10)), T0.plusSeconds(10));
        fixture.dagRun(null, io.airlock.streams.DebeziumEnvelope.truncate("dag_run", T0.plusSeconds(60)), T0.plusSeconds(60));
        var after = DagRunRow.airflow2(24, "etl", "manual__d").runType("manual").queuedAt(T0.plusSeconds(70));
        pipe(after, after.insert(T0.plusSeconds(70)), T0.plusSeconds(70));

        KeyValueStore<String, DagRunState> store = fixture.keyValueStore(DagRunNormalizer.STORE);
        assertThat(List.of(running, finished, queued)).as("every row was gone with the truncate")
                .allSatisfy(run -> assertThat(store.get(run.key())).isNull());
        assertThat(store.get(after.key())).as("inserted after it").isNotNull();
        assertThat(fixture.events()).filteredOn(e -> e.timestamp().isAfter(T0.plusSeconds(10)))
                .extracting(NormalizedEvent::action, NormalizedEvent::dagId)
                .containsExactly(tuple("table-truncated", null), tuple("dag-run-created", "etl"));
        assertThat(fixture.deadLetters()).isEmpty();
    }

    @Test
    void shouldGiveNoEventForTheDeleteOfARunItNeverSaw() {
        var run = DagRunRow.airflow2(16, "etl", "manual__w");
        pipe(run, run.change("d", T0, null), T0);

        assertThat(fixture.events()).isEmpty();
        assertThat(fixture.deadLetters()).isEmpty();
    }

    @Test
    void shouldDeadLetterMalformedDagRunsAndKeepGoing() {
        String key = "{\"id\":14}";
        String source = "\"source\":{\"ts_ms\":1772489700000,\"table\":\"dag_run\",\"lsn\":7}";
        fixture.dagRun(key, "{\"op\":\"c\",\"after\":{\"id\":14,\"dag_id\":\"etl\",\"run_id\":\"r\",\"state\":5}," + source + "}", T0);
        fixture.dagRun(key, "{\"op\":\"c\",\"after\":{\"id\":14,\"dag_id\":\"etl\"}," + source + "}", T0);
        fixture.dagRun(key, "{\"op\":\"u\",\"after\":{\"id\":14,\"dag_id\":\"etl\",\"run_id\":\"r\"}}", T0);
        fixture.dagRun(key, "{\"op\":\"x\",\"after\":{\"id\":14}," + source + "}", T0);
        var good = DagRunRow.airflow2(15, "etl", "manual__z").runType("manual").queuedAt(T0);
        pipe(good, good.insert(T0), T0);

        List<String> reasons = fixture.deadLetters().stream().map(Json::tree).peek(node ->
                assertThat(node.get("source_topic").asText()).isEqualTo("airlock.cdc.airflow.dag_run"))
                .map(node -> node.get("reason").asText()).toList();
        assertThat(reasons).hasSize(4);
        assertThat(reasons.get(0)).contains("dag_run.state");
        assertThat(reasons.get(1)).contains("run_id");
        assertThat(reasons.get(2)).contains("source");
        assertThat(reasons.get(3)).contains("unknown Debezium op 'x'");
        assertThat(fixture.events()).extracting(NormalizedEvent::runId).containsExactly("manual__z");
    }
}
