package io.airlock.report;

/**
 * Keeps CSV cells from being run as formulas when the file is opened in a spreadsheet (CSV/formula injection): a value
 * starting with {@code =}, {@code +}, {@code -}, {@code @}, a tab or a carriage return gets a leading apostrophe. So that the
 * original value can always be recovered (the hash chain is over the original), a value that starts with an apostrophe gets
 * one more as well: {@link #restore(String)} drops exactly one leading apostrophe.
 */
public final class CsvSafety {

    private CsvSafety() {
    }

    /** The cell text for a value. */
    public static String neutralize(String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        char first = value.charAt(0);
        return switch (first) {
            case '=', '+', '-', '@', '\t', '\r', '\'' -> "'" + value;
            default -> value;
        };
    }

    /** The value of a cell written by {@link #neutralize(String)}. */
    public static String restore(String cell) {
        return cell != null && cell.startsWith("'") ? cell.substring(1) : cell;
    }
}
