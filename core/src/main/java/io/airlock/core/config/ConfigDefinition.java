package io.airlock.core.config;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Every setting of a program, in documented groups: the one place keys, types, defaults, validators and docs are defined.
 * {@link #parse} reads a {@link ConfigSource} against it, {@link ConfigReference} renders it as Markdown.
 */
public final class ConfigDefinition {

    /**
     * Settings that belong together, one section of the reference.
     *
     * @param title       section title ({@code Airflow database})
     * @param description a paragraph for the reference (Markdown)
     */
    public record Group(String title, String description, List<Setting<?>> settings) {
        public Group {
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(description, "description");
            settings = List.copyOf(settings);
        }

        public static Group of(String title, String description, Setting<?>... settings) {
            return new Group(title, description, List.of(settings));
        }
    }

    private final List<Group> groups;
    private final Map<String, Setting<?>> byKey = new LinkedHashMap<>();
    private final Map<String, Setting<?>> secretKeys = new LinkedHashMap<>();
    /**
     * Every section ({@code slack}, {@code airflow.database}) with the keys directly under it ({@code slack} →
     * {@code webhook-url-env}), in definition order.
     */
    private final Map<String, Set<String>> sectionKeys = new HashMap<>();

    private ConfigDefinition(List<Group> groups) {
        this.groups = List.copyOf(groups);
        for (Group group : groups) {
            for (Setting<?> s : group.settings()) {
                if (byKey.putIfAbsent(s.key(), s) != null) {
                    throw new IllegalArgumentException("setting defined twice: " + s.key());
                }
                if (s.isSecret()) {
                    secretKeys.put(s.envKey(), s);
                    secretKeys.put(s.fileKey(), s);
                }
                checkDefault(s);
                String k = s.isSecret() ? s.envKey() : s.key();
                for (int dot = k.indexOf('.'); dot > 0; dot = k.indexOf('.', dot + 1)) {
                    int next = k.indexOf('.', dot + 1);
                    sectionKeys.computeIfAbsent(k.substring(0, dot), p -> new LinkedHashSet<>())
                            .add(k.substring(dot + 1, next < 0 ? k.length() : next));
                }
            }
        }
        for (String key : byKey.keySet()) {
            if (sectionKeys.containsKey(key) || secretKeys.containsKey(key)) {
                throw new IllegalArgumentException("key " + key + " is also the prefix of other keys or a secret's -env/-file key");
            }
        }
    }

    public static ConfigDefinition of(Group... groups) {
        return new ConfigDefinition(List.of(groups));
    }

    public static ConfigDefinition of(List<Group> groups) {
        return new ConfigDefinition(groups);
    }

    private static <T> void checkDefault(Setting<T> s) {
        s.defaultValue().flatMap(s::check).ifPresent(problem -> {
            throw new IllegalArgumentException("the default of " + s.key() + " is invalid: " + problem);
        });
    }

    public List<Group> groups() {
        return groups;
    }

    /** Every setting, in definition order. */
    public List<Setting<?>> settings() {
        return List.copyOf(byKey.values());
    }

    public Optional<Setting<?>> setting(String key) {
        return Optional.ofNullable(byKey.get(key));
    }

    /** Every key a file may contain: the keys of plain settings, and {@code -env}/{@code -file} of secrets. */
    public Set<String> acceptedKeys() {
        Set<String> keys = new LinkedHashSet<>();
        byKey.values().stream().filter(s -> !s.isSecret()).forEach(s -> keys.add(s.key()));
        keys.addAll(secretKeys.keySet());
        return keys;
    }

    /**
     * Reads and checks every setting. Never throws: every problem (unknown keys with a suggestion, wrong types, failed
     * validators, inline secrets, unset environment variables) is collected in {@link ConfigValues#problems()}.
     */
    public ConfigValues parse(ConfigSource source) {
        ConfigProblems problems = new ConfigProblems(source);
        problems.addAll(source.problems());
        if (!source.isReadable()) {
            var unusable = new ConfigValues(source.origin(), this, problems);
            byKey.values().forEach(unusable::failed);
            return unusable;
        }
        Map<String, Object> raw = source.values();
        Set<String> accepted = acceptedKeys();
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            String key = e.getKey();
            Setting<?> s = byKey.get(key);
            if (e.getValue() == null && (s != null || secretKeys.containsKey(key) || sectionKeys.containsKey(key))) {
                problems.add(key, noValue(key, s != null ? s : secretKeys.get(key)));
            } else if (s != null && s.isSecret() && e.getValue() != null) {
                problems.add(key, "a secret is never written in the file; name an environment variable with '" + s.envKey()
                        + ": VARIABLE' or a file with '" + s.fileKey() + ": /path' (the value given is not shown)");
            } else if (s == null && sectionKeys.containsKey(key)) {
                problems.add(key, notASection(key, e.getValue()));
            } else if (s == null && !secretKeys.containsKey(key)) {
                problems.add("unknown key '" + key + "'" + Suggestions.forUnknownKey(key, accepted) + problems.at(key));
            }
        }
        var values = new ConfigValues(source.origin(), this, problems);
        for (Setting<?> s : byKey.values()) {
            if (s.isSecret()) {
                @SuppressWarnings("unchecked")
                Setting<SecretValue> secret = (Setting<SecretValue>) s;
                readSecret(secret, source, values, problems);
            } else {
                read(s, raw, source.reads(s.key()), values, problems);
            }
        }
        return values;
    }

    /**
     * A key written with nothing after it ({@code key:}, {@code key: ~}, {@code section: {}}): an error, not the default,
     * as an unknown key is, since it is as likely a value left out by mistake.
     */
    private static String noValue(String key, Setting<?> s) {
        if (s == null) {
            return "has no value; remove the key to use the defaults of its settings, or give them under it";
        }
        if (s.isSecret()) {
            return "has no value; remove the key to leave " + s.key() + " " + s.defaultDescription()
                    + ", or name " + (key.equals(s.envKey()) ? "an environment variable" : "a file");
        }
        return "has no value; remove the key to use the default (" + s.defaultDescription() + ")";
    }

    /**
     * A section ({@code slack}, {@code airflow.database}) given a value or a list instead of its keys: an error, or the
     * value would be dropped and every setting under it would take its default. The value is not shown: a section may
     * hold a secret, and the value written in its place may be that secret ({@code slack: https://hooks.slack.com/…}).
     */
    private String notASection(String key, Object given) {
        List<String> under = new ArrayList<>(sectionKeys.get(key));
        String keys = String.join(", ", under.subList(0, Math.min(2, under.size())).stream().map(k -> k + ": …").toList())
                + (under.size() > 2 ? ", …" : "");
        String was = given instanceof List ? "a list" : given instanceof Boolean ? "a boolean"
                : given instanceof Number ? "a number" : "a text value";
        return "must be a section (" + keys + "), was " + was;
    }

    private static <T> void read(Setting<T> s, Map<String, Object> raw, boolean readFiles, ConfigValues values,
            ConfigProblems problems) {
        Object given = raw.get(s.key());
        if (given == null && raw.containsKey(s.key())) {
            values.failed(s); // reported as having no value
            return;
        }
        if (given == null) {
            if (s.presence() == Setting.Presence.REQUIRED) {
                problems.add(s.key(), "is required");
                values.failed(s);
            } else {
                values.defaulted(s, s.defaultValue().orElse(null));
            }
            return;
        }
        T value;
        try {
            value = s.type().parse(given);
        } catch (IllegalArgumentException e) {
            problems.add(s.key(), e.getMessage());
            values.failed(s);
            return;
        }
        Optional<String> problem = s.check(value, readFiles);
        if (problem.isPresent()) {
            problems.add(s.key(), problem.get());
            values.failed(s);
        } else {
            values.given(s, value);
        }
    }

    private static void readSecret(Setting<SecretValue> s, ConfigSource source, ConfigValues values, ConfigProblems problems) {
        Map<String, Object> raw = source.values();
        Object env = raw.get(s.envKey());
        Object file = raw.get(s.fileKey());
        if (raw.containsKey(s.key()) || (env == null && raw.containsKey(s.envKey()))
                || (file == null && raw.containsKey(s.fileKey()))) {
            values.failed(s); // the inline value, or a key with no value, was reported already
            return;
        }
        if (env != null && file != null) {
            problems.add(s.key(), "give either " + s.envKey() + " or " + s.fileKey() + ", not both");
            values.failed(s);
            return;
        }
        if (env == null && file == null) {
            if (s.presence() == Setting.Presence.REQUIRED) {
                problems.add(s.key(), "is required; give '" + s.envKey() + ": VARIABLE' or '" + s.fileKey() + ": /path'");
                values.failed(s);
            } else {
                values.defaulted(s, null);
            }
            return;
        }
        SecretValue secret = env != null ? fromEnv(s, env, source, problems) : fromFile(s, file, source, problems);
        if (secret == null) {
            values.failed(s);
            return;
        }
        Optional<String> problem = secret.isUnread() ? Optional.empty() : s.check(secret);
        if (problem.isPresent()) {
            problems.add(s.key(), problem.get());
            values.failed(s);
        } else {
            values.given(s, secret);
        }
    }

    private static SecretValue fromEnv(Setting<SecretValue> s, Object env, ConfigSource source, ConfigProblems problems) {
        // Never echo the value: people paste the secret itself here by mistake.
        if (!(env instanceof String variable) || !ConfigProblems.isVariableName(variable.strip())) {
            problems.add(s.envKey(), ConfigProblems.NOT_A_VARIABLE_NAME);
            return null;
        }
        String name = variable.strip();
        if (!source.reads(s.key())) {
            return SecretValue.unread("env " + name);
        }
        ConfigProblems.Lookup found = source.lookUpVariable(name);
        if (!found.found()) {
            problems.add(s.envKey(), found.problem());
            return null;
        }
        return SecretValue.fromEnv(name, found.value());
    }

    private static SecretValue fromFile(Setting<SecretValue> s, Object file, ConfigSource source, ConfigProblems problems) {
        if (!(file instanceof String name) || name.isBlank()) {
            problems.add(s.fileKey(), "must be the path of a file holding the secret (the value given is not shown)");
            return null;
        }
        Path path;
        try {
            path = Path.of(name.strip());
        } catch (InvalidPathException e) {
            problems.add(s.fileKey(), "must be the path of a file holding the secret (the value given is not shown)");
            return null;
        }
        if (!source.reads(s.key())) {
            return SecretValue.unread("file " + path);
        }
        try {
            String value = Files.readString(path).stripTrailing();
            if (value.isEmpty()) {
                problems.add(s.fileKey(), "file " + path + " is empty");
                return null;
            }
            return SecretValue.fromFile(path, value);
        } catch (NoSuchFileException e) {
            problems.add(s.fileKey(), ConfigProblems.SECRET_FILE_MISSING);
        } catch (AccessDeniedException e) {
            problems.add(s.fileKey(), "file " + path + " cannot be read (permission denied)");
        } catch (MalformedInputException e) {
            problems.add(s.fileKey(), "file " + path + " is not UTF-8 text");
        } catch (IOException e) {
            problems.add(s.fileKey(), "file " + path + (Files.isDirectory(path) ? " is a directory: name the file holding the secret"
                    : " cannot be read (" + e.getClass().getSimpleName() + ")"));
        }
        return null;
    }
}
