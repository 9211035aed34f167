package io.airlock.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.alerting.IndexItem;
import io.airlock.alerting.IndexTemplates;
import io.airlock.alerting.OpenSearchClients;
import io.airlock.alerting.OpenSearchIndexer;
import io.airlock.alerting.OpenSearchSettings;
import io.airlock.alerting.RetryPolicy;
import io.airlock.core.Json;
import io.airlock.core.NormalizedEvent;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.RealComponents;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Requests;

/** Export from a real OpenSearch 2.19 node with point-in-time paging, then verify and tamper. */
@ExtendWith(RealComponents.class)
class OpenSearchReportIntegrationTest {

    private static final ReportQuery QUERY = new ReportQuery(SampleData.DAY, SampleData.DAY.plusSeconds(2 * 86_400), List.of(), List.of());

    @TempDir
    Path tmp;

    private OpenSearchClient client;
    private OpenSearchSettings settings;
    private final List<NormalizedEvent> inPeriod = new ArrayList<>();

    @BeforeEach
    void index(EmbeddedOpenSearch openSearch) throws Exception {
        settings = OpenSearchSettings.local(openSearch.httpUri()).withIndexPrefix(RealComponents.uniqueName("report"));
        client = OpenSearchClients.create(settings);
        new IndexTemplates(client, settings).install();
        inPeriod.addAll(SampleData.events());
        for (int i = 0; i < 23; i++) { // same timestamp for all: the order comes from event.id
            inPeriod.add(NormalizedEvent.builder(SampleData.DAY.plusSeconds(86_400 + 7200), String.format("ev-bulk-%02d", i),
                    NormalizedEvent.DATASET_LOG).category("web").action("grid").userName("erin")
                    .sourcePosition("postgres:airflow", 2000L + i).build());
        }
        List<IndexItem> items = new ArrayList<>();
        inPeriod.forEach(e -> items.add(IndexItem.event(settings.indexNames(), e)));
        items.add(IndexItem.event(settings.indexNames(), NormalizedEvent.builder(SampleData.DAY.minusSeconds(1), "ev-before",
                NormalizedEvent.DATASET_LOG).userName("alice").build()));
        items.add(IndexItem.event(settings.indexNames(), NormalizedEvent.builder(SampleData.DAY.plusSeconds(2 * 86_400), "ev-after",
                NormalizedEvent.DATASET_LOG).userName("alice").build()));
        SampleData.alerts().forEach(a -> items.add(IndexItem.alert(settings.indexNames(), a)));
        Collections.shuffle(items);
        var result = new OpenSearchIndexer(client, RetryPolicy.defaults()).index(items);
        assertThat(result.rejected()).isEmpty();
        client.generic().execute(Requests.builder().method("POST").endpoint("/" + settings.indexPrefix() + "-*/_refresh").build()).close();
    }

    @AfterEach
    void close() throws IOException {
        client._transport().close();
    }

    private ReportExporter.Result export(ReportQuery query, Path dir, Optional<ManifestSignature> signer) throws IOException {
        return new ReportExporter(new OpenSearchRecords(client, settings, 4), ReportProgress.NONE, Clock.systemUTC())
                .export(query, EnumSet.of(ReportFormat.JSONL, ReportFormat.HTML), dir, signer);
    }

    @Test
    void shouldExportEveryRecordOfThePeriodOnceInOrderAndVerify() throws IOException {
        Path dir = tmp.resolve("report");
        var result = export(QUERY, dir, Optional.empty());

        assertThat(result.events()).isEqualTo(inPeriod.size());
        assertThat(result.alerts()).isEqualTo(2);
        List<String> ids = Files.readAllLines(dir.resolve("events.jsonl")).stream()
                .map(line -> Json.tree(line).path("record").path("event.id").asText()).toList();
        List<String> expected = inPeriod.stream()
                .sorted(java.util.Comparator.comparing(NormalizedEvent::timestamp).thenComparing(NormalizedEvent::id))
                .map(NormalizedEvent::id).toList();
        assertThat(ids).containsExactlyElementsOf(expected).doesNotHaveDuplicates().doesNotContain("ev-before", "ev-after");
        var manifest = Json.tree(Files.readString(dir.resolve(Manifest.FILE)));
        assertThat(manifest.path("query").path("events").path("index").asText()).isEqualTo(settings.indexPrefix() + "-events-*");
        assertThat(manifest.path("sources").toString())
                .contains("{\"source\":\"postgres:airflow\",\"events\":31,\"first_position\":1000,\"last_position\":2022}");
        assertThat(ReportVerifier.verify(dir, Optional.empty()).problem()).isEmpty();
    }

    @Test
    void shouldSelectOnlyTheGivenUsersAndRules() throws IOException {
        Path dir = tmp.resolve("filtered");
        var result = export(new ReportQuery(QUERY.from(), QUERY.to(), List.of("AL-001"), List.of("alice", "carol")), dir,
                Optional.empty());

        assertThat(result.events()).isEqualTo(6 + 4); // alice's logins, the Vault reads related to carol
        assertThat(result.alerts()).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("alerts.jsonl"))).contains("\"rule.id\":\"AL-001\"").doesNotContain("AL-024");
    }

    @Test
    void shouldFailNamingThePrefixAndTheSettingWhenNoAirlockIndexExists() {
        Path dir = tmp.resolve("wrong-prefix");
        String prefix = RealComponents.uniqueName("nope");
        var source = new OpenSearchRecords(client, settings.withIndexPrefix(prefix).indexNames(), 100);

        assertThatThrownBy(() -> new ReportExporter(source, ReportProgress.NONE, Clock.systemUTC())
                .export(QUERY, EnumSet.of(ReportFormat.CSV), dir, Optional.empty()))
                .isInstanceOf(IOException.class).hasMessageContaining("'" + prefix + "'").hasMessageContaining("opensearch.index-prefix");
        assertThat(dir).as("no signed empty report").doesNotExist();
    }

    @Test
    void shouldNameTheDaysWhoseEventsIndexIsMissingInTheManifestAndTheSummary() throws IOException {
        // retention deleted the second day's index: its events are gone, and the report says which day
        String secondDay = settings.indexNames().eventsIndex(SampleData.DAY.plusSeconds(86_400));
        client.generic().execute(Requests.builder().method("DELETE").endpoint("/" + secondDay).build()).close();
        Path dir = tmp.resolve("retention");

        var result = new ReportExporter(new OpenSearchRecords(client, settings, 4), ReportProgress.NONE, Clock.systemUTC())
                .export(QUERY, EnumSet.of(ReportFormat.JSONL, ReportFormat.HTML), dir, Optional.of(ManifestSignature.generate()));

        assertThat(result.events()).as("the first day's events only").isEqualTo(inPeriod.stream()
                .filter(e -> e.timestamp().isBefore(SampleData.DAY.plusSeconds(86_400))).count());
        var manifest = Manifest.read(dir.resolve(Manifest.FILE));
        assertThat(manifest.path(ReportExporter.DAYS_WITHOUT_EVENTS_INDEX).toString()).isEqualTo("[\"2026-11-03\"]");
        assertThat(Files.readString(dir.resolve("report.html"))).contains("No events index for 1 day of the period: 2026-11-03.")
                .contains("deleted by retention");
        assertThat(ReportVerifier.verify(dir, Optional.empty()).problem()).isEmpty();
        assertThat(new OpenSearchRecords(client, settings, 4).daysWithoutEventsIndex(
                new ReportQuery(SampleData.DAY.minusSeconds(86_400), SampleData.DAY.plusSeconds(4 * 86_400), List.of(), List.of())))
                .as("the day before and the first day have an index, the period ends at midnight of the sixth, exclusive")
                .containsExactly(java.time.LocalDate.parse("2026-11-03"), java.time.LocalDate.parse("2026-11-05"));
    }

    @Test
    void shouldFailVerificationNamingTheFirstBadThingForEachKindOfTampering() throws IOException {
        ManifestSignature key = ManifestSignature.generate();
        Path original = tmp.resolve("original");
        export(QUERY, original, Optional.of(key));
        assertThat(ReportVerifier.verify(original, Optional.empty()).problem()).isEmpty();

        assertThat(tampered(original, "alter", dir -> lines(dir.resolve("events.jsonl"),
                l -> l.replaceAll(line -> line.replace("etl_daily", "etl_weekly")))))
                .isEqualTo("events.jsonl line 8: record 8 is altered (its hash does not match its values)");
        assertThat(tampered(original, "delete", dir -> lines(dir.resolve("events.jsonl"), l -> l.remove(0))))
                .startsWith("events.jsonl line 1: record 2 where record 1 belongs");
        assertThat(tampered(original, "swap", dir -> lines(dir.resolve("events.jsonl"), l -> Collections.swap(l, 20, 21))))
                .startsWith("events.jsonl line 21: record 22 where record 21 belongs");
        assertThat(tampered(original, "remove", dir -> Files.delete(dir.resolve("alerts.jsonl"))))
                .isEqualTo("file alerts.jsonl is missing (listed in the manifest)");
        assertThat(tampered(original, "manifest", dir -> {
            Path manifest = dir.resolve(Manifest.FILE);
            Files.writeString(manifest, Files.readString(manifest).replace("\"events\" : 35", "\"events\" : 34"));
        })).isEqualTo("manifest.json is altered: its signature does not verify");
        assertThat(tampered(original, "signature", dir -> {
            Path manifest = dir.resolve(Manifest.FILE);
            Files.writeString(manifest, Files.readString(manifest).replaceFirst("\"value\" : \"[^\"]+\"",
                    "\"value\" : \"" + key.sign("another text") + "\""));
        })).isEqualTo("manifest.json is altered: its signature does not verify");
    }

    private interface Tampering {
        void apply(Path dir) throws IOException;
    }

    private String tampered(Path original, String name, Tampering tampering) throws IOException {
        Path copy = tmp.resolve(name);
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(original)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        tampering.apply(copy);
        return ReportVerifier.verify(copy, Optional.empty()).problem().orElse("intact");
    }

    private static void lines(Path file, Consumer<List<String>> edit) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        edit.accept(lines);
        Files.write(file, lines, StandardCharsets.UTF_8);
    }
}
