package io.airlock.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.airlock.core.Alert;
import io.airlock.core.Severity;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PDF renders to non-blank pages ({@code pdftoppm}, Debian's poppler-utils); the HTML opens in headless Chromium
 * (Debian's chromium) without console messages and its charts are drawn. {@code .ci/run} installs both, so these run in CI.
 */
class RenderedReportTest {

    private static final ReportQuery QUERY = new ReportQuery(SampleData.DAY, SampleData.DAY.plusSeconds(2 * 86_400), List.of(), List.of());
    /** The bar colour of every chart. */
    private static final int BAR_RGB = 0x3b6fb6;

    @TempDir
    Path tmp;
    private Path report;

    @BeforeEach
    void export() throws IOException {
        report = tmp.resolve("report");
        new ReportExporter(SampleData.source(SampleData.events(), SampleData.alerts()), ReportProgress.NONE, Clock.systemUTC())
                .export(QUERY, EnumSet.of(ReportFormat.JSONL, ReportFormat.HTML, ReportFormat.PDF), report, Optional.empty());
    }

    @Test
    void shouldRenderThePdfToNonBlankPagesWithCharts() throws Exception {
        assumeTrue(onPath("pdftoppm"), "pdftoppm (poppler-utils) is not installed");
        Path pages = Files.createDirectories(tmp.resolve("pages"));

        Process process = new ProcessBuilder("pdftoppm", "-r", "60", "-png", report.resolve("report.pdf").toString(),
                pages.resolve("page").toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();

        List<Path> pngs;
        try (Stream<Path> files = Files.list(pages)) {
            pngs = files.sorted().toList();
        }
        assertThat(pngs).isNotEmpty();
        long barPixels = 0;
        for (Path png : pngs) {
            BufferedImage image = ImageIO.read(png.toFile());
            assertThat(variance(image)).as("page %s is blank", png.getFileName()).isGreaterThan(100);
            barPixels += pixelsNear(image, BAR_RGB);
        }
        assertThat(barPixels).as("chart bars drawn").isGreaterThan(200);
    }

    @Test
    void shouldOpenTheHtmlInChromiumWithoutConsoleMessagesAndDrawTheCharts() throws Exception {
        String chromium = Stream.of("chromium", "chromium-browser").filter(RenderedReportTest::onPath).findFirst().orElse(null);
        assumeTrue(chromium != null, "chromium is not installed");
        Path profile = Files.createDirectories(tmp.resolve("profile"));
        Path screenshot = tmp.resolve("screenshot.png");
        List<String> command = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0", "--window-size=1200,2000",
                "--screenshot=" + screenshot, report.resolve("report.html").toUri().toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();

        assertThat(log.lines().filter(line -> line.contains("CONSOLE"))).as(log).isEmpty();
        assertThat(screenshot).exists();
        BufferedImage image = ImageIO.read(screenshot.toFile());
        assertThat(variance(image)).isGreaterThan(100);
        assertThat(pixelsNear(image, BAR_RGB)).as("chart bars drawn").isGreaterThan(500);
    }

    @Test
    void shouldShowTheHtmlsTablesInThePdfToo() throws IOException {
        String text;
        try (var pdf = org.apache.pdfbox.Loader.loadPDF(report.resolve("report.pdf").toFile())) {
            text = new org.apache.pdfbox.text.PDFTextStripper().getText(pdf);
        }
        String html = Files.readString(report.resolve("report.html"));

        for (String table : List.of("Alerts per rule", "Alerts per severity", "Alerts per user or entity (top 20)", "Events per dataset",
                "Sources covered")) {
            assertThat(html).contains("<h3>" + table);
            assertThat(text).contains(table);
        }
        assertThat(text).contains("airflow.log").contains("vault.audit").contains("failed logins 5");
    }

    @Test
    void shouldPrintNonLatinNamesInThePdfAsWritten() throws IOException {
        List<Alert> alerts = new ArrayList<>(SampleData.alerts());
        for (String entity : List.of("Jürgen Ørsted", "Дмитрий", "Ελένη", "山田")) {
            alerts.add(new Alert("al-" + entity, "AL-001", "failed-login burst", Severity.HIGH, SampleData.DAY.plusSeconds(600),
                    null, null, 5, entity, "5 failed logins", List.of(), List.of("T1110"), null, Alert.Status.OPEN));
        }
        Path dir = tmp.resolve("non-latin");
        new ReportExporter(SampleData.source(SampleData.events(), alerts), ReportProgress.NONE, Clock.systemUTC())
                .export(QUERY, EnumSet.of(ReportFormat.PDF), dir, Optional.empty());

        String text;
        try (var pdf = org.apache.pdfbox.Loader.loadPDF(dir.resolve("report.pdf").toFile())) {
            text = new org.apache.pdfbox.text.PDFTextStripper().getText(pdf);
        }
        assertThat(text).contains("Jürgen Ørsted", "Дмитрий", "Ελένη")
                .as("no glyph for CJK in DejaVu Sans").contains("??").doesNotContain("山田");
        assertThat(Files.size(dir.resolve("report.pdf"))).as("fonts embedded as subsets").isLessThan(200_000);
    }

    @Test
    void shouldShowInvisibleCharactersInHtmlAndPdfSoANameCannotPassForAnother() {
        assertThat(HtmlReport.escape("ad\u200Dmin \u202Egnp.exe \uDB40\uDC41 😀")).isEqualTo("ad?min ?gnp.exe ? 😀");
        assertThat(PdfReport.printable(new org.apache.pdfbox.pdmodel.font.PDType1Font(
                org.apache.pdfbox.pdmodel.font.Standard14Fonts.FontName.HELVETICA), "ad\u200Dmin\u00AD")).isEqualTo("ad?min?");
    }

    @Test
    void shouldEscapeHostileValuesInTheHtml() throws IOException {
        String html = Files.readString(report.resolve("report.html"));

        assertThat(html).doesNotContain("<img").doesNotContain("<script>alert")
                .contains("&lt;img src=x onerror=alert(1)&gt;bob");
    }

    private static boolean onPath(String binary) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator)).anyMatch(dir -> Files.isExecutable(Path.of(dir, binary)));
    }

    /** Variance of the grey level over all pixels: 0 for a blank page. */
    static double variance(BufferedImage image) {
        double sum = 0;
        double squares = 0;
        long n = (long) image.getWidth() * image.getHeight();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                double grey = ((rgb >> 16 & 0xff) + (rgb >> 8 & 0xff) + (rgb & 0xff)) / 3.0;
                sum += grey;
                squares += grey * grey;
            }
        }
        double mean = sum / n;
        return squares / n - mean * mean;
    }

    static long pixelsNear(BufferedImage image, int rgb) {
        long count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y);
                if (Math.abs((p >> 16 & 0xff) - (rgb >> 16 & 0xff)) < 12 && Math.abs((p >> 8 & 0xff) - (rgb >> 8 & 0xff)) < 12
                        && Math.abs((p & 0xff) - (rgb & 0xff)) < 12) {
                    count++;
                }
            }
        }
        return count;
    }
}
