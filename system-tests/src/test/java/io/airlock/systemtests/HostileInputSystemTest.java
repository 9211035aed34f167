package io.airlock.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.embedded.AirlockProcess;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.embedded.RealComponents;
import io.airlock.embedded.WebhookReceiver;
import io.airlock.streams.VaultAuditLine;
import io.airlock.streams.VaultOperation;
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
 * newlines, very long and non-ASCII values; malformed CDC and Vault records. Nothing crashes, nothing pings, nothing is
 * forged into the log, the values arrive unchanged in OpenSearch, bad records land in the DLQ with reasons.
 */
@ExtendWith(RealComponents.class)
class HostileInputSystemTest {

    static final String FORGED = "12:00:00.000 INFO  [main] io.airlock.app.RunCommand - FORGED admin granted";
    static final List<String> HOSTILE_USERS = List.of(
            "<!channel> <!here> <@U012AB3CD> *urgent* <https://evil.example/login|re-authenticate>",
            "<script>alert(1)</script><img src=x onerror=alert(2)>",
            "=HYPERLINK(\"https://evil.example\",\"open\")",
            "bob\n" + FORGED,
            "Ωμέγα-用户-😀-\u202Eevil\u0000".replace("\u0000", ""),
            "long-" + "x".repeat(250));
    static final String HOSTILE_DAG = "<!everyone> `rm -rf /` =cmd|' /C calc'!A0 \r\n" + FORGED;
    static final int MAX_LINE_BYTES = 65_536;
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

            int badVaultLines = writeMalformedVaultLines(airlock);
            int badCdcRecords = sendMalformedCdcRecords(kafka, airlock.name);
            // after all of it, an ordinary operation still gets through
            VaultOperation canary = VaultOperation.read("secret/data/ok/canary").by("userpass-ok", "ent-ok");
            airlock.audit.append(List.of(canary));

            airlock.awaitWhileRunning(Duration.ofSeconds(180)).untilAsserted(() -> {
                assertThat(airlock.deadLetters()).hasSize(badVaultLines + badCdcRecords);
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
            // PagerDuty got the high alerts; its payload is plain text, still checked for structure
            assertThat(airlock.deliveries.acceptedTriggersByDedupKey()).isNotEmpty();

            // dead letters say where each record came from and why
            List<JsonNode> dlq = airlock.deadLetters();
            assertThat(dlq).allSatisfy(letter -> {
                assertThat(letter.path("reason").asText()).isNotBlank();
                assertThat(letter.path("source_topic").asText()).isNotBlank();
            });
            Map<String, Long> bySource = dlq.stream().collect(Collectors.groupingBy(l -> l.path("source_topic").asText(),
                    Collectors.counting()));
            System.out.printf("FIGURES hostile: DLQ %d (%s), alerts %d, Slack messages %d, reasons:%n%s%n", dlq.size(), bySource,
                    alerts.size(), slack.size(), dlq.stream().map(l -> "  " + l.path("source_topic").asText() + ": "
                            + l.path("reason").asText()).collect(Collectors.joining("\n")));

            // no forged log line: the output never starts a line with the injected text
            assertThat(airlock.output().lines()).noneMatch(line -> line.startsWith(FORGED));
            assertThat(process.terminate(AirlockUnderTest.STOP)).isIn(0, 143);
        }
    }

    /** Every text a Slack client renders from a message: top-level text and the text of every block and element. */
    private static String slackVisibleText(String body) {
        JsonNode message = io.airlock.core.Json.tree(body);
        StringBuilder text = new StringBuilder(message.path("text").asText());
        message.findValues("text").forEach(t -> text.append('\n').append(t.isTextual() ? t.asText() : t.path("text").asText()));
        return text.toString();
    }

    private static int writeMalformedVaultLines(AirlockUnderTest airlock) throws Exception {
        String time = Instant.now().toString();
        List<String> lines = List.of(
                "this is not json",
                "[1,2,3]",
                "{\"type\":\"request\",\"request\":{\"id\":\"no-time\"}}",
                "{\"time\":\"yesterday\",\"type\":\"request\",\"request\":{\"id\":\"bad-time\"}}",
                "{\"time\":\"" + time + "\",\"type\":\"banana\",\"request\":{\"id\":\"bad-type\"}}",
                "{\"time\":\"" + time + "\",\"type\":\"request\",\"request\":\"not an object\"}",
                "{\"time\":\"" + time + "\",\"type\":\"request\",\"request\":{\"id\":\"truncated\"",
                // over the limit even compacted: a field Airlock reads, repeated (Vault writes no such line; padding
                // anywhere else is left out, and a long string is bounded and read: it no longer hides an operation)
                "{\"time\":\"" + time + "\",\"type\":\"request\",\"request\":{\"id\":\"too-long\","
                        + ("\"path\":\"" + "y".repeat(5000) + "\",").repeat(MAX_LINE_BYTES / 2000) + "\"path\":\"\"}}");
        airlock.audit.appendRaw(lines);
        // a line that is not UTF-8
        Files.write(airlock.audit.path(), new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'}, StandardOpenOption.APPEND);
        return lines.size() + 1;
    }

    private static int sendMalformedCdcRecords(EmbeddedKafka kafka, String prefix) throws Exception {
        List<ProducerRecord<String, String>> records = List.of(
                new ProducerRecord<>(prefix + ".cdc.airflow.log", "{\"id\":1}", "not json"),
                new ProducerRecord<>(prefix + ".cdc.airflow.log", "{\"id\":2}", "{\"op\":\"c\"}"),
                new ProducerRecord<>(prefix + ".cdc.airflow.log", "{\"id\":3}",
                        "{\"op\":\"c\",\"after\":{\"id\":\"three\",\"dttm\":\"not a time\",\"event\":42},\"source\":{\"table\":\"log\"}}"),
                new ProducerRecord<>(prefix + ".cdc.airflow.ab_user", "{\"id\":4}",
                        "{\"op\":\"u\",\"after\":{\"id\":4,\"username\":[\"array\"],\"fail_login_count\":\"many\"},"
                                + "\"source\":{\"table\":\"ab_user\"}}"),
                new ProducerRecord<>(prefix + ".cdc.airflow.dag_run", "{\"id\":5}", "{\"op\":\"c\",\"after\":\"x\"}"));
        var props = Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (var r : records) {
                producer.send(r).get();
            }
        }
        return records.size();
    }

}
