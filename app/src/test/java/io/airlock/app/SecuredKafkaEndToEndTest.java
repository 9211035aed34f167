package io.airlock.app;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.airlock.app.config.AirlockConfig;
import io.airlock.core.Json;
import io.airlock.core.KafkaSecurity;
import io.airlock.core.Topics;
import io.airlock.core.config.ConfigSource;
import io.airlock.embedded.AirflowDatabase;
import io.airlock.embedded.AirflowSchema;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.embedded.RealComponents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
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
 * the topic check, the Airflow capture and its offsets store, the Vault capture, Kafka Streams.
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
    void shouldCaptureAndDetectThroughAKafkaThatTakesOnlySaslClients(EmbeddedPostgres postgres, @TempDir Path stateDir,
            @TempDir Path vaultDir) throws Exception {
        KafkaSecurity security = AirlockConfig.from(ConfigSource.fromYaml("""
                kafka:
                  security-protocol: SASL_PLAINTEXT
                  sasl-mechanism: PLAIN
                  sasl-username: %s
                  sasl-password-env: KAFKA_PASSWORD
                """.formatted(EmbeddedKafka.SASL_USER), "airlock.yml", Map.of("KAFKA_PASSWORD", EmbeddedKafka.SASL_PASSWORD)))
                .kafkaSecurity();
        assertThat(security.toString()).doesNotContain(EmbeddedKafka.SASL_PASSWORD);
        String name = RealComponents.uniqueName("sasl");
        var airflow = AirflowDatabase.create(postgres, name, AirflowSchema.V2_10);
        airflow.createUser("mallory", "mallory@example.com");
        var topics = new Topics(name);
        TopicInitializer.ensureTopics(sasl.bootstrapServers(), security, topics, 1, 1);
        var vault = new VaultAuditWriter(Files.createFile(CaptureAndDetectSettings.auditFile(vaultDir)));
        var settings = CaptureAndDetectSettings.of(postgres, name, sasl, topics, stateDir, vaultDir).withKafkaSecurity(security);

        try (var pipeline = new Pipeline(settings).start(EnumSet.of(Stage.INGEST, Stage.STREAMS))) {
            for (int i = 0; i < 5; i++) {
                airflow.failedLogin("mallory");
            }
            vault.read(Instant.now(), "alice", "secret", "team/notes", false, Map.of());

            await().atMost(ofSeconds(120)).untilAsserted(() -> {
                assertThat(sasl.readAll(topics.alerts())).extracting(r -> Json.tree(r.value()).path("rule.id").asText())
                        .contains("AL-001");
                assertThat(sasl.readAll(topics.events())).extracting(r -> Json.tree(r.value()).path("vault.path").asText())
                        .contains("secret/data/team/notes");
            });
        }
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
