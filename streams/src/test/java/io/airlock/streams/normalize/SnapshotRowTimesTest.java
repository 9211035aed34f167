package io.airlock.streams.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import io.airlock.streams.DagRunRow;
import io.airlock.streams.LogRow;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class SnapshotRowTimesTest {

    private static final Instant SNAPSHOT = Instant.parse("2026-03-02T12:00:00Z");
    private static final Instant QUEUED = Instant.parse("2026-03-02T08:00:00Z");

    private static long extract(String table, Object value) {
        var record = new ConsumerRecord<Object, Object>("cdc", 0, 0, SNAPSHOT.toEpochMilli(), TimestampType.CREATE_TIME, 0, 0, "k",
                value, new RecordHeaders(), java.util.Optional.empty());
        return new SnapshotRowTimes(table).extract(record, -1);
    }

    private static JsonNode json(String line) {
        return Json.read(line.getBytes(java.nio.charset.StandardCharsets.UTF_8), JsonNode.class);
    }

    @Test
    void shouldPlaceASnapshotRowOfADagRunAtItsQueuedTimeElseItsStart() {
        var run = DagRunRow.airflow3(1, "etl", "scheduled__1").state("success").queuedAt(QUEUED).startDate(QUEUED.plusSeconds(5))
                .endDate(QUEUED.plusSeconds(600));
        assertThat(extract("dag_run", json(run.change("r", SNAPSHOT, null)))).isEqualTo(QUEUED.toEpochMilli());
        assertThat(extract("dag_run", json(run.queuedAt(null).change("r", SNAPSHOT, null))))
                .isEqualTo(QUEUED.plusSeconds(5).toEpochMilli());
    }

    @Test
    void shouldPlaceASnapshotRowOfTheAuditLogAtItsDttm() {
        assertThat(extract("log", json(LogRow.airflow2(7).at(QUEUED).event("login").snapshot()))).isEqualTo(QUEUED.toEpochMilli());
    }

    @Test
    void shouldPlaceARowStampedAfterTheSnapshotAtTheSnapshot() {
        Instant forged = SNAPSHOT.plus(java.time.Duration.ofDays(3)); // a skewed or forged dttm: stream time must not jump there
        assertThat(extract("log", json(LogRow.airflow2(8).at(forged).event("login").snapshot()))).isEqualTo(SNAPSHOT.toEpochMilli());
    }

    /**
     * A row time the normalizer does not go by (before 1970, unreadable) is no place for the row either: the row's event
     * counts at the commit time, so the row is placed there, live and in the backtest ({@link SnapshotRowTimes#of}).
     */
    @Test
    void shouldPlaceARowByTheTimeItsNormalizerReadsIgnoringOneBefore1970() {
        JsonNode old = json(LogRow.airflow2(9).at(Instant.parse("1960-01-01T00:00:00Z")).event("login").snapshotAt(SNAPSHOT));
        assertThat(SnapshotRowTimes.of(old, "log")).isNull();
        assertThat(extract("log", old)).isEqualTo(SNAPSHOT.toEpochMilli());
        var run = DagRunRow.airflow3(1, "etl", "scheduled__1").state("running").queuedAt(Instant.parse("1969-12-31T23:00:00Z"))
                .startDate(QUEUED);
        assertThat(SnapshotRowTimes.of(json(run.change("r", SNAPSHOT, null)), "dag_run")).as("its start, as the created event")
                .isEqualTo(QUEUED);
    }

    @Test
    void shouldKeepTheRecordTimestampOfChangesAndOfRowsWithoutATime() {
        var run = DagRunRow.airflow3(1, "etl", "manual__1").state("running").queuedAt(QUEUED).startDate(QUEUED);
        assertThat(extract("dag_run", json(run.change("c", SNAPSHOT, null)))).as("an insert").isEqualTo(SNAPSHOT.toEpochMilli());
        assertThat(extract("dag_run", json(run.queuedAt(null).startDate(null).change("r", SNAPSHOT, null))))
                .as("no time in the row").isEqualTo(SNAPSHOT.toEpochMilli());
        assertThat(extract("ab_user", json(run.queuedAt(QUEUED).change("r", SNAPSHOT, null)))).as("another table")
                .isEqualTo(SNAPSHOT.toEpochMilli());
        assertThat(extract("dag_run", json("{\"op\":\"r\",\"after\":{\"queued_at\":\"yesterday\"}}"))).as("not a time")
                .isEqualTo(SNAPSHOT.toEpochMilli());
        assertThat(extract("dag_run", json("[1,2]"))).as("not an object").isEqualTo(SNAPSHOT.toEpochMilli());
        assertThat(extract("log", json("{\"op\":\"r\",\"after\":{\"dttm\":\"+300000000-01-01T00:00:00Z\"}}")))
                .as("beyond a Kafka timestamp").isEqualTo(SNAPSHOT.toEpochMilli());
        assertThat(extract("dag_run", null)).as("a tombstone").isEqualTo(SNAPSHOT.toEpochMilli());
    }
}
