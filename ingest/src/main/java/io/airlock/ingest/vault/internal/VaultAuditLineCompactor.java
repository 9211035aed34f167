package io.airlock.ingest.vault.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import io.airlock.ingest.vault.internal.ParsedLine.RejectCategory;
import io.airlock.ingest.vault.internal.ParsedLine.Rejected;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Shrinks one Vault audit line longer than the limit while it is read, so that padding cannot hide a request from detection.
 *
 * <p>Vault writes the parameters of a request ({@code request.data}; for a GET its query parameters) and the payload of a
 * response ({@code response.data}) with every key in plain text and every string value HMAC'd: a read padded with thousands
 * of query parameters gives lines of megabytes around a request that is otherwise ordinary. Airlock never reads those two
 * values (the detection stage reads {@code type}, {@code time}, {@code auth}, {@code request.id|path|operation|mount_type|
 * mount_point|namespace|remote_address|headers}, {@code response.mount_type} and {@code error}), so a long line is kept with
 * the value of each of them replaced by {@code {"airlock_omitted_bytes":N}} (N = the bytes of JSON text left out). Padding
 * fits in other values a client chooses too, so also: the values of a request header after its first
 * ({@code request.headers.<name>[1..]}, the normalizer reads the first) give way to one such marker at the end of the
 * array, and every string longer than {@link #cutStringsAt} bytes of JSON text — an audited header sent with
 * {@code hmac=false}, a path, token metadata, a name — keeps its head and a digest of its tail ({@link LongStringCutter}).
 * Every other field is kept with its value, in its place. A {@code null} data stays null.
 *
 * <p>Memory stays bounded whatever the length of the line: the bytes go through Jackson's non-blocking parser chunk by
 * chunk as they are read ({@link #feed}), the kept tokens to a generator whose output may not exceed the line limit; long
 * strings are cut before Jackson, which holds a token whole, sees them. The line's checks are those of {@link VaultAuditLineParser}: the optional prefix is removed, UTF-8 validity and
 * NUL bytes are checked on every byte, nesting is limited to {@value VaultAuditLineParser#MAX_NESTING_DEPTH} levels, the
 * line must be one JSON object. What the result is then checked for (field types, key, time) is the parser's business.
 *
 * <p>One instance per stream of lines (not thread-safe): {@link #begin()}, {@link #feed} any number of times, then
 * {@link #finish()}.
 */
public final class VaultAuditLineCompactor implements LineAssembler.Overflow {

    /** The field that replaces a dropped data value: how many bytes of JSON text were left out. */
    public static final String OMITTED_BYTES_FIELD = "airlock_omitted_bytes";

    /** Bytes of JSON text a string keeps in a compacted line (with the default limit of 1 MiB). */
    public static final int CUT_STRINGS_AT = 32 * 1024;

    /** What a long line became. */
    public sealed interface Result {
    }

    /**
     * @param json the compacted JSON object, UTF-8, at most the line limit
     */
    public record Compacted(byte[] json) implements Result {
    }

    /** The line cannot be compacted: it is dead-lettered with this category and reason. */
    public record Failed(Rejected rejection) implements Result {
    }

    private final byte[] prefix;
    private final int maxLineBytes;
    private final JsonFactory factory;
    private final Utf8Check utf8 = new Utf8Check();
    private final byte[] prefixHead;

    private JsonParser parser;
    private ByteArrayFeeder feeder;
    private BoundedBuffer out;
    private JsonGenerator generator;
    /** Bytes of the line seen so far (prefix included). */
    private long lineBytes;
    private int prefixHeadLength;
    private boolean prefixDecided;
    /** Bytes removed as the prefix: JSON offsets plus this are line offsets. */
    private int prefixSkipped;
    private boolean nonBlank;
    /** Bytes given to the JSON parser so far (after the prefix). */
    private long jsonBytes;
    private boolean inString;
    private boolean escaped;
    private byte lastSignificant;
    private Failed failed;
    /** Set when the line cannot fit the limit even compacted; the reason is completed with its length at the end. */
    private String tooLongBecause;
    /** Looks for text before the JSON object (an unconfigured prefix) in the bytes after the prefix, failed or not. */
    private final TextBeforeJson textBeforeJson = new TextBeforeJson();
    /** Cuts long strings before Jackson sees them; JSON offsets below are those of its output, mapped back for reasons. */
    private final LongStringCutter cutter;

    // position in the document
    private int depth;
    private boolean rootDone;
    /** Depth-2 object under request or response (data is dropped there). */
    private boolean inRequestOrResponse;
    private String topField;
    private String field;
    /** Depth of the dropped data value while it is skipped; 0 when not skipping. */
    private int skipDepth;
    private long skipStart;
    /** Offset just after the last field name. */
    private long afterName;
    /** Offset of the first value of a request header's array that is dropped (every value after the first); -1 if none. */
    private long headerDropStart = -1;
    /** Depth of a dropped request header value while it is skipped (only its nesting counts, it leaves no marker). */
    private int headerSkipDepth;

    public VaultAuditLineCompactor(String prefix, int maxLineBytes) {
        this.prefix = prefix == null ? new byte[0] : prefix.getBytes(StandardCharsets.UTF_8);
        this.prefixHead = new byte[this.prefix.length];
        this.maxLineBytes = maxLineBytes;
        this.cutter = new LongStringCutter(cutStringsAt(maxLineBytes));
        int maxToken = Math.max(maxLineBytes, 1);
        this.factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(VaultAuditLineParser.MAX_NESTING_DEPTH)
                        .maxDocumentLength(-1) // the input is long by definition; memory is bounded per token instead
                        .maxStringLength(maxToken)
                        .maxNameLength(maxToken)
                        .build())
                .disable(com.fasterxml.jackson.core.StreamWriteFeature.AUTO_CLOSE_TARGET)
                .build();
    }

    /**
     * Bytes of JSON text a string keeps in a compacted line: {@value #CUT_STRINGS_AT}, six times the characters an event
     * keeps of a field ({@link io.airlock.core.BoundedText#EVENT_FIELD_CHARS}) and more; a quarter of a smaller limit.
     */
    static int cutStringsAt(int maxLineBytes) {
        return Math.max(1, Math.min(CUT_STRINGS_AT, maxLineBytes / 4));
    }

    /** Starts a new line, forgetting any previous one. */
    @Override
    public void begin() {
        closeQuietly();
        lineBytes = 0;
        prefixHeadLength = 0;
        prefixDecided = prefix.length == 0;
        prefixSkipped = 0;
        nonBlank = false;
        jsonBytes = 0;
        inString = false;
        escaped = false;
        lastSignificant = 0;
        failed = null;
        tooLongBecause = null;
        textBeforeJson.reset();
        depth = 0;
        rootDone = false;
        inRequestOrResponse = false;
        topField = null;
        field = null;
        skipDepth = 0;
        headerDropStart = -1;
        headerSkipDepth = 0;
        cutter.reset();
        utf8.reset();
        try {
            parser = factory.createNonBlockingByteArrayParser();
            feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
            out = new BoundedBuffer(maxLineBytes);
            generator = factory.createGenerator(out, JsonEncoding.UTF8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a JSON parser", e);
        }
    }

    /** The next bytes of the line (no newline). */
    @Override
    public void feed(byte[] buf, int off, int len) {
        if (stopped() || len <= 0) {
            if (len > 0 && prefixDecided) {
                textBeforeJson.scan(buf, off, off + len);
            }
            lineBytes += Math.max(len, 0);
            return;
        }
        long bad = utf8.check(buf, off, len, lineBytes);
        if (bad >= 0) {
            fail(utf8.nul ? RejectCategory.NUL_BYTE : RejectCategory.INVALID_UTF8,
                    (utf8.nul ? "NUL byte at byte " : "invalid UTF-8 at byte ") + bad + " of the line");
            lineBytes += len;
            return;
        }
        lineBytes += len;
        int start = off;
        int end = off + len;
        if (!prefixDecided) {
            int take = Math.min(prefix.length - prefixHeadLength, len);
            System.arraycopy(buf, off, prefixHead, prefixHeadLength, take);
            prefixHeadLength += take;
            start += take;
            if (prefixHeadLength < prefix.length) {
                return;
            }
            decidePrefix();
        }
        parse(buf, start, end);
    }

    /**
     * Ends the line: its compacted form or why there is none.
     *
     * @param fullLength the line's length in bytes (prefix included), for the reason of a line too long even compacted
     */
    public Result finish(long fullLength) {
        if (parser == null) {
            throw new IllegalStateException("finish() without begin()");
        }
        try {
            if (!stopped() && !prefixDecided) {
                decidePrefix();
            }
            if (!stopped()) {
                if (utf8.pending()) {
                    fail(RejectCategory.INVALID_UTF8, "invalid UTF-8 at byte " + utf8.sequenceStart + " of the line");
                } else {
                    feeder.endOfInput();
                    drain();
                }
            }
            if (!stopped() && !nonBlank) {
                fail(RejectCategory.EMPTY, "empty line");
            }
            if (!stopped() && !rootDone) {
                fail(RejectCategory.NOT_JSON, "not valid JSON: unexpected end of input (truncated line)");
            }
            if (!stopped()) {
                generator.flush();
            }
        } catch (IOException e) {
            handle(e);
        }
        if (failed != null && failed.rejection().category() == RejectCategory.NOT_JSON && textBeforeJson.found()) {
            failed = new Failed(VaultAuditLineParser.textBeforeJson(textBeforeJson.firstBrace + prefixSkipped, prefix.length > 0));
        } else if (failed != null && failed.rejection().category() == RejectCategory.NOT_JSON && textBeforeJson.looksLikeXml()) {
            failed = new Failed(new Rejected(RejectCategory.NOT_JSON, VaultAuditLineParser.looksLikeXml(failed.rejection().reason())));
        }
        Result result;
        if (tooLongBecause != null) {
            result = new Failed(new Rejected(RejectCategory.TOO_LONG, "line too long: " + fullLength + " bytes, the limit is "
                    + maxLineBytes + " bytes, and " + tooLongBecause));
        } else {
            result = failed != null ? failed : new Compacted(out.toByteArray());
        }
        closeQuietly();
        return result;
    }

    /** Whether the first bytes are the prefix: then they are dropped, else they are JSON like the rest. */
    private void decidePrefix() {
        prefixDecided = true;
        if (prefixHeadLength == prefix.length && Arrays.equals(prefixHead, prefix)) {
            prefixSkipped = prefix.length;
            return;
        }
        parse(prefixHead, 0, prefixHeadLength);
    }

    private void parse(byte[] buf, int start, int end) {
        textBeforeJson.scan(buf, start, end);
        if (stopped() || start >= end) {
            return;
        }
        cutter.cut(buf, start, end);
        byte[] json = cutter.output();
        int length = cutter.outputLength();
        int comma = trailingComma(json, 0, length);
        if (comma >= 0) {
            fail(RejectCategory.NOT_JSON, "not valid JSON at byte " + lineOffset(jsonBytes + comma) + " of the line");
            return;
        }
        jsonBytes += length;
        try {
            if (length > 0) {
                feeder.feedInput(json, 0, length);
                drain();
            }
        } catch (IOException e) {
            handle(e);
        }
        if (cutter.invalidAt() >= 0) {
            fail(RejectCategory.NOT_JSON, "not valid JSON at byte " + (cutter.invalidAt() + prefixSkipped) + " of the line");
        }
    }

    /**
     * Index of a {@code '}'} or {@code ']'} right after a comma (blanks between), or -1; also notes whether the line has more
     * than blanks. Jackson's non-blocking parser takes {@code {"a":1,}} when a chunk ends just after the comma, and the
     * chunks must not decide what is valid JSON. A lexer this small cannot be wrong about strings: a quote not escaped by a
     * backslash starts or ends one.
     */
    private int trailingComma(byte[] buf, int start, int end) {
        for (int i = start; i < end; i++) {
            byte b = buf[i];
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
                continue;
            }
            if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
                continue;
            }
            nonBlank = true;
            if ((b == '}' || b == ']') && lastSignificant == ',') {
                return i;
            }
            inString = b == '"';
            lastSignificant = b;
        }
        return -1;
    }

    /** Consumes every token the parser can give from what was fed; the fed array is not used after this returns. */
    private void drain() throws IOException {
        JsonToken t;
        while (!stopped() && (t = parser.nextToken()) != null && t != JsonToken.NOT_AVAILABLE) {
            token(t);
        }
    }

    private void token(JsonToken t) throws IOException {
        if (rootDone) {
            fail(RejectCategory.TRAILING_DATA, "data after the JSON object at byte " + lineOffset(tokenStart()) + " of the line");
            return;
        }
        if (depth == 0 && t != JsonToken.START_OBJECT) {
            fail(RejectCategory.NOT_AN_OBJECT, "the line is JSON but not a JSON object");
            return;
        }
        if (skipDepth > 0) {
            skip(t);
            return;
        }
        if (headerSkipDepth > 0) {
            headerSkipDepth += t.isStructStart() ? 1 : t.isStructEnd() ? -1 : 0;
            return;
        }
        if ((t.isStructStart() || t.isScalarValue()) && isLaterHeaderValue(t)) {
            if (headerDropStart < 0) {
                headerDropStart = tokenStart();
            }
            headerSkipDepth = t.isStructStart() ? 1 : 0;
            return;
        }
        if (t == JsonToken.END_ARRAY && headerDropStart >= 0) {
            omitted(lineOffset(tokenStart()) - lineOffset(headerDropStart));
            headerDropStart = -1;
        }
        if (t == JsonToken.FIELD_NAME) {
            field = parser.currentName();
            afterName = parser.currentLocation().getByteOffset();
            if (depth == 1) {
                topField = field;
            }
            generator.writeFieldName(field);
            return;
        }
        boolean value = t.isStructStart() || t.isScalarValue();
        if (inRequestOrResponse && depth == 2 && value && "data".equals(field) && t != JsonToken.VALUE_NULL) {
            // currentLocation() is the offset after the token (exact, whatever the chunks); a token's own location is not
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                skipStart = parser.currentLocation().getByteOffset() - 1;
                skipDepth = 1;
            } else {
                skipStart = afterName + 1; // a scalar after "data": (Vault writes no blanks)
                omit(parser.currentLocation().getByteOffset());
            }
            return;
        }
        switch (t) {
            case START_OBJECT -> {
                depth++;
                inRequestOrResponse = depth == 2 && ("request".equals(topField) || "response".equals(topField));
                generator.writeStartObject();
            }
            case START_ARRAY -> {
                depth++;
                inRequestOrResponse = false;
                generator.writeStartArray();
            }
            case END_OBJECT, END_ARRAY -> {
                depth--;
                if (t == JsonToken.END_OBJECT) {
                    generator.writeEndObject();
                } else {
                    generator.writeEndArray();
                }
                inRequestOrResponse = depth == 2 && parser.getParsingContext().inObject() && isRequestOrResponse(topField);
                rootDone = depth == 0;
            }
            case VALUE_STRING -> generator.writeString(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> generator.writeNumber(parser.getText()); // as written, no rounding
            case VALUE_TRUE -> generator.writeBoolean(true);
            case VALUE_FALSE -> generator.writeBoolean(false);
            case VALUE_NULL -> generator.writeNull();
            default -> fail(RejectCategory.NOT_JSON, "not valid JSON: unexpected " + t);
        }
    }

    /**
     * Offset of the current token's first byte. The non-blocking parser (Jackson 2.21) reports one past it for every token
     * but the end of an object or array; {@code VaultAuditLineCompactionTest} notices if that changes.
     */
    private long tokenStart() {
        long at = parser.currentTokenLocation().getByteOffset();
        JsonToken t = parser.currentToken();
        return t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY ? at : Math.max(0, at - 1);
    }

    /**
     * Whether the value at hand is one of a request header after its first ({@code request.headers.<name>[1..]}): Vault writes
     * every value the client sent, and the normalizer reads the first; a client repeating a header must not make the line
     * impossible to compact.
     */
    private boolean isLaterHeaderValue(JsonToken t) {
        JsonStreamContext values = parser.getParsingContext();
        if (t.isStructStart()) {
            values = values.getParent();
        }
        if (values == null || !values.inArray() || values.getCurrentIndex() < 1) {
            return false;
        }
        JsonStreamContext headers = values.getParent();
        JsonStreamContext request = headers == null ? null : headers.getParent();
        JsonStreamContext root = request == null ? null : request.getParent();
        return headers.inObject() && request.inObject() && "headers".equals(request.getCurrentName())
                && root != null && root.inObject() && "request".equals(root.getCurrentName())
                && root.getParent() != null && root.getParent().inRoot();
    }

    private static boolean isRequestOrResponse(String name) {
        return "request".equals(name) || "response".equals(name);
    }

    /** A token inside a dropped data value: only its nesting counts. */
    private void skip(JsonToken t) throws IOException {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            skipDepth++;
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
            if (--skipDepth == 0) {
                omit(parser.currentLocation().getByteOffset());
            }
        }
    }

    /** Writes the marker for the data value that began at {@link #skipStart} and ended at {@code end}. */
    private void omit(long end) throws IOException {
        omitted(lineOffset(end) - lineOffset(skipStart));
    }

    /** Writes the marker of {@code bytes} of the line's JSON text left out. */
    private void omitted(long bytes) throws IOException {
        bytes = Math.max(0, bytes);
        generator.writeStartObject();
        generator.writeNumberField(OMITTED_BYTES_FIELD, bytes);
        generator.writeEndObject();
    }

    /**
     * Offset in the JSON text of a parse error, or -1. The non-blocking parser gives no byte offset, but a column counted in
     * bytes from 1 — and a line is one row: an unescaped newline would have ended it.
     */
    private static long errorOffset(JsonProcessingException e) {
        var at = e.getLocation();
        if (at == null) {
            return -1;
        }
        if (at.getByteOffset() >= 0) {
            return at.getByteOffset();
        }
        return at.getLineNr() == 1 && at.getColumnNr() > 0 ? at.getColumnNr() - 1 : -1;
    }

    /** The line offset of an offset in the JSON text Jackson was given (long strings cut, prefix removed). */
    private long lineOffset(long jsonOffset) {
        return cutter.originalOffset(jsonOffset) + prefixSkipped;
    }

    private void handle(IOException e) {
        if (failed != null || tooLongBecause != null) {
            return;
        }
        if (e instanceof OutputTooLong) {
            tooLongBecause = "it is still longer without the values of request.data and response.data, the values of a "
                    + "request header after its first and the tails of strings over " + cutStringsAt(maxLineBytes) + " bytes";
        } else if (e instanceof StreamConstraintsException c) {
            String message = String.valueOf(c.getMessage());
            if (message.contains("nesting depth")) {
                fail(RejectCategory.TOO_DEEP, "JSON nested deeper than " + VaultAuditLineParser.MAX_NESTING_DEPTH + " levels");
            } else if (message.contains("String value length") || message.contains("Name length")) {
                tooLongBecause = "it holds a single string or name longer than the limit";
            } else {
                fail(RejectCategory.LIMIT_EXCEEDED, "JSON exceeds a parser limit: " + c.getOriginalMessage());
            }
        } else if (e instanceof JsonEOFException) {
            fail(RejectCategory.NOT_JSON, "not valid JSON: unexpected end of input (truncated line)");
        } else if (e instanceof JsonProcessingException j && errorOffset(j) >= 0) {
            fail(RejectCategory.NOT_JSON, "not valid JSON at byte " + lineOffset(errorOffset(j)) + " of the line");
        } else {
            fail(RejectCategory.NOT_JSON, "not valid JSON");
        }
    }

    private boolean stopped() {
        return failed != null || tooLongBecause != null;
    }

    private void fail(RejectCategory category, String reason) {
        if (!stopped()) {
            failed = new Failed(new Rejected(category, reason));
        }
    }

    private void closeQuietly() {
        try {
            if (generator != null) {
                generator.close();
            }
        } catch (IOException | RuntimeException e) {
            // output too long or incomplete: nothing to keep
        }
        try {
            if (parser != null) {
                parser.close();
            }
        } catch (IOException e) {
            // nothing to release
        }
        generator = null;
        parser = null;
        feeder = null;
    }

    /** Collects the output and refuses to grow beyond the limit. */
    private static final class BoundedBuffer extends OutputStream {
        private final int limit;
        private byte[] bytes = new byte[8192];
        private int size;

        BoundedBuffer(int limit) {
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if ((long) size + len > limit) {
                throw new OutputTooLong();
            }
            if (size + len > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.min(limit, Math.max(bytes.length * 2, size + len)));
            }
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, size);
        }
    }

    private static final class OutputTooLong extends IOException {

        private static final long serialVersionUID = 1L;

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** {@link VaultAuditLineParser#firstInvalidUtf8OrNul} over a line that arrives in pieces: a sequence may span two. */
    static final class Utf8Check {
        /** Continuation bytes still expected, and the index of the next one in its sequence (1 = the second byte). */
        private int more;
        private int index;
        private int lo;
        private int hi;
        /** Line offset of the first byte of the pending sequence. */
        long sequenceStart;
        boolean nul;

        void reset() {
            more = 0;
            index = 0;
            nul = false;
        }

        boolean pending() {
            return more > 0;
        }

        /**
         * @param base line offset of {@code b[off]}
         * @return line offset of the first NUL or of the first byte of an invalid sequence, or -1
         */
        long check(byte[] b, int off, int len, long base) {
            int end = off + len;
            for (int i = off; i < end; i++) {
                int c = b[i] & 0xFF;
                if (more > 0) {
                    int low = index == 1 ? lo : 0x80;
                    int high = index == 1 ? hi : 0xBF;
                    if (c < low || c > high) {
                        return sequenceStart;
                    }
                    index++;
                    more--;
                    continue;
                }
                if (c < 0x80) {
                    if (c == 0) {
                        nul = true;
                        return base + (i - off);
                    }
                    continue;
                }
                more = Utf8Lead.continuationBytes(c);
                if (more < 0) {
                    return base + (i - off);
                }
                lo = Utf8Lead.firstMin(c);
                hi = Utf8Lead.firstMax(c);
                index = 1;
                sequenceStart = base + (i - off);
            }
            return -1;
        }
    }

    /**
     * Whether the JSON text (the bytes after the prefix, chunk by chunk) does not begin with {@code '{'} (blanks aside) but
     * holds a {@code {"} further on, and where its first {@code '{'} is: what {@link VaultAuditLineParser} reports as text
     * before the JSON.
     */
    static final class TextBeforeJson {
        private long scanned;
        /** 0 before the first significant byte, 1 while looking for {@code {"}, 2 when decided. */
        private int state;
        private boolean found;
        private boolean xml;
        private boolean afterBrace;
        private long firstBrace;

        TextBeforeJson() {
            reset();
        }

        void reset() {
            scanned = 0;
            state = 0;
            found = false;
            xml = false;
            afterBrace = false;
            firstBrace = -1;
        }

        void scan(byte[] buf, int start, int end) {
            for (int i = start; i < end && state != 2; i++) {
                byte b = buf[i];
                if (state == 0) {
                    if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                        state = b == '{' ? 2 : 1;
                        xml = b == '<';
                    }
                }
                if (state == 1) {
                    if (afterBrace && b == '"') {
                        found = true;
                        state = 2;
                    } else if (b == '{' && firstBrace < 0) {
                        firstBrace = scanned + i - start;
                    }
                    afterBrace = b == '{';
                }
            }
            scanned += end - start;
        }

        boolean found() {
            return found;
        }

        /** Whether the first byte that is not blank is {@code '<'}: XML, as a {@code format=jsonx} audit device writes. */
        boolean looksLikeXml() {
            return xml;
        }

        /** Offset of the first {@code '{'} among the bytes scanned since {@link #reset()}; -1 if none. */
        long firstBrace() {
            return firstBrace;
        }
    }
}
