package io.airlock.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.embedded.ReceivedRequest;
import io.airlock.embedded.WebhookReceiver;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** What Slack and PagerDuty received (and accepted) at the {@link WebhookReceiver}, per alert id. */
final class Deliveries {

    private static final Pattern SLACK_ALERT_ID = Pattern.compile("Airlock alert `([^`]+)`");

    private final WebhookReceiver webhooks;
    private final String slackName;
    private final String routingKey;

    Deliveries(WebhookReceiver webhooks, String slackName, String routingKey) {
        this.webhooks = webhooks;
        this.slackName = slackName;
        this.routingKey = routingKey;
    }

    /** PagerDuty trigger events for this test's routing key that the receiver accepted: dedup key → how many. */
    Map<String, Long> acceptedTriggersByDedupKey() {
        return countBy(acceptedTriggers(), e -> e.path("dedup_key").asText());
    }

    /** PagerDuty trigger events for this test's routing key that the receiver accepted, as sent. */
    List<JsonNode> acceptedTriggers() {
        return webhooks.accepted("/pagerduty/").stream().map(ReceivedRequest::json)
                .filter(e -> routingKey.equals(e.path("routing_key").asText()))
                .filter(e -> "trigger".equals(e.path("event_action").asText())).toList();
    }

    /** Every PagerDuty request for this test's routing key, accepted or refused. */
    List<JsonNode> allPagerDutyEvents() {
        return webhooks.pagerDutyEvents().stream().map(ReceivedRequest::json)
                .filter(e -> routingKey.equals(e.path("routing_key").asText())).toList();
    }

    /** Slack messages to this test's webhook that the receiver accepted: alert id → how many. */
    Map<String, Long> acceptedSlackByAlertId() {
        return countBy(webhooks.accepted("/slack/" + slackName).stream().filter(r -> r.path().equals("/slack/" + slackName))
                .map(ReceivedRequest::body).toList(), Deliveries::slackAlertId);
    }

    /** Bodies of every request to this test's Slack webhook. */
    List<String> slackBodies() {
        return webhooks.slackPosts(slackName).stream().map(ReceivedRequest::body).toList();
    }

    /** Requests to this test's Slack webhook that were refused by a scripted failure. */
    long refusedSlack() {
        return webhooks.refused("/slack/" + slackName).size();
    }

    /** PagerDuty requests for this test's routing key that were refused by a scripted failure. */
    long refusedPagerDuty() {
        return webhooks.refused("/pagerduty/").stream().filter(r -> routingKey.equals(r.json().path("routing_key").asText())).count();
    }

    static String slackAlertId(String body) {
        Matcher m = SLACK_ALERT_ID.matcher(body);
        return m.find() ? m.group(1) : "(no alert id)";
    }

    private static <T> Map<String, Long> countBy(List<T> items, Function<T, String> key) {
        return items.stream().collect(Collectors.groupingBy(key, Collectors.counting()));
    }
}
