package io.airlock.alerting;

import io.airlock.core.Alert;

/** Sends an alert to people: Slack, PagerDuty. */
public interface Notifier {

    /** Short channel name for logs, routing and dead letters ({@code slack}, {@code pagerduty}). */
    String channel();

    /**
     * Delivers one alert, retrying transient failures within the notifier's {@link RetryPolicy}.
     *
     * @throws PermanentDeliveryException if the endpoint rejected it for good (goes to the dead-letter topic)
     * @throws DeliveryException          if the endpoint stayed unavailable (try again later)
     */
    void send(Alert alert) throws DeliveryException;
}
