package io.airlock.core;

/**
 * Text from the sources (user names, DAG ids, Vault identities and paths) made safe to print on a terminal or a log line:
 * control characters (escape sequences, carriage returns, newlines), line and paragraph separators and invisible format
 * characters (bidi embeddings, overrides and isolates, zero-width joiners, direction marks, soft hyphens) each become
 * {@code ?}, so a value can neither drive the terminal, forge a line, reorder what is shown, nor pass for another
 * ({@code ad\u200Dmin} for {@code admin}). The value itself stays unchanged everywhere else (events, alerts, the index).
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
        int type = Character.getType(c);
        return Character.isISOControl(c) || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.FORMAT; // bidi controls, zero-width joiners, direction marks, soft hyphens, tags
    }
}
