package io.airlock.ingest.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import io.airlock.core.PasswordColumn;
import io.airlock.core.RecordTimes;
import io.airlock.core.Topics;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Maps a Debezium change event (destination {@code <server>.public.<table>}) to its Airlock topic
 * {@code <prefix>.cdc.airflow.<table>}, with the commit time as record timestamp. Drops any {@code password} column that a
 * misconfigured connector might still deliver, so the hash can never leave the capture.
 */
public final class CdcRecordRouter {

    /** {@code source.snapshot} of the initial snapshot's rows, all but its last ({@code last}). */
    private static final Set<String> SNAPSHOT_ROWS_BEFORE_LAST = Set.of("true", "first", "first_in_data_collection",
            "last_in_data_collection");

    private final Topics topics;
    private final String tablePrefix;

    public CdcRecordRouter(Topics topics, String serverName) {
        this.topics = topics;
        this.tablePrefix = serverName + "." + DebeziumProperties.SCHEMA + ".";
    }

    /** The record to produce, or empty for records that are not table changes (heartbeats, tombstones). */
    public Optional<ProducerRecord<String, String>> route(String destination, String key, String value) {
        if (destination == null || !destination.startsWith(tablePrefix) || value == null) {
            return Optional.empty();
        }
        String table = destination.substring(tablePrefix.length());
        if (!Topics.AIRFLOW_TABLES.contains(table)) {
            return Optional.empty();
        }
        JsonNode change = Json.tree(value);
        // the commit's time by the database's clock; one far ahead of ours would be refused by the broker (RecordTimes)
        Long timestamp = change.path("source").path("ts_ms").isNumber()
                ? RecordTimes.capped(change.path("source").path("ts_ms").asLong(), System.currentTimeMillis()) : null;
        String cleaned = value;
        if ("ab_user".equals(table) && PasswordColumn.removeFrom(change)) {
            cleaned = Json.writeString(change);
        }
        return Optional.of(new ProducerRecord<>(topics.cdc(table), null, timestamp, key, cleaned));
    }

    /**
     * Whether this record shows that the initial snapshot is over and every row of it was handed over before it: the
     * snapshot's last row ({@code source.snapshot = last}), or any record of the streaming phase — a change
     * ({@code source.snapshot} {@code false}, {@code incremental} or absent), a tombstone, a heartbeat or a logical message.
     * The engine hands records over in order, so only the last record of a batch needs asking.
     */
    public boolean endsInitialSnapshot(String destination, String value) {
        if (destination == null || !destination.startsWith(tablePrefix) || value == null) {
            return true;
        }
        return !SNAPSHOT_ROWS_BEFORE_LAST.contains(Json.tree(value).path("source").path("snapshot").asText("false"));
    }
}
