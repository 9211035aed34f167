package io.airlock.core.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The checked values of one {@link ConfigDefinition} read from one {@link ConfigSource}, with every problem found. Reading
 * a setting whose value had a problem throws {@link Unavailable}, so code mapping values onto records can skip what was
 * reported already.
 */
public final class ConfigValues {

    /** Thrown when a setting is read whose value had a problem (already in {@link #problems()}). */
    public static final class Unavailable extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        Unavailable(String key) {
            super(key + " has a problem (reported with the others)");
        }
    }

    private final String origin;
    private final ConfigDefinition definition;
    private final ConfigProblems problems;
    private final Map<Setting<?>, Object> values = new HashMap<>();
    private final Set<Setting<?>> given = new HashSet<>();
    private final Set<Setting<?>> failed = new HashSet<>();

    ConfigValues(String origin, ConfigDefinition definition, ConfigProblems problems) {
        this.origin = origin;
        this.definition = definition;
        this.problems = problems;
    }

    void given(Setting<?> s, Object value) {
        values.put(s, value);
        given.add(s);
    }

    void defaulted(Setting<?> s, Object value) {
        if (value != null) {
            values.put(s, value);
        }
    }

    void failed(Setting<?> s) {
        failed.add(s);
    }

    /** What was read: a file name or {@link io.airlock.core.config.ConfigSource#DEFAULTS_ORIGIN defaults}. */
    public String origin() {
        return origin;
    }

    public ConfigDefinition definition() {
        return definition;
    }

    /**
     * The value of a setting with a default or a value.
     *
     * @throws Unavailable if the value had a problem
     * @throws IllegalStateException if the setting is optional and not set (use {@link #find})
     */
    public <T> T get(Setting<T> s) {
        return find(s).orElseThrow(() -> new IllegalStateException(s.key() + " is not set"));
    }

    /**
     * The value of an optional setting.
     *
     * @throws Unavailable if the value had a problem
     */
    @SuppressWarnings("unchecked")
    public <T> Optional<T> find(Setting<T> s) {
        if (definition.setting(s.key()).orElse(null) != s) {
            throw new IllegalArgumentException(s.key() + " is not a setting of this definition");
        }
        if (failed.contains(s)) {
            throw new Unavailable(s.key());
        }
        return Optional.ofNullable((T) values.get(s));
    }

    /** Whether the file gave the setting (rather than it taking its default). */
    public boolean isGiven(Setting<?> s) {
        return given.contains(s);
    }

    public boolean hasProblem(Setting<?> s) {
        return failed.contains(s);
    }

    /** Every problem, for reporting all at once. Add cross-setting problems here too. */
    public ConfigProblems problems() {
        return problems;
    }

    /** Every secret that was read, e.g. to redact them from texts that came from elsewhere (driver error messages). */
    public List<SecretValue> secrets() {
        List<SecretValue> secrets = new ArrayList<>();
        for (Map.Entry<Setting<?>, Object> e : values.entrySet()) {
            if (e.getValue() instanceof SecretValue v) {
                secrets.add(v);
            }
        }
        return secrets;
    }

    /** Notes on settings that were given but have no effect yet ({@link Setting#reserved}). */
    public List<String> notes() {
        List<String> notes = new ArrayList<>();
        for (Setting<?> s : definition.settings()) {
            if (given.contains(s) && s.reserved().isPresent()) {
                notes.add(s.key() + ": accepted, but it has no effect yet (" + s.reserved().get() + ")");
            }
        }
        return notes;
    }

    /**
     * The effective value as a user would write it: a secret only as where it came from ({@code <set from env X>}), an
     * unset optional as {@code <not set>}, a value with a problem as {@code <invalid>}.
     */
    public String display(Setting<?> s) {
        if (failed.contains(s)) {
            return "<invalid>";
        }
        Object value = values.get(s);
        if (value == null) {
            return "<not set>";
        }
        if (value instanceof SecretValue secret) {
            return secret.toString();
        }
        return format(s, value);
    }

    @SuppressWarnings("unchecked")
    private static <T> String format(Setting<T> s, Object value) {
        return s.type().format((T) value);
    }

    /**
     * Every setting with its effective value, grouped, aligned, marked {@code (default)} where the file did not give it.
     * Secrets appear only as where they came from.
     */
    public String summary() {
        int width = definition.settings().stream().mapToInt(s -> s.key().length()).max().orElse(0);
        var out = new StringBuilder();
        for (ConfigDefinition.Group group : definition.groups()) {
            out.append(group.title()).append(System.lineSeparator());
            for (Setting<?> s : group.settings()) {
                out.append("  ").append(String.format("%-" + width + "s", s.key())).append("  ").append(display(s));
                if (!given.contains(s) && !failed.contains(s) && values.containsKey(s)) {
                    out.append("  (default)");
                }
                out.append(System.lineSeparator());
            }
        }
        return out.toString();
    }
}
