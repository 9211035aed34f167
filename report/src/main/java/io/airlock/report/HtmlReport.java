package io.airlock.report;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The HTML report: one self-contained file (inline CSS and SVG charts, no script, no external font or image), so it opens
 * offline without a console error. Every value from the data is escaped: user names, DAG ids and Vault paths are
 * attacker-controlled.
 */
public final class HtmlReport {

    private HtmlReport() {
    }

    /** Writes the summary and charts of a report to {@code file}. */
    public static void write(Path file, ReportSummary summary, List<String> dataFiles) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(render(summary, dataFiles));
        }
    }

    static String render(ReportSummary summary, List<String> dataFiles) {
        StringBuilder h = new StringBuilder(16_384);
        ReportQuery q = summary.query();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">")
                .append("<title>Airlock audit report ").append(escape(q.from().toString())).append(" to ")
                .append(escape(q.to().toString())).append("</title><style>")
                .append("body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 16px}")
                .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}td.n{text-align:right}")
                .append("svg{display:block;margin:8px 0 24px;background:#fafafa}h2{margin-top:28px}")
                .append("</style></head><body>\n");
        h.append("<h1>Airlock audit report</h1>\n<p>Period: ").append(escape(q.from().toString())).append(" (inclusive) to ")
                .append(escape(q.to().toString())).append(" (exclusive), UTC.");
        if (!q.rules().isEmpty()) {
            h.append(" Rules: ").append(escape(String.join(", ", q.rules()))).append('.');
        }
        if (!q.users().isEmpty()) {
            h.append(" Users: ").append(escape(String.join(", ", q.users()))).append('.');
        }
        h.append("</p>\n<p>Records: ").append(escape(String.join(", ", dataFiles)))
                .append(". Check them with <code>airlock report verify DIR</code>; <code>manifest.json</code> holds every ")
                .append("file's SHA-256 and the hash chain head.</p>\n");

        h.append("<h2>Summary</h2>\n");
        table(h, List.of("what", "count"), summary.headline());
        if (!summary.missingIndexNote().isEmpty()) {
            h.append("<p>").append(escape(String.join(" ", summary.missingIndexNote()))).append("</p>\n");
        }
        if (!summary.approximationNote().isEmpty()) {
            h.append("<p>").append(escape(String.join(" ", summary.approximationNote()))).append("</p>\n");
        }
        h.append("<h3>Alerts per rule</h3>\n");
        table(h, List.of("rule", "alerts"), ReportSummary.rows(summary.alertsPerRule()));
        h.append("<h3>Alerts per severity</h3>\n");
        table(h, List.of("severity", "alerts"), ReportSummary.rows(summary.alertsPerSeverity()));
        h.append("<h3>Alerts per user or entity (top 20)</h3>\n");
        table(h, List.of("entity", "alerts"), ReportSummary.rows(summary.alertsPerEntity(20)));
        h.append("<h3>Events per dataset</h3>\n");
        table(h, List.of("dataset", "events"), ReportSummary.rows(summary.eventsPerDataset()));
        h.append("<h3>Sources covered</h3>\n");
        table(h, List.of("source", "first position", "last position", "events"), summary.sources().stream()
                .map(s -> List.of(s.source(), s.first() == null ? "" : Long.toString(s.first()),
                        s.last() == null ? "" : Long.toString(s.last()), Long.toString(s.events()))).toList());

        h.append("<h2>Charts</h2>\n");
        for (Chart chart : Chart.of(summary)) {
            h.append("<h3>").append(escape(chart.title())).append("</h3>\n").append(svg(chart)).append('\n');
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void table(StringBuilder h, List<String> header, List<List<String>> rows) {
        h.append("<table><tr>");
        header.forEach(c -> h.append("<th>").append(escape(c)).append("</th>"));
        h.append("</tr>\n");
        if (rows.isEmpty()) {
            h.append("<tr><td colspan=\"").append(header.size()).append("\">none</td></tr>\n");
        }
        for (List<String> row : rows) {
            h.append("<tr>");
            for (int i = 0; i < row.size(); i++) {
                h.append(i == 0 ? "<td>" : "<td class=\"n\">").append(escape(row.get(i))).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    /** An inline SVG bar chart. */
    static String svg(Chart chart) {
        StringBuilder s = new StringBuilder();
        int n = Math.max(1, chart.bars().size());
        long max = chart.max();
        if (chart.horizontal()) {
            int rowHeight = 22;
            int width = 900;
            int labelWidth = 260;
            int height = n * rowHeight + 20;
            s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"").append(width).append("\" height=\"")
                    .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\">");
            s.append("<title>").append(escape(chart.title())).append("</title>");
            int i = 0;
            for (Chart.Bar bar : chart.bars()) {
                int y = 10 + i * rowHeight;
                double w = (width - labelWidth - 80) * (double) bar.value() / max;
                s.append("<text x=\"").append(labelWidth - 6).append("\" y=\"").append(y + 15)
                        .append("\" font-size=\"12\" text-anchor=\"end\">").append(escape(shorten(bar.label(), 40))).append("</text>");
                s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#3b6fb6\"/>",
                        labelWidth, y + 2, Math.max(w, 1), rowHeight - 6));
                s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%d</text>",
                        labelWidth + Math.max(w, 1) + 4, y + 15, bar.value()));
                i++;
            }
            if (chart.bars().isEmpty()) {
                s.append("<text x=\"10\" y=\"24\" font-size=\"12\">no data</text>");
            }
            return s.append("</svg>").toString();
        }
        int width = 900;
        int height = 260;
        int left = 50;
        int bottom = 40;
        int plotHeight = height - bottom - 20;
        double slot = (width - left - 10) / (double) n;
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\">");
        s.append("<title>").append(escape(chart.title())).append("</title>");
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>", left, height - bottom,
                width - 10, height - bottom));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%d</text>", left - 4, 24, max));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">0</text>", left - 4,
                height - bottom));
        int labelEvery = Math.max(1, (int) Math.ceil(n / 24.0));
        int i = 0;
        for (Chart.Bar bar : chart.bars()) {
            double barHeight = plotHeight * (double) bar.value() / max;
            double x = left + i * slot + slot * 0.15;
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#3b6fb6\"><title>%s: %d</title></rect>",
                    x, height - bottom - barHeight, slot * 0.7, barHeight, escape(bar.label()), bar.value()));
            if (i % labelEvery == 0) {
                s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%s</text>",
                        x + slot * 0.35, height - bottom + 14, escape(shorten(bar.label(), 10))));
            }
            i++;
        }
        if (chart.bars().isEmpty()) {
            s.append("<text x=\"").append(left + 10).append("\" y=\"40\" font-size=\"12\">no data</text>");
        }
        return s.append("</svg>").toString();
    }

    static String shorten(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // never cut a character outside the BMP (an emoji) in half: a lone surrogate cannot be written as UTF-8
        }
        return text.substring(0, end) + "…";
    }

    /**
     * Escapes text for HTML element content and quoted attribute values; invisible format characters (bidi overrides,
     * zero-width joiners, direction marks) show as {@code ?}, so a name can neither reorder the page nor pass for another.
     */
    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    int codePoint = text.codePointAt(i);
                    if (Character.getType(codePoint) == Character.FORMAT) {
                        out.append('?'); // invisible: a bidi override, a zero-width joiner, a direction mark, a tag
                        i += Character.charCount(codePoint) - 1;
                    } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                        out.append(c).append(text.charAt(++i));
                    } else if (c < 0x20 && c != '\n' && c != '\t' || Character.isSurrogate(c)) {
                        out.append("&#xFFFD;");
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
