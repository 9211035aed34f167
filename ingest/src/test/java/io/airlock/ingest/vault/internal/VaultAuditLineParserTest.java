package io.airlock.ingest.vault.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.ColumnTimes;
import io.airlock.core.RecordTimes;
import io.airlock.core.StableIds;
import io.airlock.ingest.vault.internal.ParsedLine.Accepted;
import io.airlock.ingest.vault.internal.ParsedLine.RejectCategory;
import io.airlock.ingest.vault.internal.ParsedLine.Rejected;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VaultAuditLineParserTest {

    private final VaultAuditLineParser parser = new VaultAuditLineParser(null, 1 << 20);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Accepted accepted(VaultAuditLineParser p, String line) {
        ParsedLine parsed = p.parse(utf8(line));
        assertThat(parsed).isInstanceOf(Accepted.class);
        return (Accepted) parsed;
    }

    private Rejected rejected(byte[] line) {
        ParsedLine parsed = parser.parse(line);
        assertThat(parsed).isInstanceOf(Rejected.class);
        return (Rejected) parsed;
    }

    @Test
    void shouldKeyByRequestIdAndStampWithTheLineTimeKeepingTheBytes() {
        String line = "{\"time\":\"2019-01-08T06:43:50.1574193Z\",\"type\":\"request\",\"request\":{\"id\":\"d999de96\",\"path\":\"secret/x\"}}";
        Accepted a = accepted(parser, line);
        assertThat(new String(a.key(), StandardCharsets.UTF_8)).isEqualTo("d999de96");
        assertThat(a.value()).isEqualTo(utf8(line));
        assertThat(a.timestamp()).isEqualTo(Instant.parse("2019-01-08T06:43:50.157Z").toEpochMilli());
    }

    @Test
    void shouldHashTheLineWhenThereIsNoRequestId() {
        String line = "{\"time\":\"2015-08-05T13:45:46Z\",\"type\":\"request\",\"request\":{\"operation\":\"update\"}}";
        assertThat(new String(accepted(parser, line).key(), StandardCharsets.UTF_8)).isEqualTo(StableIds.of(line));
        String emptyId = "{\"request\":{\"id\":\"\"}}";
        assertThat(new String(accepted(parser, emptyId).key(), StandardCharsets.UTF_8)).isEqualTo(StableIds.of(emptyId));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2023-04-17T12:47:22-07:00|2023-04-17T19:47:22Z",
        "2024-08-15T13:15:03.448238519Z|2024-08-15T13:15:03.448Z",
        "2026-03-02T10:00:00+00:00|2026-03-02T10:00:00Z"})
    void shouldReadRfc3339Times(String time, String expected) {
        assertThat(VaultAuditLineParser.timestamp(time)).isEqualTo(Instant.parse(expected).toEpochMilli());
    }

    /**
     * The capture stamps and the backtest orders a line by the time read here, the normalizer dates its event by the time it
     * reads ({@link ColumnTimes#parseIso}): a line has a time for both or for neither, the same one. Offsets past ±18:00 were
     * no time here but one to the normalizer.
     */
    @ParameterizedTest
    @ValueSource(strings = {"2026-03-03T10:00:00+18:00", "2026-03-03T10:00:00-18:00", "2026-03-03T10:00:00+18:01",
        "2026-03-03T10:00:00+18:30", "2026-03-03T10:00:00-18:59", "2026-03-03T10:00:00+19:00", "2026-03-03T10:00:00.Z",
        "2026-03-03T10:00Z", "2026-03-03t10:00:00z", "2026-03-03T10:00:00-00:00", "2026-03-03T10:00:00.1234567891Z",
        "2026-03-03T10:00:00", "2026-03-03 10:00:00Z", "2026-03-03T24:00:00Z", "+300000000-01-01T00:00:00Z",
        "+292278994-08-17T07:12:55.807Z", "+292278994-08-17T07:12:55.807000001Z"})
    void shouldReadATimeExactlyWhenTheNormalizerReadsOne(String time) {
        Long normalizer;
        try {
            Instant at = ColumnTimes.parseIso(time);
            normalizer = RecordTimes.outOfRange(at) == null ? at.toEpochMilli() : null;
        } catch (DateTimeParseException noTime) {
            normalizer = null;
        }
        assertThat(VaultAuditLineParser.timestamp(time)).isEqualTo(normalizer);
    }

    /**
     * A time after what a Kafka timestamp holds is none to the capture, and the normalizer dead-letters its event for it (it
     * used to take it, then fail with "long overflow" stamping the event); the last millisecond a timestamp holds is one.
     */
    @Test
    void shouldTakeATimeBeyondKafkaTimestampsForNone() {
        assertThat(VaultAuditLineParser.timestamp("+300000000-01-01T00:00:00Z")).isNull();
        assertThat(VaultAuditLineParser.timestamp("+292278994-08-17T07:12:55.807000001Z")).isNull();
        assertThat(VaultAuditLineParser.timestamp("+292278994-08-17T07:12:55.807Z")).isEqualTo(Long.MAX_VALUE);
    }

    /** A time before the epoch, however far, is one: the capture stamps it 0 and the normalizer dead-letters its event. */
    @Test
    void shouldReadAnyTimeBeforeTheEpochAsOneBeforeIt() {
        assertThat(VaultAuditLineParser.timestamp("1969-12-31T23:59:59Z")).isEqualTo(-1000L);
        assertThat(VaultAuditLineParser.timestamp("-999999999-01-01T00:00:00Z")).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void shouldFallBackToNowForAMissingOrUnparseableTime() {
        assertThat(accepted(parser, "{\"type\":\"request\"}").timestamp()).isNull();
        assertThat(accepted(parser, "{\"time\":\"yesterday\"}").timestamp()).isNull();
        assertThat(accepted(parser, "{\"time\":null,\"request\":null,\"auth\":null}").timestamp()).isNull();
    }

    @Test
    void shouldStripThePrefixAndATrailingCarriageReturn() {
        var prefixed = new VaultAuditLineParser("vault-audit: ", 1 << 20);
        Accepted a = accepted(prefixed, "vault-audit: {\"request\":{\"id\":\"p1\"}}\r");
        assertThat(new String(a.value(), StandardCharsets.UTF_8)).isEqualTo("{\"request\":{\"id\":\"p1\"}}");
        assertThat(new String(accepted(prefixed, "{\"request\":{\"id\":\"p2\"}}").key(), StandardCharsets.UTF_8))
                .as("a line without the prefix is still read").isEqualTo("p2");
    }

    @Test
    void shouldTolerateUnknownFieldsAndTypes() {
        accepted(parser, "{\"request\":{\"id\":\"u\",\"data\":{\"a\":[1,{\"b\":null}]},\"new\":7},\"vault_2_field\":[{}],\"x\":\"y\"}");
    }

    @Test
    void shouldRejectEveryKindOfBadLineWithAReasonThatQuotesNoContent() {
        assertReject(utf8("{\"request\":{\"id\":\"hmac-sha256:secret\""), RejectCategory.NOT_JSON, "unexpected end of input");
        assertReject(utf8("hmac-sha256:secret"), RejectCategory.NOT_JSON, "not valid JSON at byte 0");
        assertReject(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}, RejectCategory.INVALID_UTF8,
                "invalid UTF-8 at byte 6");
        assertReject(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'},
                RejectCategory.INVALID_UTF8, "invalid UTF-8");
        assertReject(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xF0, (byte) 0x9F, '"', '}'}, RejectCategory.INVALID_UTF8,
                "invalid UTF-8");
        assertReject(utf8("{\"a\":\"b\u0000\"}"), RejectCategory.NUL_BYTE, "NUL byte at byte 7");
        assertReject(utf8("[\"hmac-sha256:secret\"]"), RejectCategory.NOT_AN_OBJECT, "not a JSON object");
        assertReject(utf8("\"hmac-sha256:secret\""), RejectCategory.NOT_AN_OBJECT, "not a JSON object");
        assertReject(utf8("{\"request\":5}"), RejectCategory.WRONG_TYPE, "field 'request' is a number, expected an object");
        assertReject(utf8("{\"request\":{\"id\":[\"x\"]}}"), RejectCategory.WRONG_TYPE, "field 'request.id' is an array");
        assertReject(utf8("{\"time\":1700000000}"), RejectCategory.WRONG_TYPE, "field 'time' is a number, expected a string");
        assertReject(utf8("{\"auth\":\"hmac-sha256:secret\"}"), RejectCategory.WRONG_TYPE, "field 'auth' is a string");
        assertReject(utf8("{\"type\":true}"), RejectCategory.WRONG_TYPE, "field 'type' is a boolean");
        assertReject(utf8("{} {}"), RejectCategory.TRAILING_DATA, "data after the JSON object at byte 3");
        assertReject(utf8("   "), RejectCategory.EMPTY, "empty line");
        assertReject(utf8("{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}"), RejectCategory.TOO_DEEP,
                "nested deeper than 1000 levels");
    }

    @Test
    void shouldPointAtThePrefixOptionWhenTextComesBeforeTheJson() {
        String line = "vault-audit: {\"type\":\"request\",\"request\":{\"id\":\"r1\",\"path\":\"secret/data/x\"}}";

        assertThat(rejected(utf8(line))).isEqualTo(new Rejected(RejectCategory.NOT_JSON, "not valid JSON: 13 bytes before the "
                + "first '{' — a prefix option of the audit device? set vault.audit.prefix (backtest: --vault-prefix)"));
        assertThat(rejected(utf8(line.substring(0, 40))).reason()).as("truncated too").startsWith("not valid JSON: 13 bytes before");
        assertThat(rejected(utf8("  audit {x} {\"type\":\"request\"}")).reason()).startsWith("not valid JSON: 8 bytes before");
        assertThat(new VaultAuditLineParser("audit: ", 1 << 20).parse(utf8(line))).isEqualTo(new Rejected(RejectCategory.NOT_JSON,
                "not valid JSON: 13 bytes before the first '{' — does vault.audit.prefix (backtest: --vault-prefix) match the audit "
                        + "device's prefix option?"));
        assertThat(new VaultAuditLineParser("vault-audit:", 1 << 20).parse(utf8(line)))
                .as("the prefix without its blank: JSON allows the blank").isInstanceOf(Accepted.class);
        assertThat(rejected(utf8(line)).reason()).doesNotContain("vault-audit");

        assertReject(utf8("hmac-sha256:secret {x"), RejectCategory.NOT_JSON, "not valid JSON at byte 0");
        assertReject(utf8(" \t{\"a\":{\"b\""), RejectCategory.NOT_JSON, "unexpected end of input");
        assertReject(utf8("[{\"a\":\"secret\"}]"), RejectCategory.NOT_AN_OBJECT, "not a JSON object");
    }

    /** The start of a line of an audit device enabled with {@code format=jsonx}: the same entry as JSONx (XML). */
    static final String JSONX_LINE = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><json:object "
            + "xsi:schemaLocation=\"http://www.datapower.com/schemas/json jsonx.xsd\" "
            + "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:json=\"http://www.ibm.com/xmlns/prod/2009/jsonx\">"
            + "<json:object name=\"auth\"><json:string name=\"display_name\">approle</json:string></json:object>"
            + "<json:object name=\"request\"><json:string name=\"id\">0b9f4c2e</json:string><json:string name=\"path\">"
            + "airflow/data/connections/db</json:string></json:object><json:string name=\"type\">request</json:string></json:object>";

    @Test
    void shouldSayThatALineOfXmlComesFromAJsonxAuditDevice() {
        String hint = "not valid JSON at byte 0 of the line: it starts with '<' and looks like XML, as an audit device with "
                + "format=jsonx writes it; Airlock reads format=json (the default: enable the device again without format=jsonx)";
        assertThat(rejected(utf8(JSONX_LINE))).isEqualTo(new Rejected(RejectCategory.NOT_JSON, hint));
        assertThat(new VaultAuditLineParser("vault: ", 1 << 20).parse(utf8("vault: " + JSONX_LINE)))
                .isEqualTo(new Rejected(RejectCategory.NOT_JSON, hint.replace("byte 0", "byte 7")));
        assertThat(rejected(utf8("hmac-sha256:x <y>")).reason()).isEqualTo("not valid JSON at byte 0 of the line");

        var parser = new VaultAuditLineParser(null, 1024);
        byte[] longLine = utf8(JSONX_LINE.replace("approle", "x".repeat(2000)));
        var compactor = parser.compactor();
        compactor.begin();
        compactor.feed(longLine, 0, longLine.length);
        assertThat(parser.parse(longLine, 0, 1024, longLine.length, compactor)).as("over the limit")
                .isEqualTo(new Rejected(RejectCategory.NOT_JSON, hint));
    }

    @Test
    void shouldRejectALineOverTheLimitWithoutLookingAtIt() {
        var small = new VaultAuditLineParser(null, 100);
        ParsedLine parsed = small.parse(new byte[100], 0, 100, 5_000_000);
        assertThat(parsed).isEqualTo(new Rejected(RejectCategory.TOO_LONG, "line too long: 5000000 bytes, the limit is 100 bytes"));
        assertThat(small.parse(utf8("{\"request\":{\"id\":\"" + "a".repeat(78) + "\"}}"))).isInstanceOf(Accepted.class);
    }

    private void assertReject(byte[] line, RejectCategory category, String reasonPart) {
        Rejected r = rejected(line);
        assertThat(r.category()).as(r.reason()).isEqualTo(category);
        assertThat(r.reason()).contains(reasonPart).doesNotContain("secret");
    }
}
