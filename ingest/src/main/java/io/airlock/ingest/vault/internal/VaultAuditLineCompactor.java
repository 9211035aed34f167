package io.airlock.ingest.vault.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import io.airlock.core.BoundedText;
import io.airlock.ingest.vault.internal.ParsedLine.RejectCategory;
import io.airlock.ingest.vault.internal.ParsedLine.Rejected;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Shrinks one Vault audit line longer than the limit while it is read, so that padding cannot hide a request from detection.
 *
 * <p>A client chooses much of what Vault writes: the parameters of a request ({@code request.data}), the payload of a
 * response, token metadata ({@code auth.metadata}, set by whoever creates the token or AppRole secret-id, written unhashed),
 * audited request headers, policy names, names in paths. Any of them can make a line of megabytes around an ordinary read.
 * So a long line keeps only what Airlock reads of it ({@link KeptFields}: what {@code VaultAuditNormalizer} and
 * {@link VaultAuditLineParser} read), whatever else it holds:
 * <ul>
 * <li>a field of an object Vault defines (the line, {@code auth}, {@code request}, {@code response},
 *     {@code request.namespace}) that is not read keeps its name, its value replaced by {@code {"airlock_omitted_bytes":N}}
 *     (N = the bytes of JSON text left out; an array by {@code [{"airlock_omitted_bytes":N}]}; {@code null} stays);</li>
 * <li>in the two objects whose names the client chooses and that are read — {@code auth.metadata} ({@code username},
 *     {@code role_name}) and {@code request.headers} (the {@code x-airflow-*} headers, any case) — the fields not read are
 *     left out with their names, one {@code "airlock_omitted_bytes":N} at the end of the object counting their bytes;</li>
 * <li>of a request header's values the first is kept; the others give way to one marker at the end of the array;</li>
 * <li>every string is bounded to what an event keeps of it ({@link LongStringCutter}: the form
 *     {@link io.airlock.core.BoundedText#of} gives the whole string), so an event does not depend on compaction;</li>
 * <li>a read field whose value is an object or array where Airlock reads text is replaced by a marker of the same type (the
 *     line is then refused as it would have been).</li>
 * </ul>
 * What is kept is at most a fixed number of bounded strings, so a line Vault wrote fits the limit compacted however it is
 * padded (only a line with a read field repeated many times, which Vault does not write, can still be too long).
 *
 * <p>Memory stays bounded whatever the length of the line: the bytes go through Jackson's non-blocking parser chunk by
 * chunk as they are read ({@link #feed}), the kept tokens to a generator whose output may not exceed the line limit; long
 * strings are cut before Jackson, which holds a token whole, sees them. The line's checks are those of
 * {@link VaultAuditLineParser}: the optional prefix is removed, UTF-8 validity and NUL bytes are checked on every byte,
 * nesting is limited to {@value VaultAuditLineParser#MAX_NESTING_DEPTH} levels, the line must be one JSON object, and
 * every string is checked as JSON string text, the parts left out included. What the result is then checked for (field
 * types, key, time) is the parser's business.
 *
 * <p>One instance per stream of lines (not thread-safe): {@link #begin()}, {@link #feed} any number of times, then
 * {@link #finish()}.
 */
public final class VaultAuditLineCompactor implements LineAssembler.Overflow {

    /** The field that replaces a dropped data value: how many bytes of JSON text were left out. */
    public static final String OMITTED_BYTES_FIELD = "airlock_omitted_bytes";

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
    /** The objects and header arrays being written, innermost first. */
    private final ArrayDeque<Frame> frames = new ArrayDeque<>();
    private boolean rootDone;
    /** What becomes of the value after the last field name. */
    private Object next;
    /** Offset of the last field name's first byte. */
    private long memberStart;
    /** Depth of the value left out while it is skipped; 0 when not skipping. */
    private int skipDepth;
    private long skipStart;
    /** What the value being skipped leaves: a marker object, a marker in an array, its bytes in a fold, nothing. */
    private Skip skipKind;

    public VaultAuditLineCompactor(String prefix, int maxLineBytes) {
        this.prefix = prefix == null ? new byte[0] : prefix.getBytes(StandardCharsets.UTF_8);
        this.prefixHead = new byte[this.prefix.length];
        this.maxLineBytes = maxLineBytes;
        this.cutter = new LongStringCutter(BoundedText.EVENT_FIELD_CHARS);
        int maxToken = Math.max(maxLineBytes, 1);
        this.factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(VaultAuditLineParser.MAX_NESTING_DEPTH)
                        .maxDocumentLength(-1) // the input is long by definition; memory is bounded per token instead
                        .maxStringLength(maxToken)
                        .maxNameLength(maxToken)
                        .maxNumberLength(maxToken) // a long number left out must not fail the line
                        .build())
                .disable(com.fasterxml.jackson.core.StreamWriteFeature.AUTO_CLOSE_TARGET)
                .build();
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
        frames.clear();
        rootDone = false;
        next = null;
        skipDepth = 0;
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
                    cutter.flush();
                    feedCut();
                    if (!stopped()) {
                        feeder.endOfInput();
                        drain();
                    }
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
        feedCut();
    }

    /** Gives the parser what the cutter made of the last bytes. */
    private void feedCut() {
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
        if (frames.isEmpty()) {
            if (t != JsonToken.START_OBJECT) {
                fail(RejectCategory.NOT_AN_OBJECT, "the line is JSON but not a JSON object");
                return;
            }
            frames.push(Frame.object(KeptFields.LINE));
            generator.writeStartObject();
            return;
        }
        if (skipDepth > 0) {
            skip(t);
            return;
        }
        Frame frame = frames.peek();
        if (t == JsonToken.FIELD_NAME) {
            name(frame);
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
            end(frame);
        } else if (frame.fields == null) {
            headerValue(frame, t);
        } else {
            Object what = next;
            next = null;
            value(what, t);
        }
    }

    /** A field name: written, or (a field the client named and Airlock does not read) left out with its value. */
    private void name(Frame frame) throws IOException {
        String name = parser.currentName();
        Object kept = frame.fields.kept(name);
        memberStart = tokenStart();
        if (kept == null && frame.fields.namedByClient()) {
            next = Skip.FOLD;
            return;
        }
        generator.writeFieldName(name);
        next = kept == null ? Skip.MARKER : kept;
    }

    /** The value of a field: {@code what} is its {@link KeptFields} (read), or {@link Skip#MARKER} or {@link Skip#FOLD}. */
    private void value(Object what, JsonToken t) throws IOException {
        boolean struct = t.isStructStart();
        if (what == Skip.FOLD) {
            if (struct) {
                startSkip(Skip.FOLD);
            } else {
                frames.peek().folded += lineOffset(parser.currentLocation().getByteOffset()) - lineOffset(memberStart);
            }
        } else if (what == Skip.MARKER && t != JsonToken.VALUE_NULL) {
            if (struct) {
                startSkip(t == JsonToken.START_ARRAY ? Skip.ARRAY_MARKER : Skip.MARKER);
            } else {
                omitted(lineOffset(parser.currentLocation().getByteOffset()) - lineOffset(tokenStart()));
            }
        } else if (what instanceof KeptFields fields && fields.kind() == KeptFields.Kind.OBJECT && t == JsonToken.START_OBJECT) {
            frames.push(Frame.object(fields));
            generator.writeStartObject();
        } else if (what == KeptFields.HEADER_VALUES && t == JsonToken.START_ARRAY) {
            frames.push(Frame.headerValues());
            generator.writeStartArray();
        } else if (struct) { // an object or array where Airlock reads text, an array where it reads an object
            startSkip(t == JsonToken.START_ARRAY ? Skip.ARRAY_MARKER : Skip.MARKER);
        } else {
            write(t);
        }
    }

    /**
     * A value of a request header's array: Vault writes every value the client sent, and the normalizer reads the first; the
     * others give way to one marker at the end of the array.
     */
    private void headerValue(Frame values, JsonToken t) throws IOException {
        if (values.count++ == 0) {
            value(KeptFields.TEXT, t);
            return;
        }
        if (values.dropStart < 0) {
            values.dropStart = tokenStart();
        }
        if (t.isStructStart()) {
            startSkip(Skip.NOTHING);
        }
    }

    /** The end of an object or a header array being written. */
    private void end(Frame frame) throws IOException {
        frames.pop();
        if (frame.fields == null) {
            if (frame.dropStart >= 0) {
                omitted(lineOffset(tokenStart()) - lineOffset(frame.dropStart));
            }
            generator.writeEndArray();
            return;
        }
        if (frame.folded > 0) {
            generator.writeNumberField(OMITTED_BYTES_FIELD, frame.folded);
        }
        generator.writeEndObject();
        rootDone = frames.isEmpty();
    }

    private void write(JsonToken t) throws IOException {
        switch (t) {
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

    /** Skips the object or array that begins with the current token; {@code kind} says what it leaves. */
    private void startSkip(Skip kind) {
        skipKind = kind;
        skipStart = parser.currentLocation().getByteOffset() - 1; // exact, whatever the chunks; a token's own location is not
        skipDepth = 1;
    }

    /** A token inside a value left out: only its nesting counts. */
    private void skip(JsonToken t) throws IOException {
        if (t.isStructStart()) {
            skipDepth++;
        } else if (t.isStructEnd() && --skipDepth == 0) {
            long end = lineOffset(parser.currentLocation().getByteOffset());
            switch (skipKind) {
                case MARKER -> omitted(end - lineOffset(skipStart));
                case ARRAY_MARKER -> {
                    generator.writeStartArray();
                    omitted(end - lineOffset(skipStart));
                    generator.writeEndArray();
                }
                case FOLD -> frames.peek().folded += end - lineOffset(memberStart);
                case NOTHING -> {
                }
            }
        }
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
            tooLongBecause = "it is still longer with only the fields Airlock reads, each string bounded to "
                    + BoundedText.EVENT_FIELD_CHARS + " characters";
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

    /** What a value left out leaves in the compacted line. */
    private enum Skip {
        /** {@code {"airlock_omitted_bytes":N}} in its place. */
        MARKER,
        /** {@code [{"airlock_omitted_bytes":N}]} in its place: an array stays an array. */
        ARRAY_MARKER,
        /** Nothing in its place, name and all; its bytes count in the marker at the end of the object. */
        FOLD,
        /** Nothing: a request header's later values, counted by the marker at the end of their array. */
        NOTHING
    }

    /** An object being written, with what is read of it; or (no fields) the values of a request header. */
    private static final class Frame {
        final KeptFields fields;
        /** Bytes of the fields left out with their names, for the marker at the end of the object. */
        long folded;
        /** Values of the header array so far, and the offset of the first one left out (-1 if none). */
        int count;
        long dropStart = -1;

        private Frame(KeptFields fields) {
            this.fields = fields;
        }

        static Frame object(KeptFields fields) {
            return new Frame(fields);
        }

        static Frame headerValues() {
            return new Frame(null);
        }
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
