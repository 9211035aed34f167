package io.airlock.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import io.airlock.alerting.RetryPolicy;
import io.airlock.alerting.Secret;
import io.airlock.core.KafkaSecurity;
import io.airlock.core.Topics;
import io.airlock.core.config.ConfigException;
import io.airlock.core.config.ConfigSource;
import io.airlock.ingest.AirflowDatabaseSettings;
import io.airlock.ingest.CaptureSettings;
import io.airlock.ingest.internal.DebeziumProperties;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.detect.RuleDefinition;
import io.airlock.streams.detect.RuleSettings;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AirlockConfigTest {

    static final Path EXAMPLE = Path.of("..", "airlock.example.yml");
    static final Map<String, String> EXAMPLE_ENV = Map.of(
            "AIRLOCK_DB_PASSWORD", "db-pw",
            "AIRLOCK_OPENSEARCH_PASSWORD", "os-pw",
            "SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T000/B000/XXXX",
            "PAGERDUTY_ROUTING_KEY", "pd-key-0123456789abcdef012345678", // 32 characters, as PagerDuty issues them
            "AIRLOCK_KAFKA_PASSWORD", "kafka-pw");

    private static AirlockConfig yaml(String yaml, Map<String, String> env) {
        return AirlockConfig.from(ConfigSource.fromYaml(yaml, "airlock.yml", env));
    }

    @Test
    void shouldRunEverythingOnLocalhostWithoutAFile() {
        AirlockConfig config = AirlockConfig.load(null, Map.of());
        assertThat(config.origin()).isEqualTo("defaults, no file (every component on localhost)");
        assertThat(config.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(config.topics()).isEqualTo(Topics.defaults());
        assertThat(config.database()).isEqualTo(new AirflowDatabaseSettings("localhost", 5432, "airflow", "airflow", "", "prefer",
                "airlock", "airlock_publication"));
        assertThat(config.openSearch().urls()).containsExactly(URI.create("http://localhost:9200"));
        assertThat(config.openSearch().password()).isEmpty();
        assertThat(config.detection()).isEqualTo(DetectionConfig.defaults());
        assertThat(config.slackWebhook()).isEmpty();
        assertThat(config.pagerDutyRoutingKey()).isEmpty();
        assertThat(config.pagerDutyEventsUrl()).isEqualTo(URI.create("https://events.pagerduty.com/v2/enqueue"));
        assertThat(config.retryPolicy()).isEqualTo(RetryPolicy.defaults());
        assertThat(config.vaultAudit().isConfigured()).isFalse();
        assertThat(config.timeZone()).isEqualTo(ZoneId.of("UTC"));
        assertThat(config.stateDir()).isEqualTo(Path.of("./airlock-data"));
        assertThat(config.replicationFactor()).isEqualTo(1);
        assertThat(config.streamThreads()).isEqualTo(1);
        assertThat(config.notes()).singleElement().asString()
                .contains("any token whose name contains it", "set Airflow's Vault entity id instead");
    }

    @Test
    void shouldHaveNoNoteWhenAirflowIsNamedByItsEntityId(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("airlock.yml"),
                "detection:\n  airflow-identity: 5cb4b5a4-1f0e-4c8e-9a57-2d3f1b2e7c11\n");
        assertThat(AirlockConfig.load(file, Map.of()).notes()).isEmpty();
    }

    @Test
    void shouldTakeAListOfAirflowIdentitiesAndCheckEachEntry(@TempDir Path dir) throws Exception {
        Path list = Files.writeString(dir.resolve("list.yml"), "detection:\n  airflow-identity:\n"
                + "    - 5cb4b5a4-1f0e-4c8e-9a57-2d3f1b2e7c11\n    - 7d2e3a90-5b1c-4f6e-9a8d-2c3b4e5f6a7b\n");
        AirlockConfig config = AirlockConfig.load(list, Map.of());
        assertThat(config.detection().airflow().serviceIdentities())
                .containsExactly("5cb4b5a4-1f0e-4c8e-9a57-2d3f1b2e7c11", "7d2e3a90-5b1c-4f6e-9a8d-2c3b4e5f6a7b");
        assertThat(config.detection().airflow().isEntityId()).isTrue();
        assertThat(config.notes()).isEmpty();

        Path mixed = Files.writeString(dir.resolve("mixed.yml"), "detection:\n  airflow-identity: [5cb4b5a4-1f0e-4c8e-9a57-2d3f1b2e7c11, "
                + "airflow-scheduler]\n");
        assertThat(AirlockConfig.load(mixed, Map.of()).notes()).singleElement().asString()
                .startsWith("detection.airflow-identity 'airflow-scheduler' is matched inside");

        Path bad = Files.writeString(dir.resolve("bad.yml"), "detection:\n  airflow-identity: [\"\", \" airflow\", "
                + "5cb4b5a4-1f0e-4c8e-9a57-2d3f1b2e7c1]\n");
        assertThatThrownBy(() -> AirlockConfig.load(bad, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("detection.airflow-identity").hasMessageContaining("item 1 is empty");
        Path blanks = Files.writeString(dir.resolve("blanks.yml"), "detection:\n  airflow-identity: [\" airflow\"]\n");
        assertThatThrownBy(() -> AirlockConfig.load(blanks, Map.of())).hasMessageContaining("has blanks around it");
        Path shortId = Files.writeString(dir.resolve("short.yml"), "detection:\n  airflow-identity: [airflow, "
                + "5cb4b5a4-1f0e-4c8e-9a57-2d3f1b2e7c1]\n");
        assertThatThrownBy(() -> AirlockConfig.load(shortId, Map.of())).hasMessageContaining("looks like a Vault entity id");
        for (String tooShort : List.of("\"-\"", "a", "af", "\"-._\"")) { // would be inside nearly every name
            Path path = Files.writeString(dir.resolve("too-short.yml"), "detection:\n  airflow-identity: [" + tooShort + "]\n");
            assertThatThrownBy(() -> AirlockConfig.load(path, Map.of())).as(tooShort).hasMessageContaining("too short to name Airflow");
        }
        Path three = Files.writeString(dir.resolve("three.yml"), "detection:\n  airflow-identity: [etl]\n");
        assertThat(AirlockConfig.load(three, Map.of()).notes()).singleElement().asString()
                .contains("inside Vault display names and the role_name and username of token metadata, in any case (not inside "
                        + "entity ids");
    }

    @Test
    void shouldMapTheFileOntoTheDatabaseSettings() {
        AirlockConfig config = yaml("""
                airflow:
                  database:
                    host: db.internal
                    port: 6432
                    name: airflow_prod
                    user: airlock
                    password-env: DB_PASSWORD
                    sslmode: verify-full
                    slot: airlock_prod
                    publication: airlock_pub
                """, Map.of("DB_PASSWORD", "pw"));
        assertThat(config.database()).isEqualTo(new AirflowDatabaseSettings("db.internal", 6432, "airflow_prod", "airlock", "pw",
                "verify-full", "airlock_prod", "airlock_pub"));
        assertThat(config.database().jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6432/airflow_prod?sslmode=verify-full");
    }

    @TempDir
    Path certificates;

    private Path pem(String name) throws IOException {
        return Files.writeString(certificates.resolve(name), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    }

    @Test
    void shouldGiveTheDatabasesCaCertificateToTheDriverAndToDebezium() throws IOException {
        Path ca = pem("pg ca.pem");
        AirlockConfig config = yaml("airflow.database: {sslmode: verify-full, sslrootcert: '" + ca + "'}", Map.of());

        assertThat(config.database().jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/airflow?sslmode=verify-full&sslrootcert="
                + URLEncoder.encode(ca.toString(), StandardCharsets.UTF_8));
        assertThat(DebeziumProperties.of(config.database(),
                CaptureSettings.of("localhost:9092", config.topics())).getProperty("database.sslrootcert"))
                .isEqualTo(ca.toString());
    }

    @Test
    void shouldRefuseCaCertificatesThatAreMissingNotPemOrUnused() throws IOException {
        Path notPem = Files.writeString(certificates.resolve("key.txt"), "not a certificate");
        Path ca = pem("ca.pem");

        assertThatThrownBy(() -> yaml("kafka: {security-protocol: SSL, ssl-ca-certificate: /nonexistent/ca.pem}\n"
                + "airflow.database: {sslmode: verify-full, sslrootcert: '" + notPem + "'}", Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "kafka.ssl-ca-certificate: no such file: /nonexistent/ca.pem (line 1)",
                        "airflow.database.sslrootcert: " + notPem + " holds no PEM certificate (a '-----BEGIN CERTIFICATE-----' block) (line 2)"));
        assertThatThrownBy(() -> yaml("kafka.ssl-ca-certificate: '" + certificates + "'", Map.of()))
                .hasMessageContaining("kafka.ssl-ca-certificate: is not a file: " + certificates);
        assertThatThrownBy(() -> yaml("airflow.database: {sslmode: require, sslrootcert: '" + ca + "'}", Map.of()))
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly("airflow.database: sslrootcert is used "
                        + "only with sslmode verify-ca or verify-full, and sslmode is require: set it to verify-full (or verify-ca) (line 1)"));
        assertThatThrownBy(() -> yaml("kafka.sasl-mechanism: PLAIN", Map.of()))
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly("kafka.security-protocol: is PLAINTEXT, "
                        + "so kafka.sasl-mechanism would not be used: set it to SASL_SSL (or SASL_PLAINTEXT)"));
    }

    @Test
    void shouldMapTheRuleSettingsOntoTheDetectionConfig() {
        AirlockConfig config = yaml("""
                detection.grace: 2m
                rules:
                  AL-001: {enabled: false, threshold: 8, window: PT15M}
                """, Map.of());
        assertThat(config.detection().grace()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.detection().rule(RuleDefinition.FAILED_LOGIN_BURST))
                .isEqualTo(new RuleSettings(false, 8, Duration.ofMinutes(15)));
        assertThat(config.detection().rule(RuleDefinition.PASSWORD_SPRAY)).isEqualTo(RuleDefinition.PASSWORD_SPRAY.defaults());
        assertThat(config.detection().cleanupSpan()).isEqualTo(Duration.ofHours(12));
    }

    @Test
    void shouldTakeAl013sCleanupSpanLongerThanZero() {
        AirlockConfig config = yaml("rules: {AL-013: {cleanup-span: 9h}}", Map.of());
        assertThat(config.detection().cleanupSpan()).isEqualTo(Duration.ofHours(9));
        assertThat(config.detection().rule(RuleDefinition.AUDIT_TRAIL_TAMPERING)).isEqualTo(RuleDefinition.AUDIT_TRAIL_TAMPERING.defaults());
        assertThatThrownBy(() -> yaml("rules: {AL-013: {cleanup-span: 0s}}", Map.of()))
                .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement()
                        .satisfies(p -> assertThat(p).startsWith("rules.AL-013.cleanup-span: must be longer than 0")));
    }

    @Test
    void shouldTakeAl013sMinRetentionLongerThanZeroAndAtMostTwoDays() {
        assertThat(yaml("rules: {AL-013: {cleanup-span: 9h}}", Map.of()).detection().minRetention()).isEqualTo(Duration.ofHours(24));
        AirlockConfig config = yaml("rules: {AL-013: {min-retention: 6h}}", Map.of());
        assertThat(config.detection().minRetention()).isEqualTo(Duration.ofHours(6));
        assertThat(config.detection().rule(RuleDefinition.AUDIT_TRAIL_TAMPERING)).isEqualTo(RuleDefinition.AUDIT_TRAIL_TAMPERING.defaults());
        assertThatThrownBy(() -> yaml("rules: {AL-013: {min-retention: 0s}}", Map.of()))
                .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement()
                        .satisfies(p -> assertThat(p).startsWith("rules.AL-013.min-retention: must be longer than 0")));
        assertThatThrownBy(() -> yaml("rules: {AL-013: {min-retention: 49h}}", Map.of()))
                .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement()
                        .satisfies(p -> assertThat(p).startsWith("rules.AL-013.min-retention: must be at most 2d")));
    }

    @Test
    void shouldMapOpenSearchNotificationsAndLinks() {
        AirlockConfig config = yaml("""
                opensearch: {urls: "https://os-1:9200, https://os-2:9200", username: airlock, password-env: OS, index-prefix: soc,
                             replicas: 2, trust-all-certificates: true, response-timeout: 2m}
                slack.webhook-url-env: SLACK
                pagerduty.routing-key-env: PD
                dashboards.url: https://dashboards.internal
                runbooks.base-url: https://git.internal/airlock/
                delivery: {max-attempts: 3, initial-backoff: 1s, max-backoff: 30s}
                """, Map.of("OS", "os-pw", "SLACK", "https://hooks.slack.com/services/T/B/X", "PD", "pd-key"));
        assertThat(config.openSearch().urls()).containsExactly(URI.create("https://os-1:9200"), URI.create("https://os-2:9200"));
        assertThat(config.openSearch().username()).contains("airlock");
        assertThat(config.openSearch().password()).contains(Secret.of("os-pw"));
        assertThat(config.openSearch().indexPrefix()).isEqualTo("soc");
        assertThat(config.openSearch().numberOfReplicas()).isEqualTo(2);
        assertThat(config.openSearch().trustAllCertificates()).isTrue();
        assertThat(config.openSearch().responseTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.slackWebhook()).contains(Secret.of("https://hooks.slack.com/services/T/B/X"));
        assertThat(config.pagerDutyRoutingKey()).contains(Secret.of("pd-key"));
        assertThat(config.links().dashboardsUrl()).contains(URI.create("https://dashboards.internal"));
        assertThat(config.links().runbookBaseUrl()).contains(URI.create("https://git.internal/airlock/"));
        assertThat(config.links().alertsIndexPatternId()).as("the id dashboards import gives, whatever the prefix").isEqualTo("airlock-alerts");
        assertThat(config.retryPolicy()).isEqualTo(RetryPolicy.defaults().withMaxAttempts(3)
                .withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30)));
    }

    @Test
    void shouldReportEveryProblemOfEveryAreaAtOnceNumbered() {
        assertThatThrownBy(() -> yaml("""
                kafka.bootstrap-server: k:9092
                airflow.database.port: 70000
                opensearch: {password-env: OS, index-prefix: SOC}
                slack.webhook-url-env: SLACK_WEBHOOK_URL
                detection: {time-zone: Mars/Olympus, business-hours: {start: "18:00", end: "08:00"}}
                rules.AL-001.threshold: 0
                delivery: {initial-backoff: 20s, max-backoff: 10s}
                vault.audit: {file: /var/log/vault/audit.log, socket: "0.0.0.0:9090"}
                """, Map.of("OS", "pw")))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "unknown key 'kafka.bootstrap-server' (did you mean 'kafka.bootstrap-servers'?) (line 1)",
                        "airflow.database.port: must be 1..65535, was 70000 (line 2)",
                        "opensearch.index-prefix: index prefix 'SOC' must be lower case letters, digits, '_' or '-' (line 3)",
                        "slack.webhook-url-env: environment variable SLACK_WEBHOOK_URL is not set (line 4)",
                        "detection.time-zone: must be an IANA time zone such as Europe/Berlin or UTC, was 'Mars/Olympus' (line 5)",
                        "rules.AL-001.threshold: must be at least 1, was 0 (line 6)",
                        "delivery.max-backoff: must be at least delivery.initial-backoff (20s), was 10s (line 7)",
                        "vault.audit.socket: give vault.audit.file or vault.audit.socket, not both (line 8)",
                        "opensearch.password: a password needs opensearch.username (line 3)",
                        "detection.business-hours.end: must be after detection.business-hours.start (18:00), was 08:00 (line 5)"))
                .hasMessageStartingWith("airlock.yml: 10 problems")
                .hasMessageContaining("  1. unknown key 'kafka.bootstrap-server'");
    }

    @Test
    void shouldReadUnquotedBusinessHoursAsTimesOfDay() {
        AirlockConfig config = yaml("detection.business-hours: {start: 09:30, end: 17:00}", Map.of());

        assertThat(config.detection().calendar().start()).isEqualTo(LocalTime.of(9, 30));
        assertThat(config.detection().calendar().end()).isEqualTo(LocalTime.of(17, 0));
    }

    @Test
    void shouldRefuseASectionWrittenAsAValueRatherThanFallBackToItsDefaults(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("airlock.yml"), """
                slack: https://hooks.slack.com/services/T1/B1/LEAKME
                airflow: {database: "postgres://u:p4ss@h/db"}
                detection:
                  business-hours: 08:00-18:00
                  allow: [alice]
                rules: {AL-001: false}
                """);

        assertThatThrownBy(() -> AirlockConfig.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "slack: must be a section (webhook-url-env: …), was a text value (line 1)",
                        "airflow.database: must be a section (host: …, port: …, …), was a text value (line 2)",
                        "detection.business-hours: must be a section (start: …, end: …), was a text value (line 4)",
                        "detection.allow: must be a section (users: …, identities: …, …), was a list (line 5)",
                        "rules.AL-001: must be a section (enabled: …, threshold: …, …), was a boolean (line 6)"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("LEAKME", "p4ss", "alice"));
        // backtest reads the file without its secrets, and still refuses it
        assertThatThrownBy(() -> AirlockConfig.from(ConfigSource.fromFile(file, Map.of()).withoutSecrets()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": 5 problems");
    }

    @Test
    void shouldRefuseAMaxRetryAfterShorterThanTheSlackPaceItWouldGiveUpOn() {
        assertThatThrownBy(() -> yaml("delivery: {max-retry-after: 0s}", Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "delivery.max-retry-after: must be at least delivery.slack-interval (1s), was 0 (line 1)"));
        assertThat(yaml("delivery: {max-retry-after: 0s, slack-interval: 0s}", Map.of()).retryPolicy().maxRetryAfter()).isZero();
    }

    @Test
    void shouldRefuseAirflowSecretPathsWrittenAsApiPathsWhichWouldMatchNoRead() {
        assertThatThrownBy(() -> yaml("detection.airflow-secret-paths: [airflow/data/connections/, /airflow/variables/]", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'airflow/data/connections/' is a KV v2 API path; events carry the KV path, without 'data/': "
                        + "airflow/connections/");
        assertThatThrownBy(() -> yaml("detection.airflow-secret-paths: [/airflow/variables/]", Map.of()))
                .hasMessageContaining("'/airflow/variables/': write it without the leading '/' (airflow/variables/)");
        assertThat(yaml("detection.airflow-secret-paths: [team-a/airflow/connections/, kv/data-team/]", Map.of())).isNotNull();
    }

    @Test
    void shouldGiveEveryKafkaClientTheSaslAndTlsSettingsWithoutShowingThePassword() throws IOException {
        Path ca = pem("kafka-ca.pem");
        KafkaSecurity security = yaml("""
                kafka: {security-protocol: SASL_SSL, sasl-username: airlock, sasl-password-env: KAFKA_PW,
                        ssl-ca-certificate: '%s'}
                """.formatted(ca), Map.of("KAFKA_PW", "p\"w\\x")).kafkaSecurity();

        assertThat(security.properties()).containsOnly(
                entry("security.protocol", "SASL_SSL"),
                entry("sasl.mechanism", "SCRAM-SHA-512"),
                entry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"airlock\" password=\"p\\\"w\\\\x\";"),
                entry("ssl.truststore.type", "PEM"),
                entry("ssl.truststore.location", ca.toString()));
        assertThat(security.toString()).doesNotContain("p\"w").contains("[hidden]");
        assertThat(yaml("kafka.bootstrap-servers: [k:9092]", Map.of()).kafkaSecurity()).isEqualTo(KafkaSecurity.PLAINTEXT);
    }

    @Test
    void shouldRefuseKafkaSecuritySettingsThatDoNotFitTheProtocol() throws IOException {
        Path ca = pem("ca.pem");
        assertThatThrownBy(() -> yaml("kafka: {security-protocol: SASL_SSL, sasl-username: airlock}", Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "kafka.security-protocol: SASL_SSL needs kafka.sasl-username and kafka.sasl-password (-env or -file) (line 1)"));
        assertThatThrownBy(() -> yaml("kafka: {sasl-username: airlock, sasl-password-env: KAFKA_PW}", Map.of("KAFKA_PW", "pw")))
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "kafka.security-protocol: is PLAINTEXT, so kafka.sasl-username and kafka.sasl-password would not be used: "
                                + "set it to SASL_SSL (or SASL_PLAINTEXT)"));
        assertThatThrownBy(() -> yaml("kafka: {security-protocol: SASL_PLAINTEXT, sasl-username: a, sasl-password-env: P, "
                + "ssl-ca-certificate: '" + ca + "'}", Map.of("P", "pw")))
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "kafka.security-protocol: is SASL_PLAINTEXT, so kafka.ssl-ca-certificate would not be used: set it to "
                                + "SASL_SSL or SSL (line 1)"));
        assertThatThrownBy(() -> yaml("kafka.security-protocol: SASL", Map.of()))
                .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement(STRING)
                        .startsWith("kafka.security-protocol: must be one of"));
    }

    @Test
    void shouldReportInvertedBusinessHoursOnceAndTextYamlChangedAndEmptyAllowListItems() {
        assertThatThrownBy(() -> yaml("detection.business-hours: {start: \"18:00\", end: \"08:00\"}", Map.of()))
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "detection.business-hours.end: must be after detection.business-hours.start (18:00), was 08:00 (line 1)"));
        assertThatThrownBy(() -> yaml("""
                detection: {airflow-identity: no, allow: {paths: "secret/health, ,x", users: [ops, yes]}}
                airflow.database.name: 012
                """, Map.of()))
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "detection.airflow-identity: must be text, but YAML read it as false (yes, no, on, off, y, n are booleans "
                                + "to it): write the text in quotes (line 1)",
                        "detection.allow.paths: item 2 is empty (line 1)",
                        "detection.allow.users: item 2 must be text, but YAML read it as true (yes, no, on, off, y, n are "
                                + "booleans to it): write the text in quotes (line 1)",
                        "airflow.database.name: must be text, but YAML read it as the number 10 (leading zeros, 0x and exponents "
                                + "change it): write the text in quotes (line 2)"));
    }

    @Test
    void shouldRefuseAChangeEventPatternThatMatchesEveryEvent() {
        assertThatThrownBy(() -> yaml("detection.change-events: [patch_dag, \"api.*\"]", Map.of()))
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly("detection.change-events: 'api.*' matches "
                        + "every audit-log event (page views and worker events too), since the api./ui. prefix is stripped before "
                        + "matching: name the change events (line 1)"));
        assertThat(yaml("detection.change-events: [\"api.variable.*\", patch_dag]", Map.of())).isNotNull();
    }

    @Test
    void shouldGiveEachRuleItsOwnEntityExceptions() {
        AirlockConfig config = yaml("rules.AL-010.allow-entities: [airflow, deploy-bot]", Map.of());

        assertThat(config.detection().rule(RuleDefinition.OFF_HOURS_CHANGE).allowEntities()).containsExactlyInAnyOrder("airflow",
                "deploy-bot");
        assertThat(config.detection().rule(RuleDefinition.FAILED_LOGIN_BURST).allowEntities()).isEmpty();
        assertThat(config.detection().allow().allowsUser("airflow")).isFalse();
    }

    @Test
    void shouldTakeTheStreamThreadsWithinBounds() {
        assertThat(yaml("kafka.stream-threads: 4\n", Map.of()).streamThreads()).isEqualTo(4);
        assertThatThrownBy(() -> yaml("kafka.stream-threads: 0\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly("kafka.stream-threads: must be 1..64, was 0 (line 1)"));
    }

    @Test
    void shouldRefuseAnOpenSearchPasswordWithoutUser() {
        assertThatThrownBy(() -> yaml("opensearch.password-env: OS\n", Map.of("OS", "pw")))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems())
                        .containsExactly("opensearch.password: a password needs opensearch.username (line 1)"));
    }

    @Test
    void shouldAcceptTheExampleFile() {
        AirlockConfig config = AirlockConfig.load(EXAMPLE, EXAMPLE_ENV);
        assertThat(config.bootstrapServers()).isEqualTo("kafka-1.internal:9092,kafka-2.internal:9092,kafka-3.internal:9092");
        assertThat(config.replicationFactor()).isEqualTo(3);
        assertThat(config.database().password()).isEqualTo("db-pw");
        assertThat(config.database().sslmode()).isEqualTo("verify-full");
        assertThat(config.openSearch().password()).contains(Secret.of("os-pw"));
        assertThat(config.slackWebhook()).isPresent();
        assertThat(config.pagerDutyRoutingKey()).contains(Secret.of("pd-key-0123456789abcdef012345678"));
        assertThat(config.vaultAudit().socket()).map(Object::toString).contains("0.0.0.0:9090");
        assertThat(config.timeZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(config.detection().calendar().zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(config.stateDir()).isEqualTo(Path.of("/var/lib/airlock"));
        assertThat(config.kafkaSecurity().properties()).containsEntry("security.protocol", "SASL_SSL");
        assertThat(config.detection().airflow().isEntityId()).isTrue();
        assertThat(config.notes()).as("the shipped example gets no note").isEmpty();
    }

    /**
     * The example is the complete production configuration README promises: every setting is there, set or commented out
     * ({@code # key: value}), except a rule's {@code allow-entities}, which one comment names for all of them.
     */
    @Test
    void shouldNameEverySettingInTheExampleSetOrCommentedOut() throws IOException {
        String uncommented = String.join("\n", Files.readAllLines(EXAMPLE).stream()
                .map(line -> line.replaceFirst("^(\\s*)# (\\s*(- )?[A-Za-z0-9-]+:( |$))", "$1$2")).toList());
        var keys = ConfigSource.fromYaml(uncommented, "example", Map.of()).values().keySet();

        assertThat(AirlockConfig.DEFINITION.settings())
                .filteredOn(setting -> !setting.key().endsWith(".allow-entities"))
                .allSatisfy(setting -> assertThat(setting.isSecret() ? List.of(setting.envKey(), setting.fileKey())
                        : List.of(setting.key())).as(setting.key()).containsAnyElementsOf(keys));
    }

    @Test
    void shouldAcceptTheExampleFilesCommentedRuleBlocksWhenUncommented(@TempDir Path dir) throws Exception {
        List<String> lines = Files.readAllLines(EXAMPLE).stream()
                .map(line -> line.matches("  # AL-0\\d\\d: .*") ? line.replaceFirst("# ", "") : line).toList();
        assertThat(lines).filteredOn(l -> l.startsWith("  AL-0")).hasSize(12);
        Path file = Files.write(dir.resolve("airlock.yml"), lines);
        AirlockConfig config = AirlockConfig.load(file, EXAMPLE_ENV);
        assertThat(config.values().get(DetectionFields.AL_021_THRESHOLD)).isEqualTo(20);
        assertThat(config.notes()).isEmpty();
        assertThat(config.detection().rule(io.airlock.streams.detect.RuleDefinition.SECRET_HARVESTING).threshold()).isEqualTo(20);
    }

    @Test
    void shouldHaveADefaultForEveryRuleNumberOfTheDesign() {
        var values = AirlockConfig.defaults().values();
        assertThat(List.of(values.get(DetectionFields.AL_002_THRESHOLD), values.get(DetectionFields.AL_021_THRESHOLD),
                values.get(DetectionFields.AL_023_THRESHOLD))).containsExactly(10, 20, 5);
        assertThat(List.of(values.get(DetectionFields.AL_002_WINDOW), values.get(DetectionFields.AL_003_WINDOW),
                values.get(DetectionFields.AL_010_WINDOW), values.get(DetectionFields.AL_020_LEARNING_PERIOD),
                values.get(DetectionFields.AL_022_GRACE))).containsExactly(Duration.ofMinutes(10), Duration.ofMinutes(30),
                Duration.ofHours(24), Duration.ofDays(7), Duration.ofMinutes(2));
        assertThat(AirlockConfig.DEFINITION.settings()).filteredOn(s -> s.key().startsWith("rules.AL-001."))
                .allSatisfy(s -> assertThat(s.reserved()).isEmpty());
    }

    @Test
    void shouldNeverShowSecretsInToStringOrSummary() {
        AirlockConfig config = AirlockConfig.load(EXAMPLE, EXAMPLE_ENV);
        String everything = config + config.summary() + config.database() + config.openSearch() + config.slackWebhook()
                + config.pagerDutyRoutingKey() + config.values().secrets();
        assertThat(everything).doesNotContain("db-pw", "os-pw", "pd-key", "B000/XXXX")
                .contains("<set from env AIRLOCK_DB_PASSWORD>", "<set from env SLACK_WEBHOOK_URL>");
        assertThat(config.redact("auth failed for pd-key-0123456789abcdef012345678 at https://hooks.slack.com/services/T000/B000/XXXX"))
                .doesNotContain("pd-key", "XXXX");
    }

    @Test
    void shouldNameOpenSearchsRuleForTheFirstCharacterOfTheIndexPrefix() {
        for (String prefix : List.of("-bad", "_bad", "+bad")) {
            assertThatThrownBy(() -> yaml("opensearch.index-prefix: \"" + prefix + "\"\n", Map.of()))
                    .hasMessageContaining("opensearch.index-prefix: index prefix '" + prefix + "' cannot start with '-', '_' or '+'");
        }
    }

    @Test
    void shouldRefuseOptionalSettingsLeftEmptyRatherThanQuietlyLeaveThemOff() {
        assertThatThrownBy(() -> yaml("slack:\n  webhook-url-env:\ndashboards:\n", Map.of()))
                .hasMessageContaining("slack.webhook-url-env: has no value; remove the key to leave slack.webhook-url not set")
                .hasMessageContaining("dashboards: has no value; remove the key to use the defaults of its settings");
        AirlockConfig config = yaml("kafka.stream-threads: 1\n", Map.of());
        assertThat(config.slackWebhook()).as("the keys left out").isEqualTo(Optional.empty());
        assertThat(config.links().dashboardsUrl()).isEmpty();
    }
}
