package io.airlock.app;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.airlock.core.KafkaSecurity;
import io.airlock.core.Topics;
import io.airlock.embedded.AirflowDatabase;
import io.airlock.embedded.AirflowSchema;
import io.airlock.embedded.AirlockYml;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.embedded.RealComponents;
import io.airlock.embedded.WebhookReceiver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Airlock on a Kafka that takes only SASL clients: the settings of {@code kafka.security-protocol} reach every client —
 * the topic check, the Airflow capture and its offsets store, the Vault capture, Kafka Streams, delivery and the lag metrics.
 */
@ExtendWith(RealComponents.class)
class SecuredKafkaEndToEndTest {

    private static EmbeddedKafka sasl;

    @BeforeAll
    static void startSaslBroker() {
        sasl = EmbeddedKafka.startWithSasl();
    }

    @AfterAll
    static void stopSaslBroker() {
        sasl.close();
    }

    @Test
    void shouldRunEveryStageAgainstAKafkaThatTakesOnlySaslClients(EmbeddedPostgres postgres, EmbeddedOpenSearch openSearch,
            WebhookReceiver webhooks, @TempDir Path dir) throws Exception {
        String name = RealComponents.uniqueName("sasl");
        var airflow = AirflowDatabase.create(postgres, name, AirflowSchema.V2_10);
        airflow.createUser("mallory", "mallory@example.com");
        Path audit = Files.createFile(dir.resolve("vault-audit.log"));
        var yml = AirlockYml.forEmbedded(name, postgres, sasl, openSearch, webhooks)
                .vaultAuditFile(audit)
                .stateDir(dir.resolve("state"))
                .set("metrics", "{port: 0, bind-address: 127.0.0.1, lag-interval: 500ms}")
                .set("kafka.security-protocol", "SASL_PLAINTEXT")
                .set("kafka.sasl-mechanism", "PLAIN")
                .set("kafka.sasl-username", EmbeddedKafka.SASL_USER)
                .set("kafka.sasl-password-env", "AIRLOCK_TEST_KAFKA_PASSWORD")
                .env("AIRLOCK_TEST_KAFKA_PASSWORD", EmbeddedKafka.SASL_PASSWORD);

        String output;
        try (var run = InProcessRun.start(dir.resolve("airlock.yml"), yml).awaitRunning()) {
            BurstAndReadScenario.play(airflow, audit);
            // capture (both sources), detection, indexing and notification all went through the SASL listener
            BurstAndReadScenario.awaitIndexedAndNotified(openSearch, webhooks, name);
            // the lag metrics' admin client too: a number, not NaN
            URI metrics = URI.create("http://127.0.0.1:" + run.metricsAddress().getPort() + "/metrics");
            await().atMost(ofSeconds(30)).untilAsserted(() -> assertThat(HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body().lines())
                    .anyMatch(line -> line.startsWith("airlock_consumer_lag{") && line.matches(".* [0-9.]+(E[0-9]+)?")));
            assertThat(run.stop(ofSeconds(60))).isZero();
            output = run.output();
        }
        assertThat(yml.text()).doesNotContain(EmbeddedKafka.SASL_PASSWORD);
        assertThat(output).doesNotContain(EmbeddedKafka.SASL_PASSWORD);
    }

    @Test
    void shouldSayThatAWrongPasswordWasRefusedWithoutPrintingIt() {
        KafkaSecurity wrong = KafkaSecurity.of("SASL_PLAINTEXT", "PLAIN", EmbeddedKafka.SASL_USER, "wrong-pw-4711", null);

        assertThatThrownBy(() -> TopicInitializer.ensureTopics(sasl.bootstrapServers(), wrong, new Topics("wrongpw"), 1, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Authentication failed")
                .hasMessageNotContaining("wrong-pw-4711");
    }

    @Test
    void shouldBeRefusedByItWithoutSasl() {
        try (Admin plaintext = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, sasl.bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000))) {
            assertThatThrownBy(() -> plaintext.listTopics().names().get(10, TimeUnit.SECONDS))
                    .isInstanceOfAny(ExecutionException.class, TimeoutException.class);
        }
    }
}
