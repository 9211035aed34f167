package io.airlock.alerting;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A secret value (OpenSearch password, Slack webhook URL, PagerDuty routing key). Its {@link #toString()} never reveals
 * the value, so it is safe in records, log lines and exception messages; only {@link #reveal()} gives it out.
 */
public final class Secret {

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "secret");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a secret must not be empty");
        }
    }

    /** Wraps a secret value. */
    public static Secret of(String value) {
        return new Secret(value);
    }

    /**
     * Reads a secret from an environment variable.
     *
     * @throws IllegalStateException if the variable is unset or empty (the message names the variable, never a value)
     */
    public static Secret fromEnv(String variable) {
        String value = System.getenv(variable);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException("environment variable " + variable + " is not set");
        }
        return new Secret(value);
    }

    /**
     * Secrets shorter than this are removed where they stand alone only: replaced inside words, a password {@code on} would
     * turn "connection" into "c****nection", garbling the message and pointing at the secret.
     */
    private static final int SHORT = 4;

    private String wholeWords(String text) {
        return Pattern.compile("(?<![\\p{Alnum}])" + Pattern.quote(value) + "(?![\\p{Alnum}])").matcher(text)
                .replaceAll("****");
    }

    /** The secret itself; use it only where it is sent, never where it is printed. */
    public String reveal() {
        return value;
    }

    /**
     * Removes this secret from a text (an exception or response message) before it is logged or stored. For a URL
     * secret (a webhook) its path, query and every path segment of 8 or more characters are removed too, since
     * servers like to echo those.
     */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = value.length() < SHORT ? wholeWords(text) : text.replace(value, "****");
        try {
            URI uri = new URI(value);
            if (uri.isAbsolute()) {
                for (String part : new String[] {uri.getRawQuery(), uri.getRawPath()}) {
                    if (part != null && part.length() > 1) {
                        out = out.replace(part, "****");
                    }
                }
                if (uri.getRawPath() != null) {
                    for (String segment : uri.getRawPath().split("/")) {
                        if (segment.length() >= 8) {
                            out = out.replace(segment, "****");
                        }
                    }
                }
            }
        } catch (URISyntaxException notAUrl) {
            // a plain secret: the value itself is gone already
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && value.equals(other.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "****";
    }
}
