package io.airlock.report;

/**
 * Keeps CSV cells from being run as formulas when the file is opened in a spreadsheet (CSV/formula injection): a value
 * starting with {@code =}, {@code +}, {@code -}, {@code @}, a tab or a carriage return gets a leading apostrophe. So does a
 * value whose first character after leading whitespace (spaces, line feeds, U+2028/U+2029, no-break and other Unicode
 * spaces) is one of those, and one starting with their fullwidth forms {@code ＝ ＋ － ＠}: spreadsheets trim the whitespace
 * or normalize the fullwidth forms before they decide what a cell is, so {@code " =HYPERLINK(…)"} runs as well. So that the
 * original value can always be recovered (the hash chain is over the original), a value that starts with an apostrophe gets
 * one more as well: {@link #restore(String)} drops exactly one leading apostrophe.
 *
 * <p>Reports written before the whitespace and fullwidth forms were guarded checked the first character only; their CSV
 * files are read with {@link Guard#FIRST_CHARACTER}, so they still verify. The manifest's CSV file entries say which guard
 * wrote them ({@value #GUARD_KEY}).
 */
public final class CsvSafety {

    /** The manifest key, on a CSV file's entry, naming the guard its cells were written with; absent: {@link Guard#FIRST_CHARACTER}. */
    public static final String GUARD_KEY = "formula_guard";

    /** Which leading characters got the apostrophe. */
    public enum Guard {
        /** Reports written before the guard looked past leading whitespace: only the first character counts. */
        FIRST_CHARACTER("first-character"),
        /** The first character, and the first one after leading whitespace, including fullwidth forms. */
        AFTER_WHITESPACE("after-whitespace");

        private final String manifestName;

        Guard(String manifestName) {
            this.manifestName = manifestName;
        }

        public String manifestName() {
            return manifestName;
        }

        /** The guard a manifest's file entry names; absent or unknown: {@link #FIRST_CHARACTER}, what older reports used. */
        public static Guard ofManifestName(String name) {
            return AFTER_WHITESPACE.manifestName.equals(name) ? AFTER_WHITESPACE : FIRST_CHARACTER;
        }
    }

    /** The guard reports are written with. */
    public static final Guard CURRENT = Guard.AFTER_WHITESPACE;

    private CsvSafety() {
    }

    /** The cell text for a value, as reports are written now. */
    public static String neutralize(String value) {
        return neutralize(value, CURRENT);
    }

    /** The cell text for a value under a guard. */
    public static String neutralize(String value, Guard guard) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        char first = value.charAt(0);
        if (guard == Guard.FIRST_CHARACTER) {
            return switch (first) {
                case '=', '+', '-', '@', '\t', '\r', '\'' -> "'" + value;
                default -> value;
            };
        }
        int i = 0;
        while (i < value.length() && isBlank(value.codePointAt(i))) {
            i += Character.charCount(value.codePointAt(i));
        }
        boolean guarded = first == '\t' || first == '\r' || i < value.length() && startsFormula(value.charAt(i));
        return guarded ? "'" + value : value;
    }

    /** A formula's first character, in ASCII or fullwidth, or the apostrophe (so that {@link #restore} is exact). */
    private static boolean startsFormula(char c) {
        return switch (c) {
            case '=', '+', '-', '@', '\'', '＝', '＋', '－', '＠' -> true;
            default -> false;
        };
    }

    /** What a spreadsheet may trim before it reads a cell: Unicode whitespace and spaces, the BOM, zero-width space and NEL. */
    private static boolean isBlank(int codePoint) {
        return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint) || codePoint == '\uFEFF'
                || codePoint == '\u200B' || codePoint == '\u0085';
    }

    /** The value of a cell written by {@link #neutralize(String)}. */
    public static String restore(String cell) {
        return cell != null && cell.startsWith("'") ? cell.substring(1) : cell;
    }
}
