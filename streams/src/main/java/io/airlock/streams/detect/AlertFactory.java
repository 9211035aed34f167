package io.airlock.streams.detect;

import io.airlock.core.Alert;
import io.airlock.core.RecordTimes;
import io.airlock.core.Severity;
import io.airlock.streams.DetectionConfig;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** Builds the alert of a rule from a burst, so every rule fills the contract's fields the same way. */
public final class AlertFactory {

    private final RuleDefinition rule;
    private final DetectionConfig config;

    public AlertFactory(RuleDefinition rule, DetectionConfig config) {
        this.rule = rule;
        this.config = config;
    }

    public Alert alert(BurstTracker.OpenBurst burst, String entity, String summary) {
        return alert(burst, entity, summary, rule.severity());
    }

    /** The alert of {@code burst}; its summary made one line ({@link #oneLine}), whatever source values it quotes. */
    public Alert alert(BurstTracker.OpenBurst burst, String entity, String summary, Severity severity) {
        return new Alert(burst.alertId(), rule.id(), rule.name(), severity, burst.lastSeen(), burst.firstSeen(), burst.lastSeen(),
                burst.count(), entity, oneLine(summary), burst.evidence(), rule.techniques(), rule.runbook(config.runbookBase()),
                Alert.Status.OPEN);
    }

    /** "between X and Y" for a span of event time, or "at X" when it is one instant (a single read). */
    static String span(Instant first, Instant last) {
        return first.equals(last) ? "at " + DateTimeFormatter.ISO_INSTANT.format(first)
                : "between " + DateTimeFormatter.ISO_INSTANT.format(first) + " and " + DateTimeFormatter.ISO_INSTANT.format(last);
    }

    /**
     * {@code text} with control and line/paragraph-separator characters replaced by {@code ?}: a summary quotes user names,
     * DAG ids, Vault identities and paths, and none of them may add a line to it (log forging, fake lines in a message).
     */
    public static String oneLine(String text) {
        if (text.codePoints().noneMatch(AlertFactory::breaksLine)) {
            return text;
        }
        return text.codePoints().map(c -> breaksLine(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    private static boolean breaksLine(int c) {
        return Character.isISOControl(c) || Character.getType(c) == Character.LINE_SEPARATOR
                || Character.getType(c) == Character.PARAGRAPH_SEPARATOR;
    }

    /**
     * The record a rule forwards for an alert: keyed by alert id, timestamped with its last_seen (event time), no further
     * ahead of the processing wall clock than {@link RecordTimes} allows.
     */
    public static Record<String, Alert> record(Alert alert, ProcessorContext<?, ?> context) {
        return new Record<>(alert.id(), alert, RecordTimes.capped(alert.lastSeen().toEpochMilli(), context.currentSystemTimeMs()));
    }

    /** A burst tracker with this rule's configured threshold and window and the global grace. */
    public BurstTracker tracker() {
        RuleSettings settings = config.rule(rule);
        return new BurstTracker(rule.id(), settings.threshold(), settings.window(), config.grace());
    }

    public RuleSettings settings() {
        return config.rule(rule);
    }
}
