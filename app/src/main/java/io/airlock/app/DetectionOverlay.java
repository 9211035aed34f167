package io.airlock.app;

import io.airlock.app.config.AirlockConfig;
import io.airlock.core.Json;
import io.airlock.core.config.ConfigException;
import io.airlock.core.config.ConfigProblems;
import io.airlock.core.config.ConfigSource;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings {@code airlock run --detection FILE} takes into a run without {@code --config}: {@code detection.*},
 * {@code rules.*} and {@code vault.audit.prefix} — what decides the alerts and how the audit lines written to the embedded
 * run's file look. Everything else is the embedded components' to say; a file that sets more is refused, naming the keys.
 */
record DetectionOverlay(Map<String, Object> values) {

    static final DetectionOverlay NONE = new DetectionOverlay(Map.of());

    DetectionOverlay {
        values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * Reads and checks {@code file} as {@code check-config} would (every problem with its line; no secret is read).
     *
     * @throws ConfigException naming every problem, and every key that is not a detection setting
     */
    static DetectionOverlay read(Path file, Map<String, String> env) {
        ConfigSource source = ConfigSource.fromFile(file, env).withoutSecrets();
        AirlockConfig.from(source);
        Map<String, Object> taken = new LinkedHashMap<>();
        ConfigProblems problems = new ConfigProblems(source);
        source.values().forEach((key, value) -> {
            if (applies(key)) {
                taken.put(key, value);
            } else {
                problems.add(key, "not used by a run without --config, which has its own components; only detection.*, "
                        + "rules.* and vault.audit.prefix are");
            }
        });
        problems.throwIfAny(source.origin());
        return new DetectionOverlay(taken);
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
