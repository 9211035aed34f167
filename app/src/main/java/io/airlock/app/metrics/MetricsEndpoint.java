package io.airlock.app.metrics;

import io.airlock.core.KafkaSecurity;
import io.airlock.core.Topics;
import io.airlock.streams.StreamsSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Everything {@code airlock run} needs for observability, started and stopped together: the {@link PrometheusMetrics}
 * registry, the {@link KafkaLagMonitor} for the Kafka Streams application and the two delivery groups, and the
 * {@link MetricsServer} on {@code metrics.port}.
 */
public final class MetricsEndpoint implements AutoCloseable {

    /** Gauge: 1 while {@code /health/ready} answers 200, else 0. */
    public static final String READY = "airlock.ready";

    private final PrometheusMetrics prometheus;
    private final KafkaLagMonitor lag;
    private final MetricsServer server;
    private final Gauge ready;

    private MetricsEndpoint(PrometheusMetrics prometheus, KafkaLagMonitor lag, MetricsServer server, Gauge ready) {
        this.prometheus = prometheus;
        this.lag = lag;
        this.server = server;
        this.ready = ready;
    }

    /** Starts serving, always live; lag is read from Kafka every {@code settings.lagInterval()}. */
    public static MetricsEndpoint start(MetricsSettings settings, String bootstrapServers, Topics topics, ReadinessCheck readiness) {
        return start(settings, bootstrapServers, KafkaSecurity.PLAINTEXT, topics, readiness, new Liveness());
    }

    /** Starts serving; {@code /health/live} follows {@code liveness}; lag is read from Kafka every {@code settings.lagInterval()}. */
    public static MetricsEndpoint start(MetricsSettings settings, String bootstrapServers, KafkaSecurity kafkaSecurity, Topics topics,
            ReadinessCheck readiness, Liveness liveness) {
        var prometheus = new PrometheusMetrics();
        KafkaLagMonitor lag = null;
        try {
            lag = new KafkaLagMonitor(bootstrapServers, kafkaSecurity, consumerGroups(topics), topics.dlq()).start(settings.lagInterval());
            var server = MetricsServer.start(settings.bindAddress(), settings.port(), prometheus::scrape, readiness, liveness);
            Gauge ready = Gauge.builder(READY, readiness, r -> r.problems().isEmpty() ? 1 : 0)
                    .description("1 while every started stage runs (/health/ready is 200), else 0")
                    .strongReference(true).register(Metrics.globalRegistry);
            return new MetricsEndpoint(prometheus, lag, server, ready);
        } catch (RuntimeException e) {
            if (lag != null) {
                lag.close();
            }
            prometheus.close();
            throw e;
        }
    }

    /** The consumer groups whose lag is measured: Kafka Streams' application id, event indexing, alert delivery. */
    public static List<String> consumerGroups(Topics topics) {
        return List.of(StreamsSettings.applicationId(topics), topics.prefix() + "-delivery", topics.prefix() + "-notify");
    }

    /** Where {@code /metrics} is served. */
    public InetSocketAddress address() {
        return server.address();
    }

    public KafkaLagMonitor lag() {
        return lag;
    }

    @Override
    public void close() {
        Metrics.globalRegistry.remove(ready);
        server.close();
        lag.close();
        prometheus.close();
    }
}
