package io.airlock.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Alert severity; critical and high page on-call, medium and low go to Slack. */
public enum Severity {
    LOW, MEDIUM, HIGH, CRITICAL;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Severity parse(String label) {
        return valueOf(label.trim().toUpperCase(Locale.ROOT));
    }

    public boolean pages() {
        return this == HIGH || this == CRITICAL;
    }
}
