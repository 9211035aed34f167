package io.airlock.app.config;

import static io.airlock.core.config.ConfigTypes.bool;
import static io.airlock.core.config.ConfigTypes.duration;
import static io.airlock.core.config.ConfigTypes.integer;
import static io.airlock.core.config.ConfigTypes.string;

import io.airlock.app.metrics.MetricsSettings;
import io.airlock.core.config.ConfigDefinition.Group;
import io.airlock.core.config.ConfigValues;
import io.airlock.core.config.Setting;
import io.airlock.core.config.Validators;
import java.time.Duration;

/** The metrics and health endpoint of {@code airlock run} (docs/operations.md, *Metrics and health*). */
public final class MetricsFields {

    public static final Setting<Boolean> ENABLED = Setting.of("metrics.enabled", bool())
            .defaultValue(true)
            .doc("Serve metrics and health checks over HTTP while `airlock run` runs, and measure Kafka consumer lag.");

    public static final Setting<Integer> PORT = Setting.of("metrics.port", integer())
            .defaultValue(MetricsSettings.DEFAULT_PORT)
            .validate(Validators.between(0, 65535))
            .doc("Port of the HTTP endpoint serving `/metrics` (Prometheus text format), `/health/live` and `/health/ready` "
                    + "(200 when every started stage runs, 503 with the reasons otherwise). 0 picks a free port, printed at start.");

    public static final Setting<String> BIND_ADDRESS = Setting.of("metrics.bind-address", string())
            .defaultValue("0.0.0.0")
            .doc("Address the metrics endpoint listens on; `127.0.0.1` keeps it local. It serves no secrets and no audit data.");

    public static final Setting<Duration> LAG_INTERVAL = Setting.of("metrics.lag-interval", duration())
            .defaultValue(Duration.ofSeconds(15))
            .validate(Validators.positive())
            .doc("How often consumer lag (`airlock_consumer_lag`) and the dead-letter count (`airlock_dlq_records`) are read "
                    + "from Kafka.");

    public static final Group GROUP = Group.of("Metrics and health",
            "Prometheus metrics and health checks of `airlock run`.", ENABLED, PORT, BIND_ADDRESS, LAG_INTERVAL);

    private MetricsFields() {
    }

    static MetricsSettings settings(ConfigValues values) {
        return new MetricsSettings(values.get(ENABLED), values.get(BIND_ADDRESS), values.get(PORT), values.get(LAG_INTERVAL));
    }
}
