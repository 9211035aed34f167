package io.airlock.core;

/**
 * Text from the sources (user names, DAG ids, Vault identities and paths) made safe to print on a terminal or a log line:
 * control characters (escape sequences, carriage returns, newlines), line and paragraph separators and bidi embeddings,
 * overrides and isolates each become {@code ?}, so a value can neither drive the terminal, forge a line, nor reorder
 * what is shown. The value itself stays unchanged everywhere else (events, alerts, the index).
 */
public final class PrintableText {

    private PrintableText() {
    }

    /** {@code text} with every unsafe character replaced by {@code ?}; null stays null. */
    public static String of(String text) {
        if (text == null || text.codePoints().noneMatch(PrintableText::unsafe)) {
            return text;
        }
        return text.codePoints().map(c -> unsafe(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    private static boolean unsafe(int c) {
        return Character.isISOControl(c)
                || Character.getType(c) == Character.LINE_SEPARATOR || Character.getType(c) == Character.PARAGRAPH_SEPARATOR
                || c >= '\u202A' && c <= '\u202E' // bidi embeddings and overrides
                || c >= '\u2066' && c <= '\u2069'; // bidi isolates
    }
}
