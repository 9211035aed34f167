package io.airlock.core;

/**
 * Text of a bounded length that stays as distinct as the original: a value over the limit keeps its head, then {@code …#}
 * and 16 hex digits of the SHA-256 of the whole value (its UTF-8 bytes). For attacker-controlled values (a Vault path, a
 * request header, a user name) that would otherwise make an event, a store value or an alert larger than Kafka takes.
 *
 * <p>The bounded form is at most {@code maxChars} long, so {@link #of} leaves it as it is: bounding twice is bounding once.
 * The Vault capture relies on that — it cuts the strings of an over-long audit line to this very form while it reads the
 * line, and the event of the cut line is then the event of the whole one.
 */
public final class BoundedText {

    /** Longest field of a {@link NormalizedEvent} kept as it is. */
    public static final int EVENT_FIELD_CHARS = 4_096;
    /** Hex digits of the digest that ends a bounded value. */
    public static final int DIGEST_CHARS = 16;
    /** What separates the kept head of a bounded value from the digest. */
    public static final String MARK = "…#";

    private BoundedText() {
    }

    /** {@code value} itself when at most {@code maxChars} long (or null), else its head and digest in exactly {@code maxChars}. */
    public static String of(String value, int maxChars) {
        if (value == null || value.length() <= maxChars) {
            return value;
        }
        int head = headChars(maxChars);
        if (Character.isHighSurrogate(value.charAt(head - 1))) {
            head--; // never split a surrogate pair
        }
        return value.substring(0, head) + MARK + StableIds.of(value).substring(0, DIGEST_CHARS);
    }

    /** Characters of its head a value over {@code maxChars} keeps (one fewer when the last is a high surrogate). */
    public static int headChars(int maxChars) {
        return maxChars - MARK.length() - DIGEST_CHARS;
    }
}
