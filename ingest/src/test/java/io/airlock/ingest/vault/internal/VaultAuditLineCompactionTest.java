package io.airlock.ingest.vault.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.airlock.core.BoundedText;
import io.airlock.core.Json;
import io.airlock.ingest.vault.internal.ParsedLine.Accepted;
import io.airlock.ingest.vault.internal.ParsedLine.RejectCategory;
import io.airlock.ingest.vault.internal.ParsedLine.Rejected;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Vault request padded with thousands of query parameters ({@code request.data}), token metadata, headers or any other
 * value a client chooses gives audit lines over the limit: they are passed on with only what Airlock reads instead of being
 * dead-lettered, read in pieces as the capture reads them.
 */
class VaultAuditLineCompactionTest {

    private static final int LIMIT = 1 << 20;
    private static final String HMAC = "hmac-sha256:2b3c1f0e9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c";
    private static final Instant TIME = Instant.parse("2026-03-02T10:15:30.123456789Z");

    /** {@code request.data} of a GET with {@code n} query parameters, as the audit device writes it. */
    static String queryData(int n) {
        var data = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            data.append(i == 0 ? "" : ",").append(String.format("\"p%05d\":\"%s\"", i, HMAC));
        }
        return data.append('}').toString();
    }

    /** A KV read by the Airflow worker in Vault's field order: request.data before remote_address, headers, response, error. */
    static String paddedLine(String type, String id, String data) {
        String request = "{\"id\":\"" + id + "\",\"client_id\":\"ent-airflow\",\"operation\":\"read\",\"mount_point\":\"airflow/\","
                + "\"mount_type\":\"kv\",\"mount_running_version\":\"v0.20.0+builtin\",\"mount_class\":\"secret\",\"client_token\":\""
                + HMAC + "\",\"client_token_accessor\":\"" + HMAC + "\",\"namespace\":{\"id\":\"root\"},\"path\":"
                + "\"airflow/data/connections/db\",\"data\":" + data + ",\"policy_override\":false,\"remote_address\":\"10.0.0.7\","
                + "\"remote_port\":50326,\"wrap_ttl\":0,\"headers\":{\"x-airflow-dag-id\":[\"etl\"],\"user-agent\":[\"Go-http\\u003c1\\u003e\"]}}";
        String line = "{\"time\":\"" + TIME + "\",\"type\":\"" + type + "\",\"auth\":{\"client_token\":\"" + HMAC + "\",\"accessor\":\""
                + HMAC + "\",\"display_name\":\"kubernetes-airflow-worker\",\"policies\":[\"airflow\",\"default\"],\"metadata\":"
                + "{\"role\":\"airflow\"},\"entity_id\":\"ent-airflow\",\"token_type\":\"service\",\"token_ttl\":3600,"
                + "\"token_issue_time\":\"2026-03-02T10:00:00Z\"},\"request\":" + request;
        if (type.equals("response")) {
            line += ",\"response\":{\"mount_point\":\"airflow/\",\"mount_type\":\"kv\",\"mount_running_plugin_version\":"
                    + "\"v0.20.0+builtin\",\"data\":{\"data\":{\"conn_uri\":\"" + HMAC + "\"},\"metadata\":{\"version\":3,"
                    + "\"created_time\":\"" + HMAC + "\",\"custom_metadata\":null,\"deletion_time\":\"\",\"destroyed\":false}}},"
                    + "\"error\":\"\",\"ratio\":1.50e3";
        }
        return line + "}";
    }

    private final List<ParsedLine> results = new ArrayList<>();
    private final List<Long> starts = new ArrayList<>();

    /** Reads {@code text} (lines separated by newlines) in chunks of {@code chunk} bytes as the tailer does and parses each line. */
    private List<ParsedLine> read(VaultAuditLineParser parser, byte[] text, int chunk) {
        results.clear();
        starts.clear();
        VaultAuditLineCompactor compactor = parser.compactor();
        var lines = new LineAssembler(LIMIT, 0, compactor);
        LineAssembler.LineHandler handler = (buf, off, len, fullLength, start) -> {
            results.add(parser.parse(buf, off, len, fullLength, compactor));
            starts.add(start);
        };
        for (int i = 0; i < text.length; i += chunk) {
            lines.feed(text, i, Math.min(chunk, text.length - i), handler);
        }
        lines.finishPartial(handler);
        return results;
    }

    private ParsedLine readOne(String line) {
        return readOne(new VaultAuditLineParser(null, LIMIT), utf8(line), 64 * 1024);
    }

    private ParsedLine readOne(VaultAuditLineParser parser, byte[] line, int chunk) {
        List<ParsedLine> parsed = read(parser, concat(line, new byte[] {'\n'}), chunk);
        assertThat(parsed).hasSize(1);
        return parsed.get(0);
    }

    private static Accepted accepted(ParsedLine parsed) {
        assertThat(parsed).as(parsed.toString()).isInstanceOf(Accepted.class);
        return (Accepted) parsed;
    }

    private static Rejected rejected(ParsedLine parsed) {
        assertThat(parsed).isInstanceOf(Rejected.class);
        return (Rejected) parsed;
    }

    /** Where Airlock reads a Vault audit line (VaultAuditNormalizer, VaultAuditLineParser). */
    private static final List<String> READ = List.of("/time", "/type", "/error", "/forwarded_from", "/auth/display_name",
            "/auth/entity_id", "/auth/metadata/username", "/auth/metadata/role_name", "/request/id", "/request/path",
            "/request/operation", "/request/mount_type", "/request/mount_point", "/request/remote_address",
            "/request/namespace/path", "/request/headers/x-airflow-dag-id/0", "/request/headers/x-airflow-run-id/0",
            "/request/headers/x-airflow-task-id/0", "/response/mount_type");

    /** What Airlock reads of a line, each string bounded as an event bounds it. */
    private static Map<String, JsonNode> readFields(String line) {
        JsonNode tree = Json.tree(line);
        var read = new LinkedHashMap<String, JsonNode>();
        for (String at : READ) {
            JsonNode value = tree.at(at);
            read.put(at, value.isTextual() ? TextNode.valueOf(BoundedText.of(value.asText(), BoundedText.EVENT_FIELD_CHARS)) : value);
        }
        return read;
    }

    private static String text(Accepted a) {
        return new String(a.value(), StandardCharsets.UTF_8);
    }

    /** The marker of {@code json} left out: its size in bytes. */
    private static String marker(String json) {
        return "{\"airlock_omitted_bytes\":" + utf8(json).length + "}";
    }

    @ParameterizedTest(name = "read in chunks of {0} bytes")
    @ValueSource(ints = {4093, 65536, 4 << 20})
    void shouldPassOnAPaddedReadOverTheLimitWithWhatAirlockReadsAndMarkersForTheRest(int chunk) {
        String request = paddedLine("request", "req-padded", queryData(14_300));
        String response = paddedLine("response", "req-padded", queryData(14_300));
        assertThat(utf8(request).length).as("a 120 KB URL makes a line over 1 MiB").isGreaterThan(1_250_000);

        List<ParsedLine> parsed = read(new VaultAuditLineParser(null, LIMIT), utf8(request + "\n" + response + "\n"), chunk);

        assertThat(parsed).hasSize(2);
        for (int i = 0; i < 2; i++) {
            String original = i == 0 ? request : response;
            Accepted a = accepted(parsed.get(i));
            assertThat(a.compacted()).isTrue();
            assertThat(new String(a.key(), StandardCharsets.UTF_8)).isEqualTo("req-padded");
            assertThat(a.timestamp()).isEqualTo(TIME.toEpochMilli());
            assertThat(a.value().length).isLessThan(4096);
            assertThat(readFields(text(a))).isEqualTo(readFields(original));
        }
        assertThat(text(accepted(parsed.get(1))))
                .as("field order kept, markers in place of what is not read")
                .contains("\"path\":\"airflow/data/connections/db\",\"data\":" + marker(queryData(14_300)) + ",\"policy_override\":"
                        + marker("false") + ",\"remote_address\":\"10.0.0.7\"")
                .contains("\"policies\":[" + marker("[\"airflow\",\"default\"]") + "],\"metadata\":{\"airlock_omitted_bytes\":"
                        + utf8("\"role\":\"airflow\"").length + "},\"entity_id\":\"ent-airflow\"")
                .contains("\"headers\":{\"x-airflow-dag-id\":[\"etl\"],\"airlock_omitted_bytes\":"
                        + utf8("\"user-agent\":[\"Go-http\\u003c1\\u003e\"]").length + "}")
                .endsWith("\"error\":\"\",\"ratio\":" + marker("1.50e3") + "}");
        assertThat(starts).containsExactly(0L, (long) utf8(request).length + 1);
    }

    @Test
    void shouldLeaveLinesWithinTheLimitAsVaultWroteThem() {
        String line = paddedLine("response", "req-small", queryData(10));
        Accepted a = accepted(readOne(line));
        assertThat(a.compacted()).isFalse();
        assertThat(a.value()).isEqualTo(utf8(line));
    }

    @Test
    void shouldStripThePrefixAndATrailingCarriageReturnOfALongLine() {
        String line = paddedLine("request", "req-prefixed", queryData(14_300));
        var parser = new VaultAuditLineParser("vault-audit: ", LIMIT);
        Accepted a = accepted(readOne(parser, utf8("vault-audit: " + line + "\r"), 1000));
        assertThat(new String(a.key(), StandardCharsets.UTF_8)).isEqualTo("req-prefixed");
        assertThat(readFields(text(a))).isEqualTo(readFields(line));
        assertThat(a.value()[0]).isEqualTo((byte) '{');
        assertThat(accepted(readOne(parser, utf8(line), 1000)).compacted()).as("without the prefix").isTrue();
    }

    @Test
    void shouldDeadLetterOnlyALineWhoseReadFieldsAloneAreOverTheLimit() {
        String path = "\"path\":\"" + "y".repeat(5000) + "\",";
        String repeated = paddedLine("request", "req-big", "{}").replace("\"path\":", path.repeat(300) + "\"path\":");
        Rejected r = rejected(readOne(repeated));
        assertThat(r.category()).as("a field read, repeated: not a line Vault writes").isEqualTo(RejectCategory.TOO_LONG);
        assertThat(r.reason()).isEqualTo("line too long: " + utf8(repeated).length + " bytes, the limit is " + LIMIT + " bytes, and "
                + "it is still longer with only the fields Airlock reads, each string bounded to 4096 characters");
    }

    /** A read whose audited request headers ({@code hmac=false}) the client padded: the line of Vault's response to it. */
    private static String readWithHeaders(String headers) {
        return paddedLine("response", "req-headers", "null").replace("\"headers\":{\"x-airflow-dag-id\":[\"etl\"],",
                "\"headers\":{" + headers + ",");
    }

    @Test
    void shouldPassOnAReadWhoseRequestHeadersArePaddedWithTheirValuesCut() {
        String twoHeaders = readWithHeaders("\"x-airflow-dag-id\":[\"" + "A".repeat(524_000) + "\"],\"x-airflow-run-id\":[\""
                + "B".repeat(524_000) + "\"]");
        String oneHeader = readWithHeaders("\"x-airflow-dag-id\":[\"" + "A".repeat(1_049_000) + "\"]");
        String otherTail = readWithHeaders("\"x-airflow-dag-id\":[\"" + "A".repeat(1_048_999) + "C\"]");
        assertThat(utf8(twoHeaders).length).as("the reviewer's line").isGreaterThan(1_049_000);

        for (int chunk : new int[] {4093, 65536, 4 << 20}) {
            JsonNode two = Json.tree(new String(accepted(readOne(new VaultAuditLineParser(null, LIMIT), utf8(twoHeaders), chunk))
                    .value(), StandardCharsets.UTF_8));
            assertThat(two.at("/request/path").asText()).isEqualTo("airflow/data/connections/db");
            assertThat(two.at("/request/operation").asText()).isEqualTo("read");
            assertThat(two.at("/auth/entity_id").asText()).isEqualTo("ent-airflow");
            assertThat(two.at("/request/remote_address").asText()).isEqualTo("10.0.0.7");
            assertThat(two.at("/request/headers/user-agent").isMissingNode()).as("a header not read goes").isTrue();
            String dagId = two.at("/request/headers/x-airflow-dag-id/0").asText();
            assertThat(dagId).as("chunks of %d: the event's form of the value", chunk)
                    .isEqualTo(BoundedText.of("A".repeat(524_000), BoundedText.EVENT_FIELD_CHARS)).matches("A{4078}…#[0-9a-f]{16}");
            assertThat(two.at("/request/headers/x-airflow-run-id/0").asText())
                    .isEqualTo(BoundedText.of("B".repeat(524_000), BoundedText.EVENT_FIELD_CHARS));
        }
        String one = accepted(readOne(oneHeader)).compacted() ? headerOf(oneHeader) : null;
        assertThat(one).as("a single string longer than the limit")
                .isEqualTo(BoundedText.of("A".repeat(1_049_000), BoundedText.EVENT_FIELD_CHARS));
        assertThat(headerOf(otherTail)).as("a different tail, a different digest").isNotEqualTo(one)
                .isEqualTo(BoundedText.of("A".repeat(1_048_999) + "C", BoundedText.EVENT_FIELD_CHARS));
    }

    private String headerOf(String line) {
        return Json.tree(new String(accepted(readOne(line)).value(), StandardCharsets.UTF_8))
                .at("/request/headers/x-airflow-dag-id/0").asText();
    }

    @Test
    void shouldKeepTheFirstValueOfARepeatedRequestHeader() {
        String value = "\"" + "D".repeat(30_000) + "\"";
        String repeated = readWithHeaders("\"x-airflow-dag-id\":[\"etl\"," + (value + ",").repeat(40) + "{\"odd\":[" + value
                + "]}," + value + "]");
        assertThat(utf8(repeated).length).isGreaterThan(LIMIT);

        String compacted = new String(accepted(readOne(repeated)).value(), StandardCharsets.UTF_8);

        int dropped = utf8(repeated.substring(repeated.indexOf("\"etl\",") + 6, repeated.indexOf("],\"user-agent\""))).length;
        assertThat(compacted).contains("\"headers\":{\"x-airflow-dag-id\":[\"etl\",{\"airlock_omitted_bytes\":" + dropped
                + "}],\"airlock_omitted_bytes\":" + utf8("\"user-agent\":[\"Go-http\\u003c1\\u003e\"]").length + "}");
    }

    @Test
    void shouldCountTheBytesOfCutStringsInTheDataLeftOutAndDeadLetterABrokenTail() {
        String data = "{\"k\":\"" + "z".repeat(3 * LIMIT) + "\",\"" + "n".repeat(2 * LIMIT) + "\":1}";
        String line = paddedLine("request", "req-string", data);
        Accepted a = accepted(readOne(line));
        assertThat(Json.tree(new String(a.value(), StandardCharsets.UTF_8)).at("/request/data/airlock_omitted_bytes").asLong())
                .as("a string and a name of megabytes inside data").isEqualTo(utf8(data).length);

        String brokenEscape = paddedLine("request", "req-escape", "{\"k\":\"" + "z".repeat(2 * LIMIT) + "\\x\"}");
        Rejected r = rejected(readOne(brokenEscape));
        assertThat(r.category()).isEqualTo(RejectCategory.NOT_JSON);
        assertThat(r.reason()).as("the tail left out is checked too")
                .isEqualTo("not valid JSON at byte " + utf8(brokenEscape.substring(0, brokenEscape.indexOf("\\x") + 1)).length
                        + " of the line");
        String brokenAfter = paddedLine("request", "req-after", "{\"k\":\"" + "z".repeat(2 * LIMIT) + "\"}").replace(
                "\"remote_port\":50326", "\"remote_port\":50326,");
        assertThat(rejected(readOne(brokenAfter)).reason()).as("offsets after a cut are those of the line")
                .isEqualTo("not valid JSON at byte " + utf8(brokenAfter.substring(0, brokenAfter.indexOf(",,") + 1)).length
                        + " of the line");
    }

    @Test
    void shouldPointAtThePrefixOptionForALongLineWithTextBeforeItsJson() {
        byte[] line = utf8("vault-audit: " + paddedLine("request", "req-prefixed", queryData(14_300)));
        String hint = "not valid JSON: 13 bytes before the first '{' — a prefix option of the audit device? set vault.audit.prefix "
                + "(backtest: --vault-prefix)";
        for (int chunk : new int[] {1, 5, 13, 14, 4096}) {
            assertThat(readOne(new VaultAuditLineParser(null, LIMIT), line, chunk)).as("chunks of %d", chunk)
                    .isEqualTo(new Rejected(RejectCategory.NOT_JSON, hint));
        }
        assertThat(rejected(readOne(new VaultAuditLineParser("audit: ", LIMIT), line, 4096)).reason())
                .startsWith("not valid JSON: 13 bytes before the first '{' — does vault.audit.prefix");
        assertThat(readOne(new VaultAuditLineParser("vault-audit: ", LIMIT), line, 4096)).isInstanceOf(Accepted.class);
        assertThat(rejected(readOne(new VaultAuditLineParser(null, LIMIT), utf8("x".repeat(LIMIT + 10)), 4096)).reason())
                .as("no JSON after the text").isEqualTo("not valid JSON at byte 0 of the line");
    }

    @Test
    void shouldDeadLetterALongLineWhoseJsonIsBrokenAfterTheHead() {
        String line = paddedLine("response", "req-broken", queryData(14_300));
        String brokenTail = line.substring(0, line.length() - 1) + ",}";
        Rejected r = rejected(readOne(brokenTail));
        assertThat(r.category()).isEqualTo(RejectCategory.NOT_JSON);
        assertThat(r.reason()).isEqualTo("not valid JSON at byte " + (utf8(brokenTail).length - 1) + " of the line");

        Rejected truncated = rejected(readOne(line.substring(0, line.length() - 200)));
        assertThat(truncated.category()).isEqualTo(RejectCategory.NOT_JSON);
        assertThat(truncated.reason()).contains("unexpected end of input");

        Rejected twoObjects = rejected(readOne(line + " {}"));
        assertThat(twoObjects.category()).isEqualTo(RejectCategory.TRAILING_DATA);
        assertThat(twoObjects.reason()).isEqualTo("data after the JSON object at byte " + (utf8(line).length + 1) + " of the line");

        for (String trailing : List.of(",}", ", }", ",\t\r }")) { // a chunk ending right after the comma must not hide it
            String bad = line.substring(0, line.length() - 1) + trailing;
            for (int chunk : new int[] {utf8(bad).length - trailing.length() + 1, utf8(bad).length - 1, 4096}) {
                Rejected comma = rejected(readOne(new VaultAuditLineParser(null, LIMIT), utf8(bad), chunk));
                assertThat(comma.reason()).as("chunks of %d", chunk).isEqualTo("not valid JSON at byte " + (utf8(bad).length - 1)
                        + " of the line");
            }
        }
        String commaInString = line.replace("\"Go-http", "\",}Go-http");
        assertThat(readOne(new VaultAuditLineParser(null, LIMIT), utf8(commaInString), commaInString.indexOf(",}") + 1))
                .isInstanceOf(Accepted.class);

        Rejected wrongType = rejected(readOne(line.substring(0, line.length() - 1) + ",\"type\":5}"));
        assertThat(wrongType.category()).isEqualTo(RejectCategory.WRONG_TYPE);

        assertThat(rejected(readOne("[" + queryData(14_300) + "]")).category()).isEqualTo(RejectCategory.NOT_AN_OBJECT);
        assertThat(rejected(readOne(" ".repeat(LIMIT + 1))).category()).isEqualTo(RejectCategory.EMPTY);
    }

    @Test
    void shouldDeadLetterBadBytesAndDeepNestingAfterTheHead() {
        String line = paddedLine("request", "req-bytes", queryData(14_300));
        int inString = line.indexOf("Go-http");
        byte[] head = utf8(line.substring(0, inString));
        byte[] tail = utf8(line.substring(inString));
        // 0xE2 0x82 0xAC (€) split by the chunk boundary is fine; 0xC3 0x28 is not UTF-8, a NUL byte is not allowed
        byte[] euro = concat(concat(head, new byte[] {(byte) 0xE2, (byte) 0x82, (byte) 0xAC}),
                tail);
        assertThat(readOne(new VaultAuditLineParser(null, LIMIT), euro, head.length + 1)).isInstanceOf(Accepted.class);

        byte[] invalid = concat(concat(head, new byte[] {(byte) 0xC3, (byte) 0x28}), tail);
        Rejected r = rejected(readOne(new VaultAuditLineParser(null, LIMIT), invalid, 4096));
        assertThat(r.category()).isEqualTo(RejectCategory.INVALID_UTF8);
        assertThat(r.reason()).isEqualTo("invalid UTF-8 at byte " + head.length + " of the line");

        Rejected split = rejected(readOne(new VaultAuditLineParser(null, LIMIT), concat(concat(head, new byte[] {(byte) 0xE2,
                (byte) 0x82, '"'}), tail), head.length + 1));
        assertThat(split.reason()).as("a sequence cut by the chunk boundary").isEqualTo("invalid UTF-8 at byte " + head.length
                + " of the line");

        byte[] nul = concat(concat(head, new byte[] {0}), tail);
        assertThat(rejected(readOne(new VaultAuditLineParser(null, LIMIT), nul, 4096)).reason())
                .isEqualTo("NUL byte at byte " + head.length + " of the line");

        byte[] cut = concat(concat(head, new byte[] {(byte) 0xE2, (byte) 0x82}), new byte[0]);
        assertThat(rejected(readOne(new VaultAuditLineParser(null, LIMIT), cut, 4096)).reason())
                .isEqualTo("invalid UTF-8 at byte " + head.length + " of the line");

        String deep = line.substring(0, line.length() - 1) + ",\"x\":" + "[".repeat(2000) + "]".repeat(2000) + "}";
        assertThat(rejected(readOne(deep)).category()).isEqualTo(RejectCategory.TOO_DEEP);
        String deepInData = paddedLine("request", "req-deep", "[" + queryData(14_300) + "," + "[".repeat(2000) + "]".repeat(2000) + "]");
        assertThat(rejected(readOne(deepInData)).category()).as("the nesting limit holds inside data too").isEqualTo(RejectCategory.TOO_DEEP);
    }

    @Test
    void shouldKeepNullDataAndDropScalarData() {
        String nullData = "{\"type\":\"request\",\"request\":{\"id\":\"n\",\"data\":null,\"z\":[" + "1,".repeat(LIMIT / 2) + "1]}}";
        assertThat(text(accepted(readOne(nullData)))).isEqualTo("{\"type\":\"request\",\"request\":{\"id\":\"n\",\"data\":null,"
                + "\"z\":[" + marker("[" + "1,".repeat(LIMIT / 2) + "1]") + "]}}");
        String scalar = "{\"type\":\"request\",\"request\":{\"id\":\"s\",\"data\":\"" + "q".repeat(LIMIT - 10) + "\",\"data2\":null}"
                + ",\"response\":{\"data\":null}}";
        Accepted a = accepted(readOne(scalar));
        assertThat(new String(a.value(), StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"request\",\"request\":{\"id\":\"s\",\"data\":"
                + "{\"airlock_omitted_bytes\":" + (LIMIT - 10 + 2) + "},\"data2\":null},\"response\":{\"data\":null}}");
    }

    @Test
    void shouldCompactALineOfFiftyMegabytesReadInChunksWithoutHoldingIt() {
        String[] around = paddedLine("request", "req-huge", "@").split("@");
        var parser = new VaultAuditLineParser(null, LIMIT);
        VaultAuditLineCompactor compactor = parser.compactor();
        var lines = new LineAssembler(LIMIT, 0, compactor);
        LineAssembler.LineHandler handler = (buf, off, len, fullLength, start) ->
                results.add(parser.parse(buf, off, len, fullLength, compactor));
        byte[] head = utf8(around[0] + "{\"p0\":0");
        lines.feed(head, 0, head.length, handler);
        long length = head.length;
        var many = new StringBuilder();
        for (int i = 0; i < 700; i++) {
            many.append(",\"p\":\"").append(HMAC).append('"');
        }
        byte[] chunk = utf8(many.toString());
        for (int i = 0; i < 900; i++) { // 900 chunks of ~64 KB: ~57 MB of request.data
            lines.feed(chunk, 0, chunk.length, handler);
            length += chunk.length;
        }
        byte[] tail = utf8("}" + around[1] + "\n");
        lines.feed(tail, 0, tail.length, handler);
        length += tail.length - 1;

        assertThat(length).isGreaterThan(50_000_000);
        assertThat(lines.carryCapacity()).isLessThanOrEqualTo(LIMIT);
        Accepted a = accepted(results.get(0));
        assertThat(Json.tree(new String(a.value(), StandardCharsets.UTF_8)).at("/request/data/airlock_omitted_bytes").asLong())
                .isEqualTo(length - utf8(around[0] + around[1]).length);
        assertThat(Json.tree(new String(a.value(), StandardCharsets.UTF_8)).at("/request/remote_address").asText())
                .isEqualTo("10.0.0.7");
    }

    /** Forty strings of 30 000 characters, as JSON object members: 1.2 MB of padding that no single cut shortens enough. */
    private static String pads(String prefix) {
        var pads = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            pads.append(String.format("\"%s%03d\":\"%s\",", prefix, i, "x".repeat(30_000)));
        }
        return pads.toString();
    }

    @Test
    void shouldPassOnAReadPaddedWithTokenMetadataKeepingTheMetadataRead() {
        // the reviewer's meta.log: bob's token metadata (chosen by whoever created the token, written unhashed) padded
        String line = paddedLine("response", "req-meta", "null").replace("\"metadata\":{\"role\":\"airflow\"}",
                "\"metadata\":{\"username\":\"bob\"," + pads("k") + "\"role_name\":\"etl\"}");
        assertThat(utf8(line).length).isGreaterThan(LIMIT);

        Accepted a = accepted(readOne(line));

        assertThat(readFields(text(a))).isEqualTo(readFields(line));
        JsonNode metadata = Json.tree(text(a)).at("/auth/metadata");
        assertThat(metadata.fieldNames()).toIterable().containsExactly("username", "role_name", "airlock_omitted_bytes");
        assertThat(metadata.get("airlock_omitted_bytes").asLong()).as("the bytes of the 40 members left out")
                .isEqualTo(40L * utf8("\"k000\":\"" + "x".repeat(30_000) + "\"").length);
    }

    @ParameterizedTest(name = "padding in {0}")
    @ValueSource(strings = {"auth.metadata", "auth.policies", "auth.other", "request.data", "request.headers",
            "request.header-values", "request.namespace", "response.data", "response.wrap_info", "response.headers",
            "response.auth", "line"})
    void shouldPassOnAReadPaddedInAnyValueAClientChooses(String where) {
        String line = paddedLine("response", "req-pad", "null");
        String values = "[" + ("\"" + "x".repeat(30_000) + "\",").repeat(40) + "\"x\"]";
        String padded = switch (where) {
            case "auth.metadata" -> line.replace("\"metadata\":{", "\"metadata\":{" + pads("k"));
            case "auth.policies" -> line.replace("\"policies\":[", "\"policies\":" + values.replace("]", ",")).replace("\"x\",\"airflow",
                    "\"x\",\"airflow");
            case "auth.other" -> line.replace("\"auth\":{", "\"auth\":{\"token_policies\":" + values + ",\"identity_policies\":" + values
                    + ",");
            case "request.data" -> line.replace("\"data\":null", "\"data\":{" + pads("p") + "\"q\":1}");
            case "request.headers" -> line.replace("\"headers\":{", "\"headers\":{" + pads("x-pad-"));
            case "request.header-values" -> line.replace("\"x-airflow-dag-id\":[\"etl\"]", "\"x-airflow-dag-id\":[\"etl\","
                    + values.substring(1));
            case "request.namespace" -> line.replace("\"namespace\":{", "\"namespace\":{\"id\":" + values + ",");
            case "response.data" -> line.replace("\"response\":{", "\"response\":{\"data\":{" + pads("d") + "\"e\":{\"f\":"
                    + values + "}},");
            case "response.wrap_info" -> line.replace("\"response\":{", "\"response\":{\"wrap_info\":{\"token\":\"t\","
                    + pads("w") + "\"creation_path\":" + values + "},");
            case "response.headers" -> line.replace("\"response\":{", "\"response\":{\"headers\":{" + pads("h") + "\"z\":[]},");
            case "response.auth" -> line.replace("\"response\":{", "\"response\":{\"auth\":{\"metadata\":{" + pads("m")
                    + "\"username\":\"eve\"}},");
            default -> line.replace("\"time\":", "\"warnings\":" + values + ",\"time\":");
        };
        assertThat(padded).isNotEqualTo(line);
        assertThat(utf8(padded).length).as(where).isGreaterThan(LIMIT);

        Accepted a = accepted(readOne(padded));

        assertThat(a.compacted()).isTrue();
        assertThat(a.value().length).as(where).isLessThan(8192);
        assertThat(readFields(text(a))).as(where).isEqualTo(readFields(padded)).isEqualTo(readFields(line));
    }

    @Test
    void shouldCutAStringToTheFormAnEventKeepsOfTheWholeString() {
        String path = "airflow/data/connections/" + "p".repeat(40_000);
        // escapes and characters beyond the BMP: the head is counted in characters of the decoded string, never splitting
        // a pair, and the digest is that of the decoded string's UTF-8 bytes, an unpaired surrogate as '?'
        String escaped = "a\\u00e9\\n\\\"\\uD83D\\uDE00\\uD800x\\uDC00é😀" + "\\u0041".repeat(5000);
        String decoded = "aé\n\"😀\uD800x\uDC00é😀" + "A".repeat(5000);
        String pairAtCut = "b".repeat(4077) + "😀".repeat(100);
        String escapedPairAtCut = "b".repeat(4077) + "\\uD83D\\uDE00".repeat(100);
        String line = paddedLine("response", "req-path", queryData(14_300)).replace("airflow/data/connections/db", path)
                .replace("\"id\":\"root\"", "\"id\":\"root\",\"path\":\"" + escaped + "\"")
                .replace("\"display_name\":\"kubernetes-airflow-worker\"", "\"display_name\":\"" + pairAtCut + "\"")
                .replace("\"entity_id\":\"ent-airflow\"", "\"entity_id\":\"" + escapedPairAtCut + "\"");

        for (int chunk : new int[] {1000, 4093, 65536}) {
            JsonNode compacted = Json.tree(text(accepted(readOne(new VaultAuditLineParser(null, LIMIT), utf8(line), chunk))));

            assertThat(compacted.at("/request/path").asText()).isEqualTo(BoundedText.of(path, BoundedText.EVENT_FIELD_CHARS));
            assertThat(compacted.at("/request/namespace/path").asText()).as("chunks of %d", chunk)
                    .isEqualTo(BoundedText.of(decoded, BoundedText.EVENT_FIELD_CHARS));
            assertThat(compacted.at("/auth/display_name").asText()).hasSize(4095)
                    .isEqualTo(BoundedText.of(pairAtCut, BoundedText.EVENT_FIELD_CHARS));
            assertThat(compacted.at("/auth/entity_id").asText()).as("the same pairs, escaped")
                    .isEqualTo(BoundedText.of(pairAtCut, BoundedText.EVENT_FIELD_CHARS));
        }
        String bounded = BoundedText.of(path, BoundedText.EVENT_FIELD_CHARS);
        assertThat(BoundedText.of(bounded, BoundedText.EVENT_FIELD_CHARS)).as("bounding twice is bounding once").isEqualTo(bounded);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        var out = new ByteArrayOutputStream(a.length + b.length);
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
