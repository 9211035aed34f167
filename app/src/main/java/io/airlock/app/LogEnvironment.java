package io.airlock.app;

import io.airlock.core.PrintableText;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks the environment variables that configure logging before logback reads them: an unknown {@code AIRLOCK_LOG_FORMAT}
 * would make logback include a file that does not exist and leave Airlock with no log output at all, errors included.
 */
final class LogEnvironment {

    static final String FORMAT = "AIRLOCK_LOG_FORMAT";
    static final String LEVEL = "AIRLOCK_LOG_LEVEL";
    private static final Set<String> FORMATS = Set.of("text", "json");
    private static final List<String> LEVELS_IN_ORDER = List.of("ALL", "TRACE", "DEBUG", "INFO", "WARN", "ERROR",
            "OFF");
    private static final Set<String> LEVELS = Set.copyOf(LEVELS_IN_ORDER);

    private LogEnvironment() {
    }

    /** What is wrong with the logging variables of {@code env}, if anything. */
    static Optional<String> problem(Map<String, String> env) {
        // set but empty counts too: logback then takes the empty value, not the default
        String format = env.get(FORMAT);
        if (format != null && !FORMATS.contains(format)) {
            return Optional.of(FORMAT + " must be text or json (lower case) or unset, not '" + printable(format) + "'");
        }
        String level = env.get(LEVEL);
        if (level != null && !LEVELS.contains(level.toUpperCase(Locale.ROOT))) {
            return Optional.of(LEVEL + " must be one of " + String.join(", ", LEVELS_IN_ORDER) + " or unset, not '" + printable(level) + "'");
        }
        return Optional.empty();
    }

    private static String printable(String value) {
        String shown = PrintableText.of(value);
        return shown.length() > 40 ? shown.substring(0, 40) + "…" : shown;
    }
}
