package io.airlock.app.config;

import static io.airlock.core.config.ConfigTypes.duration;
import static io.airlock.core.config.ConfigTypes.httpUrl;
import static io.airlock.core.config.ConfigTypes.integer;

import io.airlock.alerting.AlertLinks;
import io.airlock.alerting.RetryPolicy;
import io.airlock.alerting.Secret;
import io.airlock.core.IndexNames;
import io.airlock.core.config.ConfigDefinition.Group;
import io.airlock.core.config.ConfigProblems;
import io.airlock.core.config.ConfigTypes;
import io.airlock.core.config.ConfigValues;
import io.airlock.core.config.SecretValue;
import io.airlock.core.config.Setting;
import io.airlock.core.config.Validators;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Slack, PagerDuty, the links notifications carry, and delivery retries. Belongs to {@code alerting} once modules read their own settings. */
public final class NotificationFields {

    public static final Setting<SecretValue> SLACK_WEBHOOK_URL = Setting.secret("slack.webhook-url")
            .validate(Validators.secretIsHttpUrl())
            .whenUnset("no Slack messages")
            .doc("Slack incoming-webhook URL; every alert is posted there (its URL is the credential). It must parse as an "
                    + "http(s) URL with a host, no blanks and a port of 1–65535 if any; a problem says which, never the URL.");

    public static final Setting<SecretValue> PAGERDUTY_ROUTING_KEY = Setting.secret("pagerduty.routing-key")
            .whenUnset("no PagerDuty incidents")
            .doc("PagerDuty Events API v2 integration (routing) key; high and critical alerts page, with the alert id as "
                    + "`dedup_key`. `check-config` notes a key (of any receiver) that is not 32 characters or holds blanks, "
                    + "without showing it: PagerDuty answers 400 to it, a proxy or test receiver may take it.");

    public static final Setting<URI> PAGERDUTY_EVENTS_URL = Setting.of("pagerduty.events-url", httpUrl())
            .defaultValue(URI.create("https://events.pagerduty.com/v2/enqueue"))
            .doc("PagerDuty Events API v2 endpoint; change it only for a proxy or a test receiver.");

    public static final Setting<URI> DASHBOARDS_URL = Setting.of("dashboards.url", httpUrl())
            .whenUnset("notifications carry no Discover links")
            .doc("Base URL of OpenSearch Dashboards (`https://dashboards.example.com`); notifications link to the alert and "
                    + "its evidence in Discover.");

    public static final Setting<URI> RUNBOOKS_BASE_URL = Setting.of("runbooks.base-url", httpUrl())
            .whenUnset("runbook links are left out of notifications, and alerts are indexed with the relative path")
            .doc("Base URL the alerts' relative runbook paths (`docs/runbooks/AL-001-failed-login-burst.md`) resolve "
                    + "against, e.g. the repository's web view `https://github.com/acme/airlock/blob/main/`: notifications "
                    + "link to it, and alerts are indexed in OpenSearch with the resolved URL (on Kafka they keep the path).");

    public static final Group GROUP = Group.of("Notifications",
            "Where alerts are sent (DESIGN.md, *Alert*): by default Slack gets every alert, PagerDuty the high and critical "
                    + "ones. These are the receivers `slack` and `pagerduty`; *Routing* below adds more receivers and routes. "
                    + "Repeats of one alert update it instead of notifying again.",
            SLACK_WEBHOOK_URL, PAGERDUTY_ROUTING_KEY, PAGERDUTY_EVENTS_URL, DASHBOARDS_URL, RUNBOOKS_BASE_URL);

    public static final Setting<Integer> MAX_ATTEMPTS = Setting.of("delivery.max-attempts", integer())
            .defaultValue(5)
            .validate(Validators.atLeast(1))
            .doc("Attempts per delivery (an OpenSearch bulk request, a Slack post, a PagerDuty event) before it is retried "
                    + "later from Kafka.");

    public static final Setting<Duration> INITIAL_BACKOFF = Setting.of("delivery.initial-backoff", duration())
            .defaultValue(Duration.ofMillis(200))
            .validate(Validators.notNegative())
            .doc("Wait before the second attempt; it doubles with every attempt.");

    public static final Setting<Duration> MAX_BACKOFF = Setting.of("delivery.max-backoff", duration())
            .defaultValue(Duration.ofSeconds(10))
            .validate(Validators.notNegative())
            .doc("Longest wait between attempts; at least `delivery.initial-backoff`.");

    public static final Setting<Duration> MAX_RETRY_AFTER = Setting.of("delivery.max-retry-after", duration())
            .defaultValue(Duration.ofSeconds(60))
            .validate(Validators.notNegative())
            .doc("Longest `Retry-After` (HTTP 429) that is waited for; longer ones end the attempt, and it is retried later. "
                    + "At least `delivery.slack-interval`.");

    public static final Setting<Duration> CONNECT_TIMEOUT = Setting.of("delivery.connect-timeout", duration())
            .defaultValue(Duration.ofSeconds(5))
            .validate(Validators.positive())
            .doc("HTTP connect timeout of the Slack and PagerDuty notifiers.");

    public static final Setting<Duration> REQUEST_TIMEOUT = Setting.of("delivery.request-timeout", duration())
            .defaultValue(Duration.ofSeconds(10))
            .validate(Validators.positive())
            .doc("HTTP request timeout of the Slack and PagerDuty notifiers.");

    public static final Setting<Duration> SLACK_INTERVAL = Setting.of("delivery.slack-interval", duration())
            .defaultValue(Duration.ofSeconds(1))
            .validate(Validators.notNegative())
            .doc("Least time between two messages to one Slack webhook (Slack allows about one per second); receivers "
                    + "sharing a webhook share its pace.");

    public static final Group DELIVERY_GROUP = Group.of("Delivery retries",
            "How indexing and notifications retry temporary failures (HTTP 429 and 5xx, timeouts): capped exponential "
                    + "backoff. Nothing is lost when retries run out: the record stays in Kafka and is delivered later. "
                    + "Other HTTP 4xx answers of Slack and PagerDuty are permanent: the alert goes to the dead-letter topic "
                    + "with the reason. OpenSearch's 401 and 403 (credentials, privileges) keep the records in Kafka and log "
                    + "an error.",
            MAX_ATTEMPTS, INITIAL_BACKOFF, MAX_BACKOFF, MAX_RETRY_AFTER, CONNECT_TIMEOUT, REQUEST_TIMEOUT, SLACK_INTERVAL);

    private NotificationFields() {
    }

    static Optional<Secret> slackWebhook(ConfigValues values) {
        return values.find(SLACK_WEBHOOK_URL).map(s -> Secret.of(s.reveal()));
    }

    static Optional<Secret> pagerDutyRoutingKey(ConfigValues values) {
        return values.find(PAGERDUTY_ROUTING_KEY).map(s -> Secret.of(s.reveal()));
    }

    static AlertLinks links(ConfigValues values, IndexNames indexNames) {
        return AlertLinks.of(values.find(DASHBOARDS_URL).orElse(null), values.find(RUNBOOKS_BASE_URL).orElse(null), indexNames);
    }

    static RetryPolicy retryPolicy(ConfigValues values, ConfigProblems problems) {
        Duration initial = values.get(INITIAL_BACKOFF);
        Duration max = values.get(MAX_BACKOFF);
        if (max.compareTo(initial) < 0) {
            problems.add(MAX_BACKOFF.key(), "must be at least delivery.initial-backoff ("
                    + ConfigTypes.formatDuration(initial) + "), was " + ConfigTypes.formatDuration(max));
            return null;
        }
        Duration slackInterval = values.get(SLACK_INTERVAL);
        if (values.get(MAX_RETRY_AFTER).compareTo(slackInterval) < 0) { // each paced Slack post would give up at once
            problems.add(MAX_RETRY_AFTER.key(), "must be at least delivery.slack-interval (" + ConfigTypes.formatDuration(slackInterval)
                    + "), was " + ConfigTypes.formatDuration(values.get(MAX_RETRY_AFTER)));
            return null;
        }
        return new RetryPolicy(values.get(MAX_ATTEMPTS), initial, max, values.get(MAX_RETRY_AFTER), values.get(CONNECT_TIMEOUT),
                values.get(REQUEST_TIMEOUT));
    }
}
