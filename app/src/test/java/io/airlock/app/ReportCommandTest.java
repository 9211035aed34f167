package io.airlock.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.alerting.IndexItem;
import io.airlock.alerting.IndexTemplates;
import io.airlock.alerting.OpenSearchClients;
import io.airlock.alerting.OpenSearchIndexer;
import io.airlock.alerting.OpenSearchSettings;
import io.airlock.alerting.RetryPolicy;
import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Severity;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.RealComponents;
import io.airlock.report.ManifestSignature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.opensearch.client.opensearch.generic.Requests;
import picocli.CommandLine;

/** {@code airlock report} and {@code airlock report verify} against a real OpenSearch node, as a user runs them. */
@ExtendWith(RealComponents.class)
class ReportCommandTest {

    private static final Instant T0 = Instant.parse("2026-10-05T09:00:00Z");

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final ManifestSignature key = ManifestSignature.generate();
    private Path config;

    @BeforeEach
    void indexAWeek(EmbeddedOpenSearch openSearch) throws Exception {
        OpenSearchSettings settings = OpenSearchSettings.local(openSearch.httpUri()).withIndexPrefix(RealComponents.uniqueName("cli"));
        var client = OpenSearchClients.create(settings);
        try {
            new IndexTemplates(client, settings).install();
            List<IndexItem> items = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                items.add(IndexItem.event(settings.indexNames(), NormalizedEvent.builder(T0.plusSeconds(3600L * 4 * i), "ev-" + i,
                        NormalizedEvent.DATASET_LOG).category("configuration").action("variable.edit")
                        .userName(i % 2 == 0 ? "alice" : "@bob").sourcePosition("postgres:airflow", 100L + i).build()));
            }
            items.add(IndexItem.alert(settings.indexNames(), new Alert("al-1", "AL-010", "off-hours change", Severity.MEDIUM,
                    T0.plusSeconds(3600), null, null, 1, "alice", "variable edited at night", List.of("ev-1"), List.of(), null,
                    Alert.Status.OPEN)));
            assertThat(new OpenSearchIndexer(client, RetryPolicy.defaults()).index(items).rejected()).isEmpty();
            client.generic().execute(Requests.builder().method("POST").endpoint("/" + settings.indexPrefix() + "-*/_refresh").build())
                    .close();
        } finally {
            client._transport().close();
        }
        Path keyFile = tmp.resolve("report-key.pem");
        Files.writeString(keyFile, key.privateKeyPem());
        config = tmp.resolve("airlock.yml");
        Files.writeString(config, """
                opensearch: {urls: "%s", index-prefix: %s}
                report: {signing-key-file: %s, page-size: 7}
                """.formatted(openSearch.httpUri(), settings.indexPrefix(), keyFile));
    }

    private int report(String... args) {
        return new CommandLine(new ReportCommand(Map.of(), print(out), print(err))).execute(args);
    }

    private int verify(String... args) {
        var verify = new ReportCommand.Verify();
        verify.stdout = print(out);
        return new CommandLine(verify).execute(args);
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteASignedReportThatVerifiesAndFailsOnceARecordIsChanged() throws IOException {
        Path dir = tmp.resolve("q4");

        int exit = report("--from", "2026-10-05", "--to", "2026-10-12", "--format", "csv,html,pdf", "--out", dir.toString(),
                "--config", config.toString());

        assertThat(exit).as(output()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("40 events, 1 alert;")
                .contains("events.csv, alerts.csv, report.html, report.pdf, manifest.json").contains("manifest signed (Ed25519)");
        assertThat(output()).doesNotContain("PRIVATE KEY").doesNotContain(key.privateKeyPem().split("\n")[1]);
        assertThat(Files.readString(dir.resolve("events.csv"))).contains(",\"'@bob\",");
        Path publicKey = tmp.resolve("public.pem");
        Files.writeString(publicKey, key.publicKeyPem());

        out.reset();
        assertThat(verify(dir.toString(), "--public-key", publicKey.toString())).as(output()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("is intact: 41 records in 2 record files; 4 files checked").contains("signature valid");

        Path csv = dir.resolve("events.csv");
        Files.writeString(csv, Files.readString(csv).replaceFirst("variable\\.edit", "variable.view"));
        out.reset();
        assertThat(verify(dir.toString())).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("FAILED: " + dir + ": events.csv row 2: record 1 is altered (its hash does not match its values)");
    }

    @Test
    void shouldSelectTheUsersAndPeriodGiven() {
        Path dir = tmp.resolve("alice");

        int exit = report("--from", "2026-10-05T09:00:00Z", "--to", "2026-10-06T09:00:00Z", "--users", "alice", "--out",
                dir.toString(), "--config", config.toString());

        assertThat(exit).as(output()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("3 events, 1 alert;").contains("events.jsonl, alerts.jsonl");
    }

    @Test
    void shouldTruncateTheirPeriodToOpenSearchsMillisecondsAndSaySo() throws IOException {
        Path dir = tmp.resolve("fine");

        // ev-0 is at 09:00:00.000: OpenSearch compares in milliseconds, so it is selected by a from of 09:00:00.000900
        int exit = report("--from", "2026-10-05T09:00:00.000900Z", "--to", "2026-10-05T17:00:00.000500Z", "--out", dir.toString(),
                "--config", config.toString());

        assertThat(exit).as(output()).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("the period is [2026-10-05T09:00:00Z, 2026-10-05T17:00:00Z), "
                + "--from and --to truncated to the millisecond");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Report of 2026-10-05T09:00:00Z to 2026-10-05T17:00:00Z")
                .contains("2 events");
        var query = io.airlock.core.Json.tree(Files.readString(dir.resolve("manifest.json"))).path("query");
        assertThat(query.path("from").asText()).isEqualTo("2026-10-05T09:00:00Z");
        assertThat(query.path("to").asText()).isEqualTo("2026-10-05T17:00:00Z");
        out.reset();
        assertThat(verify(dir.toString())).as(output()).isZero();
    }

    @Test
    void shouldRefuseBadArgumentsWithUsageExitCode() {
        assertThat(report("--to", "2026-10-12", "--out", tmp.resolve("x").toString())).isEqualTo(2);
        assertThat(report("--from", "yesterday", "--to", "2026-10-12", "--out", tmp.resolve("x").toString())).isEqualTo(2);
        assertThat(report("--from", "2026-10-05", "--to", "2026-10-12", "--format", "docx", "--out", tmp.resolve("x").toString()))
                .isEqualTo(2);
        assertThat(report("--from", "2026-10-12", "--to", "2026-10-05", "--out", tmp.resolve("x").toString())).isEqualTo(2);
        assertThat(report("--from", "2026-10-05", "--to", "2026-10-12", "--rules", "al-001,AL-999", "--out", tmp.resolve("x").toString()))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--from, --to and --out are required")
                .contains("--from 'yesterday' is neither a date").contains("unknown report format 'docx'")
                .contains("must be after its start").contains("--rules: there is no rule AL-999 (rules: AL-001, AL-002,");
        assertThat(ReportCommand.ruleIds(java.util.List.of("al-010 "))).containsExactly("AL-010");
    }

    @Test
    void shouldRefuseANonEmptyOutputDirectoryAsAUsageError() throws IOException {
        Path used = Files.createDirectories(tmp.resolve("used"));
        Files.writeString(used.resolve("notes.txt"), "mine");
        Path file = Files.writeString(tmp.resolve("file"), "x");

        assertThat(report("--from", "2026-10-05", "--to", "2026-10-12", "--out", used.toString(), "--config", config.toString()))
                .isEqualTo(2);
        assertThat(report("--from", "2026-10-05", "--to", "2026-10-12", "--out", file.toString(), "--config", config.toString()))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--out: " + used + " is not empty")
                .contains("--out: " + file + " exists and is not a directory");
        assertThat(Files.readString(used.resolve("notes.txt"))).isEqualTo("mine");
    }

    @Test
    void shouldRefuseASigningKeyThatIsNoEd25519KeyWithoutShowingIt() throws IOException {
        Path badKey = tmp.resolve("bad.pem");
        Files.writeString(badKey, "-----BEGIN PRIVATE KEY-----\nU0VDUkVULUNBTkFSWQ==\n-----END PRIVATE KEY-----\n");
        Path badConfig = tmp.resolve("bad.yml");
        Files.writeString(badConfig, Files.readString(config).replaceAll("signing-key-file: [^,]+", "signing-key-file: " + badKey));

        int exit = report("--from", "2026-10-05", "--to", "2026-10-12", "--out", tmp.resolve("r").toString(), "--config",
                badConfig.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(output()).contains("report.signing-key").doesNotContain("U0VDUkVULUNBTkFSWQ");
        assertThat(tmp.resolve("r")).doesNotExist();
    }

    @Test
    void shouldRefuseToVerifyADirectoryThatIsNoReportAsAUsageError() throws IOException {
        Files.createDirectories(tmp.resolve("nothing"));

        assertThat(verify(tmp.resolve("nothing").toString())).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("is not a report directory: it has no manifest.json");
    }

    @Test
    void shouldPrintAFileNameWithControlCharactersHarmlessly() throws IOException {
        Path dir = tmp.resolve("names");
        assertThat(report("--from", "2026-10-05", "--to", "2026-10-12", "--format", "jsonl", "--out", dir.toString(),
                "--config", config.toString())).as(output()).isZero();
        Files.writeString(dir.resolve("evil\nOK: names is intact \u001b[2K"), "x");
        out.reset();

        assertThat(verify(dir.toString())).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).hasLineCount(1).doesNotContain("\u001b")
                .startsWith("FAILED: " + dir + ": file evil?OK: ");
    }
}
