package io.airlock.app;

/** The stages of the pipeline; {@code airlock run --only} runs a subset in one process so each can scale on its own. */
public enum Stage {
    /** Capture: Airflow database (Debezium) and Vault audit lines into Kafka. */
    INGEST,
    /** Kafka Streams: normalize, detect, correlate. */
    STREAMS,
    /** OpenSearch indexing, Slack and PagerDuty notification. */
    DELIVERY
}
