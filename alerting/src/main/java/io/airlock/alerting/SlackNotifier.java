package io.airlock.alerting;

import io.airlock.alerting.internal.Pacer;
import io.airlock.alerting.internal.SlackMessage;
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
 * Posts alerts as Block Kit messages to a Slack incoming webhook, at most one message per {@code interval} (Slack allows
 * about one per second per webhook) and pausing as long as a 429's {@code Retry-After} asks. Untrusted values are
 * escaped so they cannot ping ({@code <!channel>}) or forge links. The webhook URL is a secret: it appears in no log
 * line, message or {@link #toString()}.
 */
public final class SlackNotifier implements Notifier {

    /** Slack's documented rate for incoming webhooks: about one message per second. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

    private final String name;
    private final Secret webhookUrl;
    private final AlertLinks links;
    private final WebhookPoster poster;

    /** A notifier named {@code slack} with {@link RetryPolicy#defaults()}. */
    public SlackNotifier(Secret webhookUrl, AlertLinks links) {
        this(webhookUrl, links, RetryPolicy.defaults());
    }

    /** A notifier named {@code slack}, one message per second. */
    public SlackNotifier(Secret webhookUrl, AlertLinks links, RetryPolicy policy) {
        this("slack", webhookUrl, links, policy, Pacer.every(DEFAULT_INTERVAL));
    }

    /**
     * @param name     the receiver's name, used as channel in logs, dead letters and repeat suppression
     * @param interval at least this long between two messages to this webhook
     */
    public SlackNotifier(String name, Secret webhookUrl, AlertLinks links, RetryPolicy policy, Duration interval) {
        this(name, webhookUrl, links, policy, Pacer.every(interval));
    }

    /** Receivers posting to the same webhook share one {@code pacer}. */
    SlackNotifier(String name, Secret webhookUrl, AlertLinks links, RetryPolicy policy, Pacer pacer) {
        this(name, webhookUrl, links, policy, Sleeper.REAL, pacer);
    }

    SlackNotifier(String name, Secret webhookUrl, AlertLinks links, RetryPolicy policy, Sleeper sleeper, Pacer pacer) {
        this.name = Objects.requireNonNull(name, "name");
        this.webhookUrl = Objects.requireNonNull(webhookUrl, "webhookUrl");
        this.links = Objects.requireNonNull(links, "links");
        URI uri = parse(webhookUrl);
        if (!ConfigTypes.isHttpUrl(uri)) {
            throw new IllegalArgumentException("the Slack webhook of receiver " + name + " must be an http(s) URL");
        }
        this.poster = new WebhookPoster(name, policy, sleeper, List.of(webhookUrl), pacer);
    }

    @Override
    public String channel() {
        return name;
    }

    @Override
    public void send(Alert alert) throws DeliveryException {
        poster.post(parse(webhookUrl), Json.write(SlackMessage.of(alert, links)), "alert " + alert.id());
    }

    private static URI parse(Secret url) {
        try {
            return URI.create(url.reveal());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the Slack webhook URL is not a valid URI"); // no cause: it quotes the URL
        }
    }

    @Override
    public String toString() {
        return "SlackNotifier[" + name + ", webhook=****]";
    }
}
