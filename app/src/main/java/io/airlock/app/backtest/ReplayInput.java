package io.airlock.app.backtest;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import io.airlock.core.RecordTimes;
import io.airlock.core.Topics;
import io.airlock.streams.normalize.SnapshotRowTimes;
import io.airlock.ingest.vault.internal.LineAssembler;
import io.airlock.ingest.vault.internal.ParsedLine;
import io.airlock.ingest.vault.internal.VaultAuditLineCompactor;
import io.airlock.ingest.vault.internal.VaultAuditLineParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Reads the backtest files and orders their lines by event time, as they happened: Debezium change events (table from
 * {@code source.table}, time from {@code source.ts_ms}) and Vault audit lines (time from {@code time}). A snapshot row
 * ({@code op} {@code r}) of {@code log} or {@code dag_run} is placed at the time its row records ({@code dttm};
 * {@code queued_at}, else {@code start_date}) rather than when the snapshot read it, as the live topology orders it
 * ({@link SnapshotRowTimes}): a run that ended before the snapshot was running when the Vault reads of its tasks happened,
 * and AL-022 must know it then. Changes committed in the same millisecond keep the database's order ({@code source.lsn}),
 * whatever their order in the file; Vault lines of the same millisecond, which have no such position, are ordered by their
 * content ({@link SameInstantVaultLines}), so the same lines in any file order make the same alerts. A line whose time
 * cannot be read is placed after the lines of the previous line's time and is passed on as is, so the topology sends it to
 * the dead-letter topic with its reason. Vault lines go through the live capture's own checks ({@link VaultAuditLineParser}:
 * length limit, UTF-8, NUL bytes, one JSON object, field types, the {@code prefix}); a line it rejects is left out with its
 * reason, as the live capture dead-letters it, and a line over the limit is compacted as the live capture compacts it
 * ({@link VaultAuditLineCompactor}: a padded read raises the same alerts): the backtest sees what a live run would. A CDC line that is not UTF-8 is
 * left out with that reason; the other lines of the file are replayed.
 *
 * <p>Only where each line is and when it happened is kept; {@link #content} reads a line again when it is replayed, so the
 * input may be much larger than the heap.
 */
final class ReplayInput implements AutoCloseable {

    /** U+FEFF in UTF-8, which some editors and Windows tools put at the start of a file. */
    private static final byte[] BYTE_ORDER_MARK = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    /** A Debezium change of one row is a few KiB; past this a line is not one. */
    private static final int MAX_CDC_LINE_BYTES = 64 * 1024 * 1024;
    private static final int CHUNK_BYTES = 64 * 1024;

    /** {@link ReplayRecord#source()} of a Debezium change of the CDC file. */
    static final int CDC = 0;
    /** {@link ReplayRecord#source()} of a Vault audit line. */
    static final int VAULT = 1;

    private final Topics topics;
    private final int maxVaultLineBytes;
    private final VaultAuditLineParser vaultLines;
    private final List<String> rejected = new ArrayList<>();
    private final Path[] files = new Path[2];
    private final FileChannel[] channels = new FileChannel[2];
    private long tombstones;

    ReplayInput(Topics topics, String vaultPrefix, int maxVaultLineBytes) {
        this.topics = topics;
        this.maxVaultLineBytes = maxVaultLineBytes;
        this.vaultLines = new VaultAuditLineParser(vaultPrefix, maxVaultLineBytes);
    }

    List<ReplayRecord> read(Path cdcFile, Path vaultFile) throws IOException {
        files[CDC] = cdcFile;
        files[VAULT] = vaultFile;
        List<ReplayRecord> all = new ArrayList<>();
        if (cdcFile != null) {
            readLines(cdcFile, CDC, all);
        }
        if (vaultFile != null) {
            readLines(vaultFile, VAULT, all);
        }
        all.sort(Comparator.comparing(ReplayRecord::at).thenComparingInt(ReplayRecord::source).thenComparingLong(ReplayRecord::lsn)
                .thenComparingLong(ReplayRecord::line));
        SameInstantVaultLines.order(all, this::content);
        return all;
    }

    /**
     * Splits the file into lines as the live tailer does ({@link LineAssembler}: read in chunks, a line longer than the limit
     * kept only up to it, its real length known) and hands each to {@link #cdc} or {@link #vault}.
     */
    private void readLines(Path file, int source, List<ReplayRecord> into) throws IOException {
        var lines = new LineAssembler(source == CDC ? MAX_CDC_LINE_BYTES : maxVaultLineBytes, 0);
        long[] number = {0};
        Instant[] previous = {Instant.EPOCH};
        LineAssembler.LineHandler handler = (buf, off, len, fullLength, start) -> {
            number[0]++;
            int skip = number[0] == 1 && startsWithByteOrderMark(buf, off, len) ? BYTE_ORDER_MARK.length : 0;
            byte[] line = Arrays.copyOfRange(buf, off + skip, off + len);
            long length = fullLength - skip;
            Placed placed;
            try {
                placed = source == CDC ? cdc(file, line, length, number[0], previous[0])
                        : length > maxVaultLineBytes ? longVault(file, start + skip, length, number[0], previous[0])
                        : vault(file, line, length, number[0], previous[0]);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (placed != null) {
                previous[0] = placed.at();
                into.add(new ReplayRecord(placed.at(), source, placed.lsn(), number[0], start + skip,
                        source == CDC ? line.length : length));
            }
        };
        byte[] chunk = new byte[CHUNK_BYTES];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                lines.feed(chunk, 0, n, handler);
            }
            lines.finishPartial(handler);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static boolean startsWithByteOrderMark(byte[] buf, int off, int len) {
        return len >= BYTE_ORDER_MARK.length && Arrays.equals(buf, off, off + BYTE_ORDER_MARK.length, BYTE_ORDER_MARK, 0,
                BYTE_ORDER_MARK.length);
    }

    /** The topic, key and value of {@code record}: its line read again from its file and taken as {@link #read} took it. */
    ReplayRecord.Content content(ReplayRecord record) throws IOException {
        if (record.source() == VAULT && record.length() > maxVaultLineBytes) {
            Placed placed = longVault(files[VAULT], record.offset(), record.length(), record.line(), record.at());
            if (placed == null) {
                throw new IOException(files[VAULT] + " changed while the backtest ran: line " + record.line() + " is no longer what it was");
            }
            return placed.content();
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) record.length());
        FileChannel channel = channel(record.source());
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, record.offset() + buffer.position()) < 0) {
                throw new IOException(files[record.source()] + " changed while the backtest ran: line " + record.line()
                        + " is no longer there");
            }
        }
        byte[] line = buffer.array();
        Placed placed = record.source() == CDC ? cdc(files[CDC], line, line.length, record.line(), record.at())
                : vault(files[VAULT], line, line.length, record.line(), record.at());
        if (placed == null) {
            throw new IOException(files[record.source()] + " changed while the backtest ran: line " + record.line()
                    + " is no longer what it was");
        }
        return placed.content();
    }

    private FileChannel channel(int source) throws IOException {
        if (channels[source] == null) {
            channels[source] = FileChannel.open(files[source], StandardOpenOption.READ);
        }
        return channels[source];
    }

    @Override
    public void close() throws IOException {
        for (FileChannel channel : channels) {
            if (channel != null) {
                channel.close();
            }
        }
    }

    /** A line taken: when it happened, its position in the database's log (0 if none) and what it becomes. */
    private record Placed(Instant at, long lsn, ReplayRecord.Content content) {
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

    private Placed cdc(Path file, byte[] bytes, long fullLength, long number, Instant previous) {
        if (fullLength > bytes.length) {
            rejected.add(file.getFileName() + ":" + number + ": longer than " + MAX_CDC_LINE_BYTES / (1024 * 1024) + " MiB");
            return null;
        }
        String line;
        try {
            line = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            rejected.add(file.getFileName() + ":" + number + ": not UTF-8 text");
            return null;
        }
        if (line.isBlank()) {
            return null;
        }
        if (line.strip().equals("null")) {
            tombstones++; // Debezium's tombstone after a delete: no change to replay
            return null;
        }
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
        if (at == null && !ts.isNumber()) {
            // no time: after the previous line, which has this time too, whatever its lsn
            return new Placed(previous, Long.MAX_VALUE, new ReplayRecord.Content(topic, rowKey(change), line));
        }
        at = stamped(at != null ? at : Instant.ofEpochMilli(ts.asLong()));
        JsonNode lsn = change.at("/source/lsn");
        return new Placed(at, lsn.canConvertToLong() ? lsn.asLong() : 0, new ReplayRecord.Content(topic, rowKey(change), line));
    }

    /**
     * The record timestamp the live capture gives a line of time {@code at} ({@link RecordTimes}): never before the epoch, so a
     * line stamped 1969 is replayed (first) and dead-lettered by the normalizer, as live, instead of stopping the replay.
     */
    private static Instant stamped(Instant at) {
        return Instant.ofEpochMilli(RecordTimes.capped(at.toEpochMilli(), OfflineReplay.CLOCK_START.toEpochMilli()));
    }

    /** The line as the live capture takes it ({@link VaultAuditLineParser}): a record, or a dead letter with the reason. */
    private Placed vault(Path file, byte[] line, long fullLength, long number, Instant previous) {
        return placed(file, vaultLines.parse(line, 0, line.length, fullLength), number, previous);
    }

    private Placed placed(Path file, ParsedLine parsed, long number, Instant previous) {
        if (parsed instanceof ParsedLine.Rejected rejection) {
            rejected.add(file.getFileName() + ":" + number + ": " + rejection.reason());
            return null;
        }
        var accepted = (ParsedLine.Accepted) parsed;
        // a line without a readable time goes after the previous line's; the normalizer dead-letters it with the reason
        boolean timed = accepted.timestamp() != null;
        Instant at = timed ? stamped(Instant.ofEpochMilli(accepted.timestamp())) : previous;
        return new Placed(at, timed ? 0 : Long.MAX_VALUE, new ReplayRecord.Content(topics.vaultAudit(), new String(accepted.key(), StandardCharsets.UTF_8),
                new String(accepted.value(), StandardCharsets.UTF_8)));
    }

    /**
     * A Vault line longer than the limit, as the live capture takes it: read again from the file in chunks through a
     * {@link VaultAuditLineCompactor} (the live capture streams it through one while reading), so it is never held whole;
     * compacted (without the values of {@code request.data} and {@code response.data}) or left out with the reason.
     */
    private Placed longVault(Path file, long offset, long length, long number, Instant previous) throws IOException {
        VaultAuditLineCompactor compactor = vaultLines.compactor();
        compactor.begin();
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES);
        FileChannel channel = channel(1);
        for (long read = 0; read < length; ) {
            chunk.clear().limit((int) Math.min(CHUNK_BYTES, length - read));
            int n = channel.read(chunk, offset + read);
            if (n < 0) {
                throw new IOException(file + " changed while the backtest ran: line " + number + " is no longer there");
            }
            compactor.feed(chunk.array(), 0, n);
            read += n;
        }
        byte[] head = new byte[0]; // not looked at: the compactor saw the whole line
        return placed(file, vaultLines.parse(head, 0, 0, length, compactor), number, previous);
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
