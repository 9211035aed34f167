package io.airlock.app;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.airlock.embedded.AirflowSchema;
import io.airlock.embedded.AirlockYml;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.embedded.RealComponents;
import io.airlock.embedded.WebhookReceiver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code airlock run} fails fast: when a started stage stops for good, {@code /health/live} turns 503 naming the stage, one
 * ERROR line says which stage stopped and why, and the command ends with exit code 3 so that a supervisor restarts it.
 */
@ExtendWith(RealComponents.class)
class RunCommandFailFastTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldFailLivenessAndExitWithThreeWhenTheVaultCaptureStopsForGood(EmbeddedPostgres postgres, EmbeddedKafka kafka,
            EmbeddedOpenSearch openSearch, WebhookReceiver webhooks, @TempDir Path dir) throws Exception {
        String name = RealComponents.uniqueName("failfast");
        postgres.createDatabase(name);
        postgres.createAirflowSchema(name, AirflowSchema.V3);
        Path audit = Files.createFile(dir.resolve("vault-audit.log"));
        // a dead-letter topic that refuses every dead letter: the Vault capture's one failure it cannot get past
        kafka.createTopics(1, java.util.Map.of("max.message.bytes", "64"), name + ".dlq");
        var yml = AirlockYml.forEmbedded(name, postgres, kafka, openSearch, webhooks)
                .vaultAuditFile(audit)
                .stateDir(dir.resolve("state"))
                .remove("pagerduty.routing-key-env").remove("pagerduty.events-url")
                .set("metrics", "{port: 0, bind-address: 127.0.0.1}");
        var logs = new ListAppender<ILoggingEvent>();
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        logs.setContext(logging);
        logs.start();
        logging.getLogger(RunCommand.class).addAppender(logs);
        var run = InProcessRun.start(dir.resolve("airlock.yml"), yml);
        CompletableFuture<Integer> exit = run.exit();
        try {
            run.awaitRunning();
            URI base = URI.create("http://127.0.0.1:" + run.metricsAddress().getPort());
            await().atMost(ofSeconds(60)).until(() -> get(base, "/health/ready").statusCode() == 200);
            assertThat(get(base, "/health/live").statusCode()).isEqualTo(200);

            // A line that is not JSON: its dead letter is refused by Kafka, so the capture stops for good (nothing is skipped).
            Files.writeString(audit, "this is not an audit line\n", java.nio.file.StandardOpenOption.APPEND);

            // /health/live answers 503 from the failure until the endpoint closes, after the other stages stopped.
            var live = new AtomicReference<HttpResponse<String>>();
            await().atMost(ofSeconds(60)).pollInterval(ofMillis(20)).until(() -> {
                HttpResponse<String> response = getOrNull(base, "/health/live");
                if (response != null && response.statusCode() != 200) {
                    live.set(response);
                }
                return live.get() != null || exit.isDone();
            });
            assertThat(live.get()).as("/health/live turned 503 before the process ended").isNotNull();
            assertThat(live.get().statusCode()).isEqualTo(503);
            assertThat(live.get().body()).isEqualTo(
                    "{\"status\":\"DOWN\",\"problems\":[\"ingest: the Vault audit capture stopped (RecordTooLargeException)\"]}");

            assertThat(exit.get(90, TimeUnit.SECONDS)).isEqualTo(RunCommand.EXIT_STAGE_STOPPED);
        } finally {
            run.close();
            logging.getLogger(RunCommand.class).detachAppender(logs);
        }
        List<ILoggingEvent> errors = logs.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).getFormattedMessage())
                .startsWith("Stage stopped for good: ingest: the Vault audit capture stopped (RecordTooLargeException); exiting with code 3");
        assertThat(run.output()).contains("stopping (exit code 3)");
    }

    private HttpResponse<String> get(URI base, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The answer, or null once the endpoint is closed. */
    private HttpResponse<String> getOrNull(URI base, String path) throws InterruptedException {
        try {
            return get(base, path);
        } catch (IOException e) {
            return null;
        }
    }
}
