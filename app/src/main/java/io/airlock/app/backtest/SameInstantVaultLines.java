package io.airlock.app.backtest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.airlock.core.ColumnTimes;
import io.airlock.core.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Orders the Vault lines of one millisecond by what they are, not by where they are in the file. A Vault line has no
 * position of its own (a CDC change has {@code source.lsn}), so lines of one instant were replayed in file order, and the
 * same lines in another order made other alerts: another "latest" path in a summary, another evidence order and, past an
 * alert's 50 pieces of evidence, other evidence. The order: {@code time} as Vault wrote it (to its last digit: microseconds
 * or finer; the millisecond is the record timestamp they share), then {@code request.id} (the record key: the line's hash
 * when it has none), the request before its response, then the line's bytes (by their SHA-256). Only lines the capture would
 * pass on the same (same topic, key and value: a prefix or a {@code \r} stripped, or compacted alike) can tie, and they make
 * the same event, so their order does not matter.
 *
 * <p>The keys are worked out only for the lines that share a millisecond, reading them again ({@link ReplayInput#content}),
 * and dropped when they are ordered: the backtest still holds only the position of each line, never the line.
 */
final class SameInstantVaultLines {

    private static final Comparator<Key> ORDER = Comparator.comparing(Key::time, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(Key::id).thenComparingInt(Key::type).thenComparing(Key::digest, Arrays::compareUnsigned);

    /** What a record becomes when replayed: {@link ReplayInput#content}. */
    @FunctionalInterface
    interface Contents {
        ReplayRecord.Content of(ReplayRecord record) throws IOException;
    }

    private SameInstantVaultLines() {
    }

    /**
     * Reorders, in {@code records} sorted by (time, source, lsn, line), each run of Vault lines with a time of their own that
     * share a millisecond. A line without a readable time ({@code lsn} {@link Long#MAX_VALUE}) stays after the lines of the
     * time it inherits.
     */
    static void order(List<ReplayRecord> records, Contents contents) throws IOException {
        for (int from = 0; from < records.size(); ) {
            ReplayRecord first = records.get(from);
            int to = from + 1;
            while (to < records.size() && records.get(to).at().equals(first.at()) && records.get(to).source() == first.source()
                    && records.get(to).lsn() == first.lsn()) {
                to++;
            }
            if (to - from > 1 && first.source() == ReplayInput.VAULT && first.lsn() == 0) {
                sort(records.subList(from, to), contents);
            }
            from = to;
        }
    }

    private static void sort(List<ReplayRecord> run, Contents contents) throws IOException {
        List<Key> keys = new ArrayList<>(run.size());
        for (ReplayRecord record : run) {
            keys.add(Key.of(record, contents.of(record)));
        }
        keys.sort(ORDER);
        for (int i = 0; i < keys.size(); i++) {
            run.set(i, keys.get(i).record());
        }
    }

    /**
     * @param time   the line's {@code time} (null if it cannot be read again, which a line with a record time never is)
     * @param id     the record key: {@code request.id}
     * @param type   0 for a request, 1 for a response, 2 for anything else
     * @param digest SHA-256 of the line as passed on
     */
    private record Key(ReplayRecord record, Instant time, String id, int type, byte[] digest) {

        static Key of(ReplayRecord record, ReplayRecord.Content content) {
            Instant time = null;
            int type = 2;
            try (JsonParser p = Json.MAPPER.createParser(content.value())) {
                p.nextToken();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if (name.equals("time") && value == JsonToken.VALUE_STRING) {
                        time = ColumnTimes.parseIso(p.getText());
                    } else if (name.equals("type") && value == JsonToken.VALUE_STRING) {
                        type = switch (p.getText()) {
                            case "request" -> 0;
                            case "response" -> 1;
                            default -> 2;
                        };
                    } else {
                        p.skipChildren();
                    }
                }
            } catch (IOException | DateTimeException e) {
                // the capture's parser accepted the line: cannot happen; the digest still orders it
            }
            return new Key(record, time, content.key() == null ? "" : content.key(), type, sha256(content.value()));
        }

        private static byte[] sha256(String value) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
        }
    }
}
