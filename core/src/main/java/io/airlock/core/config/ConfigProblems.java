package io.airlock.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Every problem found in a configuration, in plain words, so they can be reported all at once
 * ({@code airflow.database.port: must be 1..65535, was 70000}). Problems never contain a secret value.
 */
public final class ConfigProblems {

    /**
     * A {@code <secret>-file} key naming no file. Its value is not repeated: a secret written where its file's path belongs
     * (a webhook URL under {@code webhook-url-file}) would otherwise be printed.
     */
    public static final String SECRET_FILE_MISSING =
            "the file it names does not exist (the value given is not shown: it may be the secret itself, written where its file's path belongs)";

    /** Environment variable names as they are written by convention; others are not repeated in problems. */
    private static final Pattern CONVENTIONAL_VARIABLE = Pattern.compile("[A-Z_][A-Z0-9_]*");

    private final List<String> problems = new ArrayList<>();
    private final ConfigSource source;

    /** Problems of a file: each problem of a key written in it ends with the key's line, {@code (line 3)}. */
    public ConfigProblems(ConfigSource source) {
        this.source = source;
    }

    /**
     * A {@code <secret>-env} key naming a variable that is not set. The name is repeated only when it is written as
     * variable names are ({@code PD_ROUTING_KEY}): a PagerDuty routing key (32 letters and digits) pasted there is a
     * valid name too, and must not be printed.
     */
    public static String unsetVariable(String name) {
        return CONVENTIONAL_VARIABLE.matcher(name).matches() ? "environment variable " + name + " is not set"
                : "the environment variable it names is not set (the name is not shown: not written in upper case, it may "
                        + "be the secret itself)";
    }

    /** As {@link #unsetVariable}, for a variable that is set but empty (or only a line break). */
    public static String emptyVariable(String name) {
        return CONVENTIONAL_VARIABLE.matcher(name).matches() ? "environment variable " + name + " is set but empty"
                : "the environment variable it names is set but empty (the name is not shown: not written in upper case, it "
                        + "may be the secret itself)";
    }

    /**
     * A {@code <secret>-env} key or {@code --…-env} option whose value is no variable name: most likely the secret itself,
     * pasted there, so it is not shown.
     */
    public static final String NOT_A_VARIABLE_NAME = "must be the name of an environment variable (letters, digits and '_'), "
            + "not the secret itself (the value given is not shown)";

    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Whether {@code text} can name an environment variable (letters, digits and '_', not starting with a digit). */
    public static boolean isVariableName(String text) {
        return text != null && VARIABLE_NAME.matcher(text).matches();
    }

    /**
     * The secret held by environment variable {@code name} (a trailing line break left out, as a variable filled from a file
     * often has one), or the problem with it, never showing a value that may be the secret: {@code name} not a variable
     * name ({@link #NOT_A_VARIABLE_NAME}), not set, or empty.
     */
    public static Lookup lookUpVariable(String name, java.util.Map<String, String> env) {
        String variable = name == null ? "" : name.strip();
        if (!isVariableName(variable)) {
            return new Lookup(null, NOT_A_VARIABLE_NAME);
        }
        String raw = env.get(variable);
        if (raw == null) {
            return new Lookup(null, unsetVariable(variable));
        }
        String value = raw.replaceFirst("[\r\n]+$", "");
        return value.isEmpty() ? new Lookup(null, emptyVariable(variable)) : new Lookup(value, null);
    }

    /** What {@link #lookUpVariable} found: the value, or the problem. */
    public record Lookup(String value, String problem) {
        public boolean found() {
            return value != null;
        }

        @Override
        public String toString() {
            return found() ? "Lookup[found]" : "Lookup[" + problem + "]";
        }
    }

    /** A problem with one key: {@code <key>: <message>}, and {@code (line N)} when the key is written in the file. */
    public void add(String key, String message) {
        problems.add(key + ": " + message + at(key));
    }

    /**
     * {@code " (line N)"}: where {@code key} is written in the file, or where the secret {@code key} is named (its
     * {@code -env} or {@code -file} key); empty when it is not written there.
     */
    public String at(String key) {
        OptionalInt line = source.line(key);
        for (String suffix : List.of("-env", "-file")) {
            line = line.isPresent() ? line : source.line(key + suffix);
        }
        return line.isPresent() ? " (line " + line.getAsInt() + ")" : "";
    }

    /** A problem not tied to one key. */
    public void add(String message) {
        problems.add(message);
    }

    public void addAll(List<String> more) {
        problems.addAll(more);
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    public List<String> all() {
        return List.copyOf(problems);
    }

    /**
     * @param origin what was read, e.g. the file name
     * @throws ConfigException listing every problem, if there is any
     */
    public void throwIfAny(String origin) {
        if (!problems.isEmpty()) {
            throw new ConfigException(origin, problems);
        }
    }

    @Override
    public String toString() {
        return problems.toString();
    }
}
