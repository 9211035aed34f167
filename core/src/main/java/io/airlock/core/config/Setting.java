package io.airlock.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One configuration setting, defined once: its dotted key ({@code airflow.database.port}), type, default (or that it is
 * required, or optional), validators, one line of documentation, and whether it is a secret. The reference docs are
 * generated from these definitions ({@link ConfigReference}), and {@link ConfigDefinition#parse} reads and checks values
 * with them.
 *
 * <p>Settings are immutable; every method returns a changed copy:
 * <pre>{@code
 * static final Setting<Integer> PORT = Setting.of("airflow.database.port", ConfigTypes.integer())
 *         .defaultValue(5432).validate(Validators.between(1, 65535)).doc("PostgreSQL port.");
 * static final Setting<SecretValue> PASSWORD = Setting.secret("airflow.database.password")
 *         .doc("Password of the database user.");
 * }</pre>
 *
 * <p>A secret is never written in the file: it is given as {@code <key>-env: VARIABLE} (an environment variable) or
 * {@code <key>-file: /path} (a file, trailing line breaks removed), and its value is a {@link SecretValue}.
 *
 * @param <T> the type of the value
 */
public final class Setting<T> {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9]+([-_][A-Za-z0-9]+)*(\\.[A-Za-z0-9]+([-_][A-Za-z0-9]+)*)*");

    /** Whether a setting without value in the file takes a default, stays empty, or is a problem. */
    public enum Presence { DEFAULT, OPTIONAL, REQUIRED }

    private final String key;
    private final ConfigType<T> type;
    private final Presence presence;
    private final T defaultValue;
    private final List<Validator<T>> validators;
    private final String documentation;
    private final String whenUnset;
    private final boolean secret;
    private final String reserved;

    private Setting(String key, ConfigType<T> type, Presence presence, T defaultValue, List<Validator<T>> validators,
            String documentation, String whenUnset, boolean secret, String reserved) {
        this.key = key;
        this.type = type;
        this.presence = presence;
        this.defaultValue = defaultValue;
        this.validators = List.copyOf(validators);
        this.documentation = documentation;
        this.whenUnset = whenUnset;
        this.secret = secret;
        this.reserved = reserved;
    }

    /** An optional setting of {@code type}; give it a {@link #defaultValue}, or make it {@link #required()}. */
    public static <T> Setting<T> of(String key, ConfigType<T> type) {
        Objects.requireNonNull(key, "key");
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("not a dotted key: " + key);
        }
        if (key.endsWith("-env") || key.endsWith("-file")) {
            throw new IllegalArgumentException("keys ending in -env or -file are reserved for secrets: " + key);
        }
        return new Setting<>(key, Objects.requireNonNull(type, "type"), Presence.OPTIONAL, null, List.of(), "", null, false, null);
    }

    /** An optional secret, given as {@code <key>-env: VARIABLE} or {@code <key>-file: /path}, never inline. */
    public static Setting<SecretValue> secret(String key) {
        Setting<SecretValue> s = of(key, SECRET);
        return new Setting<>(s.key, s.type, Presence.OPTIONAL, null, List.of(), "", null, true, null);
    }

    /** The value when the file does not give one. */
    public Setting<T> defaultValue(T value) {
        if (secret) {
            throw new IllegalStateException("a secret has no default: " + key);
        }
        return new Setting<>(key, type, Presence.DEFAULT, Objects.requireNonNull(value, "default"), validators, documentation,
                whenUnset, secret, reserved);
    }

    /** The file must give a value. */
    public Setting<T> required() {
        return new Setting<>(key, type, Presence.REQUIRED, null, validators, documentation, whenUnset, secret, reserved);
    }

    /** Adds a check on the parsed value (and on the default, when the definition is built). */
    public Setting<T> validate(Validator<T> validator) {
        List<Validator<T>> all = new ArrayList<>(validators);
        all.add(Objects.requireNonNull(validator, "validator"));
        return new Setting<>(key, type, presence, defaultValue, all, documentation, whenUnset, secret, reserved);
    }

    /** One line for the reference: what the setting does. */
    public Setting<T> doc(String text) {
        return new Setting<>(key, type, presence, defaultValue, validators, Objects.requireNonNull(text, "doc"), whenUnset, secret,
                reserved);
    }

    /** For an optional setting: what happens when it is not set ({@code no Slack messages}), shown as its default. */
    public Setting<T> whenUnset(String consequence) {
        return new Setting<>(key, type, presence, defaultValue, validators, documentation, consequence, secret, reserved);
    }

    /**
     * Documented and checked, but not used yet: {@code why} says so in the reference ({@code AL-002 is not implemented yet}),
     * and setting it gives a note.
     */
    public Setting<T> reserved(String why) {
        return new Setting<>(key, type, presence, defaultValue, validators, documentation, whenUnset, secret,
                Objects.requireNonNull(why, "why"));
    }

    public String key() {
        return key;
    }

    /** {@code <key>-env}; only meaningful for a secret. */
    public String envKey() {
        return key + "-env";
    }

    /** {@code <key>-file}; only meaningful for a secret. */
    public String fileKey() {
        return key + "-file";
    }

    public ConfigType<T> type() {
        return type;
    }

    public Presence presence() {
        return presence;
    }

    public Optional<T> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    public List<Validator<T>> validators() {
        return validators;
    }

    public String documentation() {
        return documentation;
    }

    public Optional<String> whenUnset() {
        return Optional.ofNullable(whenUnset);
    }

    public boolean isSecret() {
        return secret;
    }

    /** Why the setting has no effect yet, if it is reserved. */
    public Optional<String> reserved() {
        return Optional.ofNullable(reserved);
    }

    /** The first validator's problem with {@code value}, if any. */
    Optional<String> check(T value) {
        return check(value, true);
    }

    /** The first problem with {@code value}, if any, of the validators that {@code readFiles} allows. */
    Optional<String> check(T value, boolean readFiles) {
        for (Validator<T> v : validators) {
            if (v.readsFiles() && !readFiles) {
                continue;
            }
            Optional<String> problem = v.check(value);
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    /** The type and its constraints in words ({@code integer, 1..65535}). */
    public String typeDescription() {
        StringBuilder s = new StringBuilder(type.name());
        for (Validator<T> v : validators) {
            if (!v.description().isEmpty()) {
                s.append(", ").append(v.description());
            }
        }
        return s.toString();
    }

    /** The default as written in the file, or what happens without a value. */
    public String defaultDescription() {
        return switch (presence) {
            case DEFAULT -> type.format(defaultValue);
            case REQUIRED -> "required";
            case OPTIONAL -> whenUnset == null ? "not set" : "not set: " + whenUnset;
        };
    }

    @Override
    public String toString() {
        return key;
    }

    /** The type of secrets; they are never parsed from the file. */
    private static final ConfigType<SecretValue> SECRET = new ConfigType<>() {
        @Override
        public String name() {
            return "secret";
        }

        @Override
        public SecretValue parse(Object raw) {
            throw new IllegalArgumentException("a secret is never read from the file");
        }

        @Override
        public String format(SecretValue value) {
            return value.toString();
        }
    };
}
