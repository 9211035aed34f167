package io.airlock.app.backtest;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import io.airlock.core.StableIds;
import io.airlock.core.Topics;
import io.airlock.streams.normalize.SnapshotRowTimes;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads the backtest files and orders their lines by event time, as they happened: Debezium change events (table from
 * {@code source.table}, time from {@code source.ts_ms}) and Vault audit lines (time from {@code time}). A snapshot row
 * ({@code op} {@code r}) of {@code log} or {@code dag_run} is placed at the time its row records ({@code dttm};
 * {@code queued_at}, else {@code start_date}) rather than when the snapshot read it, as the live topology orders it
 * ({@link SnapshotRowTimes}): a run that ended before the snapshot was running when the Vault reads of its tasks happened,
 * and AL-022 must know it then. A line whose time
 * cannot be read keeps its place after the previous line of its file and is passed on as is, so the topology sends it to
 * the dead-letter topic with its reason. A Vault line longer than {@code vault.audit.max-line-bytes} is left out with that
 * reason, as the live capture dead-letters it: the backtest sees what a live run would.
 */
final class ReplayInput {

    /** U+FEFF, which some editors and Windows tools put at the start of a UTF-8 file. */
    private static final String BYTE_ORDER_MARK = "\uFEFF";

    private final Topics topics;
    private final String vaultPrefix;
    private final int maxVaultLineBytes;
    private final List<String> rejected = new ArrayList<>();
    private long tombstones;

    ReplayInput(Topics topics, String vaultPrefix, int maxVaultLineBytes) {
        this.topics = topics;
        this.vaultPrefix = vaultPrefix == null ? "" : vaultPrefix;
        this.maxVaultLineBytes = maxVaultLineBytes;
    }

    List<ReplayRecord> read(Path cdcFile, Path vaultFile) throws IOException {
        List<ReplayRecord> all = new ArrayList<>();
        if (cdcFile != null) {
            readLines(cdcFile, 0, all);
        }
        if (vaultFile != null) {
            readLines(vaultFile, 1, all);
        }
        all.sort(Comparator.comparing(ReplayRecord::at).thenComparingInt(ReplayRecord::source).thenComparingLong(ReplayRecord::line));
        return all;
    }

    private void readLines(Path file, int source, List<ReplayRecord> into) throws IOException {
        Instant previous = Instant.EPOCH;
        long number = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                number++;
                if (number == 1 && line.startsWith(BYTE_ORDER_MARK)) {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                if (source == 1 && longerThan(line, maxVaultLineBytes)) {
                    rejected.add(file.getFileName() + ":" + number + ": longer than vault.audit.max-line-bytes (" + maxVaultLineBytes
                            + " bytes), which the live capture dead-letters");
                    continue;
                }
                if (source == 0 && line.strip().equals("null")) {
                    tombstones++; // Debezium's tombstone after a delete: no change to replay
                    continue;
                }
                ReplayRecord record = source == 0 ? cdc(file, line, number, previous) : vault(line, number, previous);
                if (record != null) {
                    previous = record.at();
                    into.add(record);
                }
            }
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IOException(file + " is not UTF-8 text (line " + (number + 1) + ")", e);
        }
    }

    /** The line's UTF-8 length is over {@code max} bytes (a char is 1–3 bytes; surrogate pairs 4 for 2 chars). */
    private static boolean longerThan(String line, int max) {
        return line.length() > max || (long) line.length() * 3 > max && line.getBytes(StandardCharsets.UTF_8).length > max;
    }

    /**
     * Lines that could not be placed on any topic (a CDC line without a known {@code source.table}): file and line number
     * with the reason, never the content.
     */
    List<String> rejected() {
        return List.copyOf(rejected);
    }

    /** Debezium tombstones ({@code null} lines of the CDC file) left out: they follow deletes and change nothing. */
    long tombstones() {
        return tombstones;
    }

    private ReplayRecord cdc(Path file, String line, long number, Instant previous) {
        JsonNode change = parseOrNull(line);
        if (change != null && change.has("payload") && change.has("schema") && change.get("payload").isObject()) {
            change = change.get("payload"); // written with the schema envelope (schemas.enable=true)
            line = change.toString();
        }
        String table = change == null ? "" : change.at("/source/table").asText("");
        if (!Topics.AIRFLOW_TABLES.contains(table)) {
            rejected.add(file.getFileName() + ":" + number + ": " + (change == null ? "not a JSON object"
                    : "source.table is not one of " + Topics.AIRFLOW_TABLES));
            return null;
        }
        String topic = topics.cdc(table);
        JsonNode ts = change.at("/source/ts_ms");
        Instant at = SnapshotRowTimes.of(change, table);
        if (at == null) {
            at = ts.isNumber() ? Instant.ofEpochMilli(ts.asLong()) : previous;
        }
        return new ReplayRecord(at, 0, number, topic, rowKey(change), line);
    }

    private ReplayRecord vault(String line, long number, Instant previous) {
        String json = line.startsWith(vaultPrefix) ? line.substring(vaultPrefix.length()) : line;
        if (!json.startsWith("{") && json.indexOf('{') > 0) {
            json = json.substring(json.indexOf('{')); // an audit device prefix nobody told us about
        }
        JsonNode audit = parseOrNull(json);
        Instant at = previous;
        String key = StableIds.of(json);
        if (audit != null) {
            try {
                at = OffsetDateTime.parse(audit.path("time").asText()).toInstant();
            } catch (java.time.format.DateTimeParseException e) {
                // keeps the previous time; the normalizer dead-letters it with the reason
            }
            String requestId = audit.at("/request/id").asText("");
            if (!requestId.isEmpty()) {
                key = requestId;
            }
        }
        return new ReplayRecord(at, 1, number, topics.vaultAudit(), key, json);
    }

    /** The Debezium key of the row: {@code {"id":…}} from {@code after}, else {@code before}. */
    private static String rowKey(JsonNode change) {
        if (change == null) {
            return null;
        }
        JsonNode row = change.path("after").isObject() ? change.get("after") : change.path("before");
        JsonNode id = row.get("id");
        return id == null ? null : "{\"id\":" + id + "}";
    }

    private static JsonNode parseOrNull(String text) {
        try {
            JsonNode node = Json.tree(text);
            return node.isObject() ? node : null;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
