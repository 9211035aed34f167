package io.airlock.core;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * OpenSearch index names of DESIGN.md: daily {@code <prefix>-events-YYYY.MM.DD} and {@code <prefix>-alerts}.
 *
 * @param prefix the index prefix, default {@code airlock}
 */
public record IndexNames(String prefix) {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy.MM.dd").withZone(ZoneOffset.UTC);

    public IndexNames {
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.isEmpty() && "-_+".indexOf(prefix.charAt(0)) >= 0) {
            throw new IllegalArgumentException("index prefix '" + prefix + "' cannot start with '-', '_' or '+' (OpenSearch's "
                    + "rule for index names)");
        }
        if (!prefix.matches("[a-z0-9][a-z0-9_-]*")) {
            throw new IllegalArgumentException("index prefix '" + prefix + "' must be lower case letters, digits, '_' or '-'");
        }
    }

    public static IndexNames defaults() {
        return new IndexNames("airlock");
    }

    /** The daily events index that holds an event of this (UTC) time. */
    public String eventsIndex(Instant timestamp) {
        return prefix + "-events-" + DAY.format(timestamp);
    }

    /** Pattern matching every daily events index. */
    public String eventsPattern() {
        return prefix + "-events-*";
    }

    public String eventsTemplate() {
        return prefix + "-events";
    }

    public String alertsIndex() {
        return prefix + "-alerts";
    }
}
