package io.airlock.alerting.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.alerting.AlertLinks;
import io.airlock.core.Alert;
import io.airlock.core.Json;
import io.airlock.core.Severity;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The Block Kit message for one alert: a header (severity, rule), fields (entity, count, first/last seen), the summary,
 * evidence, a context line and buttons to the runbook and to Discover. Every untrusted value goes through
 * {@link SlackText}; the entity, the summary and the evidence ids are shown as code, where Slack applies no formatting
 * ({@code *bold*}, {@code _italic_}, {@code ~strike~}) and makes no link, and every {@code mrkdwn} text is
 * {@code verbatim}, so Slack neither turns bare URLs into links nor parses mentions. Every text stays within Slack's
 * limits (header 150, section 3000, field 2000, button text 75, URL 3000, 50 blocks).
 */
public final class SlackMessage {

    static final int MAX_HEADER = 150;
    static final int MAX_SECTION = 3000;
    static final int MAX_FIELD = 2000;
    static final int MAX_FALLBACK = 3000;
    static final int MAX_BLOCKS = 50;
    private static final int SHOWN_EVIDENCE = 20;

    private SlackMessage() {
    }

    /** The JSON body to POST to an incoming webhook. */
    public static ObjectNode of(Alert alert, AlertLinks links) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        String state = alert.status() == Alert.Status.RESOLVED ? "Resolved: " : "";
        // a long entity (a Vault display name) is cut in the fields and where the summary quotes it (EntityText)
        String summary = EntityText.summary(alert.summary(), alert.entity());
        message.put("text", SlackText.truncate(state + "[" + label(alert.severity()) + "] " + SlackText.field(ruleTitle(alert), 300)
                + " · " + SlackText.field(EntityText.shortened(alert.entity()), 300) + " — " + SlackText.field(summary, MAX_FALLBACK),
                MAX_FALLBACK));
        ArrayNode blocks = message.putArray("blocks");

        ObjectNode header = blocks.addObject().put("type", "header");
        // plain_text is not parsed for mentions or links; it is still flattened and cut.
        header.putObject("text").put("type", "plain_text").put("emoji", true).put("text",
                SlackText.truncate(SlackText.singleLine(state + icon(alert.severity()) + " " + label(alert.severity()) + " · "
                        + ruleTitle(alert)), MAX_HEADER));

        ObjectNode facts = blocks.addObject().put("type", "section");
        ArrayNode fields = facts.putArray("fields");
        String entity = SlackText.field(EntityText.shortened(alert.entity()), MAX_FIELD - 20);
        field(fields, "Entity", entity.isEmpty() ? "" : code(entity));
        field(fields, "Count", Long.toString(alert.count()));
        field(fields, "First seen", time(alert.firstSeen()));
        field(fields, "Last seen", time(alert.lastSeen()));
        field(fields, "Severity", label(alert.severity()));
        field(fields, "Status", alert.status() == null ? "open" : alert.status().name().toLowerCase(java.util.Locale.ROOT));

        section(blocks, summary == null || summary.isBlank() ? "(no summary)"
                : "```" + SlackText.block(summary, MAX_SECTION - 6).replace('`', '\'') + "```");

        if (!alert.evidence().isEmpty() || !alert.techniqueIds().isEmpty()) {
            section(blocks, evidence(alert));
        }

        Optional<URI> runbook = links.runbook(alert);
        Optional<URI> discover = links.discoverEvidence(alert).or(() -> links.discoverAlert(alert));
        if (runbook.isPresent() || discover.isPresent()) {
            ArrayNode elements = blocks.addObject().put("type", "actions").putArray("elements");
            runbook.ifPresent(uri -> button(elements, "Runbook", uri, "runbook"));
            discover.ifPresent(uri -> button(elements, "Evidence in OpenSearch Dashboards Discover", uri, "discover"));
        }

        ObjectNode context = blocks.addObject().put("type", "context");
        String footer = "Airlock alert " + code(SlackText.field(alert.id(), 100)) + " · rule "
                + code(SlackText.field(alert.ruleId(), 100)) + " · " + time(alert.timestamp());
        mrkdwn(context.putArray("elements").addObject(), SlackText.truncate(footer, MAX_SECTION));
        assert blocks.size() <= MAX_BLOCKS;
        return message;
    }

    private static String evidence(Alert alert) {
        StringBuilder text = new StringBuilder();
        if (!alert.techniqueIds().isEmpty()) {
            text.append("*MITRE ATT&amp;CK:* ");
            appendCodes(text, alert.techniqueIds(), alert.techniqueIds().size());
            text.append('\n');
        }
        List<String> ids = alert.evidence();
        if (!ids.isEmpty()) {
            text.append("*Evidence* (").append(ids.size()).append(ids.size() == 1 ? " event): " : " events): ");
            appendCodes(text, ids, SHOWN_EVIDENCE);
            if (ids.size() > SHOWN_EVIDENCE) {
                text.append(" and ").append(ids.size() - SHOWN_EVIDENCE).append(" more");
            }
        }
        return SlackText.truncate(text.toString(), MAX_SECTION);
    }

    private static void appendCodes(StringBuilder text, List<String> values, int max) {
        for (int i = 0; i < Math.min(values.size(), max); i++) {
            if (i > 0) {
                text.append(", ");
            }
            text.append(code(SlackText.field(values.get(i), 80)));
        }
    }

    private static void field(ArrayNode fields, String name, String escapedValue) {
        String value = escapedValue.isEmpty() ? "-" : escapedValue;
        mrkdwn(fields.addObject(), SlackText.truncate("*" + name + "*\n" + value, MAX_FIELD));
    }

    private static void section(ArrayNode blocks, String escapedText) {
        mrkdwn(blocks.addObject().put("type", "section").putObject("text"), escapedText.isEmpty() ? "-" : escapedText);
    }

    /** A {@code mrkdwn} text object that Slack takes as written: no auto-links, no mention parsing. */
    private static void mrkdwn(ObjectNode textObject, String escapedText) {
        textObject.put("type", "mrkdwn").put("text", escapedText).put("verbatim", true);
    }

    /** An escaped value as inline code: no formatting, no links; its own backticks would end the code, so they become '. */
    private static String code(String escapedValue) {
        return '`' + escapedValue.replace('`', '\'') + '`';
    }

    private static void button(ArrayNode elements, String text, URI url, String actionId) {
        ObjectNode button = elements.addObject().put("type", "button").put("action_id", actionId)
                .put("url", url.toString());
        button.putObject("text").put("type", "plain_text").put("text", SlackText.truncate(text, 75));
    }

    private static String ruleTitle(Alert alert) {
        return alert.ruleName() == null ? alert.ruleId() : alert.ruleId() + " " + alert.ruleName();
    }

    private static String time(Instant instant) {
        return instant == null ? "-" : instant.toString();
    }

    private static String label(Severity severity) {
        return severity.label().toUpperCase(java.util.Locale.ROOT);
    }

    private static String icon(Severity severity) {
        return switch (severity) {
            case CRITICAL -> "🔴";
            case HIGH -> "🟠";
            case MEDIUM -> "🟡";
            case LOW -> "🔵";
        };
    }
}
