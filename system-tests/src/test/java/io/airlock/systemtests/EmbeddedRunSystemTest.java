package io.airlock.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.airlock.embedded.AirlockProcess;
import io.airlock.streams.VaultOperation;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md, Configuration: "With no file, embedded defaults run everything locally". {@code airlock run} without
 * {@code --config} starts its own PostgreSQL, Kafka, OpenSearch and webhook receiver and prints where to write activity and
 * where to look; attacks written there are alerted on the console, indexed and notified; SIGTERM removes everything.
 */
class EmbeddedRunSystemTest {

    private static final Pattern PSQL = Pattern.compile("psql -h (\\S+) -p (\\d+) -U (\\S+) (\\S+)");
    private static final Pattern AUDIT_FILE = Pattern.compile("Vault audit\\s+(\\S+)");
    private static final Pattern OPENSEARCH = Pattern.compile("OpenSearch\\s+(http://\\S+)");
    private static final Pattern RECEIVED_URL = Pattern.compile("curl (http://\\S+/received)");
    private static final Pattern RECEIVED = Pattern.compile("the local receiver got (\\d+) Slack message\\(s\\) and (\\d+) PagerDuty");

    @Test
    void shouldRunEverythingEmbeddedWithoutAConfigurationFile(@TempDir Path dir) throws Exception {
        // its own rules: AL-001 at 3 failures, business hours in Berlin
        Path rules = Files.writeString(dir.resolve("rules.yml"), "detection:\n  time-zone: Europe/Berlin\nrules:\n  AL-001:\n"
                + "    threshold: 3\n");
        try (AirlockProcess airlock = AirlockProcess.withoutConfig().jvmOptions("-Xmx768m").args("--detection", rules.toString())
                .logFile(dir.resolve("run.log")).start()) {
            airlock.awaitOutput(AirlockProcess.RUNNING, Duration.ofMinutes(3));
            String output = airlock.output();
            assertThat(output).contains("no --config, so everything runs embedded").contains("Europe/Berlin");
            URI receivedUrl = URI.create(find(RECEIVED_URL, output).group(1));
            Matcher psql = find(PSQL, output);
            Path auditFile = Path.of(find(AUDIT_FILE, output).group(1));
            URI openSearch = URI.create(find(OPENSEARCH, output).group(1));
            assertThat(auditFile).exists();

            // a failed-login burst in Airflow's database (FAB's UPDATE per wrong password) and secret harvesting in Vault
            String jdbc = "jdbc:postgresql://" + psql.group(1) + ":" + psql.group(2) + "/" + psql.group(4);
            try (Connection c = DriverManager.getConnection(jdbc, psql.group(3), ""); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO ab_user (first_name, last_name, username, password, active, email, login_count, "
                        + "fail_login_count) VALUES ('Mal', 'Lory', 'mallory', 'pbkdf2:sha256:600000$canary', true, 'm@example.com', 0, 0)");
                for (int i = 1; i <= 3; i++) {
                    s.executeUpdate("UPDATE ab_user SET fail_login_count=" + i + " WHERE username='mallory'");
                }
            }
            appendHarvest(auditFile, "userpass-eve", "ent-eve", 25, Instant.now());

            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(airlock.output()).contains("ALERT  AL-001 high     entity=mallory");
                assertThat(airlock.output()).contains("ALERT  AL-021");
                List<String> ruleIds = new OpenSearchProbe(openSearch).documents("airlock-alerts").stream()
                        .map(d -> d.field("rule.id")).toList();
                assertThat(ruleIds).contains("AL-001", "AL-021");
                String notifications = HttpClient.newHttpClient().send(HttpRequest.newBuilder(receivedUrl).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(notifications).as("what on-call would have received").contains("mallory").doesNotContain("canary");
            });

            assertThat(airlock.terminate(Duration.ofSeconds(90))).as("exit code after SIGTERM").isIn(0, 143);
            String all = airlock.output();
            Matcher received = find(RECEIVED, all);
            assertThat(Integer.parseInt(received.group(1))).as("Slack messages").isGreaterThanOrEqualTo(1);
            assertThat(Integer.parseInt(received.group(2))).as("PagerDuty events (AL-001 is high)").isGreaterThanOrEqualTo(1);
            assertThat(auditFile.getParent()).as("the run's directory is removed").doesNotExist();
            assertThat(all).doesNotContain("canary");
            assertThat(reachable(openSearch)).as("OpenSearch stopped").isFalse();
            assertThat(reachable(URI.create("postgresql://" + psql.group(1) + ":" + psql.group(2)))).as("PostgreSQL stopped").isFalse();
        }
    }

    private static Matcher find(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        assertThat(m.find()).as("output has " + pattern + ":%n%s", text).isTrue();
        return m;
    }

    private static void appendHarvest(Path file, String displayName, String entityId, int paths, Instant start) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < paths; i++) {
            VaultOperation op = VaultOperation.read("secret/data/" + entityId + "/app-" + i).by(displayName, entityId)
                    .at(start.plusMillis(10L * i));
            lines.add(op.requestLine().json());
            lines.add(op.responseLine().json());
        }
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    private static boolean reachable(URI uri) {
        try (var socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
