package io.airlock.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.app.config.AirlockConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Least privilege for {@code airlock run --only}: each process reads the secrets of the stages it runs and Kafka's, no
 * others, while the whole file is still checked.
 */
class RunCommandStageSecretsTest {

    /** A production file naming a secret of every kind; none of the variables is set unless a test sets it. */
    private static final String AIRLOCK_YML = """
            kafka:
              bootstrap-servers: kafka-1.internal:9092
              security-protocol: SASL_PLAINTEXT
              sasl-username: airlock
              sasl-password-env: KAFKA_PASSWORD
            airflow:
              database:
                host: airflow-db.internal
                password-env: OPS_DB_PASSWORD
            opensearch:
              urls: [https://opensearch.internal:9200]
              username: airlock
              password-env: OPENSEARCH_PASSWORD
            slack:
              webhook-url-env: OPS_SLACK_URL
            pagerduty:
              routing-key-env: OPS_PD_KEY
            notifications:
              receivers:
                - {name: soc, type: slack, webhook-url-env: SOC_SLACK_URL}
              routes:
                - {receivers: [slack, soc]}
                - {min-severity: high, receivers: [pagerduty]}
            report:
              signing-key-env: REPORT_SIGNING_KEY
            """;

    private static final Map<String, String> KAFKA_ONLY = Map.of("KAFKA_PASSWORD", "kafka-secret");

    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void shouldLoadAStreamsOnlyConfigurationWithNoSecretButKafkas() throws Exception {
        Optional<AirlockConfig> loaded = load(AIRLOCK_YML, KAFKA_ONLY, Stage.STREAMS);

        assertThat(errors()).isEmpty();
        assertThat(loaded).isPresent();
        assertThat(loaded.get().kafkaSecurity().clientConfig("kafka-1.internal:9092", Map.of()).toString()).contains("kafka-secret");
        assertThat(PipelineSettings.from(loaded.get()).bootstrapServers()).as("what the stages are built from").isNotEmpty();
    }

    @Test
    void shouldStillRequireKafkasSecretOfAStreamsOnlyProcess() throws Exception {
        assertThat(load(AIRLOCK_YML, Map.of(), Stage.STREAMS)).isEmpty();

        assertThat(errors()).contains("kafka.sasl-password-env: environment variable KAFKA_PASSWORD is not set")
                .doesNotContain("OPS_DB_PASSWORD").doesNotContain("OPS_SLACK_URL").doesNotContain("OPS_PD_KEY")
                .doesNotContain("OPENSEARCH_PASSWORD").doesNotContain("SOC_SLACK_URL");
    }

    @Test
    void shouldRefuseAnIngestOnlyProcessWithoutTheDatabasePasswordNamingIt() throws Exception {
        assertThat(load(AIRLOCK_YML, KAFKA_ONLY, Stage.INGEST)).isEmpty();

        assertThat(errors()).contains("airflow.database.password-env: environment variable OPS_DB_PASSWORD is not set")
                .doesNotContain("OPS_SLACK_URL").doesNotContain("OPS_PD_KEY").doesNotContain("OPENSEARCH_PASSWORD")
                .doesNotContain("SOC_SLACK_URL");
    }

    @Test
    void shouldRequireTheReceiversAndOpenSearchSecretsOfADeliveryOnlyProcessAndNotTheDatabasePassword() throws Exception {
        assertThat(load(AIRLOCK_YML, KAFKA_ONLY, Stage.DELIVERY)).isEmpty();

        assertThat(errors()).contains("OPENSEARCH_PASSWORD").contains("OPS_SLACK_URL").contains("OPS_PD_KEY")
                .doesNotContain("OPS_DB_PASSWORD");
        var delivery = new java.util.HashMap<>(Map.of("KAFKA_PASSWORD", "k", "OPENSEARCH_PASSWORD", "o",
                "OPS_SLACK_URL", "https://hooks.slack.com/services/T/B/x", "OPS_PD_KEY", "p"));
        err.reset();
        assertThat(load(AIRLOCK_YML, delivery, Stage.DELIVERY)).isEmpty();
        assertThat(errors()).contains("receiver 'soc': environment variable SOC_SLACK_URL is not set");
        delivery.put("SOC_SLACK_URL", "https://hooks.slack.com/services/T/B/y");
        err.reset();
        assertThat(load(AIRLOCK_YML, delivery, Stage.DELIVERY)).as(errors()).isPresent();
    }

    @Test
    void shouldStillCheckTheWholeFileWhenReadingOnlySomeSecrets() throws Exception {
        String broken = AIRLOCK_YML.replace("    host: airflow-db.internal\n", "    host: airflow-db.internal\n    prot: 5432\n")
                .replace("  sasl-username: airlock\n", "  sasl-username: airlock\n  partitions: many\n");

        assertThat(load(broken, KAFKA_ONLY, Stage.STREAMS)).isEmpty();

        assertThat(errors()).contains("unknown key 'airflow.database.prot'").contains("kafka.partitions: must be a whole number");
    }

    @Test
    void shouldReadEverySecretOfThePipelineWhenRunningEveryStage() throws Exception {
        assertThat(load(AIRLOCK_YML, KAFKA_ONLY)).isEmpty();

        assertThat(errors()).contains("OPS_DB_PASSWORD").contains("OPENSEARCH_PASSWORD").contains("OPS_SLACK_URL")
                .contains("OPS_PD_KEY").as("the report's key is for airlock report")
                .doesNotContain("REPORT_SIGNING_KEY");
    }

    private Optional<AirlockConfig> load(String yml, Map<String, String> env, Stage... only) throws Exception {
        Path file = Files.writeString(dir.resolve("airlock.yml"), yml);
        var command = new RunCommand();
        command.only = only.length == 0 ? null : List.of(only);
        command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        return command.load(file, env);
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
