package io.airlock.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import io.airlock.core.Topics;
import io.airlock.embedded.AirlockProcess;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.embedded.RealComponents;
import io.airlock.embedded.WebhookReceiver;
import io.airlock.streams.VaultAuditLine;
import io.airlock.streams.VaultOperation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #8, hostile input end to end: user names, DAG ids and Vault paths carrying Slack mrkdwn, HTML, CSV formulas,
 * newlines, very long and non-ASCII values; malformed CDC and Vault records. Nothing crashes, nothing pings, no value reaches
 * the log (so nothing is forged into it), the values arrive unchanged in OpenSearch, PagerDuty gets flattened and bounded
 * text, the CSV report neutralises formulas, and each bad record lands in the DLQ at its source position with its reason.
 */
@ExtendWith(RealComponents.class)
class HostileInputSystemTest {

    static final String FORGED_TEXT = "FORGED admin granted";
    static final String FORGED = "12:00:00.000 INFO  [main] io.airlock.app.RunCommand - " + FORGED_TEXT;
    static final List<String> HOSTILE_USERS = List.of(
            "<!channel> <!here> <@U012AB3CD> *urgent* <https://evil.example/login|re-authenticate>",
            "<script>alert(1)</script><img src=x onerror=alert(2)>",
            "=HYPERLINK(\"https://evil.example\",\"open\")",
            "+cmd|' /C calc'!A0",
            "bob\n" + FORGED,
            "Ωμέγα-用户-😀-\u202Eevil\u0000".replace("\u0000", ""),
            "long-" + "x".repeat(250));
    static final String HOSTILE_DAG = "<!everyone> `rm -rf /` =cmd|' /C calc'!A0 \r\n" + FORGED;
    /** Not JSON: the parser's message quotes its first token; Kafka Streams logs the deserialization exception. */
    static final String NOT_JSON = "hostile_not_json <!channel>\n" + FORGED;
    static final int MAX_LINE_BYTES = 65_536;
    /** Parts of the hostile values that no log line may carry (each in one line of a value, none a word Airlock logs). */
    static final String[] RAW_VALUES = {"<!channel>", "<@U012AB3CD>", "evil.example", "<script>", "onerror=", "HYPERLINK",
        "Ωμέγα", "用户", "x".repeat(100), "<!everyone>", "rm -rf", "calc'!A0", "banana", "<!here>", "hostile_not_json"};
    /** Alert severity → PagerDuty severity, for the severities routed to PagerDuty (high and above). */
    static final Map<String, String> PAGED_SEVERITIES = Map.of("high", "error", "critical", "critical");
    static final String SKEWED_DAG = "dag_of_a_clock_three_days_ahead";

    @Test
    void shouldKeepRunningDeliverEscapedAlertsAndDeadLetterMalformedRecords(EmbeddedPostgres postgres, EmbeddedKafka kafka,
            EmbeddedOpenSearch openSearch, WebhookReceiver webhooks, @TempDir Path dir) throws Exception {
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        try (var airlock = new AirlockUnderTest("hostile", postgres, kafka, openSearch, webhooks, dir, yml -> yml
                // today is a holiday: every change is off-hours, so DAG ids reach alerts (AL-010, AL-011)
                .set("detection.holidays", "[" + today + "]")
                .set("vault.audit.max-line-bytes", Integer.toString(MAX_LINE_BYTES)))) {
            HOSTILE_USERS.forEach(u -> airlock.airflow.createUser(u, Integer.toHexString(u.hashCode()) + "@example.com"));
            airlock.airflow.createUser("operator", "operator@example.com");
            AirlockProcess process = airlock.start();

            HOSTILE_USERS.forEach(u -> RunRestartSystemTest.failedLogins(airlock, u, 5));
            airlock.airflow.auditLog(Instant.now(), "paused", "operator", HOSTILE_DAG, "{\"is_paused\": true}");
            airlock.airflow.dagRun(HOSTILE_DAG, "manual__" + HOSTILE_DAG, "manual", "queued", Instant.now(), null);
            List<VaultOperation> harvest = new ArrayList<>();
            for (int i = 0; i < 21; i++) {
                harvest.add(VaultOperation.read("secret/data/<!here>/=cmd|calc/" + HOSTILE_USERS.get(i % HOSTILE_USERS.size())
                        .replace('\n', ' ') + "/" + i).by(HOSTILE_USERS.get(0), "ent-hostile").at(Instant.now().plusMillis(i)));
            }
            airlock.audit.append(harvest);
            // a source clock days ahead (skew, or a forged row): the broker refuses record times more than an hour ahead, and
            // until 7 December the detection task failed on such an event after every restart, so nothing got through after it
            Instant ahead = Instant.now().plus(Duration.ofDays(3));
            airlock.airflow.auditLog(ahead, "paused", "operator", SKEWED_DAG, "{\"is_paused\": true}");
            airlock.audit.append(List.of(VaultOperation.read("secret/data/skewed/clock").by("userpass-skew", "ent-skew").at(ahead)));

            List<ExpectedLetter> expectedLetters = new ArrayList<>(writeMalformedVaultLines(airlock));
            expectedLetters.addAll(sendMalformedCdcRecords(kafka, airlock.name));
            // after all of it, an ordinary operation still gets through
            VaultOperation canary = VaultOperation.read("secret/data/ok/canary").by("userpass-ok", "ent-ok");
            airlock.audit.append(List.of(canary));

            airlock.awaitWhileRunning(Duration.ofSeconds(180)).untilAsserted(() -> {
                assertThat(airlock.deadLetters()).hasSize(expectedLetters.size());
                assertThat(airlock.events().stream().map(OpenSearchProbe.Document::id).collect(Collectors.toSet()))
                        .containsAll(airlock.audit.expectedEventIds());
                assertThat(airlock.alerts().stream().map(a -> a.field("rule.id")).toList())
                        .contains("AL-001", "AL-010", "AL-011", "AL-021");
                assertThat(airlock.deliveries.acceptedSlackByAlertId()).hasSameSizeAs(airlock.alerts());
                assertThat(airlock.events().stream().map(e -> e.field("airflow.dag_id"))).contains(SKEWED_DAG);
            });
            assertThat(process.isAlive()).isTrue();

            // the values arrive unchanged where analysts search them
            List<OpenSearchProbe.Document> alerts = airlock.alerts();
            assertThat(alerts.stream().filter(a -> "AL-001".equals(a.field("rule.id"))).map(a -> a.field("entity")).toList())
                    .containsExactlyInAnyOrderElementsOf(HOSTILE_USERS);
            assertThat(airlock.events().stream().map(e -> e.field("airflow.dag_id")).filter(HOSTILE_DAG::equals)).isNotEmpty();

            // nothing pings, no link or markup from the input survives in Slack
            List<String> slack = airlock.deliveries.slackBodies();
            assertThat(slack).isNotEmpty().allSatisfy(body -> {
                String text = slackVisibleText(body);
                assertThat(text).doesNotContain("<!channel>", "<!here>", "<!everyone>", "<@U012AB3CD>", "<https://evil",
                        "<script", "<img");
            });
            // PagerDuty got every high and critical alert once, keyed by its id, as an Events API v2 trigger whose summary and
            // component are flattened and bounded (delivery.md) and whose custom details keep the exact value
            Map<String, OpenSearchProbe.Document> alertsById = alerts.stream()
                    .collect(Collectors.toMap(a -> a.field("alert.id"), a -> a));
            List<JsonNode> pages = airlock.deliveries.acceptedTriggers();
            assertThat(pages.stream().map(p -> p.path("dedup_key").asText()).toList()).containsExactlyInAnyOrderElementsOf(
                    alerts.stream().filter(a -> PAGED_SEVERITIES.containsKey(a.field("severity"))).map(a -> a.field("alert.id")).toList());
            assertThat(pages).isNotEmpty().allSatisfy(page -> {
                OpenSearchProbe.Document alert = alertsById.get(page.path("dedup_key").asText());
                JsonNode payload = page.path("payload");
                assertThat(payload.path("source").asText()).isEqualTo("airlock");
                assertThat(payload.path("severity").asText()).isEqualTo(PAGED_SEVERITIES.get(alert.field("severity")));
                assertThat(payload.path("class").asText()).isEqualTo(alert.field("rule.id"));
                String summary = payload.path("summary").asText();
                assertThat(summary).startsWith("[" + alert.field("severity").toUpperCase(java.util.Locale.ROOT) + "] "
                        + alert.field("rule.id")).hasSizeLessThanOrEqualTo(1024).doesNotContain("\n", "\r", "\u202E");
                assertThat(payload.path("component").asText()).hasSizeLessThanOrEqualTo(255).doesNotContain("\n", "\r", "\u202E");
                assertThat(payload.path("custom_details").path("alert_id").asText()).isEqualTo(alert.field("alert.id"));
                assertThat(payload.path("custom_details").path("entity").asText()).isEqualTo(alert.field("entity"));
            });
            // the hostile user names among them: the component is the name on one line (white space runs as one space), so the
            // forged line is not a line of its own; 255 characters are kept whole
            assertThat(pages.stream().map(p -> p.path("payload").path("component").asText()))
                    .contains("bob " + FORGED.replaceAll("\\s+", " "), "long-" + "x".repeat(250));

            // dead letters say where each record came from and why: one per malformed record, at its topic (or file) and offset
            List<JsonNode> dlq = airlock.deadLetters();
            List<ExpectedLetter> expected = expectedLetters.stream().map(e -> e.resolve(kafka)).toList();
            assertThat(dlq).hasSameSizeAs(expected);
            expected.forEach(e -> assertThat(dlq).as("the dead letter of %s at %d", e.sourceTopic(), e.offset())
                    .filteredOn(l -> e.sourceTopic().equals(l.path("source_topic").asText()) && e.offset() == l.path("offset").asLong())
                    .singleElement().satisfies(l -> assertThat(l.path("reason").asText()).contains(e.reason())));
            // the CSV report neutralises formulas (CsvSafety): the names that start one get an apostrophe, no cell starts one
            Path reportDir = dir.resolve("report");
            AirlockProcess report = airlock.command("report", "--from", LocalDate.now(ZoneOffset.UTC).minusDays(1).toString(),
                    "--to", LocalDate.now(ZoneOffset.UTC).plusDays(5).toString(), "--format", "csv", "--out", reportDir.toString());
            assertThat(report.awaitExit(Duration.ofSeconds(180))).as(report::output).isZero();
            List<Map<String, String>> eventRows = csvRows(reportDir.resolve("events.csv"));
            List<Map<String, String>> alertRows = csvRows(reportDir.resolve("alerts.csv"));
            assertThat(alertRows.stream().filter(r -> "AL-001".equals(r.get("rule.id"))).map(r -> r.get("entity")))
                    .contains("'=HYPERLINK(\"https://evil.example\",\"open\")", "'+cmd|' /C calc'!A0", "bob\n" + FORGED);
            assertThat(eventRows.stream().map(r -> r.get("user.name")))
                    .contains("'=HYPERLINK(\"https://evil.example\",\"open\")", "'+cmd|' /C calc'!A0");
            assertThat(eventRows.stream().map(r -> r.get("airflow.dag_id"))).contains(HOSTILE_DAG);
            java.util.stream.Stream.concat(eventRows.stream(), alertRows.stream()).flatMap(r -> r.values().stream())
                    .forEach(cell -> assertThat(cell).as("a CSV cell").doesNotStartWith("=").doesNotStartWith("+")
                            .doesNotStartWith("-").doesNotStartWith("@").doesNotStartWith("\t").doesNotStartWith("\r"));

            Map<String, Long> bySource = dlq.stream().collect(Collectors.groupingBy(l -> l.path("source_topic").asText(),
                    Collectors.counting()));
            System.out.printf("FIGURES hostile: DLQ %d (%s), alerts %d, Slack messages %d, PagerDuty triggers %d, report rows "
                    + "%d events %d alerts, reasons:%n%s%n", dlq.size(), bySource, alerts.size(), slack.size(), pages.size(),
                    eventRows.size(), alertRows.size(), dlq.stream().map(l -> "  " + l.path("source_topic").asText() + "@"
                            + l.path("offset").asText() + ": " + l.path("reason").asText().replace("\n", "\\n")).collect(Collectors.joining("\n")));

            // no payload in the log, so nothing forged into it (architecture.md: log lines carry only identifiers). The values
            // went through every stage, and through reasons that quote them (a Vault type, a JSON token): none reaches the output
            String output = airlock.output();
            assertThat(output.lines()).noneMatch(line -> line.contains(FORGED_TEXT));
            assertThat(output).doesNotContain(RAW_VALUES);
            // what the log does say about each bad record: where it was, by identifiers
            expected.forEach(e -> assertThat(output).contains(e.sourceTopic().startsWith("vault-audit-file:")
                    ? "Dead-lettered the Vault audit line at " + e.sourceTopic() + " position " + e.offset() + ": "
                    : "Dead-lettered record topic=" + e.sourceTopic() + " partition=0 offset=" + e.offset() + " stage="));
            assertThat(process.terminate(AirlockUnderTest.STOP)).isIn(0, 143);
        }
    }

    /** The rows of a report's CSV data file, by column name. */
    private static List<Map<String, String>> csvRows(Path file) throws java.io.IOException {
        var schema = com.fasterxml.jackson.dataformat.csv.CsvSchema.emptySchema().withHeader();
        try (com.fasterxml.jackson.databind.MappingIterator<Map<String, String>> rows =
                new com.fasterxml.jackson.dataformat.csv.CsvMapper().readerFor(Map.class).with(schema).readValues(file.toFile())) {
            return rows.readAll();
        }
    }

    /** Every text a Slack client renders from a message: top-level text and the text of every block and element. */
    private static String slackVisibleText(String body) {
        JsonNode message = Json.tree(body);
        StringBuilder text = new StringBuilder(message.path("text").asText());
        message.findValues("text").forEach(t -> text.append('\n').append(t.isTextual() ? t.asText() : t.path("text").asText()));
        return text.toString();
    }

    /**
     * A record made malformed on purpose and the dead letter it must give: its source topic (or the Vault file's source name)
     * and offset there (a byte position in the file), and what the reason must say. A line that passes the tailer and fails
     * normalization on {@code vault.audit} is found there by {@code marker} ({@link #resolve}), as its offset is not known
     * when it is written.
     */
    record ExpectedLetter(String sourceTopic, long offset, String reason, String marker) {

        ExpectedLetter resolve(EmbeddedKafka kafka) {
            if (marker == null) {
                return this;
            }
            List<Long> offsets = kafka.readAll(sourceTopic).stream().filter(r -> r.value() != null && r.value().contains(marker))
                    .map(r -> r.offset()).toList();
            assertThat(offsets).as("records of %s holding %s", sourceTopic, marker).hasSize(1);
            return new ExpectedLetter(sourceTopic, offsets.get(0), reason, null);
        }
    }

    private static List<ExpectedLetter> writeMalformedVaultLines(AirlockUnderTest airlock) throws Exception {
        String time = Instant.now().toString();
        String file = "vault-audit-file:" + airlock.audit.path().toAbsolutePath();
        String normalized = new Topics(airlock.name).vaultAudit();
        Map<String, ExpectedLetter> lines = new java.util.LinkedHashMap<>();
        lines.put("this is not json", new ExpectedLetter(file, 0, "not valid JSON at byte 0 of the line", null));
        lines.put("[1,2,3]", new ExpectedLetter(file, 0, "the line is JSON but not a JSON object", null));
        lines.put("{\"type\":\"request\",\"request\":{\"id\":\"no-time\"}}",
                new ExpectedLetter(normalized, -1, "Vault audit line without an RFC 3339 string 'time'", "no-time"));
        lines.put("{\"time\":\"yesterday\",\"type\":\"request\",\"request\":{\"id\":\"bad-time\"}}",
                new ExpectedLetter(normalized, -1, "audit.time is not an ISO-8601 time with offset: yesterday", "bad-time"));
        // the reason quotes the type, line break and forged line included: the DLQ keeps it, no log line may
        lines.put("{\"time\":\"" + time + "\",\"type\":\"banana\\n" + FORGED + "\",\"request\":{\"id\":\"bad-type\"}}",
                new ExpectedLetter(normalized, -1, "'type' must be request or response, got 'banana\n" + FORGED, "bad-type"));
        lines.put("{\"time\":\"" + time + "\",\"type\":\"request\",\"request\":\"not an object\"}",
                new ExpectedLetter(file, 0, "field 'request' is a string, expected an object", null));
        lines.put("{\"time\":\"" + time + "\",\"type\":\"request\",\"request\":{\"id\":\"truncated\"",
                new ExpectedLetter(file, 0, "not valid JSON: unexpected end of input (truncated line)", null));
        // over the limit even compacted: a field Airlock reads, repeated (Vault writes no such line; padding
        // anywhere else is left out, and a long string is bounded and read: it no longer hides an operation)
        String tooLong = "{\"time\":\"" + time + "\",\"type\":\"request\",\"request\":{\"id\":\"too-long\","
                + ("\"path\":\"" + "y".repeat(5000) + "\",").repeat(MAX_LINE_BYTES / 2000) + "\"path\":\"\"}}";
        long tooLongBytes = tooLong.getBytes(StandardCharsets.UTF_8).length;
        lines.put(tooLong, new ExpectedLetter(file, 0, "line too long: " + tooLongBytes + " bytes, the limit is " + MAX_LINE_BYTES
                + " bytes", null));
        List<ExpectedLetter> expected = new ArrayList<>();
        long position = Files.size(airlock.audit.path());
        for (var line : lines.entrySet()) {
            ExpectedLetter e = line.getValue();
            expected.add(e.marker() == null ? new ExpectedLetter(e.sourceTopic(), position, e.reason(), null) : e);
            position += line.getKey().getBytes(StandardCharsets.UTF_8).length + 1;
        }
        airlock.audit.appendRaw(List.copyOf(lines.keySet()));
        // a line that is not UTF-8
        Files.write(airlock.audit.path(), new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'}, StandardOpenOption.APPEND);
        expected.add(new ExpectedLetter(file, position, "invalid UTF-8 at byte 2 of the line", null));
        return expected;
    }

    /**
     * Malformed changes on the CDC topics: three with a broken envelope, and six with a valid one (source with {@code ts_ms},
     * {@code lsn} and table) whose row has a column of the wrong type, so that the normalizers' type checks are what rejects
     * them. None relies on an unreadable {@code dttm} (the {@code log} normalizer may fall back to the commit time); several
     * carry hostile values, which the reason must not need and no log line may show.
     */
    private static List<ExpectedLetter> sendMalformedCdcRecords(EmbeddedKafka kafka, String prefix) throws Exception {
        Topics topics = new Topics(prefix);
        Map<ProducerRecord<String, String>, String> records = new java.util.LinkedHashMap<>();
        records.put(new ProducerRecord<>(topics.cdc("log"), "{\"id\":9001}", NOT_JSON), "not valid JSON at line 1, column ");
        records.put(new ProducerRecord<>(topics.cdc("log"), "{\"id\":9002}", "{\"op\":\"c\"}"),
                "Debezium change event without a 'source' object");
        records.put(new ProducerRecord<>(topics.cdc("log"), "{\"id\":9003}",
                        "{\"op\":\"c\",\"after\":{\"id\":9003,\"event\":\"paused\"},\"source\":{\"table\":\"log\",\"lsn\":1}}"),
                "Debezium change event without a numeric 'source.ts_ms'");
        records.put(cdc(topics, "log", 9004, "c", "{\"id\":\"four\",\"event\":\"paused\"}"), "log.id is not an integer");
        records.put(cdc(topics, "log", 9005, "c", "{\"id\":9005,\"event\":42,\"owner\":" + Json.writeString(HOSTILE_USERS.get(3)) + "}"),
                "log.event is not a string");
        records.put(cdc(topics, "ab_user", 9006, "u", "{\"id\":9006,\"username\":[\"array\"]}"),
                "ab_user row without a text 'username'");
        records.put(cdc(topics, "ab_user", 9007, "u", "{\"id\":9007,\"username\":" + Json.writeString(HOSTILE_USERS.get(0))
                + ",\"fail_login_count\":\"many\"}"), "ab_user.fail_login_count is not an integer");
        records.put(cdc(topics, "dag_run", 9008, "c", "\"x\""), "Debezium op 'c' without an 'after' row object");
        records.put(cdc(topics, "dag_run", 9009, "c", "{\"id\":9009,\"dag_id\":" + Json.writeString(HOSTILE_DAG) + ",\"run_id\":7}"),
                "dag_run.run_id is not a string");
        var props = Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all");
        List<ExpectedLetter> expected = new ArrayList<>();
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (var r : records.entrySet()) {
                long offset = producer.send(r.getKey()).get().offset();
                expected.add(new ExpectedLetter(r.getKey().topic(), offset, r.getValue(), null));
            }
        }
        return expected;
    }

    /** A change of one row with a valid Debezium envelope (no {@code before}), the row as given. */
    private static ProducerRecord<String, String> cdc(Topics topics, String table, long id, String op, String after) {
        return new ProducerRecord<>(topics.cdc(table), "{\"id\":" + id + "}", "{\"op\":\"" + op + "\",\"after\":" + after
                + ",\"source\":{\"db\":\"airflow\",\"table\":\"" + table + "\",\"lsn\":" + id + ",\"ts_ms\":"
                + System.currentTimeMillis() + "}}");
    }

}
