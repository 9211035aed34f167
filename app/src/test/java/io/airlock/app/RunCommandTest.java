package io.airlock.app;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.embedded.AirflowDatabase;
import io.airlock.embedded.AirflowSchema;
import io.airlock.embedded.AirlockYml;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.embedded.RealComponents;
import io.airlock.embedded.WebhookReceiver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code airlock run --config airlock.yml} against real components: the file alone wires capture, detection and delivery. */
@ExtendWith(RealComponents.class)
class RunCommandTest {


    @Test
    void shouldRunTheWholePipelineFromAirlockYmlWithSecretsFromTheEnvironment(EmbeddedPostgres postgres, EmbeddedKafka kafka,
            EmbeddedOpenSearch openSearch, WebhookReceiver webhooks, @TempDir Path dir) throws Exception {
        String name = RealComponents.uniqueName("run");
        postgres.createDatabase(name);
        postgres.createAirflowSchema(name, AirflowSchema.V3);
        var airflow = new AirflowDatabase(postgres, name, AirflowSchema.V3);
        airflow.createUser("mallory", "mallory@example.com");
        Path audit = Files.createFile(dir.resolve("vault-audit.log"));
        var yml = AirlockYml.forEmbedded(name, postgres, kafka, openSearch, webhooks)
                .vaultAuditFile(audit)
                .stateDir(dir.resolve("state"))
                .pagerDutyRoutingKey("CANARY-routing-" + name);

        String output;
        try (var run = InProcessRun.start(dir.resolve("airlock.yml"), yml).awaitRunning()) {
            BurstAndReadScenario.play(airflow, audit);
            BurstAndReadScenario.awaitIndexedAndNotified(openSearch, webhooks, name);
            assertThat(run.stop(ofSeconds(60))).isZero();
            output = run.output();
        }
        assertThat(yml.text()).doesNotContain(yml.slackWebhookUrl()).doesNotContain(yml.pagerDutyRoutingKey());
        assertThat(output).contains("stopping").doesNotContain(yml.slackWebhookUrl()).doesNotContain(yml.pagerDutyRoutingKey());
    }

    @Test
    void shouldNotSayRunningWhenTheStopWasRequestedWhileTheStagesStarted(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        String name = RealComponents.uniqueName("stop-in-start");
        Path yml = Files.writeString(dir.resolve("airlock.yml"), "topics.prefix: " + name + "\nkafka.bootstrap-servers: \""
                + kafka.bootstrapServers() + "\"\nkafka.partitions: 1\nkafka.replication-factor: 1\nmetrics.enabled: false\n"
                + "state-dir: \"" + dir.resolve("state") + "\"\n");
        var output = new ByteArrayOutputStream();
        var command = command(yml, output);
        command.only = List.of(Stage.STREAMS);
        // SIGTERM arrives after the last "stopped before the stages started" check, while the stages start
        var stopWhileStarting = new CountDownLatch(1) {
            @Override
            public long getCount() {
                long count = super.getCount();
                countDown();
                return count;
            }
        };

        assertThat(command.execute(stopWhileStarting)).isZero();
        assertThat(output.toString(StandardCharsets.UTF_8)).contains("airlock run: stopping").doesNotContain("running;");
    }

    @Test
    void shouldRefuseABadConfigurationWithEveryProblemInPlainWords(@TempDir Path dir) throws Exception {
        Path yml = Files.writeString(dir.resolve("airlock.yml"), """
                kafka.bootstrap-server: localhost:9092
                airflow.database.port: 70000
                slack.webhook-url: https://hooks.slack.com/services/T000/B000/CANARYsecret
                """);
        var output = new ByteArrayOutputStream();
        var command = command(yml, output);

        assertThat(command.execute(new CountDownLatch(0))).isEqualTo(1);
        String text = output.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("kafka.bootstrap-servers").contains("70000").contains("slack.webhook-url")
                .doesNotContain("CANARYsecret");
    }

    @Test
    void shouldNameTheKafkaHostsAndTheirSettingWhenNoneResolves(@TempDir Path dir) throws Exception {
        Path yml = Files.writeString(dir.resolve("airlock.yml"), "kafka.bootstrap-servers: [kafka-1.invalid:9093, "
                + "kafka-2.invalid:9093]\nmetrics.enabled: false\nstate-dir: \"" + dir.resolve("state") + "\"\n");
        var output = new ByteArrayOutputStream();
        var command = command(yml, output);
        command.only = List.of(Stage.STREAMS);

        assertThat(command.execute(new CountDownLatch(1))).isEqualTo(1);
        assertThat(output.toString(StandardCharsets.UTF_8)).contains("airlock run: no host of kafka.bootstrap-servers "
                + "(kafka-1.invalid:9093, kafka-2.invalid:9093) resolves to an address").doesNotContain("KafkaAdminClient");
    }

    @Test
    void shouldPrintAMetricsUrlThatCanBeOpened() {
        assertThat(RunCommand.metricsUrl(new java.net.InetSocketAddress("0.0.0.0", 9404))).isEqualTo("http://localhost:9404/metrics");
        assertThat(RunCommand.metricsUrl(new java.net.InetSocketAddress("::", 9404))).isEqualTo("http://localhost:9404/metrics");
        assertThat(RunCommand.metricsUrl(new java.net.InetSocketAddress(9404))).isEqualTo("http://localhost:9404/metrics");
        assertThat(RunCommand.metricsUrl(new java.net.InetSocketAddress("127.0.0.1", 43799))).isEqualTo("http://127.0.0.1:43799/metrics");
        assertThat(RunCommand.metricsUrl(new java.net.InetSocketAddress("::1", 43799))).isEqualTo("http://[0:0:0:0:0:0:0:1]:43799/metrics");
    }

    @Test
    void shouldRefuseAnEmptyFileInsteadOfRunningAgainstLocalhost(@TempDir Path dir) throws Exception {
        Path yml = Files.writeString(dir.resolve("airlock.yml"), "# airflow:\n#   database: {host: db.internal}\n");
        var output = new ByteArrayOutputStream();
        var command = command(yml, output);

        assertThat(command.execute(new CountDownLatch(0))).isEqualTo(1);
        assertThat(output.toString(StandardCharsets.UTF_8)).contains("the file is empty (or holds only comments)");
    }

    /** {@code airlock run --config yml} with no environment, its standard error into {@code output}. */
    private static RunCommand command(Path yml, ByteArrayOutputStream output) {
        var command = new RunCommand();
        command.config = yml;
        command.env = Map.of();
        command.err = new PrintStream(output, true, StandardCharsets.UTF_8);
        return command;
    }
}
