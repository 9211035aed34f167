package io.airlock.ingest.vault.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import io.airlock.core.ColumnTimes;
import io.airlock.core.RecordTimes;
import io.airlock.core.StableIds;
import io.airlock.ingest.vault.internal.ParsedLine.Accepted;
import io.airlock.ingest.vault.internal.ParsedLine.RejectCategory;
import io.airlock.ingest.vault.internal.ParsedLine.Rejected;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;

/**
 * Turns one Vault audit line into a Kafka record or a dead-letter reason, the same for the file tailer and the socket listener.
 *
 * <p>Checks, in order: the length limit, UTF-8 validity and NUL bytes, then one streaming pass with Jackson (no tree, no
 * recursion, nesting limited by {@link StreamReadConstraints} to {@value #MAX_NESTING_DEPTH}) that requires one JSON object
 * and checks the types of the fields Airlock reads ({@code time}, {@code type}, {@code error}, {@code forwarded_from} are
 * strings, {@code auth}, {@code request}, {@code response} objects, {@code request.id} a string; null counts as absent).
 * Unknown fields are fine. The accepted value is the JSON text byte for byte as Vault wrote it, only the prefix and a trailing
 * {@code \r} removed. Reasons never quote line content: audit lines carry HMACs and paths.
 *
 * <p>A line longer than the limit is rejected, unless its bytes were streamed through a {@link VaultAuditLineCompactor}
 * while it was read: then its compacted form (only the fields Airlock reads, {@link KeptFields}, strings bounded, markers for
 * the rest) is checked like any other line and accepted if it passes and fits the limit.
 */
public final class VaultAuditLineParser {

    public static final int MAX_NESTING_DEPTH = 1000;

    private final byte[] prefix;
    private final String prefixText;
    private final int maxLineBytes;
    private final JsonFactory factory;

    public VaultAuditLineParser(String prefix, int maxLineBytes) {
        this.prefix = prefix == null ? new byte[0] : prefix.getBytes(StandardCharsets.UTF_8);
        this.prefixText = prefix;
        this.maxLineBytes = maxLineBytes;
        this.factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxDocumentLength(Math.max(maxLineBytes, 1))
                        .build())
                .build();
    }

    public ParsedLine parse(byte[] line) {
        return parse(line, 0, line.length, line.length);
    }

    /**
     * @param buf        holds the line (without its newline) at {@code off}
     * @param len        bytes of the line held in {@code buf}
     * @param fullLength the line's real length; larger than {@code len} when the reader kept only the head of a long line
     */
    public ParsedLine parse(byte[] buf, int off, int len, long fullLength) {
        return parse(buf, off, len, fullLength, null);
    }

    /**
     * Like {@link #parse(byte[], int, int, long)}, but a line longer than the limit is taken in its compacted form if its bytes
     * went through {@code longLine} ({@link VaultAuditLineCompactor#begin()}, {@link VaultAuditLineCompactor#feed feed}), which
     * this finishes: accepted with {@link Accepted#compacted()} set, or rejected with the reason it cannot be compacted.
     *
     * @param longLine the compactor the whole line was fed to when it is longer than the limit; null rejects such a line
     */
    public ParsedLine parse(byte[] buf, int off, int len, long fullLength, VaultAuditLineCompactor longLine) {
        if (fullLength > maxLineBytes) {
            if (longLine == null) {
                return new Rejected(RejectCategory.TOO_LONG,
                        "line too long: " + fullLength + " bytes, the limit is " + maxLineBytes + " bytes");
            }
            return compacted(longLine.finish(fullLength));
        }
        int start = off;
        int end = off + len;
        if (end > start && buf[end - 1] == '\r') {
            end--;
        }
        if (prefix.length > 0 && startsWith(buf, start, end, prefix)) {
            start += prefix.length;
        }
        int bad = firstInvalidUtf8OrNul(buf, start, end);
        if (bad >= 0) {
            return buf[bad] == 0
                    ? new Rejected(RejectCategory.NUL_BYTE, "NUL byte at byte " + (bad - off) + " of the line")
                    : new Rejected(RejectCategory.INVALID_UTF8, "invalid UTF-8 at byte " + (bad - off) + " of the line");
        }
        if (isBlank(buf, start, end)) {
            return new Rejected(RejectCategory.EMPTY, "empty line");
        }
        return parseJson(buf, start, end, off);
    }

    /** The JSON checks, key and time of the text at {@code start..end}; positions in reasons count from {@code lineStart}. */
    private ParsedLine parseJson(byte[] buf, int start, int end, int lineStart) {
        int off = lineStart;
        String time = null;
        String requestId = null;
        try (JsonParser p = factory.createParser(buf, start, end - start)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return new Rejected(RejectCategory.NOT_AN_OBJECT, "the line is JSON but not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                t = p.nextToken();
                switch (name) {
                    case "time" -> time = stringOrNull(p, t, "time");
                    case "type", "error", "forwarded_from" -> stringOrNull(p, t, name);
                    case "auth", "response" -> skipObjectOrNull(p, t, name);
                    case "request" -> {
                        if (t == JsonToken.START_OBJECT) {
                            requestId = readRequest(p);
                        } else if (t != JsonToken.VALUE_NULL) {
                            throw new WrongType("request", "an object", t);
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                return new Rejected(RejectCategory.TRAILING_DATA, "data after the JSON object at byte "
                        + (p.currentTokenLocation().getByteOffset() + start - off) + " of the line");
            }
        } catch (WrongType e) {
            return new Rejected(RejectCategory.WRONG_TYPE, e.getMessage());
        } catch (StreamConstraintsException e) {
            // Jackson's constraint messages name the limit, never the content.
            return e.getMessage() != null && e.getMessage().contains("nesting depth")
                    ? new Rejected(RejectCategory.TOO_DEEP, "JSON nested deeper than " + MAX_NESTING_DEPTH + " levels")
                    : new Rejected(RejectCategory.LIMIT_EXCEEDED, "JSON exceeds a parser limit: " + e.getOriginalMessage());
        } catch (JsonEOFException e) {
            return notJson(buf, start, end, off, "not valid JSON: unexpected end of input (truncated line)");
        } catch (JsonProcessingException e) {
            long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
            return notJson(buf, start, end, off, "not valid JSON" + (at >= 0 ? " at byte " + (at + start - off) + " of the line" : ""));
        } catch (IOException e) {
            return notJson(buf, start, end, off, "not valid JSON");
        }
        byte[] value = Arrays.copyOfRange(buf, start, end);
        String key = requestId != null && !requestId.isEmpty() ? requestId : StableIds.of(new String(value, StandardCharsets.UTF_8));
        return new Accepted(key.getBytes(StandardCharsets.UTF_8), value, timestamp(time));
    }

    /**
     * A line that is not JSON: {@code reason}, or the hint about a prefix when there is text before a JSON object, or about
     * the audit device's format when the line looks like XML.
     */
    private Rejected notJson(byte[] buf, int start, int end, int lineStart, String reason) {
        var scan = new VaultAuditLineCompactor.TextBeforeJson(); // the compactor's rule, for a line at hand
        scan.scan(buf, start, end);
        if (scan.found()) {
            return textBeforeJson(start + scan.firstBrace() - lineStart, prefix.length > 0);
        }
        return new Rejected(RejectCategory.NOT_JSON, scan.looksLikeXml() ? looksLikeXml(reason) : reason);
    }

    /**
     * {@code reason} with why the line may be XML: a {@code format=jsonx} audit device writes each entry as XML (JSONx,
     * starting with {@code <}), and Airlock reads the JSON of {@code format=json}, the default.
     */
    static String looksLikeXml(String reason) {
        return reason + ": it starts with '<' and looks like XML, as an audit device with format=jsonx writes it; Airlock reads "
                + "format=json (the default: enable the device again without format=jsonx)";
    }

    /**
     * Why a line with text before its JSON object is rejected: most likely the audit device's {@code prefix} option, not
     * configured (or configured differently). Counts bytes, quotes nothing.
     *
     * @param bytes            bytes of the line before its first {@code '{'}
     * @param prefixConfigured whether {@code vault.audit.prefix} is set (the line then does not start with it, or has more text)
     */
    static Rejected textBeforeJson(long bytes, boolean prefixConfigured) {
        String where = bytes + " byte" + (bytes == 1 ? "" : "s") + " before the first '{'";
        return new Rejected(RejectCategory.NOT_JSON, prefixConfigured
                ? "not valid JSON: " + where + " — does vault.audit.prefix (backtest: --vault-prefix) match the audit device's "
                        + "prefix option?"
                : "not valid JSON: " + where + " — a prefix option of the audit device? set vault.audit.prefix "
                        + "(backtest: --vault-prefix)");
    }

    /** A new compactor for the lines of one stream, with this parser's prefix and limit. */
    public VaultAuditLineCompactor compactor() {
        return new VaultAuditLineCompactor(prefixText, maxLineBytes);
    }

    private ParsedLine compacted(VaultAuditLineCompactor.Result result) {
        if (result instanceof VaultAuditLineCompactor.Failed f) {
            return f.rejection();
        }
        byte[] json = ((VaultAuditLineCompactor.Compacted) result).json();
        ParsedLine parsed = parseJson(json, 0, json.length, 0);
        return parsed instanceof Accepted a ? new Accepted(a.key(), a.value(), a.timestamp(), true) : parsed;
    }

    private static String readRequest(JsonParser p) throws IOException {
        String id = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            if (name.equals("id")) {
                id = stringOrNull(p, t, "request.id");
            } else {
                p.skipChildren();
            }
        }
        return id;
    }

    private static String stringOrNull(JsonParser p, JsonToken t, String field) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        throw new WrongType(field, "a string", t);
    }

    private static void skipObjectOrNull(JsonParser p, JsonToken t, String field) throws IOException {
        if (t == JsonToken.START_OBJECT) {
            p.skipChildren();
        } else if (t != JsonToken.VALUE_NULL) {
            throw new WrongType(field, "an object", t);
        }
    }

    /**
     * Epoch millis of an RFC 3339 time ({@code Z} or an offset, any fraction), or null: read as the normalizer reads
     * {@code time} ({@link ColumnTimes#parseIso}), so that a line has a time here exactly when its event has one. A time after
     * what a Kafka timestamp holds ({@link RecordTimes#LATEST}) is none here, and the normalizer dead-letters its event for
     * it ({@link RecordTimes#outOfRange}); one before the epoch is a time here, stamped 0 ({@link RecordTimes#capped}), and
     * its event dead-lettered there by the same check.
     */
    static Long timestamp(String time) {
        if (time == null) {
            return null;
        }
        Instant at;
        try {
            at = ColumnTimes.parseIso(time);
        } catch (DateTimeParseException e) {
            return null;
        }
        if (at.isAfter(RecordTimes.LATEST)) {
            return null;
        }
        // before the epoch, however far (year -999999999 is before Long.MIN_VALUE ms), it is stamped 0 all the same
        return at.isBefore(Instant.ofEpochMilli(Long.MIN_VALUE)) ? Long.MIN_VALUE : at.toEpochMilli();
    }

    private static boolean startsWith(byte[] buf, int start, int end, byte[] prefix) {
        if (end - start < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (buf[start + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBlank(byte[] buf, int start, int end) {
        for (int i = start; i < end; i++) {
            byte b = buf[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /** Index of the first NUL byte or the first byte of an invalid UTF-8 sequence (RFC 3629: no overlongs, no surrogates), or -1. */
    static int firstInvalidUtf8OrNul(byte[] b, int start, int end) {
        int i = start;
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                if (c == 0) {
                    return i;
                }
                i++;
                continue;
            }
            int more = Utf8Lead.continuationBytes(c);
            if (more < 0) {
                return i;
            }
            int lo = Utf8Lead.firstMin(c);
            int hi = Utf8Lead.firstMax(c);
            if (i + more >= end) {
                return i;
            }
            int second = b[i + 1] & 0xFF;
            if (second < lo || second > hi) {
                return i;
            }
            for (int k = 2; k <= more; k++) {
                int cont = b[i + k] & 0xFF;
                if (cont < 0x80 || cont > 0xBF) {
                    return i;
                }
            }
            i += more + 1;
        }
        return -1;
    }

    private static final class WrongType extends IOException {

        private static final long serialVersionUID = 1L;

        WrongType(String field, String expected, JsonToken actual) {
            super("field '" + field + "' is " + describe(actual) + ", expected " + expected);
        }

        private static String describe(JsonToken t) {
            return switch (t) {
                case START_OBJECT -> "an object";
                case START_ARRAY -> "an array";
                case VALUE_STRING -> "a string";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
                case VALUE_TRUE, VALUE_FALSE -> "a boolean";
                default -> String.valueOf(t);
            };
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
