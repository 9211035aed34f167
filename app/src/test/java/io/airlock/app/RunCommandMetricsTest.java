package io.airlock.app;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.airlock.embedded.AirflowDatabase;
import io.airlock.embedded.AirflowSchema;
import io.airlock.embedded.AirlockYml;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.embedded.RealComponents;
import io.airlock.embedded.WebhookReceiver;
import io.airlock.streams.VaultAuditLine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code airlock run} serves Prometheus metrics and health checks on {@code metrics.port}: after an attack flowed through the
 * pipeline, a scrape over HTTP shows what came in, what was detected, what was notified and what was dead-lettered;
 * {@code /health/ready} is 200 while every stage runs and 503 once it stops.
 */
@ExtendWith(RealComponents.class)
class RunCommandMetricsTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldServeCountersAfterEventsFlowedAndReportReadinessWhileRunning(EmbeddedPostgres postgres, EmbeddedKafka kafka,
            EmbeddedOpenSearch openSearch, WebhookReceiver webhooks, @TempDir Path dir) throws Exception {
        String name = RealComponents.uniqueName("metrics");
        postgres.createDatabase(name);
        postgres.createAirflowSchema(name, AirflowSchema.V2_10);
        var airflow = new AirflowDatabase(postgres, name, AirflowSchema.V2_10);
        airflow.createUser("mallory", "mallory@example.com");
        Path audit = Files.createFile(dir.resolve("vault-audit.log"));
        String canary = "CANARY-metrics-" + name;
        var yml = AirlockYml.forEmbedded(name, postgres, kafka, openSearch, webhooks)
                .vaultAuditFile(audit)
                .stateDir(dir.resolve("state"))
                .set("metrics", "{port: 0, bind-address: 127.0.0.1, lag-interval: 500ms}")
                .pagerDutyRoutingKey(canary);
        String slackUrl = yml.slackWebhookUrl();
        // Airlock's loggers at DEBUG (AIRLOCK_LOG_LEVEL=DEBUG) for the whole run: no secret may reach any log line.
        var logs = new ListAppender<ILoggingEvent>();
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger airlockLoggers = logging.getLogger("io.airlock");
        Level level = airlockLoggers.getLevel();
        airlockLoggers.setLevel(Level.DEBUG);
        logs.setContext(logging);
        logs.start();
        logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(logs);
        var run = InProcessRun.start(dir.resolve("airlock.yml"), yml);
        URI base;
        try {
            run.awaitRunning();
            base = URI.create("http://127.0.0.1:" + run.metricsAddress().getPort());
            assertThat(get(base, "/health/live").statusCode()).isEqualTo(200);
            await().atMost(ofSeconds(60)).untilAsserted(() -> {
                HttpResponse<String> ready = get(base, "/health/ready");
                assertThat(ready.statusCode()).isEqualTo(200);
                assertThat(ready.body()).isEqualTo("{\"status\":\"UP\"}");
            });

            for (int i = 0; i < 5; i++) {
                airflow.failedLogin("mallory");
            }
            Instant now = Instant.now();
            Files.writeString(audit, String.join("\n",
                    VaultAuditLine.request("m-1").at(now).read("secret/data/team/db").json(),
                    VaultAuditLine.response("m-1").at(now).read("secret/data/team/db").json(),
                    "this is not JSON") + "\n", StandardOpenOption.APPEND);

            await().atMost(ofSeconds(90)).untilAsserted(() -> {
                String metrics = get(base, "/metrics").body();
                // the mallory row of the initial snapshot and five failed logins
                assertThat(value(metrics, "airlock_events_in_total", "source=\"airflow\"")).hasValue(6.0);
                assertThat(value(metrics, "airlock_events_in_total", "source=\"vault\"")).hasValue(2.0);
                assertThat(value(metrics, "airlock_alerts_total", "rule=\"AL-001\",severity=\"high\"")).isNotEmpty();
                assertThat(value(metrics, "airlock_notifications_total", "outcome=\"sent\",receiver=\"slack\"")).isNotEmpty();
                // five failed logins and one Vault operation (two lines) at least; the snapshot row may add one
                assertThat(value(metrics, "airlock_opensearch_documents_total", "index_kind=\"events\",outcome=\"indexed\"")
                        .orElse(0)).isGreaterThanOrEqualTo(7.0);
                assertThat(value(metrics, "airlock_dlq_records", "")).hasValue(1.0);
                // caught up: at most the commit marker of the last transaction on the one partition of airlock.events
                assertThat(value(metrics, "airlock_consumer_lag", "group=\"" + name + "-delivery\"").orElse(-1)).isBetween(0.0, 1.0);
                assertThat(value(metrics, "airlock_consumer_lag", "group=\"" + name + "-streams\"")).isNotEmpty();
                assertThat(value(metrics, "airlock_cdc_lag_ms", "")).isNotEmpty();
                assertThat(value(metrics, "airlock_ready", "")).hasValue(1.0);
                assertThat(metrics).contains("jvm_memory_used_bytes").contains("kafka_stream_");
            });
            assertThat(get(base, "/metrics").body()).doesNotContain(canary).doesNotContain("mallory");
        } finally {
            run.close();
        }
        try {
            assertThat(run.stop(ofSeconds(60))).isZero();
        } finally {
            logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(logs);
            airlockLoggers.setLevel(level);
        }
        assertThat(run.output()).doesNotContain(canary).doesNotContain(slackUrl);
        List<ILoggingEvent> events = List.copyOf(logs.list);
        assertThat(events).as("DEBUG lines were captured").anyMatch(e -> e.getLevel() == Level.DEBUG);
        for (ILoggingEvent event : events) {
            String line = event.getFormattedMessage()
                    + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()));
            assertThat(line).as("log line of %s", event.getLoggerName()).doesNotContain(canary).doesNotContain(slackUrl);
        }
    }

    @Test
    void shouldReportNotReadyWithTheReasonWhileAStageIsDown(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        String name = RealComponents.uniqueName("notready");
        var settings = new io.airlock.app.metrics.MetricsSettings(true, "127.0.0.1", 0, java.time.Duration.ofSeconds(1));
        var problems = new java.util.concurrent.atomic.AtomicReference<List<String>>(List.of("starting"));
        var liveness = new io.airlock.app.metrics.Liveness();
        try (var endpoint = io.airlock.app.metrics.MetricsEndpoint.start(settings, kafka.bootstrapServers(), io.airlock.core.KafkaSecurity.PLAINTEXT,
                new io.airlock.core.Topics(name), problems::get, liveness)) {
            URI base = URI.create("http://127.0.0.1:" + endpoint.address().getPort());
            HttpResponse<String> starting = get(base, "/health/ready");
            assertThat(starting.statusCode()).isEqualTo(503);
            assertThat(starting.body()).isEqualTo("{\"status\":\"DOWN\",\"problems\":[\"starting\"]}");
            problems.set(List.of());
            assertThat(get(base, "/health/ready").statusCode()).isEqualTo(200);
            problems.set(List.of("streams: Kafka Streams is PENDING_ERROR"));
            assertThat(get(base, "/health/ready").body()).contains("PENDING_ERROR");
            // not ready is not dead: only a stage that stopped for good fails liveness
            assertThat(get(base, "/health/live").statusCode()).isEqualTo(200);
            liveness.fail("streams: Kafka Streams is ERROR");
            liveness.fail("delivery: airlock-alert-delivery stopped");
            HttpResponse<String> dead = get(base, "/health/live");
            assertThat(dead.statusCode()).isEqualTo(503);
            assertThat(dead.body()).isEqualTo("{\"status\":\"DOWN\",\"problems\":[\"streams: Kafka Streams is ERROR\"]}");
            assertThat(get(base, "/nothing").statusCode()).isEqualTo(404);
        }
    }

    private HttpResponse<String> get(URI base, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(java.time.Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of one sample in the Prometheus text format; {@code labels} exactly as exposed (sorted), or "" for none. */
    static OptionalDouble value(String exposition, String metric, String labels) {
        String series = labels.isEmpty() ? Pattern.quote(metric) : Pattern.quote(metric + "{" + labels) + "(,[^}]*)?\\}";
        Matcher m = Pattern.compile("(?m)^" + series + " ([-+0-9.eE]+|NaN)$").matcher(exposition);
        return m.find() && !"NaN".equals(m.group(m.groupCount())) ? OptionalDouble.of(Double.parseDouble(m.group(m.groupCount())))
                : OptionalDouble.empty();
    }
}
