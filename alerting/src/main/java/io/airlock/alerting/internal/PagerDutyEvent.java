package io.airlock.alerting.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.alerting.AlertLinks;
import io.airlock.core.Alert;
import io.airlock.core.Json;
import io.airlock.core.Severity;

/**
 * The PagerDuty Events API v2 body for one alert: {@code trigger} for an open alert and {@code resolve} for a resolved
 * one, with {@code dedup_key} = alert id so updates of the same alert fold into one incident.
 */
public final class PagerDutyEvent {

    static final int MAX_SUMMARY = 1024;
    /** The alert summary in {@code custom_details}: whole, unless it is longer than this. */
    static final int MAX_DETAILS_SUMMARY = 4096;
    static final String SOURCE = "airlock";

    private PagerDutyEvent() {
    }

    /** PagerDuty's severities: critical, error, warning, info. */
    public static String severity(Severity severity) {
        return switch (severity) {
            case CRITICAL -> "critical";
            case HIGH -> "error";
            case MEDIUM -> "warning";
            case LOW -> "info";
        };
    }

    /** The JSON body; the routing key is added here and nowhere else. */
    public static ObjectNode of(Alert alert, String routingKey, AlertLinks links) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        event.put("routing_key", routingKey);
        boolean resolve = alert.status() == Alert.Status.RESOLVED;
        event.put("event_action", resolve ? "resolve" : "trigger");
        event.put("dedup_key", alert.id());
        if (resolve) {
            return event; // resolve needs nothing but the key
        }
        ObjectNode payload = event.putObject("payload");
        // a long entity (a Vault display name) is cut here and where the summary quotes it, so the path stays in the title
        String summary = EntityText.summary(alert.summary(), alert.entity());
        String title = "[" + alert.severity().label().toUpperCase(java.util.Locale.ROOT) + "] " + alert.ruleId()
                + (alert.ruleName() == null ? "" : " " + alert.ruleName()) + " · " + EntityText.shortened(alert.entity())
                + (summary == null ? "" : ": " + summary);
        payload.put("summary", SlackText.truncate(SlackText.singleLine(title), MAX_SUMMARY));
        payload.put("source", SOURCE);
        payload.put("severity", severity(alert.severity()));
        payload.put("timestamp", alert.timestamp().toString());
        payload.put("component", SlackText.truncate(SlackText.singleLine(alert.entity()), 255));
        payload.put("group", SlackText.truncate(SlackText.singleLine(alert.ruleName() == null ? alert.ruleId() : alert.ruleName()), 255));
        payload.put("class", alert.ruleId());
        ObjectNode details = payload.putObject("custom_details");
        details.put("alert_id", alert.id());
        details.put("rule_name", alert.ruleName());
        details.put("entity", alert.entity());
        details.put("summary", summary == null ? null : SlackText.truncate(summary, MAX_DETAILS_SUMMARY));
        details.put("count", alert.count());
        details.put("first_seen", alert.firstSeen() == null ? null : alert.firstSeen().toString());
        details.put("last_seen", alert.lastSeen() == null ? null : alert.lastSeen().toString());
        details.set("evidence", Json.MAPPER.valueToTree(alert.evidence()));
        details.set("threat_technique_ids", Json.MAPPER.valueToTree(alert.techniqueIds()));
        ArrayNode linkArray = event.putArray("links");
        links.runbook(alert).ifPresent(uri -> linkArray.addObject().put("href", uri.toString()).put("text", "Runbook"));
        links.discoverEvidence(alert).or(() -> links.discoverAlert(alert))
                .ifPresent(uri -> linkArray.addObject().put("href", uri.toString()).put("text", "Evidence in Discover"));
        return event;
    }
}
