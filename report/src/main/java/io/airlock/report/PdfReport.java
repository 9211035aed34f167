package io.airlock.report;

import java.awt.Color;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDType0Font;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * The PDF report, drawn with Apache PDFBox: the same summary tables and charts as {@link HtmlReport}, on A4 pages. Text
 * uses DejaVu Sans, embedded as a subset, so user names and paths in Latin, Greek, Cyrillic and other scripts it covers
 * print as written (right-to-left scripts left to right, unshaped); characters it has no glyph for (CJK, for one) and
 * control characters print as {@code ?}. Without the font on the class path the report falls back to Helvetica.
 */
public final class PdfReport {

    private static final float MARGIN = 50;
    private static final Color BAR = new Color(0x3b, 0x6f, 0xb6);

    /** Where {@code net.sf.jasperreports:jasperreports-fonts} keeps DejaVu. */
    private static final String FONTS = "/net/sf/jasperreports/fonts/dejavu/";

    private final PDDocument document;
    private final PDFont regular;
    private final PDFont bold;
    private PDPageContentStream page;
    private float y;

    private PdfReport(PDDocument document) throws IOException {
        this.document = document;
        regular = font("DejaVuSans.ttf", Standard14Fonts.FontName.HELVETICA);
        bold = font("DejaVuSans-Bold.ttf", Standard14Fonts.FontName.HELVETICA_BOLD);
    }

    private PDFont font(String file, Standard14Fonts.FontName fallback) throws IOException {
        try (InputStream in = PdfReport.class.getResourceAsStream(FONTS + file)) {
            return in == null ? new PDType1Font(fallback) : PDType0Font.load(document, in, true);
        }
    }

    /** Writes the summary and charts of a report to {@code file}. */
    public static void write(Path file, ReportSummary summary, List<String> dataFiles) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            new PdfReport(doc).render(summary, dataFiles);
            doc.save(file.toFile());
        }
    }

    private void render(ReportSummary summary, List<String> dataFiles) throws IOException {
        ReportQuery q = summary.query();
        PDDocumentInformation info = document.getDocumentInformation();
        info.setTitle("Airlock audit report " + q.from() + " to " + q.to());
        info.setCreator("airlock report");
        newPage();
        text(bold, 18, "Airlock audit report");
        text(regular, 10, "Period: " + q.from() + " (inclusive) to " + q.to() + " (exclusive), UTC");
        if (!q.rules().isEmpty()) {
            text(regular, 10, "Rules: " + String.join(", ", q.rules()));
        }
        if (!q.users().isEmpty()) {
            text(regular, 10, "Users: " + String.join(", ", q.users()));
        }
        text(regular, 10, "Records: " + String.join(", ", dataFiles) + "; verify with: airlock report verify DIR");
        gap(10);
        heading("Summary");
        table(summary.headline());
        for (String line : summary.missingIndexNote()) {
            text(regular, 9, line);
        }
        for (String line : summary.approximationNote()) {
            text(regular, 9, line);
        }
        heading("Alerts per rule");
        table(ReportSummary.rows(summary.alertsPerRule()));
        heading("Alerts per severity");
        table(ReportSummary.rows(summary.alertsPerSeverity()));
        heading("Alerts per user or entity (top 20)");
        table(ReportSummary.rows(summary.alertsPerEntity(20)));
        heading("Events per dataset");
        table(ReportSummary.rows(summary.eventsPerDataset()));
        heading("Sources covered (first / last position, events)");
        table(summary.sources().stream().map(s -> List.of(s.source(), (s.first() == null ? "-" : s.first()) + " / "
                + (s.last() == null ? "-" : s.last()) + "   " + s.events())).toList());
        for (Chart chart : Chart.of(summary)) {
            chart(chart);
        }
        page.close();
    }

    private void newPage() throws IOException {
        if (page != null) {
            page.close();
        }
        PDPage p = new PDPage(PDRectangle.A4);
        document.addPage(p);
        page = new PDPageContentStream(document, p);
        y = PDRectangle.A4.getHeight() - MARGIN;
    }

    private void need(float height) throws IOException {
        if (y - height < MARGIN) {
            newPage();
        }
    }

    private void gap(float height) {
        y -= height;
    }

    private void heading(String title) throws IOException {
        need(40);
        gap(8);
        text(bold, 12, title);
    }

    private void text(PDFont font, float size, String text) throws IOException {
        need(size + 4);
        y -= size + 4;
        show(font, size, MARGIN, y, shorten(text, 110));
    }

    private void show(PDFont font, float size, float x, float atY, String text) throws IOException {
        page.beginText();
        page.setFont(font, size);
        page.newLineAtOffset(x, atY);
        page.showText(printable(font, text));
        page.endText();
    }

    private void table(List<List<String>> rows) throws IOException {
        if (rows.isEmpty()) {
            text(regular, 10, "none");
            return;
        }
        for (List<String> row : rows) {
            need(14);
            y -= 14;
            show(regular, 10, MARGIN + 10, y, shorten(row.get(0), 60));
            show(regular, 10, MARGIN + 330, y, row.get(1));
        }
    }

    private void chart(Chart chart) throws IOException {
        float width = PDRectangle.A4.getWidth() - 2 * MARGIN;
        int n = Math.max(1, chart.bars().size());
        float height = chart.horizontal() ? n * 16 + 10 : 180;
        need(height + 50);
        heading(chart.title());
        long max = chart.max();
        float top = y - 6;
        if (chart.bars().isEmpty()) {
            text(regular, 10, "no data");
            return;
        }
        page.setNonStrokingColor(BAR);
        if (chart.horizontal()) {
            float labelWidth = 170;
            for (int i = 0; i < chart.bars().size(); i++) {
                Chart.Bar bar = chart.bars().get(i);
                float rowY = top - (i + 1) * 16;
                float w = Math.max(1, (width - labelWidth - 50) * bar.value() / max);
                page.setNonStrokingColor(BAR);
                page.addRect(MARGIN + labelWidth, rowY, w, 11);
                page.fill();
                page.setNonStrokingColor(Color.BLACK);
                show(regular, 9, MARGIN, rowY + 2, shorten(bar.label(), 32));
                show(regular, 9, MARGIN + labelWidth + w + 4, rowY + 2, Long.toString(bar.value()));
            }
        } else {
            float left = MARGIN + 30;
            float plot = height - 30;
            float base = top - height + 15;
            float slot = (width - 30) / n;
            for (int i = 0; i < chart.bars().size(); i++) {
                Chart.Bar bar = chart.bars().get(i);
                float h = plot * bar.value() / max;
                page.setNonStrokingColor(BAR);
                page.addRect(left + i * slot + slot * 0.15f, base, slot * 0.7f, h);
                page.fill();
            }
            page.setStrokingColor(Color.DARK_GRAY);
            page.moveTo(left, base);
            page.lineTo(left + width - 30, base);
            page.stroke();
            page.setNonStrokingColor(Color.BLACK);
            show(regular, 8, MARGIN, base + plot - 8, Long.toString(max));
            show(regular, 8, MARGIN, base, "0");
            int labelEvery = Math.max(1, (int) Math.ceil(n / 12.0));
            for (int i = 0; i < chart.bars().size(); i += labelEvery) {
                show(regular, 7, left + i * slot, base - 10, shorten(chart.bars().get(i).label(), 10));
            }
        }
        page.setNonStrokingColor(Color.BLACK);
        y = top - height - 10;
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "~";
    }

    /** Replaces what {@code font} has no glyph for, control characters and invisible format characters with {@code ?}. */
    static String printable(PDFont font, String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            String ch = new String(Character.toChars(cp));
            try {
                font.encode(ch);
                out.append(Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT ? "?" : ch);
            } catch (IOException | IllegalArgumentException e) {
                out.append('?');
            }
        });
        return out.toString();
    }
}
