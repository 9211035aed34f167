package io.airlock.ingest.internal;

import io.airlock.core.Topics;
import io.airlock.ingest.AirflowDatabaseSettings;
import io.airlock.ingest.CaptureSettings;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The Debezium PostgreSQL connector configuration of Airlock: pgoutput, a filtered publication of the captured Airflow
 * tables, {@code ab_user.password} excluded at the source, offsets in Kafka, JSON without schema envelope.
 */
public final class DebeziumProperties {

    public static final String SCHEMA = "public";

    /** The logical decoding output plugin Debezium streams with; an existing slot must have been created with it. */
    public static final String PLUGIN = "pgoutput";

    private DebeziumProperties() {
    }

    /** The configuration capturing all of {@link Topics#AIRFLOW_TABLES}. */
    public static Properties of(AirflowDatabaseSettings db, CaptureSettings capture) {
        return of(db, capture, Topics.AIRFLOW_TABLES);
    }

    /**
     * The configuration capturing {@code tables} (some of {@link Topics#AIRFLOW_TABLES}): only tables that exist, since
     * Debezium creates the filtered publication for exactly these and fails on a missing one.
     */
    public static Properties of(AirflowDatabaseSettings db, CaptureSettings capture, List<String> tables) {
        if (tables.isEmpty() || !Topics.AIRFLOW_TABLES.containsAll(tables)) {
            throw new IllegalArgumentException("tables to capture must be some of " + Topics.AIRFLOW_TABLES + ": " + tables);
        }
        var p = new Properties();
        p.setProperty("name", capture.serverName() + "-capture");
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("topic.prefix", capture.serverName());

        p.setProperty("database.hostname", db.host());
        p.setProperty("database.port", Integer.toString(db.port()));
        p.setProperty("database.user", db.user());
        p.setProperty("database.password", db.password());
        p.setProperty("database.dbname", db.database());
        p.setProperty("database.sslmode", db.sslmode());
        if (db.sslRootCert() != null) {
            p.setProperty("database.sslrootcert", db.sslRootCert().toString());
        }

        p.setProperty("plugin.name", PLUGIN);
        p.setProperty("slot.name", db.slotName());
        p.setProperty("publication.name", db.publicationName());
        p.setProperty("publication.autocreate.mode", "filtered");
        p.setProperty("table.include.list", tables.stream().map(t -> SCHEMA + "." + t).collect(Collectors.joining(",")));
        p.setProperty("column.exclude.list", SCHEMA + ".ab_user.password");
        p.setProperty("snapshot.mode", "initial");
        p.setProperty("tombstones.on.delete", "false");
        // Debezium skips TRUNCATE by default; a truncated audit log is what AL-013 is for
        p.setProperty("skipped.operations", "none");
        p.setProperty("decimal.handling.mode", "string");
        p.setProperty("time.precision.mode", "connect");
        p.setProperty("heartbeat.interval.ms", Long.toString(capture.heartbeatInterval().toMillis()));
        p.setProperty("heartbeat.topics.prefix", capture.topics().prefix() + ".cdc.heartbeat");
        // A filtered publication gets no changes from other tables, so on an idle Airflow the slot would hold WAL forever:
        // a logical message at each heartbeat moves it (no table, no write to Airflow's data).
        p.setProperty("heartbeat.action.query", "SELECT pg_logical_emit_message(false, 'airlock-heartbeat', now()::text)");

        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore");
        p.setProperty("offset.storage.topic", capture.offsetsTopic());
        p.setProperty("offset.storage.partitions", "1");
        p.setProperty("offset.storage.replication.factor", Short.toString(capture.replicationFactor()));
        p.setProperty("offset.flush.interval.ms", "1000");
        p.setProperty("bootstrap.servers", capture.bootstrapServers());
        capture.kafkaSecurity().applyTo(p); // the offsets store's clients take the engine's top-level client settings

        // Larger batches amortize the wait for Kafka's acknowledgement that every batch ends with.
        p.setProperty("max.batch.size", "8192");
        // How long the engine waits for changes when it has none (Debezium's default is 500 ms): a change committed during
        // the wait waits with it. 100 ms took ~250 ms off the median and ~550 ms off the worst alert of a failed-login burst
        // at 2 000 events/s (docs/performance.md), for a little more CPU on an idle database.
        p.setProperty("poll.interval.ms", "100");
        p.setProperty("max.queue.size", "32768");
        p.setProperty("key.converter.schemas.enable", "false");
        p.setProperty("value.converter.schemas.enable", "false");
        p.setProperty("errors.max.retries", "-1");
        p.setProperty("errors.retry.delay.initial.ms", "300");
        p.setProperty("errors.retry.delay.max.ms", "10000");
        return p;
    }
}
