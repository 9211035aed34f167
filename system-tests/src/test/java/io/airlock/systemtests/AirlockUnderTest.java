package io.airlock.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import io.airlock.core.Topics;
import io.airlock.embedded.AirflowDatabase;
import io.airlock.embedded.AirflowSchema;
import io.airlock.embedded.AirlockProcess;
import io.airlock.embedded.AirlockYml;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.embedded.RealComponents;
import io.airlock.embedded.WebhookReceiver;
import io.airlock.streams.StreamsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One {@code airlock run} child process with its own database, topics, indices, Slack webhook and PagerDuty routing key
 * on the given components, and probes for what came out: indexed events and alerts, DLQ records, notifications.
 */
final class AirlockUnderTest implements AutoCloseable {

    static final Duration STARTUP = Duration.ofSeconds(240);
    static final Duration STOP = Duration.ofSeconds(90);
    private static final java.util.regex.Pattern METRICS_LINE =
            java.util.regex.Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics");

    final String name;
    /** This run's topics ({@code topics.prefix} is {@link #name}). */
    final Topics topics;
    final AirflowDatabase airflow;
    final VaultAuditFile audit;
    final AirlockYml yml;
    final EmbeddedKafka kafka;
    final OpenSearchProbe openSearch;
    final Deliveries deliveries;
    private final Path dir;
    private final Path config;
    private final List<AirlockProcess> runs = new ArrayList<>();

    AirlockUnderTest(String base, EmbeddedPostgres postgres, EmbeddedKafka kafka, EmbeddedOpenSearch openSearch,
            WebhookReceiver webhooks, Path dir, Consumer<AirlockYml> settings) {
        this.name = RealComponents.uniqueName(base);
        this.topics = new Topics(name);
        this.dir = dir;
        this.kafka = kafka;
        postgres.createDatabase(name);
        postgres.createAirflowSchema(name, AirflowSchema.V3);
        this.airflow = new AirflowDatabase(postgres, name, AirflowSchema.V3);
        this.audit = new VaultAuditFile(dir.resolve("vault-audit.log"));
        this.yml = AirlockYml.forEmbedded(name, postgres, kafka, openSearch, webhooks)
                .vaultAuditFile(audit.path())
                .stateDir(dir.resolve("state"))
                .set("detection.time-zone", "UTC")
                .set("metrics.bind-address", "127.0.0.1")
                .set("metrics.port", "0");
        settings.accept(yml);
        this.config = yml.writeTo(dir.resolve("airlock.yml"));
        this.openSearch = new OpenSearchProbe(openSearch.httpUri());
        this.deliveries = new Deliveries(webhooks, name, yml.pagerDutyRoutingKey());
    }

    /** Starts {@code airlock run} and waits until it says it is running. */
    AirlockProcess start() {
        AirlockProcess process = AirlockProcess.builder(config).env(yml.env()).jvmOptions("-Xmx768m")
                .logFile(dir.resolve("airlock-run-" + (runs.size() + 1) + ".log")).start();
        runs.add(process);
        process.awaitOutput(AirlockProcess.RUNNING, STARTUP);
        return process;
    }

    /**
     * Starts another command with this test's configuration ({@code airlock <command> --config <file> <args>}, e.g.
     * {@code report}); wait for it with {@link AirlockProcess#awaitExit}. Its output is not part of {@link #output()}.
     */
    AirlockProcess command(String command, String... args) {
        return AirlockProcess.builder(config).command(command).args(args).env(yml.env()).jvmOptions("-Xmx512m")
                .logFile(dir.resolve("airlock-" + command + ".log")).start();
    }

    /**
     * {@code await().atMost(max)} that fails at once, with the log's tail, when the latest {@code airlock run} is no longer
     * running (a crash is a result, not a timeout).
     */
    org.awaitility.core.ConditionFactory awaitWhileRunning(Duration max) {
        AirlockProcess current = runs.get(runs.size() - 1);
        return org.awaitility.Awaitility.await().atMost(max).failFast("airlock run exited", () -> {
            if (current.isAlive()) {
                return false;
            }
            String out = current.output();
            System.err.println("airlock run exited; tail of its output:\n" + out.substring(Math.max(0, out.length() - 3000)));
            return true;
        });
    }

    /** All output of every run so far. */
    String output() {
        StringBuilder all = new StringBuilder();
        runs.forEach(r -> all.append(r.output()));
        return all.toString();
    }

    List<OpenSearchProbe.Document> events() {
        return openSearch.documents(name + "-events-*");
    }

    List<OpenSearchProbe.Document> alerts() {
        return openSearch.documents(name + "-alerts");
    }

    /** The DLQ records, parsed. */
    List<JsonNode> deadLetters() {
        return records(topics.dlq()).stream().map(r -> Json.tree(r.value())).toList();
    }

    /**
     * Every committed record of one of this run's topics, e.g. {@code records(topics.events())}: read from the beginning to
     * the end offsets at the call, {@code isolation.level=read_committed}, so what any downstream consumer gets. Where the
     * sinks fold a repeat away (OpenSearch by {@code _id}, PagerDuty by dedup key), this shows whether there was one.
     */
    List<ConsumerRecord<String, String>> records(String topic) {
        return kafka.readAll(topic);
    }

    /**
     * Whether the Streams app has committed its consumption of every record now on {@code topic}: under exactly-once its
     * offsets commit in the transaction of the output those records caused, so that output is committed (and readable by
     * {@link #records}) too.
     */
    boolean streamsConsumedAllOf(String topic) {
        Map<TopicPartition, Long> end = kafka.endOffsets(List.of(topic));
        Map<TopicPartition, Long> committed = kafka.committedOffsets(StreamsSettings.applicationId(topics), List.of(topic));
        return end.entrySet().stream().allMatch(e -> committed.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    /** {@code /metrics} of the latest run, on the free port it picked ({@code metrics.port: 0}) and printed. */
    MetricsProbe metrics() {
        String printed = runs.get(runs.size() - 1).awaitOutput(METRICS_LINE, Duration.ofSeconds(5));
        java.util.regex.Matcher m = METRICS_LINE.matcher(printed);
        if (!m.find()) {
            throw new IllegalStateException("no metrics port in: " + printed);
        }
        return new MetricsProbe(Integer.parseInt(m.group(1)));
    }

    @Override
    public void close() {
        runs.forEach(AirlockProcess::close);
    }
}
