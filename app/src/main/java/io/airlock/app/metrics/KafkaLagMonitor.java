package io.airlock.app.metrics;

import io.airlock.core.KafkaSecurity;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads, every interval, with one Kafka {@link Admin} client:
 * <ul>
 *   <li>{@value #CONSUMER_LAG}{@code {group}}: end offsets minus committed offsets, summed over the partitions a consumer
 *       group has committed (the Kafka Streams application and the two delivery groups);</li>
 *   <li>{@value #DLQ_RECORDS}: records ever written to the dead-letter topic (sum of its end offsets), so an increase means
 *       new dead letters.</li>
 * </ul>
 * Gauges report the last successful reading ({@code NaN} before the first); a failed reading is logged once per streak and
 * retried at the next interval.
 */
public final class KafkaLagMonitor implements AutoCloseable {

    public static final String CONSUMER_LAG = "airlock.consumer.lag";
    public static final String DLQ_RECORDS = "airlock.dlq.records";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaLagMonitor.class);

    private final Admin admin;
    private final List<String> groups;
    private final String dlqTopic;
    private final Map<String, AtomicLong> lags = new ConcurrentHashMap<>();
    private final AtomicLong dlqRecords = new AtomicLong(-1);
    private final List<Meter> meters = new ArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "airlock-kafka-lag");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean failing;

    public KafkaLagMonitor(String bootstrapServers, KafkaSecurity security, List<String> groups, String dlqTopic) {
        this.admin = Admin.create(security.clientConfig(bootstrapServers, Map.of(
                AdminClientConfig.CLIENT_ID_CONFIG, "airlock-lag-monitor",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000)));
        this.groups = List.copyOf(groups);
        this.dlqTopic = dlqTopic;
        for (String group : this.groups) {
            AtomicLong lag = new AtomicLong(-1);
            lags.put(group, lag);
            meters.add(Gauge.builder(CONSUMER_LAG, lag, KafkaLagMonitor::orNaN).tag("group", group)
                    .description("Records not yet consumed by the group: end offsets minus committed offsets")
                    .strongReference(true).register(Metrics.globalRegistry));
        }
        meters.add(Gauge.builder(DLQ_RECORDS, dlqRecords, KafkaLagMonitor::orNaN)
                .description("Records ever written to the dead-letter topic (sum of its end offsets)")
                .strongReference(true).register(Metrics.globalRegistry));
    }

    /** Reads now and then every {@code interval}. */
    public KafkaLagMonitor start(Duration interval) {
        scheduler.scheduleWithFixedDelay(this::measureQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Lag of one group at the last reading; -1 before the first. */
    public long lag(String group) {
        return lags.getOrDefault(group, new AtomicLong(-1)).get();
    }

    /** Records in the dead-letter topic at the last reading; -1 before the first. */
    public long dlqRecords() {
        return dlqRecords.get();
    }

    private void measureQuietly() {
        try {
            measure();
            if (failing) {
                LOG.info("Reading consumer lag from Kafka works again");
            }
            failing = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (!failing) {
                LOG.warn("Reading consumer lag from Kafka failed ({}); retrying every interval", e.getClass().getSimpleName());
            }
            failing = true;
        }
    }

    void measure() throws Exception {
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new HashMap<>();
        Set<TopicPartition> partitions = new java.util.HashSet<>();
        for (String group : groups) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            committed.put(group, offsets);
            offsets.forEach((tp, om) -> {
                if (om != null) {
                    partitions.add(tp);
                }
            });
        }
        var dlqPartitions = admin.describeTopics(List.of(dlqTopic)).allTopicNames().get(10, TimeUnit.SECONDS).get(dlqTopic).partitions();
        dlqPartitions.forEach(p -> partitions.add(new TopicPartition(dlqTopic, p.partition())));

        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(request).all().get(10, TimeUnit.SECONDS);

        for (String group : groups) {
            long lag = 0;
            for (var entry : committed.get(group).entrySet()) {
                ListOffsetsResultInfo end = ends.get(entry.getKey());
                if (entry.getValue() != null && end != null) {
                    lag += Math.max(0, end.offset() - entry.getValue().offset());
                }
            }
            lags.get(group).set(lag);
        }
        long dlq = 0;
        for (var p : dlqPartitions) {
            ListOffsetsResultInfo end = ends.get(new TopicPartition(dlqTopic, p.partition()));
            dlq += end == null ? 0 : end.offset();
        }
        dlqRecords.set(dlq);
    }

    private static double orNaN(AtomicLong value) {
        long v = value.get();
        return v < 0 ? Double.NaN : v;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        meters.forEach(Metrics.globalRegistry::remove);
        admin.close(Duration.ofSeconds(5));
    }
}
