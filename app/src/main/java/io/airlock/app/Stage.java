package io.airlock.app;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The stages of the pipeline; {@code airlock run --only} runs a subset in one process so each can scale on its own. Each
 * stage names the settings whose secrets it uses, so that a process reads only those of the stages it runs: a scaled-out
 * streams instance needs no database password and no webhook.
 */
public enum Stage {
    /** Capture: Airflow database (Debezium) and Vault audit lines into Kafka. */
    INGEST("airflow.database.", "vault."),
    /** Kafka Streams: normalize, detect, correlate. */
    STREAMS,
    /** OpenSearch indexing, Slack and PagerDuty notification. */
    DELIVERY("opensearch.", "slack.", "pagerduty.", "notifications.");

    /** What every stage talks to: Kafka (and so does the topic check and the lag metrics of any process). */
    private static final String KAFKA = "kafka.";

    private final List<String> secretPrefixes;

    Stage(String... secretPrefixes) {
        this.secretPrefixes = List.of(secretPrefixes);
    }

    /**
     * The key prefixes of the settings whose secrets and files a process running {@code stages} reads ({@code kafka.} and
     * those of each stage); every other secret in the file is checked for form only and never read
     * ({@link io.airlock.core.config.ConfigSource#withSecretsOnlyUnder}).
     */
    static String[] secretPrefixes(Set<Stage> stages) {
        Set<String> prefixes = new LinkedHashSet<>();
        prefixes.add(KAFKA);
        for (Stage stage : stages) {
            prefixes.addAll(stage.secretPrefixes);
        }
        return prefixes.toArray(String[]::new);
    }
}
