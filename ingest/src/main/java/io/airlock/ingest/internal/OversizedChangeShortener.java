package io.airlock.ingest.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.airlock.core.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Keeps a captured change within what Kafka takes. A change whose key and value exceed {@code recordLimitBytes} (a
 * {@code dag_run.conf} or a {@code log.extra} of a megabyte) is sent with its largest text or binary column values — in
 * {@code before} and {@code after}, each at least {@code minValueBytes} — replaced by {@link #marker(long)}, largest first,
 * until it fits. The envelope ({@code op}, {@code source} with {@code lsn} and {@code ts_ms}), the key and every other
 * column stay, so detection still sees the change. If even that is too large, {@link Fitted#fits()} says so and the caller
 * dead-letters it.
 */
public final class OversizedChangeShortener {

    private static final String[] IMAGES = {"before", "after"};

    /** What a change becomes: the value to send, the columns left out ({@code after.conf}) and its size in bytes. */
    public record Fitted(String value, List<String> shortenedColumns, long bytes, boolean fits) {

        public Fitted {
            shortenedColumns = List.copyOf(shortenedColumns);
        }

        public boolean shortened() {
            return !shortenedColumns.isEmpty();
        }
    }

    private record Candidate(ObjectNode image, String column, String name, long bytes, long encodedBytes) {
    }

    private final long recordLimitBytes;
    private final long minValueBytes;

    /**
     * @param recordLimitBytes largest key plus value sent unchanged, below the producer's {@code max.request.size} by the
     *                         record's own overhead at least
     * @param minValueBytes    smaller values are never left out: they save little and may be what detection reads
     */
    public OversizedChangeShortener(long recordLimitBytes, long minValueBytes) {
        this.recordLimitBytes = recordLimitBytes;
        this.minValueBytes = minValueBytes;
    }

    /** The text that replaces a value left out. */
    public static String marker(long bytes) {
        return "<airlock: value of " + bytes + " bytes left out>";
    }

    /** {@code value} unchanged if it fits, otherwise with its largest values left out until it does. */
    public Fitted fit(String key, String value) {
        // UTF-8 takes at most 3 bytes per char (4 per surrogate pair): almost every change is measured without encoding.
        long upperBound = 3L * (length(key) + value.length());
        if (upperBound <= recordLimitBytes) {
            return new Fitted(value, List.of(), upperBound, true);
        }
        long bytes = utf8Length(key) + utf8Length(value);
        if (bytes <= recordLimitBytes) {
            return new Fitted(value, List.of(), bytes, true);
        }
        return shorten(key, value, recordLimitBytes);
    }

    /**
     * {@code value} with every value of at least {@code minValueBytes} left out: for a change Kafka refused although it was
     * within {@code recordLimitBytes} (a topic with a lower {@code max.message.bytes}).
     */
    public Fitted shortenAll(String key, String value) {
        return shorten(key, value, 0);
    }

    private Fitted shorten(String key, String value, long target) {
        JsonNode change = Json.tree(value);
        long bytes = utf8Length(key) + utf8Length(value);
        List<Candidate> candidates = new ArrayList<>();
        for (String image : IMAGES) {
            if (change.get(image) instanceof ObjectNode row) {
                for (Map.Entry<String, JsonNode> column : row.properties()) {
                    if (column.getValue().isTextual()) {
                        long size = utf8Length(column.getValue().textValue());
                        if (size >= minValueBytes) {
                            candidates.add(new Candidate(row, column.getKey(), image + "." + column.getKey(), size,
                                    Json.writeString(column.getValue()).getBytes(StandardCharsets.UTF_8).length));
                        }
                    }
                }
            }
        }
        candidates.sort(Comparator.comparingLong(Candidate::encodedBytes).reversed());
        List<String> shortened = new ArrayList<>();
        for (Candidate c : candidates) {
            if (bytes <= target) {
                break;
            }
            String marker = marker(c.bytes());
            c.image().set(c.column(), TextNode.valueOf(marker));
            bytes -= c.encodedBytes() - (marker.length() + 2);
            shortened.add(c.name());
        }
        if (shortened.isEmpty()) {
            return new Fitted(value, List.of(), bytes, bytes <= recordLimitBytes);
        }
        String result = Json.writeString(change);
        long exact = utf8Length(key) + utf8Length(result);
        return new Fitted(result, shortened, exact, exact <= recordLimitBytes);
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    /** The length of {@code s} in UTF-8, without encoding it. */
    public static long utf8Length(String s) {
        if (s == null) {
            return 0;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < 0x80) {
                n++;
            } else if (ch < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
