package io.airlock.core;

/**
 * Text of a bounded length that stays as distinct as the original: a value over the limit keeps its head, then {@code …#}
 * and 16 hex digits of the SHA-256 of the whole value. For attacker-controlled values (a Vault path, a request header, a
 * user name) that would otherwise make an event, a store value or an alert larger than Kafka takes.
 */
public final class BoundedText {

    /** Longest field of a {@link NormalizedEvent} kept as it is. */
    public static final int EVENT_FIELD_CHARS = 4_096;
    private static final int DIGEST_CHARS = 16;
    private static final String MARK = "…#";

    private BoundedText() {
    }

    /** {@code value} itself when at most {@code maxChars} long (or null), else its head and digest in exactly {@code maxChars}. */
    public static String of(String value, int maxChars) {
        if (value == null || value.length() <= maxChars) {
            return value;
        }
        int head = maxChars - MARK.length() - DIGEST_CHARS;
        if (Character.isHighSurrogate(value.charAt(head - 1))) {
            head--; // never split a surrogate pair
        }
        return value.substring(0, head) + MARK + StableIds.of(value).substring(0, DIGEST_CHARS);
    }
}
