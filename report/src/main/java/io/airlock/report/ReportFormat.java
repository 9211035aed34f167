package io.airlock.report;

import java.util.Locale;

/**
 * Output formats. The records are written as {@link #JSONL} or {@link #CSV} data files (CSV when asked for, else JSON
 * lines); {@link #HTML} and {@link #PDF} add a document with the summary and charts.
 */
public enum ReportFormat {
    CSV("csv"),
    JSONL("jsonl"),
    HTML("html"),
    PDF("pdf");

    private final String extension;

    ReportFormat(String extension) {
        this.extension = extension;
    }

    /** File extension without the dot. */
    public String extension() {
        return extension;
    }

    /** Whether this format holds the records themselves (and so the hash chain). */
    public boolean holdsRecords() {
        return this == CSV || this == JSONL;
    }

    /** {@code csv}, {@code jsonl}, {@code html} or {@code pdf}, any case. */
    public static ReportFormat parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown report format '" + text + "', expected csv, jsonl, html or pdf");
        }
    }
}
