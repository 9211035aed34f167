package io.airlock.app;

import io.airlock.app.config.AirlockConfig;
import io.airlock.core.Json;
import io.airlock.core.config.ConfigException;
import io.airlock.core.config.ConfigSource;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The settings {@code airlock run --detection FILE} takes into a run without {@code --config}: {@code detection.*},
 * {@code rules.*} and {@code vault.audit.prefix} — what decides the alerts and how the audit lines written to the embedded
 * run's file look. Everything else is the embedded components' to say: a full airlock.yml is accepted (as by
 * {@code backtest --config}), and its other sections are ignored, said in one {@link #note}.
 *
 * @param ignoredSections the top-level sections of the file that are not taken (kafka, opensearch, …), in file order; one
 *                        of which a setting is taken named with it excepted ({@code vault except vault.audit.prefix})
 */
record DetectionOverlay(Map<String, Object> values, List<String> ignoredSections) {

    static final DetectionOverlay NONE = new DetectionOverlay(Map.of(), List.of());

    DetectionOverlay {
        values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
        ignoredSections = List.copyOf(ignoredSections);
    }

    /**
     * Reads and checks {@code file} as {@code check-config} (and {@code backtest}) would: every problem with its line, in the
     * whole file; no secret is read.
     *
     * @throws ConfigException naming every problem
     */
    static DetectionOverlay read(Path file, Map<String, String> env) {
        ConfigSource source = ConfigSource.fromFile(file, env).withoutSecrets();
        AirlockConfig.from(source);
        Map<String, Object> taken = new LinkedHashMap<>();
        Set<String> ignored = new LinkedHashSet<>();
        source.values().forEach((key, value) -> {
            if (applies(key)) {
                taken.put(key, value);
            } else {
                ignored.add(key.contains(".") ? key.substring(0, key.indexOf('.')) : key);
            }
        });
        // a section of which a setting is taken (vault, for vault.audit.prefix) is only partly ignored: say which part
        List<String> named = ignored.stream().map(section -> {
            List<String> takenOfIt = taken.keySet().stream().filter(key -> key.startsWith(section + ".")).toList();
            return takenOfIt.isEmpty() ? section : section + " except " + String.join(", ", takenOfIt);
        }).toList();
        return new DetectionOverlay(taken, named);
    }

    /** The line saying which sections of {@code file} a run without {@code --config} ignores; empty when it ignores none. */
    Optional<String> note(Path file) {
        return ignoredSections.isEmpty() ? Optional.empty() : Optional.of("airlock run: --detection " + file + ": using its "
                + "detection.*, rules.* and vault.audit.prefix settings; its other settings (" + String.join(", ", ignoredSections)
                + ") are ignored in a run without --config, which has its own components");
    }

    private static boolean applies(String key) {
        return key.startsWith("detection.") || key.startsWith("rules.") || key.equals("vault.audit.prefix");
    }

    /**
     * The settings as dotted keys and YAML values for the embedded run's file (JSON is YAML's flow style: every value keeps
     * its type).
     */
    Map<String, String> asYaml() {
        Map<String, String> yaml = new LinkedHashMap<>();
        values.forEach((key, value) -> yaml.put(key, Json.writeString(value)));
        return yaml;
    }
}
