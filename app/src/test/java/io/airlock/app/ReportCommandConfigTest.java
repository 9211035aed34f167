package io.airlock.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code airlock report --config}: a production file, of which it reads only the secrets of opensearch.* and report.*. */
class ReportCommandConfigTest {

    /** Secrets of the parts report does not use, from variables and files this machine does not have. */
    private static final String OTHER_PARTS = """
            airflow.database: {host: db.internal, password-env: AIRLOCK_TEST_UNSET_DB_PASSWORD}
            slack.webhook-url-env: AIRLOCK_TEST_UNSET_SLACK_WEBHOOK
            pagerduty.routing-key-file: /nonexistent/airlock/pd-routing-key
            kafka: {security-protocol: SASL_SSL, sasl-username: airlock, sasl-password-env: AIRLOCK_TEST_UNSET_KAFKA,
                    ssl-ca-certificate: /nonexistent/airlock/kafka-ca.pem}
            notifications:
              receivers:
                - {name: oncall, type: pagerduty, routing-key-file: /nonexistent/airlock/oncall-key}
              routes:
                - {min-severity: high, receivers: [oncall, slack, pagerduty]}
            """;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int report(Map<String, String> env, Path config) {
        return new CommandLine(new ReportCommand(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)))
                .execute("--from", "2026-10-01", "--to", "2026-10-02", "--out", dir.resolve("report").toString(),
                        "--config", config.toString());
    }

    private static int closedPort() throws Exception {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void shouldNotNeedTheSecretsOfThePartsItDoesNotUse() throws Exception {
        Path config = Files.writeString(dir.resolve("airlock.yml"), OTHER_PARTS + """
                opensearch: {urls: "http://127.0.0.1:%d", username: airlock, password-env: OS_PW}
                """.formatted(closedPort()));

        int exit = report(Map.of("OS_PW", "os-s3cr3t"), config);

        String stderr = err.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(stderr).isEqualTo(1);
        assertThat(stderr).as("past the configuration, to OpenSearch").contains("airlock report: failed:")
                .doesNotContain("AIRLOCK_TEST_UNSET", "/nonexistent", "os-s3cr3t");
    }

    @Test
    void shouldNameOpensearchUrlsWhenOpenSearchCannotBeReached() throws Exception {
        Path config = Files.writeString(dir.resolve("airlock.yml"), "opensearch.urls: \"http://127.0.0.1:%d\"\n"
                .formatted(closedPort()));

        assertThat(report(Map.of(), config)).isEqualTo(1);

        assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot be reached: is opensearch.urls right")
                .doesNotContain("without --config");
    }

    @Test
    void shouldSayJsonLinesAreNotWrittenWhenCsvIsAskedForToo() throws Exception {
        Path config = Files.writeString(dir.resolve("airlock.yml"), "opensearch.urls: \"http://127.0.0.1:%d\"\n"
                .formatted(closedPort()));

        new CommandLine(new ReportCommand(Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)))
                .execute("--from", "2026-10-01", "--to", "2026-10-02", "--out", dir.resolve("report").toString(),
                        "--format", "csv,jsonl,html,pdf", "--config", config.toString());

        assertThat(err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("not also as JSON lines")))
                .containsExactly("airlock report: the records are written as CSV only (events.csv, alerts.csv), not also as "
                        + "JSON lines: a report holds each record once, in one hash chain; for .jsonl files, export a second "
                        + "report with --format jsonl");
        out.reset();
        err.reset();
        report(Map.of(), config);
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("not also as JSON lines");
    }

    @Test
    void shouldPointAtConfigWhenTheDefaultOpenSearchOnLocalhostCannotBeReached() throws Exception {
        try (var socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("localhost", 9200), 1000);
            org.junit.jupiter.api.Assumptions.abort("something listens on localhost:9200, where the defaults look for OpenSearch");
        } catch (java.io.IOException expected) {
            // nothing there, as on most machines
        }

        int exit = new CommandLine(new ReportCommand(Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)))
                .execute("--from", "2026-10-01", "--to", "2026-10-02", "--out", dir.resolve("report").toString());

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("is opensearch.urls right")
                .contains("without --config it reads the OpenSearch of the defaults, on localhost")
                .contains("airlock report --config airlock.yml");
    }

    @Test
    void shouldStillReadItsOwnSecretsAndCheckTheFormOfTheRest() throws Exception {
        Path config = Files.writeString(dir.resolve("airlock.yml"), OTHER_PARTS.replace("/nonexistent/airlock/pd-routing-key",
                "''").replace("host: db.internal", "host: db.internal, port: 70000") + """
                opensearch: {urls: "http://127.0.0.1:9", username: airlock, password-env: OS_PW}
                report: {signing-key-file: /nonexistent/airlock/report-key.pem}
                """);

        assertThat(report(Map.of(), config)).isEqualTo(1);

        assertThat(err.toString(StandardCharsets.UTF_8)).contains("opensearch.password-env: environment variable OS_PW",
                "report.signing-key-file:", "airflow.database.port: must be 1..65535, was 70000",
                "pagerduty.routing-key-file: must be the path of a file").doesNotContain("AIRLOCK_TEST_UNSET");
    }
}
