package io.airlock.app.metrics;

import java.time.Duration;
import java.util.Objects;

/**
 * Where {@code airlock run} serves {@code /metrics} and {@code /health/*}, and how often it measures Kafka lag.
 *
 * @param enabled     false: no endpoint, no lag measurements
 * @param bindAddress address the HTTP endpoint listens on ({@code 0.0.0.0}: every interface)
 * @param port        TCP port of the endpoint; 0 picks a free one (printed at start)
 * @param lagInterval how often consumer lag and the dead-letter count are read from Kafka
 */
public record MetricsSettings(boolean enabled, String bindAddress, int port, Duration lagInterval) {

    public static final int DEFAULT_PORT = 9404;

    public MetricsSettings {
        Objects.requireNonNull(bindAddress, "metrics.bind-address");
        Objects.requireNonNull(lagInterval, "metrics.lag-interval");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("metrics.port out of range: " + port);
        }
    }
}
