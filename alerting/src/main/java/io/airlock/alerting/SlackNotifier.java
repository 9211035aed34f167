package io.airlock.alerting;

import io.airlock.alerting.internal.SlackMessage;
import io.airlock.alerting.internal.Sleeper;
import io.airlock.alerting.internal.WebhookPoster;
import io.airlock.core.Alert;
import io.airlock.core.Json;
import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * Posts alerts as Block Kit messages to a Slack incoming webhook. Untrusted values are escaped so they cannot ping
 * ({@code <!channel>}) or forge links. The webhook URL is a secret: it appears in no log line, message or
 * {@link #toString()}.
 */
public final class SlackNotifier implements Notifier {

    private final Secret webhookUrl;
    private final AlertLinks links;
    private final WebhookPoster poster;

    /** A notifier with {@link RetryPolicy#defaults()}. */
    public SlackNotifier(Secret webhookUrl, AlertLinks links) {
        this(webhookUrl, links, RetryPolicy.defaults());
    }

    public SlackNotifier(Secret webhookUrl, AlertLinks links, RetryPolicy policy) {
        this(webhookUrl, links, policy, Sleeper.REAL);
    }

    SlackNotifier(Secret webhookUrl, AlertLinks links, RetryPolicy policy, Sleeper sleeper) {
        this.webhookUrl = Objects.requireNonNull(webhookUrl, "webhookUrl");
        this.links = Objects.requireNonNull(links, "links");
        URI uri = parse(webhookUrl);
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
            throw new IllegalArgumentException("the Slack webhook must be an http(s) URL");
        }
        this.poster = new WebhookPoster(channel(), policy, sleeper, List.of(webhookUrl));
    }

    @Override
    public String channel() {
        return "slack";
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
        return "SlackNotifier[webhook=****]";
    }
}
