package io.airlock.streams.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The time a snapshot row of {@code log} or {@code dag_run} happened, for ordering it among the other sources.
 *
 * <p>Debezium's initial snapshot reads rows that happened long before it, and the capture stamps them with the snapshot's
 * time ({@code source.ts_ms}). The normalization task takes its sources in timestamp order, so a Vault audit backlog older
 * than the snapshot went first: AL-022 judged Airflow's reads before it knew the runs they belonged to, and called them
 * "outside every run". As this task's timestamp extractor, a snapshot row ({@code op} {@code r}) counts at its row's own
 * time — {@code dttm}; {@code queued_at}, else {@code start_date} — and every other record at its record timestamp. Only the
 * order of processing changes: the topic's timestamps (and so its time-based retention) stay the capture's.
 * {@code airlock backtest} orders its files the same way.
 */
public final class SnapshotRowTimes implements TimestampExtractor {

    private final String table;

    /** @param table {@code log} or {@code dag_run}; any other table keeps record timestamps */
    public SnapshotRowTimes(String table) {
        this.table = table;
    }

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        Instant at = record.value() instanceof JsonNode change ? of(change, table) : null;
        if (at == null) {
            return record.timestamp();
        }
        // a row the snapshot read happened before the snapshot: a row time after it (a skewed or forged one) counts as the
        // snapshot's time, so that it cannot move stream time ahead (the same in a replay as live: no wall clock)
        return record.timestamp() >= 0 ? Math.min(at.toEpochMilli(), record.timestamp()) : at.toEpochMilli();
    }

    /**
     * When a snapshot row's own columns say it happened, read as its normalizer reads them ({@link RowTimes}); null for other
     * changes, other tables and rows without such a time.
     */
    public static Instant of(JsonNode change, String table) {
        if (!"r".equals(change.path("op").asText())) {
            return null;
        }
        JsonNode row = change.path("after");
        return switch (table) {
            case "log" -> RowTimes.orNull(row, "dttm");
            case "dag_run" -> {
                Instant queued = RowTimes.orNull(row, "queued_at");
                yield queued != null ? queued : RowTimes.orNull(row, "start_date");
            }
            default -> null;
        };
    }
}
