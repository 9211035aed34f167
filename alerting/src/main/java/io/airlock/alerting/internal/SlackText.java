package io.airlock.alerting.internal;

/**
 * Makes untrusted text (entity, summary, DAG ids, user names from Airflow and Vault) safe for Slack {@code mrkdwn}.
 * Slack only interprets control sequences inside {@code <...>} ({@code <!channel>}, {@code <@U123>},
 * {@code <http://x|label>}) and entities starting with {@code &}, so escaping {@code & < >} as Slack documents it makes
 * pings and forged links impossible. Control characters (newlines included, for single-line fields) are flattened so
 * a value cannot fake extra lines, invisible format characters show as {@code ?} so a value cannot pass for another
 * ({@code ad\u200Dmin} for {@code admin}) or reorder what is shown, and text is cut to Slack's limits with an ellipsis without splitting an escape or
 * a surrogate pair.
 */
public final class SlackText {

    static final String ELLIPSIS = "…";

    private SlackText() {
    }

    /** Escapes {@code &}, {@code <} and {@code >} as Slack requires; null becomes the empty string. */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * Replaces every run of control characters, line and paragraph separators and white space by one space, and every
     * invisible format character (bidi overrides, zero-width joiners, direction marks, soft hyphens) by {@code ?}; trims.
     */
    public static String singleLine(String text) {
        return flatten(text, false);
    }

    /** Like {@link #singleLine} but keeps {@code \n} line breaks (for multi-line section text). */
    public static String multiLine(String text) {
        return flatten(text, true);
    }

    /** An escaped, flattened, truncated single-line value: what every untrusted field goes through. */
    public static String field(String untrusted, int maxChars) {
        return truncate(escape(singleLine(untrusted)), maxChars);
    }

    /** An escaped, truncated value that may span lines. */
    public static String block(String untrusted, int maxChars) {
        return truncate(escape(multiLine(untrusted)), maxChars);
    }

    /**
     * Cuts (already escaped) text to at most {@code maxChars} UTF-16 chars, ending with an ellipsis when cut, never
     * inside an {@code &amp;}-style entity or a surrogate pair.
     */
    public static String truncate(String text, int maxChars) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars must be positive");
        }
        if (text == null || text.length() <= maxChars) {
            return text == null ? "" : text;
        }
        int end = maxChars - ELLIPSIS.length();
        if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        int amp = text.lastIndexOf('&', end - 1);
        if (amp >= 0 && amp > end - 5) {
            int semi = text.indexOf(';', amp);
            if (semi < 0 || semi >= end) {
                end = amp; // the cut would split an entity: drop it whole
            }
        }
        return text.substring(0, Math.max(end, 0)) + ELLIPSIS;
    }

    private static String flatten(String text, boolean keepNewlines) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        boolean pendingSpace = false;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (keepNewlines && c == '\n') {
                trimTrailingSpace(out);
                out.append('\n');
                pendingSpace = false;
            } else if (breaksLines(c) || Character.isWhitespace(c)) {
                pendingSpace = out.length() > 0 && out.charAt(out.length() - 1) != '\n';
            } else {
                if (pendingSpace) {
                    out.append(' ');
                    pendingSpace = false;
                }
                // Invisible format characters (zero-width joiners, direction marks and overrides, soft hyphens, tags)
                // would make "ad\u200Dmin" look like "admin" or reorder what is shown: they are shown as '?'.
                out.appendCodePoint(Character.getType(c) == Character.FORMAT ? '?' : c);
            }
        }
        return out.toString().strip();
    }

    private static void trimTrailingSpace(StringBuilder out) {
        while (out.length() > 0 && out.charAt(out.length() - 1) == ' ') {
            out.setLength(out.length() - 1);
        }
    }

    private static boolean breaksLines(int c) {
        return Character.isISOControl(c)
                || c == '\u2028' || c == '\u2029'; // line and paragraph separators
    }
}
