package io.airlock.app.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Alert;
import io.airlock.core.Json;
import io.airlock.core.Topics;
import io.airlock.streams.AbUserRow;
import io.airlock.streams.DagRunRow;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.VaultOperation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BacktestTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    @TempDir
    Path dir;

    private int backtest(Path cdc, Path out, Path eventsOut) throws Exception {
        return new Backtest(new PrintStream(console, true, StandardCharsets.UTF_8)).run(cdc, null, null, out, eventsOut);
    }

    /** A CDC file whose lines are NOT in time order: the backtest must order them by commit time. */
    private Path attackFile() throws Exception {
        var alice = AbUserRow.of(1, "alice");
        List<String> lines = new ArrayList<>();
        lines.add(alice.change("r", T0, null));
        for (int i = 1; i <= 6; i++) {
            lines.add(alice.failCount(i).update(T0.plusSeconds(20L * i)));
        }
        lines.add("{this is not a change event");
        List<String> shuffled = new ArrayList<>(lines.subList(4, lines.size()));
        shuffled.addAll(lines.subList(0, 4));
        return Files.write(dir.resolve("cdc.jsonl"), shuffled);
    }

    @Test
    void shouldReplayInEventTimeOrderAndWriteTheFinalAlert() throws Exception {
        Path out = dir.resolve("alerts.jsonl");
        Path events = dir.resolve("events.jsonl");

        assertThat(backtest(attackFile(), out, events)).isZero();

        List<String> alertLines = Files.readAllLines(out);
        assertThat(alertLines).hasSize(1);
        Alert alert = Json.read(alertLines.get(0).getBytes(StandardCharsets.UTF_8), Alert.class);
        assertThat(alert.ruleId()).isEqualTo("AL-001");
        assertThat(alert.entity()).isEqualTo("alice");
        assertThat(alert.count()).isEqualTo(6);
        assertThat(alert.firstSeen()).isEqualTo(T0.plusSeconds(20));
        assertThat(Files.readAllLines(events)).hasSize(6).allSatisfy(l -> assertThat(l).contains("\"event.outcome\":\"failure\""));
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("1 dead letter in");
    }

    @Test
    void shouldKeepTheDatabasesOrderOfChangesCommittedInTheSameMillisecondWhateverTheFileOrder() throws Exception {
        var bob = AbUserRow.of(2, "bob");
        String snapshot = bob.change("r", T0, null);
        String one = bob.failCount(1).update(T0.plusSeconds(1));
        String two = bob.failCount(2).update(T0.plusSeconds(2)); // two parallel requests committed in one millisecond
        String three = bob.failCount(3).update(T0.plusSeconds(2));
        String four = bob.failCount(4).update(T0.plusSeconds(3));
        Path events = dir.resolve("events.jsonl");

        assertThat(backtest(Files.write(dir.resolve("cdc.jsonl"), List.of(snapshot, one, three, two, four)), dir.resolve("a.jsonl"),
                events)).isZero();

        assertThat(Files.readAllLines(events)).as("four failed logins, not 1 + 2 + 0 + 2").hasSize(4);
        assertThat(Files.readAllLines(dir.resolve("a.jsonl"))).as("below AL-001's threshold of 5").isEmpty();
    }

    @Test
    void shouldGiveTheSameAlertsAndIdsForTheSameInput() throws Exception {
        Path input = attackFile();
        Path first = dir.resolve("first.jsonl");
        Path second = dir.resolve("second.jsonl");
        backtest(input, first, null);
        backtest(input, second, null);
        assertThat(Files.readString(second)).isEqualTo(Files.readString(first)).isNotBlank();
    }

    /**
     * Vault lines carry no position of their own ({@code source.lsn} is CDC's): the reads of one identity at one instant were
     * replayed in file order, so the same lines in another order gave another "latest" path in the summaries, other evidence
     * order and, past an alert's 50 pieces of evidence, other evidence.
     */
    @Test
    void shouldGiveTheSameAlertsForVaultLinesOfOneInstantWhateverTheirOrderInTheFile() throws Exception {
        List<VaultOperation> reads = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            reads.add(VaultOperation.read("secret/data/app/s" + i).by("mallory", "ent-mallory").at(T0).requestId("h" + i));
            reads.add(VaultOperation.read("secret/data/z" + i).by("eve", "ent-eve").at(T0).denied().requestId("d" + i));
        }
        List<String> forward = new ArrayList<>();
        List<String> backward = new ArrayList<>();
        for (int i = 0; i < reads.size(); i++) {
            VaultOperation read = reads.get(i);
            forward.addAll(List.of(read.requestLine().json(), read.responseLine().json()));
            VaultOperation reversed = reads.get(reads.size() - 1 - i);
            backward.addAll(List.of(reversed.requestLine().json(), reversed.responseLine().json()));
        }

        List<String> first = replayVault(Files.write(dir.resolve("forward.log"), forward), "forward");
        List<String> second = replayVault(Files.write(dir.resolve("backward.log"), backward), "backward");

        assertThat(first.get(0)).as("alerts").contains("\"AL-021\"", "\"AL-023\"");
        assertThat(second).as("alerts, then events").isEqualTo(first);
    }

    /** The alerts and the events a backtest of {@code vault} writes, each file as one string. */
    private List<String> replayVault(Path vault, String name) throws Exception {
        Path out = dir.resolve(name + "-alerts.jsonl");
        Path events = dir.resolve(name + "-events.jsonl");
        assertThat(new Backtest(new PrintStream(console, true, StandardCharsets.UTF_8)).run(null, vault, null, out, events)).isZero();
        return List.of(Files.readString(out), Files.readString(events));
    }

    @Test
    void shouldDecideTheReadsAtTheEndOfTheInputAsALiveRunWouldOnceIdle() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Instant at = T0.plusSeconds(180L * i); // the last read is less than AL-022's grace before the end of the input
            VaultOperation read = VaultOperation.read("airflow/data/connections/conn-" + i).by("kubernetes-airflow-worker", "ent-airflow")
                    .at(at).requestId("req-" + i);
            lines.add(read.requestLine().json());
            lines.add(read.responseLine().json());
        }
        Path vault = Files.write(dir.resolve("audit.log"), lines);
        Path out = dir.resolve("alerts.jsonl");

        assertThat(new Backtest(new PrintStream(console, true, StandardCharsets.UTF_8)).run(null, vault, null, out, null)).isZero();

        List<String> alertLines = Files.readAllLines(out);
        assertThat(alertLines).singleElement().satisfies(line -> {
            Alert alert = Json.read(line.getBytes(StandardCharsets.UTF_8), Alert.class);
            assertThat(alert.ruleId()).isEqualTo("AL-022");
            assertThat(alert.count()).isEqualTo(2);
            assertThat(alert.summary()).contains("conn-1");
        });
    }

    @Test
    void shouldReadAFileStartingWithAByteOrderMarkAndLeaveOutTombstones() throws Exception {
        var alice = AbUserRow.of(1, "alice");
        List<String> lines = new ArrayList<>();
        lines.add("\uFEFF" + alice.change("r", T0, null));
        for (int i = 1; i <= 5; i++) {
            lines.add(alice.failCount(i).update(T0.plusSeconds(20L * i)));
        }
        lines.add("null");
        Path out = dir.resolve("alerts.jsonl");

        assertThat(backtest(Files.write(dir.resolve("bom.jsonl"), lines), out, null)).isZero();

        assertThat(Files.readAllLines(out)).singleElement().satisfies(l -> assertThat(l).contains("\"rule.id\":\"AL-001\"", "\"count\":5"));
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("0 dead letters", "left out 1 Debezium tombstones")
                .doesNotContain("skipped");
    }

    @Test
    void shouldSayWhatIsWrongWithTheFilesBeforeReplaying() throws Exception {
        Path cdc = attackFile();
        assertThat(backtest(dir, dir.resolve("a.jsonl"), null)).isEqualTo(2);
        assertThat(backtest(cdc, dir.resolve("missing/a.jsonl"), null)).isEqualTo(2);
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("it is a directory", "directory " + dir.resolve("missing")
                + " does not exist");
    }

    @Test
    void shouldHintAtSwappedFilesWhenNoCdcLineIsAChange() throws Exception {
        Path vaultLines = Files.write(dir.resolve("audit.log"), List.of(VaultOperation.read("secret/data/a").by("alice", "ent-a")
                .at(T0).requestId("r-1").requestLine().json()));

        assertThat(backtest(vaultLines, dir.resolve("a.jsonl"), null)).as("no line replayed").isEqualTo(1);
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("is it the Vault audit file?",
                "0 events, 0 alerts, 1 dead letter in", "backtest: WARNING: every input line was rejected");
    }

    @Test
    void shouldPlaceASnapshotOfAFinishedRunWhenTheRunHappenedNotWhenTheSnapshotReadIt() throws Exception {
        Instant start = T0.minus(java.time.Duration.ofHours(3));
        var run = DagRunRow.airflow3(8001, "nightly", "scheduled__1").state("success").queuedAt(start).startDate(start.plusSeconds(5))
                .endDate(start.plus(java.time.Duration.ofMinutes(20)));
        Path cdc = Files.write(dir.resolve("cdc.jsonl"), List.of(run.change("r", T0, null))); // snapshot taken at T0
        List<String> reads = new ArrayList<>();
        int n = 0;
        for (Instant at : List.of(start.plus(java.time.Duration.ofMinutes(10)), start.plus(java.time.Duration.ofHours(2)))) {
            VaultOperation read = VaultOperation.read("airflow/data/connections/conn-" + n).by("kubernetes-airflow-worker", "ent-airflow")
                    .at(at).requestId("req-" + n++);
            reads.add(read.requestLine().json());
            reads.add(read.responseLine().json());
        }
        Path vault = Files.write(dir.resolve("audit.log"), reads);
        Path out = dir.resolve("alerts.jsonl");

        assertThat(new Backtest(new PrintStream(console, true, StandardCharsets.UTF_8)).run(cdc, vault, null, out, null)).isZero();

        assertThat(Files.readAllLines(out)).singleElement().satisfies(line -> {
            Alert alert = Json.read(line.getBytes(StandardCharsets.UTF_8), Alert.class);
            assertThat(alert.ruleId()).isEqualTo("AL-022");
            assertThat(alert.count()).as("only the read two hours after the run").isEqualTo(1);
            assertThat(alert.summary()).contains("conn-1").doesNotContain("conn-0");
        });
    }

    /** Changelog and repartition records are dropped as the replay goes: held, they filled the heap of long replays. */
    @Test
    void shouldNotHoldTheChangelogRecordsOfTheReplay() throws Exception {
        try (OfflineReplay replay = new OfflineReplay(DetectionConfig.defaults());
                var input = new ReplayInput(Topics.defaults(), null, 16 * 1024)) {
            List<ReplayRecord> records = input.read(attackFile(), null);

            OfflineReplay.Result result = replay.replay(records, input, e -> { }, done -> { });

            assertThat(result.alerts()).as("the burst").hasSize(1);
            assertThat(replay.internalRecordsHeld()).isZero();
        }
    }

    @Test
    void shouldNameTheLineAndReasonOfEachDeadLetter() throws Exception {
        var alice = AbUserRow.of(1, "alice");
        List<String> lines = new ArrayList<>();
        lines.add(alice.change("r", T0, null));
        lines.add(alice.failCount(1).update(T0.plusSeconds(10)).replace("\"fail_login_count\":1", "\"fail_login_count\":\"many\""));
        lines.add(alice.failCount(2).update(T0.plusSeconds(20)));

        assertThat(backtest(Files.write(dir.resolve("cdc.jsonl"), lines), dir.resolve("a.jsonl"), null)).isZero();

        assertThat(console.toString(StandardCharsets.UTF_8)).contains("backtest: dead letter cdc.jsonl:2: ", "fail_login_count",
                "1 dead letter in");
    }

    @Test
    void shouldLeaveOutVaultLinesTheLiveCaptureWouldRefuseAsTooLong() throws Exception {
        VaultOperation read = VaultOperation.read("airflow/data/connections/db").by("kubernetes-airflow-worker", "ent-airflow")
                .at(T0).requestId("req-1");
        String response = read.responseLine().json();
        String other = response.replace("\"req-1\"", "\"req-2\"");
        // a field Airlock reads, of fewer characters than an event keeps: compacting keeps it whole, and it is over the limit
        String tooLong = other.replaceFirst("\\{", "{\"error\":\"" + "é".repeat(4000 - other.length()) + "\",");
        assertThat(tooLong.length()).as("chars within the limit").isLessThanOrEqualTo(4096);
        assertThat(tooLong.getBytes(StandardCharsets.UTF_8).length).as("UTF-8 bytes over it").isGreaterThan(4096);
        Path vault = Files.write(dir.resolve("audit.log"), List.of(read.requestLine().json(), response, tooLong));
        Path events = dir.resolve("events.jsonl");

        assertThat(new Backtest(new PrintStream(console, true, StandardCharsets.UTF_8))
                .run(null, vault, null, dir.resolve("alerts.jsonl"), events, DetectionConfig.defaults(), 4096))
                .isZero();

        assertThat(Files.readAllLines(events)).as("the request and response lines of req-1 only").hasSize(2);
        assertThat(console.toString(StandardCharsets.UTF_8)).contains(
                "backtest: skipped audit.log:3: line too long: " + tooLong.getBytes(StandardCharsets.UTF_8).length
                        + " bytes, the limit is 4096 bytes", "1 dead letter in");
    }

    /** Each bad line is left out with its line number and the live capture's reason; the good lines around it are replayed. */
    @Test
    void shouldDeadLetterEachBadVaultLineAsTheLiveCaptureDoesAndReplayTheRest() throws Exception {
        List<String> good = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            VaultOperation read = VaultOperation.read("secret/data/app/s" + i).by("alice", "ent-alice").at(T0.plusSeconds(i))
                    .requestId("req-" + i);
            good.add(read.requestLine().json());
            good.add(read.responseLine().json());
        }
        var file = new ByteArrayOutputStream();
        for (byte[] line : List.of(good.get(0).getBytes(StandardCharsets.UTF_8),
                new byte[] {'{', '"', 't', (byte) 0xC3, '(', '"', '}'},                        // 2: invalid UTF-8
                ("\0\0" + good.get(1)).getBytes(StandardCharsets.UTF_8),                     // 3: NUL bytes
                good.get(2).getBytes(StandardCharsets.UTF_8),
                (good.get(3) + " {\"time\":\"x\"}").getBytes(StandardCharsets.UTF_8),       // 5: two objects on one line
                new byte[0],                                                                  // 6: blank
                ("audit: " + good.get(4)).getBytes(StandardCharsets.UTF_8),                    // 7: an undeclared prefix
                good.get(5).getBytes(StandardCharsets.UTF_8))) {
            file.write(line);
            file.write('\n');
        }
        Path vault = Files.write(dir.resolve("audit.log"), file.toByteArray());
        Path events = dir.resolve("events.jsonl");

        assertThat(new Backtest(new PrintStream(console, true, StandardCharsets.UTF_8)).run(null, vault, null, dir.resolve("a.jsonl"),
                events)).isZero();

        assertThat(Files.readAllLines(events)).as("lines 1, 4 and 8").hasSize(3);
        assertThat(console.toString(StandardCharsets.UTF_8)).contains(
                "skipped audit.log:2: invalid UTF-8 at byte 3 of the line",
                "skipped audit.log:3: NUL byte at byte 0 of the line",
                "skipped audit.log:5: data after the JSON object",
                "skipped audit.log:6: empty line",
                "skipped audit.log:7: not valid JSON: 7 bytes before the first '{' — a prefix option of the audit device? set "
                        + "vault.audit.prefix (backtest: --vault-prefix)",
                "3 events, 0 alerts, 5 dead letters");
    }

    /**
     * A Vault line and an {@code ab_user} change stamped before 1970 stopped the replay with Kafka's "invalid (negative)
     * timestamp", the whole audit line in the message, and no alert for the file. They are dead-lettered with the reason now,
     * and the lines after them replayed.
     */
    @Test
    void shouldDeadLetterLinesStampedBefore1970AndReplayTheRestWithoutPrintingThem() throws Exception {
        String old = VaultOperation.read("secret/data/app/old").by("alice", "ent-alice").at(T0).requestId("req-old")
                .responseLine().json().replaceFirst("\"time\":\"[^\"]+\"", "\"time\":\"1969-12-31T23:59:59Z\"");
        assertThat(old).contains("\"1969-12-31T23:59:59Z\"");
        VaultOperation read = VaultOperation.read("secret/data/app/new").by("alice", "ent-alice").at(T0).requestId("req-new");
        Path vault = Files.write(dir.resolve("audit.log"), List.of(old, read.requestLine().json(), read.responseLine().json()));
        var mallory = AbUserRow.of(3, "mallory");
        List<String> changes = new ArrayList<>(List.of(mallory.change("r", T0, null), mallory.failCount(1).update(Instant.ofEpochMilli(-1_000))));
        for (int i = 2; i <= 7; i++) {
            changes.add(mallory.failCount(i).update(T0.plusSeconds(10L * i)));
        }
        Path cdc = Files.write(dir.resolve("cdc.jsonl"), changes);
        Path out = dir.resolve("alerts.jsonl");
        Path events = dir.resolve("events.jsonl");

        assertThat(new Backtest(new PrintStream(console, true, StandardCharsets.UTF_8)).run(cdc, vault, null, out, events)).isZero();

        assertThat(Files.readAllLines(events).stream().filter(e -> e.contains("vault.audit")))
                .as("the request and the response of the read after the old line").hasSize(2)
                .allSatisfy(e -> assertThat(e).contains("secret/data/app/new"));
        assertThat(Files.readAllLines(out)).singleElement().satisfies(a -> assertThat(a).contains("\"AL-001\"", "mallory"));
        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("dead letter audit.log:1: ", "dead letter cdc.jsonl:2: ", "before 1970-01-01", "2 dead letters")
                .doesNotContain("\"type\"", "secret/data/app/old", "Exception: Input record");
    }

    @Test
    void shouldLeaveOutACdcLineThatIsNotUtf8AndReplayTheRest() throws Exception {
        var alice = AbUserRow.of(1, "alice");
        var file = new ByteArrayOutputStream();
        file.write((alice.change("r", T0, null) + "\n").getBytes(StandardCharsets.UTF_8));
        file.write(new byte[] {'{', '"', 'x', '"', ':', '"', (byte) 0xE9, '"', '}', '\n'}); // Latin-1 é
        file.write((alice.failCount(1).update(T0.plusSeconds(10)) + "\n").getBytes(StandardCharsets.UTF_8));
        Path events = dir.resolve("events.jsonl");

        assertThat(backtest(Files.write(dir.resolve("cdc.jsonl"), file.toByteArray()), dir.resolve("a.jsonl"), events)).isZero();

        assertThat(Files.readAllLines(events)).as("the failed login").hasSize(1);
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("skipped cdc.jsonl:2: not UTF-8 text", "1 dead letter in");
    }

    @Test
    void shouldRefuseToRunWithoutInput() throws Exception {
        assertThat(backtest(null, dir.resolve("x"), null)).isEqualTo(2);
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("--cdc");
    }

    @Test
    void shouldRefuseAPipeItCouldNotReadTwiceInsteadOfHanging() throws Exception {
        Path fifo = dir.resolve("cdc.fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();

        assertThat(backtest(fifo, dir.resolve("x"), null)).isEqualTo(2);
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("is not a regular file (a pipe or <(…)?)");
    }

    /**
     * A read padded with ~14 000 query parameters makes request and response lines of ~1.26 MB (Vault writes the parameters
     * as {@code request.data}): the backtest compacts them as the live capture does, so 20 such reads of distinct paths by
     * one identity are secret harvesting — before, every one of the 40 lines was left out as too long and nothing was raised.
     */
    @Test
    void shouldRaiseSecretHarvestingForPaddedReadsOverTheLineLimit() throws Exception {
        var file = new ByteArrayOutputStream();
        for (int i = 0; i < 20; i++) {
            VaultOperation read = VaultOperation.read("secret/data/app/s" + i).by("userpass-mallory", "ent-mallory")
                    .at(T0.plusSeconds(i)).requestId("pad-" + i);
            for (var line : List.of(read.requestLine(), read.responseLine())) {
                byte[] padded = ("vault-audit: " + padded(line.node(), 14_300)).getBytes(StandardCharsets.UTF_8);
                assertThat(padded.length).isGreaterThan(1_250_000);
                file.write(padded);
                file.write('\n');
            }
        }
        Path vault = Files.write(dir.resolve("audit.log"), file.toByteArray());
        Path out = dir.resolve("alerts.jsonl");
        Path events = dir.resolve("events.jsonl");

        assertThat(new Backtest(new PrintStream(console, true, StandardCharsets.UTF_8))
                .run(null, vault, "vault-audit: ", out, events, DetectionConfig.defaults(), 1 << 20)).isZero();

        assertThat(Files.readAllLines(events)).hasSize(40);
        List<Alert> alerts = Files.readAllLines(out).stream().map(l -> Json.read(l.getBytes(StandardCharsets.UTF_8), Alert.class))
                .toList();
        assertThat(alerts).filteredOn(a -> a.ruleId().equals("AL-021")).singleElement().satisfies(a -> {
            assertThat(a.entity()).isEqualTo("ent-mallory");
            assertThat(a.count()).isEqualTo(20);
        });
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("0 dead letters").doesNotContain("too long");
    }

    /** {@code line} with {@code parameters} query parameters as {@code request.data}, where Vault writes it: after the path. */
    private static String padded(com.fasterxml.jackson.databind.node.ObjectNode line, int parameters) {
        var request = (com.fasterxml.jackson.databind.node.ObjectNode) line.get("request");
        var rebuilt = Json.MAPPER.createObjectNode();
        request.properties().forEach(field -> {
            rebuilt.set(field.getKey(), field.getValue());
            if (field.getKey().equals("path")) {
                var data = rebuilt.putObject("data");
                for (int i = 0; i < parameters; i++) {
                    data.put(String.format("p%05d", i), "hmac-sha256:" + "0123456789abcdef".repeat(4));
                }
            }
        });
        line.set("request", rebuilt);
        return Json.writeString(line);
    }

    @Test
    void shouldRefuseAnOutputThatIsAnInputOrTheOtherOutputBeforeWritingAnything() throws Exception {
        Path cdc = attackFile();
        List<String> input = Files.readAllLines(cdc);
        Path link = Files.createSymbolicLink(dir.resolve("link.jsonl"), cdc);
        Path alerts = dir.resolve("alerts.jsonl");

        assertThat(backtest(cdc, dir.resolve("a.jsonl"), cdc)).as("--events-out the input").isEqualTo(2);
        assertThat(backtest(cdc, cdc, null)).as("--out the input").isEqualTo(2);
        assertThat(backtest(cdc, dir.resolve(".").resolve("sub/../link.jsonl").normalize(), null)).as("a link to it").isEqualTo(2);
        assertThat(backtest(link, cdc, null)).as("the input given by a link").isEqualTo(2);
        assertThat(backtest(cdc, alerts, dir.resolve("./alerts.jsonl"))).as("both outputs, not yet written").isEqualTo(2);
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.jsonl"), dir.resolve("alerts.jsonl"));
        assertThat(backtest(cdc, alerts, dangling)).as("a link to the other output, not yet written").isEqualTo(2);

        assertThat(Files.readAllLines(cdc)).as("the input untouched").isEqualTo(input);
        assertThat(alerts).doesNotExist();
        assertThat(dir.resolve("a.jsonl")).doesNotExist();
        assertThat(console.toString(StandardCharsets.UTF_8)).contains(
                "backtest: --events-out " + cdc + " is the input file --cdc " + cdc + ": writing it would destroy the input",
                "backtest: --out " + cdc + " is the input file --cdc",
                "backtest: --out " + alerts + " and --events-out " + dir.resolve("./alerts.jsonl") + " are the same file")
                .doesNotContain("Exception");
    }

    @Test
    void shouldWriteDistinctOutputsNextToTheInput() throws Exception {
        assertThat(backtest(attackFile(), dir.resolve("alerts.jsonl"), dir.resolve("events.jsonl"))).isZero();
        assertThat(Files.readAllLines(dir.resolve("alerts.jsonl"))).hasSize(1);
        assertThat(Files.readAllLines(dir.resolve("events.jsonl"))).isNotEmpty();
    }

    @Test
    void shouldNameADeadLetterOfALaterStageInsteadOfCountingMoreThanItListed() throws Exception {
        // a window no configuration accepts any longer: detection dead-letters each failed login it cannot place
        var detection = DetectionConfig.defaults().withRule(io.airlock.streams.detect.RuleDefinition.FAILED_LOGIN_BURST,
                io.airlock.streams.detect.RuleSettings.of(5, java.time.Duration.ofDays(999_999_999_999L)));

        assertThat(new Backtest(new PrintStream(console, true, StandardCharsets.UTF_8)).run(attackFile(), null, null,
                dir.resolve("a.jsonl"), null, detection, 4096)).isZero();

        assertThat(console.toString(StandardCharsets.UTF_8)).contains("backtest: dead letter in ", "(of a normalized event, not an input line): ")
                .doesNotContain("more dead letters");
    }

    @Test
    void shouldWarnAndExitOneWhenEveryInputLineWasRejected() throws Exception {
        Path cdc = Files.write(dir.resolve("cdc.jsonl"), List.of("{not json", "[1,2]", "{\"payload\":{}}"));

        assertThat(backtest(cdc, dir.resolve("a.jsonl"), null)).isEqualTo(1);

        assertThat(console.toString(StandardCharsets.UTF_8)).contains("0 events, 0 alerts, 3 dead letters",
                "backtest: WARNING: every input line was rejected");
        assertThat(dir.resolve("a.jsonl")).as("still written, empty").isEmptyFile();
    }

    @Test
    void shouldReadTheExampleLinesOfTheVaultAuditDocsAsTheDocsSay() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "vault-audit.md"), StandardCharsets.UTF_8);
        String section = doc.substring(doc.indexOf("## What a line looks like"));
        int from = section.indexOf("```json\n") + "```json\n".length();
        Path vault = Files.writeString(dir.resolve("audit.log"), section.substring(from, section.indexOf("```\n", from)));
        Path events = dir.resolve("events.jsonl");
        var console = new ByteArrayOutputStream();

        assertThat(new Backtest(new PrintStream(console, true, StandardCharsets.UTF_8)).run(null, vault, null, dir.resolve("a.jsonl"),
                events)).isZero();

        List<JsonNode> read = Files.readAllLines(events).stream().map(Json::tree).toList();
        assertThat(read).as(console.toString(StandardCharsets.UTF_8)).hasSize(3).allSatisfy(e -> {
            assertThat(e.path("vault.path").asText()).isEqualTo("airflow/data/connections/aws_prod");
            assertThat(e.path("vault.kv_path").asText()).isEqualTo("airflow/connections/aws_prod");
        });
        assertThat(read).extracting(e -> e.path("vault.identity").asText()).containsExactly("7d2e3a90-5b1c-4f6e-9a8d-2c3b4e5f6a7b",
                "7d2e3a90-5b1c-4f6e-9a8d-2c3b4e5f6a7b", "c41f0a6d-93e2-2b78-5d1c-8e4a7f3b2c90");
        assertThat(read).extracting(e -> e.path("event.outcome").asText(null)).containsExactly(null, "success", "failure");
        assertThat(Files.readAllLines(dir.resolve("a.jsonl"))).singleElement()
                .satisfies(a -> assertThat(Json.tree(a).path("rule.id").asText()).isEqualTo("AL-022"));
    }
}
