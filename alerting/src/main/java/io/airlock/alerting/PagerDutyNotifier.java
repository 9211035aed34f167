package io.airlock.alerting;

import io.airlock.alerting.internal.Pacer;
import io.airlock.alerting.internal.PagerDutyEvent;
import io.airlock.alerting.internal.Sleeper;
import io.airlock.alerting.internal.WebhookPoster;
import io.airlock.core.Alert;
import io.airlock.core.Json;
import io.airlock.core.config.ConfigTypes;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Triggers (and resolves) PagerDuty incidents through the Events API v2, with {@code dedup_key} = alert id so repeats of
 * one alert, and a trigger sent again after a crash, never open a second incident. HTTP 429 pauses this routing key
 * ({@code Retry-After}, else exponential backoff). The routing key is a secret: it appears in no log line, message or
 * {@link #toString()}.
 */
public final class PagerDutyNotifier implements Notifier {

    /** The public Events API v2 endpoint. */
    public static final URI DEFAULT_EVENTS_URL = URI.create("https://events.pagerduty.com/v2/enqueue");

    private final String name;
    private final URI eventsUrl;
    private final Secret routingKey;
    private final AlertLinks links;
    private final WebhookPoster poster;

    /** A notifier named {@code pagerduty} for the public endpoint with {@link RetryPolicy#defaults()}. */
    public PagerDutyNotifier(Secret routingKey, AlertLinks links) {
        this(DEFAULT_EVENTS_URL, routingKey, links, RetryPolicy.defaults());
    }

    /** A notifier named {@code pagerduty}. */
    public PagerDutyNotifier(URI eventsUrl, Secret routingKey, AlertLinks links, RetryPolicy policy) {
        this("pagerduty", eventsUrl, routingKey, links, policy);
    }

    /**
     * @param name the receiver's name, used as channel in logs, dead letters and repeat suppression
     */
    public PagerDutyNotifier(String name, URI eventsUrl, Secret routingKey, AlertLinks links, RetryPolicy policy) {
        this(name, eventsUrl, routingKey, links, policy, Sleeper.REAL, Pacer.every(Duration.ZERO));
    }

    PagerDutyNotifier(String name, URI eventsUrl, Secret routingKey, AlertLinks links, RetryPolicy policy, Sleeper sleeper,
                      Pacer pacer) {
        this.name = Objects.requireNonNull(name, "name");
        this.eventsUrl = Objects.requireNonNull(eventsUrl, "eventsUrl");
        this.routingKey = Objects.requireNonNull(routingKey, "routingKey");
        this.links = Objects.requireNonNull(links, "links");
        this.poster = new WebhookPoster(name, policy, sleeper, List.of(routingKey), pacer);
    }

    @Override
    public String channel() {
        return name;
    }

    @Override
    public void send(Alert alert) throws DeliveryException {
        poster.post(eventsUrl, Json.write(PagerDutyEvent.of(alert, routingKey.reveal(), links)), "alert " + alert.id());
    }

    @Override
    public String toString() {
        return "PagerDutyNotifier[" + name + ", eventsUrl=" + ConfigTypes.redacted(eventsUrl) + ", routingKey=****]";
    }
}
