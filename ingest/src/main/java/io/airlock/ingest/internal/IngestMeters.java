package io.airlock.ingest.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.util.function.Supplier;

/**
 * The capture's meters, on Micrometer's global registry (the app adds a Prometheus registry to it):
 * <ul>
 *   <li>{@value #EVENTS_IN}{@code {source=airflow|vault}}: records Kafka acknowledged (Airflow changes, Vault audit lines);</li>
 *   <li>{@value #CDC_LAG}: how far the capture is behind PostgreSQL: the time a change reached Kafka minus its commit time
 *       ({@code source.ts_ms}), of the latest captured change;</li>
 *   <li>{@value #CDC_IDLE}: milliseconds since the Debezium engine last handed over a batch; heartbeats come every heartbeat
 *       interval (10 s), so a value far above that means the capture is stuck;</li>
 *   <li>{@value #CDC_SHORTENED}: Airflow changes too large for Kafka that were sent with their largest values left out
 *       ({@link OversizedChangeShortener});</li>
 *   <li>{@value #CDC_DEAD_LETTERED}: Airflow changes too large for Kafka even so, sent to the dead-letter topic instead;</li>
 *   <li>{@value #POSITION_WRITE_FAILURES}: Vault audit positions that could not be written to the position file (disk full,
 *       read-only file system); the tailer keeps capturing and retries every second;</li>
 *   <li>{@value #VAULT_LINES_COMPACTED}: Vault audit lines longer than {@code vault.audit.max-line-bytes} captured without
 *       the values of {@code request.data} and {@code response.data}, long strings cut (padded requests); the lines
 *       rejected outright are
 *       dead letters, counted in {@code airlock_dlq_records}.</li>
 * </ul>
 */
public final class IngestMeters {

    public static final String EVENTS_IN = "airlock.events.in";
    public static final String CDC_LAG = "airlock.cdc.lag.ms";
    public static final String CDC_IDLE = "airlock.cdc.idle.ms";
    public static final String CDC_SHORTENED = "airlock.cdc.shortened";
    public static final String CDC_DEAD_LETTERED = "airlock.cdc.dead.lettered";
    public static final String POSITION_WRITE_FAILURES = "airlock.vault.position.write.failures";
    public static final String VAULT_LINES_COMPACTED = "airlock.vault.lines.compacted";
    public static final String SOURCE_AIRFLOW = "airflow";
    public static final String SOURCE_VAULT = "vault";

    private IngestMeters() {
    }

    /** {@value #EVENTS_IN} for one source; the same counter for every caller. */
    public static Counter eventsIn(String source) {
        return Counter.builder(EVENTS_IN)
                .tag("source", source)
                .description("Records captured into Kafka (acknowledged), per source")
                .register(Metrics.globalRegistry);
    }

    /** {@value #CDC_SHORTENED}; the same counter for every caller. */
    public static Counter cdcShortened() {
        return Counter.builder(CDC_SHORTENED)
                .description("Airflow changes too large for Kafka, sent with their largest column values left out")
                .register(Metrics.globalRegistry);
    }

    /** {@value #CDC_DEAD_LETTERED}; the same counter for every caller. */
    public static Counter cdcDeadLettered() {
        return Counter.builder(CDC_DEAD_LETTERED)
                .description("Airflow changes too large for Kafka even with their values left out, sent to the dead-letter topic")
                .register(Metrics.globalRegistry);
    }

    /** {@value #POSITION_WRITE_FAILURES}; the same counter for every caller. */
    public static Counter positionWriteFailures() {
        return Counter.builder(POSITION_WRITE_FAILURES)
                .description("Vault audit positions that could not be written to the position file (retried every second)")
                .register(Metrics.globalRegistry);
    }

    /** {@value #VAULT_LINES_COMPACTED}; the same counter for every caller. */
    public static Counter vaultLinesCompacted() {
        return Counter.builder(VAULT_LINES_COMPACTED)
                .description("Vault audit lines over vault.audit.max-line-bytes captured without the values of request.data and "
                        + "response.data")
                .register(Metrics.globalRegistry);
    }

    /** Registers a gauge in milliseconds; remove it with {@code Metrics.globalRegistry.remove(gauge)} when its owner stops. */
    public static Gauge millisGauge(String name, String description, Supplier<Number> value) {
        return Gauge.builder(name, value)
                .description(description)
                .strongReference(true)
                .register(Metrics.globalRegistry);
    }
}
