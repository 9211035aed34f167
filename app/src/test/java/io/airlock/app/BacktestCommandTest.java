package io.airlock.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Alert;
import io.airlock.core.Json;
import io.airlock.streams.AbUserRow;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code airlock backtest --config}: a production file's detection settings, without its secrets. */
class BacktestCommandTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    /** Settings a production file has, with secrets from variables and files this machine does not have. */
    private static final String PRODUCTION = """
            airflow:
              database:
                host: db.internal
                password-env: AIRLOCK_TEST_UNSET_DB_PASSWORD
            slack:
              webhook-url-env: AIRLOCK_TEST_UNSET_SLACK_WEBHOOK
            pagerduty:
              routing-key-file: /nonexistent/airlock/pd-routing-key
            notifications:
              receivers:
                - {name: oncall, type: pagerduty, routing-key-file: /nonexistent/airlock/oncall-key}
              routes:
                - {min-severity: high, receivers: [oncall, slack, pagerduty]}
            report:
              signing-key-env: AIRLOCK_TEST_UNSET_SIGNING_KEY
            rules:
              AL-001:
                threshold: 3
            """;

    @TempDir
    Path dir;

    @Test
    void shouldUseTheDetectionSettingsOfAProductionFileWithoutReadingItsSecrets() throws Exception {
        Path config = Files.writeString(dir.resolve("airlock.yml"), PRODUCTION);
        Path out = dir.resolve("alerts.jsonl");

        Result result = backtest(config, out);

        assertThat(result.exit()).as(result.console()).isZero();
        List<String> alerts = Files.readAllLines(out);
        assertThat(alerts).hasSize(1);
        Alert alert = Json.read(alerts.get(0).getBytes(StandardCharsets.UTF_8), Alert.class);
        assertThat(alert.ruleId()).isEqualTo("AL-001");
        assertThat(alert.count()).as("three failures: the file's threshold of 3, not the default 5").isEqualTo(3);
    }

    @Test
    void shouldStillRefuseASecretWrittenInTheFileWithoutPrintingIt() throws Exception {
        Path config = Files.writeString(dir.resolve("airlock.yml"), PRODUCTION.replace(
                "webhook-url-env: AIRLOCK_TEST_UNSET_SLACK_WEBHOOK", "webhook-url: https://hooks.slack.com/services/T0/B0/s3cr3t"));
        Path out = dir.resolve("alerts.jsonl");

        Result result = backtest(config, out);

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.console()).contains("slack.webhook-url").contains("a secret is never written in the file")
                .doesNotContain("s3cr3t").doesNotContain("AIRLOCK_TEST_UNSET");
        assertThat(out).doesNotExist();
    }

    @Test
    void shouldNotNeedTheCertificateFilesAProductionFileNames() throws Exception {
        Path config = Files.writeString(dir.resolve("airlock.yml"), PRODUCTION + """
                kafka: {security-protocol: SASL_SSL, sasl-username: airlock, sasl-password-env: AIRLOCK_TEST_UNSET_KAFKA,
                        ssl-ca-certificate: /etc/airlock/kafka-ca.pem}
                """);

        Result result = backtest(config, dir.resolve("alerts.jsonl"));

        assertThat(result.exit()).as(result.console()).isZero();
    }

    @Test
    void shouldAlertWithTheLongestDurationsAcceptedAndRefuseLongerOnes() throws Exception {
        Path longest = Files.writeString(dir.resolve("longest.yml"), """
                detection: {grace: 3650d}
                rules:
                  AL-001: {threshold: 3, window: 3650d}
                  AL-003: {window: 3650d}
                """);
        Path out = dir.resolve("alerts.jsonl");

        Result result = backtest(longest, out);

        assertThat(result.exit()).as(result.console()).isZero();
        assertThat(result.console()).contains("1 alert, 0 dead letters");
        assertThat(Files.readAllLines(out)).singleElement().satisfies(a -> assertThat(a).contains("\"rule.id\":\"AL-001\""));

        Path tooLong = Files.writeString(dir.resolve("too-long.yml"), "rules: {AL-001: {window: 999999999999d}}\n");
        Files.delete(out);
        result = backtest(tooLong, out);

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.console()).contains("rules.AL-001.window: is too long a duration; at most 3650d, was '999999999999d'")
                .doesNotContain("Exception");
        assertThat(out).doesNotExist();
    }

    @Test
    void shouldRefuseAnEmptyFileAndKeysWithNoValue() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.yml"), "\n# rules: {AL-001: {threshold: 3}}\n");
        Path noValue = Files.writeString(dir.resolve("no-value.yml"), "rules: {AL-001: {threshold: }}\n");

        Result result = backtest(empty, dir.resolve("alerts.jsonl"));
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.console()).contains("the file is empty");
        result = backtest(noValue, dir.resolve("alerts.jsonl"));
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.console()).contains("rules.AL-001.threshold: has no value; remove the key to use the default (5)");
        assertThat(dir.resolve("alerts.jsonl")).doesNotExist();
    }

    private Result backtest(Path config, Path out) throws Exception {
        var alice = AbUserRow.of(1, "alice");
        List<String> lines = new ArrayList<>();
        lines.add(alice.change("r", T0, null));
        for (int i = 1; i <= 3; i++) {
            lines.add(alice.failCount(i).update(T0.plusSeconds(20L * i)));
        }
        Path cdc = Files.write(dir.resolve("cdc.jsonl"), lines);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream err = System.err;
        System.setErr(new PrintStream(console, true, StandardCharsets.UTF_8));
        try {
            int exit = AirlockCli.commandLine().execute("backtest", "--cdc", cdc.toString(), "--out", out.toString(),
                    "--config", config.toString());
            return new Result(exit, console.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(err);
        }
    }

    private record Result(int exit, String console) {
    }
}
