package io.airlock.alerting.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;

/**
 * The delivery stage's meters, registered on Micrometer's {@link Metrics#globalRegistry} (the app adds its Prometheus
 * registry there). Tags carry names only: a receiver is tagged with its configured name ({@code slack},
 * {@code soc-slack}), never its webhook URL or routing key.
 *
 * <ul>
 *   <li>{@value #NOTIFICATIONS} (counter), tags {@code receiver}, {@code outcome}: {@code sent} (the receiver confirmed),
 *       {@code retried} (an attempt failed with 429/5xx/timeout and was tried again), {@code failed} (a send gave up
 *       for now; its sender tries again after a backoff), {@code dead_lettered} (refused for good, in the dead-letter
 *       topic);</li>
 *   <li>{@value #ALERTS} (counter), tags {@code rule}, {@code severity}: alert records consumed by the delivery loop;</li>
 *   <li>{@value #DOCUMENTS} (counter), tags {@code index_kind} = {@code events}|{@code alerts}, {@code outcome} =
 *       {@code indexed} (written)|{@code already_indexed} (an event whose id the index already held: written once,
 *       its first version stays; replays after a restart and re-used ids show here)|{@code failed} (refused for good
 *       and dead-lettered)|{@code retried} (sent again after a 429/5xx answer or a connection error: an OpenSearch
 *       outage shows here while it lasts);</li>
 *   <li>{@value #LATENCY} (timer with a percentile histogram), tag {@code receiver}: from the alert record's Kafka
 *       timestamp to the receiver's confirmation.</li>
 * </ul>
 */
public final class DeliveryMetrics {

    public static final String NOTIFICATIONS = "airlock.notifications";
    public static final String ALERTS = "airlock.alerts";
    public static final String DOCUMENTS = "airlock.opensearch.documents";
    public static final String LATENCY = "airlock.notification.latency";
    public static final String NOT_NOTIFIED = "airlock.alerts.not.notified";

    /**
     * What became of one notification attempt or send; {@code SUPERSEDED}: a newer version of the alert overtook it while it
     * waited for the receiver, and only the newer one is sent.
     */
    public enum Outcome {
        SENT, RETRIED, FAILED, DEAD_LETTERED, SUPERSEDED;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private DeliveryMetrics() {
    }

    public static void notification(String receiver, Outcome outcome) {
        Counter.builder(NOTIFICATIONS).description("Notifications to Slack and PagerDuty receivers, by outcome")
                .tag("receiver", receiver).tag("outcome", outcome.tag()).register(Metrics.globalRegistry).increment();
    }

    public static void alert(String rule, String severity) {
        Counter.builder(ALERTS).description("Alert records consumed by the alert delivery loop")
                .tag("rule", rule).tag("severity", severity).register(Metrics.globalRegistry).increment();
    }

    /** An alert record nobody was told of: {@code silenced} (a silence or a maintenance window) or {@code max_age}. */
    public static void notNotified(String reason) {
        Counter.builder(NOT_NOTIFIED).description("Alert records indexed but notified to nobody, by reason")
                .tag("reason", reason).register(Metrics.globalRegistry).increment();
    }

    /**
     * {@code count} documents of one kind ({@code events}, {@code alerts}) with one outcome ({@code indexed},
     * {@code already_indexed}, {@code failed}, {@code retried}, {@code superseded} — a newer version of the document
     * overtook it while it waited).
     */
    public static void documents(String indexKind, String outcome, long count) {
        if (count > 0) {
            Counter.builder(DOCUMENTS).description("Documents written to OpenSearch, by outcome")
                    .tag("index_kind", indexKind).tag("outcome", outcome).register(Metrics.globalRegistry).increment(count);
        }
    }

    public static void latency(String receiver, Duration alertToConfirmation) {
        Timer.builder(LATENCY).description("Time from the alert record on Kafka to the receiver's confirmation")
                .tag("receiver", receiver).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
                .register(Metrics.globalRegistry).record(alertToConfirmation.isNegative() ? Duration.ZERO : alertToConfirmation);
    }
}
