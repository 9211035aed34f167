package io.airlock.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.airlock.alerting.OpenSearchClients;
import io.airlock.alerting.OpenSearchSettings;
import io.airlock.core.NormalizedEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile input and partial answers: what an export or a verification must survive, or refuse loudly. */
class ReportHardeningTest {

    private static final ReportQuery QUERY = new ReportQuery(SampleData.DAY, SampleData.DAY.plusSeconds(2 * 86_400), List.of(), List.of());

    @TempDir
    Path tmp;

    private Path export(List<NormalizedEvent> events, EnumSet<ReportFormat> formats) throws IOException {
        Path dir = tmp.resolve("report");
        new ReportExporter(SampleData.source(events, SampleData.alerts()), ReportProgress.NONE, Clock.systemUTC())
                .export(QUERY, formats, dir, Optional.empty());
        return dir;
    }

    @Test
    void shouldWriteTheHtmlWhenAChartLabelIsCutInsideAnEmoji() throws IOException {
        // the top-identities chart shortens labels to 40 chars: here the cut falls between the two halves of U+1F600
        String name = "a".repeat(38) + "\uD83D\uDE00-suffix";
        List<NormalizedEvent> events = new ArrayList<>(SampleData.events());
        events.add(NormalizedEvent.builder(SampleData.DAY.plusSeconds(3600 * 5), "ev-emoji", NormalizedEvent.DATASET_LOG)
                .category("configuration").action("variable.edit").userName(name).build());

        Path dir = export(events, EnumSet.of(ReportFormat.JSONL, ReportFormat.HTML, ReportFormat.PDF));

        String html = Files.readString(dir.resolve("report.html"), StandardCharsets.UTF_8);
        assertThat(html).contains("a".repeat(38)).doesNotContain("\uD83D<").doesNotContain("\uFFFD");
        assertThat(ReportVerifier.verify(dir, Optional.empty()).problem()).isEmpty();
    }

    @Test
    void shouldNameACsvThatIsNoLongerValidCsvInsteadOfThrowing() throws IOException {
        Path dir = export(SampleData.events(), EnumSet.of(ReportFormat.CSV));
        Files.writeString(dir.resolve("events.csv"), "99,\"unterminated\r\n", StandardOpenOption.APPEND);

        var verification = ReportVerifier.verify(dir, Optional.empty());

        assertThat(verification.problem()).hasValueSatisfying(p -> assertThat(p).startsWith("events.csv row "));
    }

    @Test
    void shouldNameAJsonLinesFileThatIsNoLongerUtf8InsteadOfThrowing() throws IOException {
        Path dir = export(SampleData.events(), EnumSet.of(ReportFormat.JSONL));
        Files.write(dir.resolve("alerts.jsonl"), new byte[] {(byte) 0xC3, (byte) 0x28, '\n'}, StandardOpenOption.APPEND);

        var verification = ReportVerifier.verify(dir, Optional.empty());

        assertThat(verification.problem()).hasValueSatisfying(p -> assertThat(p).startsWith("alerts.jsonl"));
    }

    @Test
    void shouldNameACsvCellWhoseFormulaGuardWasRemoved() throws IOException {
        Path dir = export(SampleData.events(), EnumSet.of(ReportFormat.CSV));
        Path csv = dir.resolve("events.csv");
        Files.writeString(csv, Files.readString(csv).replace("\"'=HYPERLINK(", "\"=HYPERLINK("));

        assertThat(ReportVerifier.verify(dir, Optional.empty()).problem())
                .hasValueSatisfying(p -> assertThat(p).startsWith("events.csv row 8:").contains("neutraliz"));
    }

    @Test
    void shouldNameAJsonValueNotInTheWrittenForm() throws IOException {
        Path dir = export(SampleData.events(), EnumSet.of(ReportFormat.JSONL));
        Path alerts = dir.resolve("alerts.jsonl");
        // "count":"5" → 5: the same record value, but not the form the chain was written with
        Files.writeString(alerts, Files.readString(alerts).replaceFirst("\"count\":\"5\"", "\"count\":5"));

        assertThat(ReportVerifier.verify(dir, Optional.empty()).problem())
                .hasValueSatisfying(p -> assertThat(p).startsWith("alerts.jsonl line 1:").contains("as written"));
    }

    @Test
    void shouldHashAsAnIndependentVerifierWouldWithControlCharactersInAValue() {
        // an attacker-chosen user name with control characters (an ANSI escape); the docs promise the chain is "a few lines
        // in any language": Python's json.dumps(r, separators=(",", ":"), ensure_ascii=False, sort_keys=True), like RFC 8785,
        // writes them as lower-case \u001b. Expected hash computed with exactly that:
        //   hashlib.sha256(("0" * 64 + "\n" + "events\n" + canonical).encode()).hexdigest()
        var record = new ReportRecord(RecordKind.EVENTS, java.util.Map.of("@timestamp", "2026-11-02T00:00:00Z", "event.id", "e1",
                "user.name", "a\u001fb\u001b[31m \u2028\u00e9\t"));

        assertThat(HashChain.canonical(record)).contains("a\\u001fb\\u001b[31m");
        assertThat(HashChain.hash(HashChain.GENESIS, record))
                .isEqualTo("eea59bc1983caa118ffc0d0f35758fe77bd38471c36e7d95b7a71b0396ca7dc8");
    }

    @Test
    void shouldRefuseASearchPageThatMissedShards() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body;
            if (path.startsWith("/_resolve/index/")) {
                body = "{\"indices\":[{\"name\":\"airlock-events-2026.11.02\"}],\"aliases\":[],\"data_streams\":[]}";
            } else if (path.endsWith("/_search/point_in_time") && "POST".equals(exchange.getRequestMethod())) {
                body = "{\"pit_id\":\"pit-1\",\"_shards\":{\"total\":2,\"successful\":2,\"skipped\":0,\"failed\":0},\"creation_time\":1}";
            } else if (path.equals("/_search")) {
                // one of two shards failed: the hits are only half of the period's events
                body = "{\"took\":1,\"timed_out\":false,\"pit_id\":\"pit-1\",\"_shards\":{\"total\":2,\"successful\":1,\"skipped\":0,"
                        + "\"failed\":1,\"failures\":[{\"shard\":1,\"reason\":{\"type\":\"node_disconnected_exception\"}}]},"
                        + "\"hits\":{\"total\":{\"value\":1,\"relation\":\"eq\"},\"hits\":[{\"_id\":\"e1\",\"_source\":"
                        + "{\"@timestamp\":\"2026-11-02T01:00:00Z\",\"event.id\":\"e1\"},\"sort\":[1,\"e1\"]}]}}";
            } else {
                body = "{}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        try {
            var settings = OpenSearchSettings.local(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
            var client = OpenSearchClients.create(settings);
            try {
                List<ReportRecord> read = new ArrayList<>();
                assertThatThrownBy(() -> new OpenSearchRecords(client, settings, 100).read(RecordKind.EVENTS, QUERY, n -> {
                }, read::add)).isInstanceOf(IOException.class).hasMessageContaining("shard");
            } finally {
                client._transport().close();
            }
        } finally {
            server.stop(0);
        }
    }
}
