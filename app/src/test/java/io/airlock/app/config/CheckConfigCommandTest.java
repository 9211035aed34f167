package io.airlock.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.airlock.app.CheckConfigCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * {@code airlock check-config}: every problem or the effective configuration, exit 1 or 0, and never a secret: canary secrets
 * in the environment must not appear in stdout, stderr or the log, whether the file is fine, broken, or a connection fails.
 */
class CheckConfigCommandTest {

    private static final String CANARY = "s3cr3t-CANARY-91c4e";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final ByteArrayOutputStream systemOut = new ByteArrayOutputStream();
    private final ByteArrayOutputStream systemErr = new ByteArrayOutputStream();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @TempDir
    Path dir;

    @BeforeEach
    void capture() {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(systemOut, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(systemErr, true, StandardCharsets.UTF_8));
        log.start();
        root().addAppender(log);
    }

    @AfterEach
    void release() {
        root().detachAppender(log);
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private static Map<String, String> canaryEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("AIRLOCK_DB_PASSWORD", CANARY + "-db");
        env.put("AIRLOCK_OPENSEARCH_PASSWORD", CANARY + "-os");
        env.put("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T0AAAA/B0BBBB/" + CANARY + "-slack");
        env.put("PAGERDUTY_ROUTING_KEY", CANARY + "-pd-012345678"); // 32 characters, as PagerDuty issues them
        env.put("AIRLOCK_KAFKA_PASSWORD", CANARY + "-kafka");
        return env;
    }

    private int run(Map<String, String> env, String... args) {
        var command = new CheckConfigCommand(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CommandLine(command).execute(args);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Everything the command could have shown anyone. */
    private String everything() {
        var all = new StringBuilder(stdout()).append(stderr()).append(systemOut.toString(StandardCharsets.UTF_8))
                .append(systemErr.toString(StandardCharsets.UTF_8));
        for (ILoggingEvent e : log.list) {
            all.append(e.getFormattedMessage());
            if (e.getThrowableProxy() != null) {
                all.append(e.getThrowableProxy().getMessage());
            }
        }
        return all.toString();
    }

    @Test
    void shouldPrintTheEffectiveConfigurationOfTheExampleWithoutAnySecret() {
        int exit = run(canaryEnv(), "--config", AirlockConfigTest.EXAMPLE.toString());

        assertThat(exit).isZero();
        assertThat(stdout()).startsWith(AirlockConfigTest.EXAMPLE + ": OK")
                .containsPattern("airflow\\.database\\.host +airflow-db\\.internal\n")
                .containsPattern("airflow\\.database\\.password +<set from env AIRLOCK_DB_PASSWORD>")
                .containsPattern("slack\\.webhook-url +<set from env SLACK_WEBHOOK_URL>")
                .containsPattern("rules\\.AL-002\\.threshold +10 +\\(default\\)")
                .doesNotContain("note:");
        assertThat(stderr()).isEmpty();
        assertThat(everything()).doesNotContain(CANARY, "B0BBBB");
    }

    @Test
    void shouldPrintUrlsWithoutTheirQueryStringsWhereTokensGo() throws Exception {
        Path file = Files.writeString(dir.resolve("airlock.yml"), """
                opensearch.urls: ["https://opensearch.internal:9200/?api_key=%1$s-os"]
                pagerduty.events-url: "https://proxy.internal/v2/enqueue?token=%1$s-pd"
                dashboards.url: "https://dash.internal/?auth=%1$s-dash#frag"
                runbooks.base-url: "https://gitlab.internal/raw/main/?private_token=%1$s-runbook"
                notifications:
                  receivers:
                    - {name: oncall, type: pagerduty, routing-key-env: PAGERDUTY_ROUTING_KEY, events-url: "https://pd.internal/e?k=%1$s-rcv"}
                  routes:
                    - {receivers: [oncall]}
                """.formatted(CANARY));

        int exit = run(canaryEnv(), "--config", file.toString());

        assertThat(exit).as(stderr()).isZero();
        assertThat(stdout()).containsPattern("pagerduty\\.events-url +https://proxy\\.internal/v2/enqueue\\?\\*\\*\\*\\*\n")
                .containsPattern("dashboards\\.url +https://dash\\.internal/\\?\\*\\*\\*\\*\n")
                .containsPattern("runbooks\\.base-url +https://gitlab\\.internal/raw/main/\\?\\*\\*\\*\\*\n")
                .contains("https://opensearch.internal:9200/?****").contains("events-url: https://pd.internal/e?****");
        assertThat(everything()).doesNotContain(CANARY);
    }

    @Test
    void shouldPrintEveryProblemAndExitOneWithoutAnySecret() throws Exception {
        Path file = Files.writeString(dir.resolve("airlock.yml"), """
                kafka.bootstrap-server: k:9092
                airflow.database:
                  port: 70000
                  password: %s-inline
                slack.webhook-url-env: %s-pasted-instead-of-a-name
                pagerduty.routing-key-env: PAGERDUTY_ROUTING_KEY
                opensearch.password-env: AIRLOCK_OPENSEARCH_PASSWORD
                """.formatted(CANARY, CANARY));
        Map<String, String> env = canaryEnv();
        env.remove("PAGERDUTY_ROUTING_KEY");

        int exit = run(env, "--config", file.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(stderr()).startsWith(file + ": 6 problems")
                .contains("unknown key 'kafka.bootstrap-server' (did you mean 'kafka.bootstrap-servers'?)")
                .contains("airflow.database.port: must be 1..65535, was 70000 (line 3)")
                .contains("airflow.database.password: a secret is never written in the file")
                .contains("slack.webhook-url-env: must be the name of an environment variable")
                .contains("pagerduty.routing-key-env: environment variable PAGERDUTY_ROUTING_KEY is not set")
                .contains("opensearch.password: a password needs opensearch.username");
        assertThat(stdout()).isEmpty();
        assertThat(everything()).doesNotContain(CANARY, "B0BBBB");
    }

    @Test
    void shouldRefuseASectionWrittenAsAValueAndNeverPrintThatValue() throws Exception {
        Path file = Files.writeString(dir.resolve("airlock.yml"), """
                rules: 5
                slack: https://hooks.slack.com/services/T1/B1/LEAKME
                opensearch: http://os.example.com:9200
                detection: Europe/Berlin
                pagerduty: R0UTINGKEY123
                airflow: {database: "postgres://u:p4ss@h/db"}
                kafka: [k1:9092]
                """);

        int exit = run(canaryEnv(), "--config", file.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(stderr()).startsWith(file + ": 7 problems")
                .contains("rules: must be a section (AL-001: …, AL-002: …, …), was a number (line 1)")
                .contains("slack: must be a section (webhook-url-env: …), was a text value")
                .contains("opensearch: must be a section (urls: …, username: …, …), was a text value")
                .contains("detection: must be a section (time-zone: …, business-days: …, …), was a text value")
                .contains("pagerduty: must be a section (routing-key-env: …, events-url: …), was a text value")
                .contains("airflow.database: must be a section (host: …, port: …, …), was a text value")
                .contains("kafka: must be a section (bootstrap-servers: …, replication-factor: …, …), was a list (line 7)");
        assertThat(stdout()).isEmpty();
        assertThat(everything()).doesNotContain("LEAKME", "hooks.slack.com", "os.example.com", "R0UTINGKEY123", "p4ss", "k1:9092");
    }

    @Test
    void shouldRefuseCredentialsInAnyUrlWithoutPrintingThem() throws Exception {
        Path file = Files.writeString(dir.resolve("airlock.yml"), """
                pagerduty.events-url: https://u:%1$s-pd@events.pagerduty.example/v2/enqueue
                dashboards.url: https://admin:%1$s-dash@dashboards.example:5601
                runbooks.base-url: "https://u:%1$s-rb@docs example/runbooks"
                opensearch.urls: ["https://admin:p#ss/%1$s?x@os:9200"]
                """.formatted(CANARY));

        assertThat(run(canaryEnv(), "--config", file.toString())).isEqualTo(1);
        assertThat(stderr()).contains("pagerduty.events-url: must not contain credentials (user:password@)")
                .contains("dashboards.url: must not contain credentials (user:password@)")
                .contains("runbooks.base-url: must not contain credentials")
                .contains("opensearch.urls: must not contain credentials");
        assertThat(everything()).doesNotContain(CANARY);
    }

    @Test
    void shouldRefuseAVaultAuditFileThatIsADirectoryButWaitForOneThatIsMissing() throws Exception {
        Path directory = Files.createDirectory(dir.resolve("vault-logs"));
        Path file = Files.writeString(dir.resolve("airlock.yml"), "vault.audit.file: " + directory + "\n");
        Path missing = Files.writeString(dir.resolve("later.yml"), "vault.audit.file: " + dir.resolve("not-yet.log") + "\n");

        assertThat(run(canaryEnv(), "--config", file.toString())).isEqualTo(1);
        assertThat(stderr()).contains("vault.audit.file: is a directory: it must name the file_path of Vault's file audit device");
        assertThat(run(canaryEnv(), "--config", missing.toString())).as("Vault creates it").isZero();
    }

    @Test
    void shouldNotQuoteAnInvalidFile() throws Exception {
        Path file = Files.writeString(dir.resolve("airlock.yml"), "slack:\n  webhook-url: \"" + CANARY + "\n  x: [\n");
        assertThat(run(canaryEnv(), "--config", file.toString())).isEqualTo(1);
        assertThat(stderr()).contains("is not valid YAML (line ");
        assertThat(everything()).doesNotContain(CANARY);
    }

    @Test
    void shouldReportEachUnreachableComponentInOneLineWithoutSecretOrStackTrace() throws Exception {
        int closed;
        try (var socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Path file = Files.writeString(dir.resolve("airlock.yml"), """
                kafka.bootstrap-servers: 127.0.0.1:%d
                airflow.database: {host: 127.0.0.1, port: %d, password-env: AIRLOCK_DB_PASSWORD}
                opensearch: {urls: ["http://127.0.0.1:%d"], username: airlock, password-env: AIRLOCK_OPENSEARCH_PASSWORD}
                slack.webhook-url-env: SLACK_WEBHOOK_URL
                """.formatted(closed, closed, closed));

        int exit = run(canaryEnv(), "--config", file.toString(), "--connect");

        assertThat(exit).isEqualTo(1);
        assertThat(stdout()).containsPattern("FAILED {2}Airflow database airflow@127\\.0\\.0\\.1:\\d+/airflow: cannot connect as 'airflow'")
                .containsPattern("FAILED {2}Kafka 127\\.0\\.0\\.1:\\d+: ")
                .containsPattern("FAILED {2}OpenSearch http://127\\.0\\.0\\.1:\\d+: ");
        assertThat(stdout().lines().filter(l -> l.startsWith("  FAILED"))).hasSize(3);
        assertThat(everything()).doesNotContain(CANARY, "B0BBBB").doesNotContain("\tat ").doesNotContain("Exception:\n");
    }

    @Test
    void shouldRefuseADurationTooLongForTimeArithmetic() throws Exception {
        Path file = Files.writeString(dir.resolve("airlock.yml"), """
                detection: {grace: 3651d}
                rules: {AL-001: {window: 999999999999d}, AL-020: {learning-period: P99999D}}
                """);

        assertThat(run(canaryEnv(), "--config", file.toString())).isEqualTo(1);
        assertThat(stderr()).contains("rules.AL-001.window: is too long a duration; at most 3650d, was '999999999999d'",
                "detection.grace: is too long a duration; at most 3650d, was '3651d'",
                "rules.AL-020.learning-period: is too long a duration; at most 3650d, was 'P99999D'");
        assertThat(everything()).doesNotContain("Exception");
    }

    @Test
    void shouldRefuseKeysWithNoValueAndAnEmptyFileInsteadOfUsingDefaults() throws Exception {
        Path file = Files.writeString(dir.resolve("airlock.yml"), """
                slack: {webhook-url-env: }
                rules: {AL-001: {threshold: , enabled: }}
                detection: {time-zone: ~}
                """);
        Path empty = Files.writeString(dir.resolve("empty.yml"), "# nothing yet\n");

        assertThat(run(canaryEnv(), "--config", file.toString())).isEqualTo(1);
        assertThat(stderr()).startsWith(file + ": 4 problems").contains(
                "slack.webhook-url-env: has no value; remove the key to leave slack.webhook-url not set",
                "rules.AL-001.threshold: has no value; remove the key to use the default (5)",
                "rules.AL-001.enabled: has no value; remove the key to use the default (true)",
                "detection.time-zone: has no value; remove the key to use the default (UTC)");
        assertThat(run(canaryEnv(), "--config", empty.toString())).isEqualTo(1);
        assertThat(stderr()).contains("the file is empty (or holds only comments)");
        assertThat(stdout()).doesNotContain("OK");
    }

    @Test
    void shouldSayYamlAliasesAreNotSupportedRatherThanNameAnUnknownKey() throws Exception {
        Path file = Files.writeString(dir.resolve("airlock.yml"), """
                x-defaults: &d {threshold: 3}
                rules: {AL-001: *d}
                """);

        assertThat(run(canaryEnv(), "--config", file.toString())).isEqualTo(1);
        assertThat(stderr()).contains("YAML anchors, aliases and merge keys are not supported").doesNotContain("unknown key");
    }

    @Test
    void shouldShowTheLocalhostDefaultsWithoutAFile() {
        assertThat(run(Map.of())).isZero();
        assertThat(stdout()).startsWith("defaults, no file (every component on localhost): OK")
                .containsPattern("kafka\\.bootstrap-servers +localhost:9092 +\\(default\\)")
                .containsPattern("slack\\.webhook-url +<not set>");
    }

    @Test
    void shouldPrintTheGeneratedReference() {
        assertThat(run(Map.of(), "--print-reference")).isZero();
        assertThat(stdout()).isEqualTo(AirlockConfigReference.markdown());
    }
}
