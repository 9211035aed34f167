package io.airlock.core.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A secret read from the environment or a file (a password, a webhook URL, a routing key). It knows where it came from,
 * and that is all its {@link #toString()} shows ({@code <set from env SLACK_WEBHOOK_URL>}), so it is safe in records,
 * summaries, log lines and exception messages; only {@link #reveal()} gives the value out.
 */
public final class SecretValue {

    private final String value;
    private final String origin;
    private final boolean unread;

    private SecretValue(String value, String origin) {
        this(value, origin, false);
    }

    private SecretValue(String value, String origin, boolean unread) {
        this.value = Objects.requireNonNull(value, "secret");
        this.origin = Objects.requireNonNull(origin, "origin");
        this.unread = unread;
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a secret must not be empty (" + origin + ")");
        }
    }

    /** A secret read from environment variable {@code variable}. */
    public static SecretValue fromEnv(String variable, String value) {
        return new SecretValue(value, "env " + variable);
    }

    /** A secret read from {@code file}. */
    public static SecretValue fromFile(Path file, String value) {
        return new SecretValue(value, "file " + file);
    }

    /**
     * A secret that is configured at {@code origin} but was deliberately not read ({@link ConfigSource#withoutSecrets()});
     * its value is a stand-in that reaches nothing.
     */
    public static SecretValue unread(String origin) {
        return new SecretValue("unread", origin + " (not read)", true);
    }

    /** True for {@link #unread}: there is no real value to check or send. */
    public boolean isUnread() {
        return unread;
    }

    /** Where the secret came from, e.g. {@code env SLACK_WEBHOOK_URL} or {@code file /run/secrets/db}; never the value. */
    public String origin() {
        return origin;
    }

    /** The secret itself; use it only where it is sent, never where it is printed. */
    public String reveal() {
        return value;
    }

    /** Replaces every occurrence of the secret in {@code text} by {@code ****}. */
    public String redact(String text) {
        return text == null ? null : text.replace(value, "****");
    }

    /** Only where the value came from, never the value. */
    @Override
    public String toString() {
        return "<set from " + origin + ">";
    }
}
