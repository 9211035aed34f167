package io.airlock.core.config;

import java.util.List;

/** A configuration that cannot be used; the message lists every problem, numbered. Never contains a secret value. */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String origin;
    private final transient List<String> problems;

    public ConfigException(String origin, List<String> problems) {
        super(message(origin, problems));
        this.origin = origin;
        this.problems = List.copyOf(problems);
    }

    /** What was read: a file name or {@link io.airlock.core.config.ConfigSource#DEFAULTS_ORIGIN defaults}. */
    public String origin() {
        return origin;
    }

    /** The problems, one plain sentence each. */
    public List<String> problems() {
        return problems;
    }

    private static String message(String origin, List<String> problems) {
        var s = new StringBuilder(origin).append(": ").append(problems.size())
                .append(problems.size() == 1 ? " problem" : " problems");
        for (int i = 0; i < problems.size(); i++) {
            s.append(System.lineSeparator()).append("  ").append(i + 1).append(". ").append(problems.get(i));
        }
        return s.toString();
    }
}
