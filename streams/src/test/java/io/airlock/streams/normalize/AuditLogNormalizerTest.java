package io.airlock.streams.normalize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.airlock.core.Json;
import io.airlock.core.MalformedRecordException;
import io.airlock.core.NormalizedEvent;
import io.airlock.streams.LogRow;
import io.airlock.streams.TopologyFixture;
import io.airlock.streams.internal.JsonSerdes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.LongFunction;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AuditLogNormalizerTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00.123456Z");
    private final TopologyFixture fixture = new TopologyFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private void insert(LogRow row) {
        fixture.log(row.key(), row.insert(), row.dttm().plusMillis(1));
    }

    @Test
    void shouldMapAirflow3PatchDagToAProcessEventKeyedByItsOwnerAtItsDttm() {
        insert(LogRow.airflow3(7).event("patch_dag").owner("alice").dag("etl").at(T0));

        List<TestRecord<String, NormalizedEvent>> records = fixture.eventRecords();
        assertThat(records).hasSize(1);
        TestRecord<String, NormalizedEvent> record = records.get(0);
        assertThat(record.key()).isEqualTo("alice");
        assertThat(record.getRecordTime()).isEqualTo(Instant.parse("2026-03-02T10:00:00.123Z"));
        NormalizedEvent event = record.value();
        assertThat(event.timestamp()).isEqualTo(T0);
        assertThat(event.dataset()).isEqualTo("airflow.log");
        assertThat(event.action()).isEqualTo("patch_dag");
        assertThat(event.category()).isEqualTo("process");
        assertThat(event.userName()).isEqualTo("alice");
        assertThat(event.relatedUsers()).containsExactly("alice");
        assertThat(event.dagId()).isEqualTo("etl");
        assertThat(event.outcome()).isNull();
    }

    @Test
    void shouldMapAirflow2VariableEditToAConfigurationEventWithoutCopyingExtra() {
        insert(LogRow.airflow2(8).event("variable.edit").owner("bob").at(T0)
                .extra("{\"key\": \"aws_secret\", \"val\": \"***\", \"description\": \"s3cr3t-in-description\"}"));

        NormalizedEvent event = fixture.events().get(0);
        assertThat(event.category()).isEqualTo("configuration");
        assertThat(event.action()).isEqualTo("variable.edit");
        assertThat(Json.writeString(event)).doesNotContain("aws_secret").doesNotContain("s3cr3t").doesNotContain("***");
    }

    @Test
    void shouldKeepDagRunAndTaskOfAWorkerCommand() {
        insert(LogRow.airflow3(9).event("cli_task_run").owner("airflow").dag("etl").run("scheduled__2026-03-01T00:00:00+00:00")
                .task("extract").at(T0));

        NormalizedEvent event = fixture.events().get(0);
        assertThat(event).extracting(NormalizedEvent::category, NormalizedEvent::userName, NormalizedEvent::dagId,
                NormalizedEvent::runId, NormalizedEvent::taskId)
                .containsExactly("process", "airflow", "etl", "scheduled__2026-03-01T00:00:00+00:00", "extract");
    }

    @Test
    void shouldCategorizeTheEventNamesOfBothVersions() {
        insert(LogRow.airflow2(1).event("trigger").owner("alice").dag("etl").at(T0));
        insert(LogRow.airflow2(2).event("connection.create").owner("alice").at(T0.plusSeconds(1)));
        insert(LogRow.airflow2(3).event("edit").owner("admin").at(T0.plusSeconds(2)));
        insert(LogRow.airflow3(4).event("post_user").owner("admin").at(T0.plusSeconds(3)));
        insert(LogRow.airflow3(5).event("api.post_dag_run").owner("alice").dag("etl").at(T0.plusSeconds(4)));
        insert(LogRow.airflow2(6).event("graph").owner("alice").dag("etl").at(T0.plusSeconds(5)));

        assertThat(fixture.events()).extracting(NormalizedEvent::action, NormalizedEvent::category).containsExactly(
                tuple("trigger", "process"), tuple("connection.create", "configuration"), tuple("edit", "process"),
                tuple("post_user", "iam"), tuple("api.post_dag_run", "process"), tuple("graph", "web"));
    }

    @Test
    void shouldEmitSnapshotRowsWithTheSameIdAsTheirLiveInsert() {
        LogRow row = LogRow.airflow3(10).event("delete_dag").owner("mallory").dag("etl").at(T0);
        insert(row);
        fixture.log(row.key(), row.snapshot(), T0.plusSeconds(3600));

        List<NormalizedEvent> events = fixture.events();
        assertThat(events).hasSize(2);
        // the same event (id and every field), read at another place in the WAL
        assertThat(events.get(1)).usingRecursiveComparison().ignoringFields("position").isEqualTo(events.get(0));
        assertThat(events.get(1).position()).isNotEqualTo(events.get(0).position());
        assertThat(events.get(1).timestamp()).isEqualTo(T0);
    }

    @Test
    void shouldIgnoreUnknownColumnsAndReportRewritesDeletesAndTruncatesAsAuditTrailChanges() {
        LogRow row = LogRow.airflow3(11).event("trigger_dag_run").owner("alice").dag("etl").at(T0)
                .column("future_column", "something new");
        insert(row);
        fixture.log(row.key(), row.updatedAt(T0.plusSeconds(1)), T0.plusSeconds(1));
        fixture.log(row.key(), row.deletedAt(T0.plusSeconds(2)), T0.plusSeconds(2));
        fixture.log(null, io.airlock.streams.DebeziumEnvelope.truncate("log", T0.plusSeconds(3)), T0.plusSeconds(3));

        List<NormalizedEvent> events = fixture.events();
        assertThat(events).extracting(NormalizedEvent::action, NormalizedEvent::category, NormalizedEvent::timestamp).containsExactly(
                org.assertj.core.groups.Tuple.tuple("trigger_dag_run", "process", T0),
                // at their commit times (Debezium's source.ts_ms: milliseconds)
                org.assertj.core.groups.Tuple.tuple("log-row-updated", "database", T0.plusSeconds(1).truncatedTo(ChronoUnit.MILLIS)),
                org.assertj.core.groups.Tuple.tuple("log-row-deleted", "database", T0.plusSeconds(2).truncatedTo(ChronoUnit.MILLIS)),
                org.assertj.core.groups.Tuple.tuple("table-truncated", "database", T0.plusSeconds(3).truncatedTo(ChronoUnit.MILLIS)));
        assertThat(events.subList(1, 3)).allSatisfy(e -> assertThat(e.reason()).startsWith("log.id=11 event.id=" + events.get(0).id()));
        assertThat(events.get(1).dagId()).isEqualTo("etl");
        assertThat(events).extracting(NormalizedEvent::id).doesNotHaveDuplicates();
        assertThat(fixture.deadLetters()).isEmpty();
    }

    @Test
    void shouldCapTheRecordTimeOfARowStampedDaysAheadAndKeepItsOwnTime() {
        Instant ahead = TopologyFixture.LATER_THAN_ANY_TEST_DATA.plus(java.time.Duration.ofDays(3)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        insert(LogRow.airflow3(21).event("patch_dag").owner("mallory").dag("etl").at(ahead));
        Instant latestAllowed = TopologyFixture.LATER_THAN_ANY_TEST_DATA.plus(io.airlock.core.RecordTimes.MAX_AHEAD); // the driver's clock

        TestRecord<String, NormalizedEvent> record = fixture.eventRecords().get(0);
        assertThat(record.value().timestamp()).isEqualTo(ahead);
        assertThat(record.getRecordTime()).as("what the broker accepts (an hour ahead at most, by default)")
                .isBefore(latestAllowed.plusMillis(1));
    }

    @Test
    void shouldStillKnowARowAsYoungAfterARowCommittedByADatabaseClockAYearAhead() {
        try (var live = new TopologyFixture(io.airlock.streams.DetectionConfig.defaults(), T0)) {
            LogRow first = LogRow.airflow3(1).event("graph").owner("viewer").at(T0);
            LogRow ahead = LogRow.airflow3(2).event("graph").owner("viewer").at(T0.plus(java.time.Duration.ofDays(365)));
            LogRow traces = LogRow.airflow3(3).event("patch_dag").owner("mallory").at(T0.plusSeconds(10));
            live.log(first.key(), first.insert(), T0);
            live.log(ahead.key(), ahead.insert(), T0.plus(io.airlock.core.RecordTimes.MAX_AHEAD)); // capped by the capture
            live.advanceWallClockTo(T0.plusSeconds(20));
            live.log(traces.key(), traces.insert(), T0.plusSeconds(10));
            live.log(traces.key(), traces.deletedAt(T0.plusSeconds(20)), T0.plusSeconds(20));

            assertThat(live.events()).filteredOn(e -> "log-row-deleted".equals(e.action())).singleElement()
                    .satisfies(e -> assertThat(e.reason()).endsWith("written-within-24h"));
        }
    }

    @Test
    void shouldKeyEventsWithoutOwnerByTheEmptyPrincipal() {
        insert(LogRow.airflow2(12).event("failed").dag("etl").task("load").at(T0));

        TestRecord<String, NormalizedEvent> record = fixture.eventRecords().get(0);
        assertThat(record.key()).isEmpty();
        assertThat(record.value().userName()).isNull();
        assertThat(record.value().relatedUsers()).isNull();
    }

    /** The {@code event.reason}s ({@code "null"} for none) of new rows named {@code event} with these {@code extra}s, in order. */
    private List<String> reasonsOf(LongFunction<LogRow> version, String event, String... extras) {
        fixture.events(); // reads (and so skips) the events of earlier rows
        for (String extra : extras) {
            insert(version.apply(nextId++).event(event).owner("alice").dag("etl").at(T0).extra(extra));
        }
        return fixture.events().stream().map(e -> String.valueOf(e.reason())).toList();
    }

    private long nextId = 500;

    @Test
    void shouldMarkThe2xClearDialogsUnconfirmedPreviewsAsDryRuns() {
        // the grid's Clear dialog: a form post per preview, confirmed as the string "false"; JSON false from a JSON body
        assertThat(reasonsOf(LogRow::airflow2, "clear",
                "{\"confirmed\": \"false\", \"upstream\": \"false\", \"only_failed\": \"false\"}",
                "{\"confirmed\": false}",
                "{\"confirmed\": \"true\", \"upstream\": \"false\", \"only_failed\": \"false\"}",
                "{\"upstream\": \"false\"}"))
                .containsExactly("dry-run", "dry-run", "null", "null");
    }

    @Test
    void shouldMarkTheUnconfirmedPreviewsOfThe2xDagRunViewsAsDryRuns() {
        for (String view : List.of("dagrun_clear", "dagrun_failed", "dagrun_success", "dagrun_queued")) {
            insert(LogRow.airflow2(nextId++).event(view).owner("alice").dag("etl").at(T0).extra("{\"confirmed\": \"false\"}"));
            insert(LogRow.airflow2(nextId++).event(view).owner("alice").dag("etl").at(T0).extra("{\"confirmed\": \"true\"}"));
        }

        assertThat(fixture.events()).extracting(NormalizedEvent::reason)
                .containsExactly("dry-run", null, "dry-run", null, "dry-run", null, "dry-run", null);
    }

    @Test
    void shouldMarkA2xRestClearAsADryRunWhenItsBodySaysSoOrLeavesTheDefault() {
        assertThat(reasonsOf(LogRow::airflow2, "api.post_clear_task_instances",
                "{\"dry_run\": true, \"task_ids\": [\"load\"]}",
                "{\"dry_run\": false, \"task_ids\": [\"load\"]}",
                "{\"task_ids\": [\"load\"], \"only_failed\": true}"))   // dry_run left at its default: true
                .containsExactly("dry-run", "null", "dry-run");
    }

    @Test
    void shouldTreatTheOther2xRestEndpointsWhoseDryRunDefaultsToTrueAlike() {
        for (String event : List.of("ui.post_clear_task_instances", "api.post_set_task_instances_state", "api.patch_task_instance",
                "api.patch_mapped_task_instance", "api.clear_dag_run")) {
            insert(LogRow.airflow2(nextId++).event(event).owner("alice").dag("etl").at(T0).extra("{\"new_state\": \"success\"}"));
            insert(LogRow.airflow2(nextId++).event(event).owner("alice").dag("etl").at(T0)
                    .extra("{\"new_state\": \"success\", \"dry_run\": false}"));
        }

        assertThat(fixture.events()).extracting(NormalizedEvent::reason)
                .containsExactly("dry-run", null, "dry-run", null, "dry-run", null, "dry-run", null, "dry-run", null);
    }

    /**
     * 2.10 logs the body only for a {@code Content-Type} that contains {@code application/json} verbatim: an {@code extra}
     * without any body key may be a real clear sent as {@code Application/JSON}, so it stays a change.
     */
    @Test
    void shouldKeepA2xRestClearWhoseBodyWasNotLoggedAsAChange() {
        assertThat(reasonsOf(LogRow::airflow2, "api.post_clear_task_instances", "{}", "{\"only_failed\": true}"))
                .containsExactly("null", "dry-run");
        assertThat(reasonsOf(LogRow::airflow2, "api.patch_mapped_task_instance", "{\"map_index\": 2}",
                "{\"map_index\": 2, \"new_state\": \"failed\"}"))
                .containsExactly("null", "dry-run");
    }

    /**
     * Airflow 3.0's Clear dialogs preview with the endpoints that clear, {@code dry_run} true in the body (its default), and
     * its action logger writes the body into {@code extra} with {@code "method": "POST"}.
     */
    @Test
    void shouldMarkA3xClearPreviewAsADryRunWhenItsBodySaysSoOrLeavesTheDefault() {
        for (String event : List.of("post_clear_task_instances", "clear_dag_run")) {
            assertThat(reasonsOf(LogRow::airflow3, event,
                    "{\"dry_run\": true, \"task_ids\": [\"load\"], \"only_failed\": false, \"method\": \"POST\"}",
                    "{\"task_ids\": [\"load\"], \"only_failed\": true, \"method\": \"POST\"}",   // dry_run left at its default
                    "{\"dry_run\": false, \"task_ids\": [\"load\"], \"method\": \"POST\"}",
                    "{\"dry_run\": true, \"method\": \"POST\"",                                      // cut off
                    "<airlock: value of 1048576 bytes left out>"))
                    .as(event).containsExactly("dry-run", "dry-run", "null", "null", "null");
        }
        assertThat(reasonsOf(LogRow::airflow3, "post_clear_task_instances", (String) null)).containsExactly("null");
    }

    /**
     * 3.x logs the body only for a {@code Content-Type} containing {@code application/json}, while FastAPI parses a body
     * sent without one: a real clear sent so must not read as a preview through a query parameter of the same name.
     */
    @Test
    void shouldKeepA3xClearWhoseBodyWasNotLoggedAsAChange() {
        assertThat(reasonsOf(LogRow::airflow3, "post_clear_task_instances",
                "{\"method\": \"POST\"}",
                "{\"dry_run\": \"true\", \"method\": \"POST\"}",     // ?dry_run=true
                "{\"only_failed\": \"true\", \"method\": \"POST\"}", // ?only_failed=true
                "{\"dry_run\": \"true\", \"only_failed\": false, \"method\": \"POST\"}"))
                .containsOnly("null");
    }

    @Test
    void shouldJudgeOnly3xClearsAndNot2xNamesIn3xRows() {
        String preview = "{\"dry_run\": true, \"method\": \"POST\"}";
        assertThat(reasonsOf(LogRow::airflow3, "patch_task_instance", preview)).containsExactly("null");
        assertThat(reasonsOf(LogRow::airflow3, "api.post_clear_task_instances", preview)).containsExactly("null");
        assertThat(reasonsOf(LogRow::airflow3, "clear", "{\"confirmed\": \"false\"}")).containsExactly("null");
        assertThat(reasonsOf(LogRow::airflow2, "post_clear_task_instances", preview)).containsExactly("null");
    }

    @Test
    void shouldKeepRowsWithMalformedExtraOrDryRunWordsElsewhereAsChanges() {
        assertThat(reasonsOf(LogRow::airflow2, "clear", "{\"confirmed\": \"false\"}")).containsExactly("dry-run");
        assertThat(reasonsOf(LogRow::airflow2, "clear",
                "{\"confirmed\": \"false\"",                          // cut off
                "[('confirmed', 'false')]",                               // the Python repr of Airflow before 2.8
                "\"confirmed\"",                                          // JSON, not an object
                "{\"confirmed\": \"false\"} {\"confirmed\": \"true\"}",   // trailing data
                "{\"confirmed\": null}",
                "<airlock: value of 1048576 bytes left out>"))
                .containsOnly("null");
        // a DAG param named dry_run or confirmed on a trigger, a REST call unrelated to the flags
        assertThat(reasonsOf(LogRow::airflow2, "trigger", "{\"confirmed\": \"false\", \"dry_run\": \"true\"}"))
                .containsOnly("null");
        assertThat(reasonsOf(LogRow::airflow2, "api.dag_run.create", "{\"conf\": {\"dry_run\": true}}"))
                .containsOnly("null");
    }

    @Test
    void shouldNeverCopyExtraIntoTheEvent() {
        insert(LogRow.airflow2(600).event("api.post_clear_task_instances").owner("alice").dag("etl").at(T0)
                .extra("{\"dry_run\": true, \"task_ids\": [\"load_s3cr3t_bucket\"], \"note\": \"***\", \"token\": \"tok-123\"}"));
        insert(LogRow.airflow2(601).event("clear").owner("alice").dag("etl").at(T0)
                .extra("{\"confirmed\": \"false\", \"origin\": \"/dags/etl/grid?secret=pw-456\"}"));

        List<NormalizedEvent> events = fixture.events();
        assertThat(events).extracting(NormalizedEvent::reason).containsExactly("dry-run", "dry-run");
        assertThat(Json.writeString(events)).doesNotContain("s3cr3t", "***", "tok-123", "pw-456", "task_ids", "origin", "dry_run",
                "confirmed");
    }

    /**
     * A row whose {@code dttm} holds no usable time is still an audit entry committed then: it counts at its commit time, as
     * one with a null {@code dttm} does. Dead-lettered, a {@code patch_dag} at 20:00 with such a {@code dttm} raised no AL-010.
     */
    @Test
    void shouldDateARowWhoseDttmIsNoUsableTimeAtItsCommitAsANullOne() {
        Instant committed = Instant.parse("2026-03-03T20:00:00Z");
        List<String> dttms = List.of("\"2026-03-03 20:00:00+00\"", "\"2026-03-03T20:00:00\"", "\"\"", "\"infinity\"",
                "\"1960-01-01T00:00:00Z\"", "\"1969-12-31T23:59:59.999Z\"", "-1000", "true", "\"+300000000-01-01T00:00:00Z\"", "null");
        for (int i = 0; i < dttms.size(); i++) {
            LogRow row = LogRow.airflow3(20 + i).event("patch_dag").owner("u" + i).dag("etl").at(committed.plusSeconds(i).minusMillis(1))
                    .column("dttm", "placeholder");
            fixture.log(row.key(), row.insert().replace("\"dttm\":\"placeholder\"", "\"dttm\":" + dttms.get(i)), committed.plusSeconds(i));
        }

        assertThat(fixture.deadLetters()).isEmpty();
        assertThat(fixture.events()).extracting(NormalizedEvent::userName, NormalizedEvent::timestamp).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, dttms.size()).mapToObj(i -> tuple("u" + i, committed.plusSeconds(i))).toList());
    }

    @Test
    void shouldDeadLetterMalformedLogRowsAndKeepGoing() {
        String key = "{\"id\":13}";
        fixture.log(key, "[1, 2]", T0); // rejected by the deserializer: see shouldRejectNonObjectRecordsBeforeNormalization
        fixture.log(key, "{\"op\":\"x\",\"after\":{\"id\":13},\"source\":{\"ts_ms\":1,\"table\":\"log\"}}", T0);
        fixture.log(key, "{\"op\":\"c\",\"after\":{\"id\":13,\"owner\":42},\"source\":{\"ts_ms\":1,\"table\":\"log\"}}", T0);
        fixture.log(key, "{\"op\":\"c\",\"after\":{\"event\":\"trigger\"},\"source\":{\"ts_ms\":1,\"table\":\"log\"}}", T0);
        insert(LogRow.airflow3(14).event("trigger_dag_run").owner("alice").dag("etl").at(T0));

        var letters = fixture.deadLetters().stream().map(l -> Json.tree(l)).toList();
        assertThat(letters).allSatisfy(node -> assertThat(node.get("source_topic").asText()).isEqualTo("airlock.cdc.airflow.log"));
        // offset 0, the array, is rejected before normalization; each row after it is dead-lettered at its own offset
        assertThat(letters).extracting(node -> node.get("offset").asLong()).containsExactly(1L, 2L, 3L);
        List<String> reasons = letters.stream().map(node -> node.get("reason").asText()).toList();
        assertThat(reasons).hasSize(3);
        assertThat(reasons.get(0)).contains("unknown Debezium op 'x'");
        assertThat(reasons.get(1)).contains("log.owner");
        assertThat(reasons.get(2)).contains("'id'");
        assertThat(fixture.events()).extracting(NormalizedEvent::action).containsExactly("trigger_dag_run");
    }

    /**
     * Non-objects fail in the source's deserializer, whose dead-letter records {@code DeadLetterHandlerTest} checks (the
     * TopologyTestDriver does not forward the dead letters of deserialization failures).
     */
    @Test
    void shouldRejectNonObjectRecordsBeforeNormalization() {
        var deserializer = JsonSerdes.tree().deserializer();
        assertThatThrownBy(() -> deserializer.deserialize("airlock.cdc.airflow.log", "[1, 2]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedRecordException.class).hasMessageContaining("expected a JSON object");
        assertThatThrownBy(() -> deserializer.deserialize("airlock.cdc.airflow.log", "{not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedRecordException.class);
    }
}
