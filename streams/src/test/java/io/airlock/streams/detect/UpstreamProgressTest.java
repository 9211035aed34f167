package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.NormalizedEvent;
import io.airlock.streams.StreamsSettings;
import io.airlock.streams.internal.InMemoryStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpstreamProgressTest {

    private static final long T0 = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();
    private static final long ACTIVE_MS = UpstreamProgress.ACTIVE_FOR.toMillis();
    private static final long WALL = 1_000_000L;

    private final KeyValueStore<String, Long> store = InMemoryStores.of(Serdes.Long());

    @Test
    void shouldHoldTheWatermarkAtTheSlowestActiveWriter() {
        var progress = new UpstreamProgress(store, 0, WALL);
        assertThat(progress.watermark(WALL)).as("no writer yet: nothing holds back").isEqualTo(Long.MAX_VALUE);

        progress.observe(marker("0", T0 + 600_000), WALL);
        progress.observe(event("1", T0 + 60_000), WALL);
        progress.observe(marker("2", T0 + 300_000), WALL);

        assertThat(progress.watermark(WALL)).isEqualTo(T0 + 60_000);
        progress.observe(event("1", T0 + 30_000), WALL); // its own disorder does not move it back
        assertThat(progress.watermark(WALL)).isEqualTo(T0 + 60_000);
    }

    @Test
    void shouldStopWaitingForAWriterSilentForTheActivePeriodAndWaitAgainWhenItIsBack() {
        var progress = new UpstreamProgress(store, 0, WALL);
        progress.observe(marker("0", T0 + 600_000), WALL);
        progress.observe(marker("1", T0), WALL);

        progress.observe(marker("0", T0 + 700_000), WALL + ACTIVE_MS);
        assertThat(progress.watermark(WALL + ACTIVE_MS - 1)).isEqualTo(T0);
        assertThat(progress.watermark(WALL + ACTIVE_MS)).as("writer 1 silent for 30 s").isEqualTo(T0 + 700_000);

        progress.observe(marker("1", T0 + 120_000), WALL + ACTIVE_MS + 5);
        assertThat(progress.watermark(WALL + ACTIVE_MS + 5)).isEqualTo(T0 + 120_000);
    }

    @Test
    void shouldMakeExpectedWritersNotHeardFromHoldTheWatermarkForTheActivePeriodAfterStart() {
        var progress = new UpstreamProgress(store, 3, WALL);
        progress.observe(marker("0", T0 + 600_000), WALL + 10);
        progress.observe(marker("2", T0 + 600_000), WALL + 10);

        assertThat(progress.watermark(WALL + 10)).as("writer 1 may still be starting").isLessThan(T0);
        progress.observe(marker("0", T0 + 700_000), WALL + ACTIVE_MS);
        progress.observe(marker("2", T0 + 700_000), WALL + ACTIVE_MS);
        assertThat(progress.watermark(WALL + ACTIVE_MS)).as("writer 1 never started").isEqualTo(T0 + 700_000);
    }

    @Test
    void shouldRememberTheWritersAcrossARestartSoThatTheyHoldTheWatermarkAgain() {
        var before = new UpstreamProgress(store, 0, WALL);
        before.observe(marker("0", T0 + 600_000), WALL);
        before.observe(marker("1", T0 + 60_000), WALL);
        before.observe(event("1", T0 + 90_000), WALL); // kept in memory; the store is written at markers

        long restart = WALL + 3_600_000;
        var after = new UpstreamProgress(store, 0, restart);
        after.observe(marker("0", T0 + 900_000), restart);

        assertThat(after.watermark(restart)).as("writer 1 has not reported since the restart").isEqualTo(T0 + 60_000);
        after.observe(marker("0", T0 + 930_000), restart + ACTIVE_MS);
        assertThat(after.watermark(restart + ACTIVE_MS)).isEqualTo(T0 + 930_000);
    }

    @Test
    void shouldTellMarkersFromEventsAndIgnoreRecordsOfNoKnownWriter() {
        var progress = new UpstreamProgress(store, 0, WALL);

        assertThat(progress.observe(marker("0", T0), WALL)).isTrue();
        assertThat(progress.observe(event("0", T0 + 1), WALL)).isFalse();
        assertThat(progress.observe(new Record<>("airflow", read(T0 + 600_000), T0 + 600_000), WALL)).as("written before 0.x").isFalse();

        assertThat(progress.watermark(WALL)).isEqualTo(T0 + 1);
    }

    @Test
    void shouldReadTheExpectedWritersFromTheApplicationSettings() {
        assertThat(UpstreamProgress.expectedWriters(Map.of())).isZero();
        assertThat(UpstreamProgress.expectedWriters(Map.of(StreamsSettings.INPUT_PARTITIONS, 3))).isEqualTo(3);
        assertThat(UpstreamProgress.expectedWriters(Map.of(StreamsSettings.INPUT_PARTITIONS, " 6 "))).isEqualTo(6);
        assertThatThrownBy(() -> UpstreamProgress.expectedWriters(Map.of(StreamsSettings.INPUT_PARTITIONS, "three")))
                .hasMessage("airlock.input.partitions must be a number of partitions, not 'three'");
    }

    @Test
    void shouldFeedTheRelevantEventsTaggedWithTheTaskAndAMarkerPerTenSecondsOfStreamTime(@TempDir Path stateDir) throws Exception {
        var context = new MockProcessorContext<String, NormalizedEvent>(new Properties(), new TaskId(0, 2), stateDir.toFile());
        var feed = new UpstreamProgress.Feed(event -> "vault.audit".equals(event.dataset()), "airflow");
        feed.init(context);

        context.setCurrentStreamTimeMs(T0);
        feed.process(new Record<>("alice", read(T0), T0, new RecordHeaders().add("airlock.source", bytes("vault-file:1"))));
        context.setCurrentStreamTimeMs(T0 + 9_999);
        feed.process(new Record<>("bob", login(T0 + 9_999), T0 + 9_999));
        context.setCurrentStreamTimeMs(T0 + 10_000);
        feed.process(new Record<>("bob", login(T0 + 10_000), T0 + 10_000));

        List<String> sent = context.forwarded().stream().map(f -> f.record()).map(r -> r.key() + " "
                + (r.value() == null ? "marker@" + (r.timestamp() - T0) : r.value().dataset()) + " from task partition "
                + new String(r.headers().lastHeader(UpstreamProgress.HEADER).value(), StandardCharsets.UTF_8)).toList();
        assertThat(sent).containsExactly("airflow vault.audit from task partition 2", "airflow marker@0 from task partition 2",
                "airflow marker@10000 from task partition 2");
        assertThat(context.forwarded().get(0).record().headers().lastHeader("airlock.source")).as("the event's own headers stay")
                .isNotNull();
    }

    private static Record<String, NormalizedEvent> marker(String writer, long at) {
        return new Record<>("airflow", null, at, new RecordHeaders().add(UpstreamProgress.HEADER, bytes(writer)));
    }

    private static Record<String, NormalizedEvent> event(String writer, long at) {
        return new Record<>("airflow", read(at), at, new RecordHeaders().add(UpstreamProgress.HEADER, bytes(writer)));
    }

    private static NormalizedEvent read(long at) {
        return NormalizedEvent.builder(Instant.ofEpochMilli(at), "read-" + at, NormalizedEvent.DATASET_VAULT).build();
    }

    private static NormalizedEvent login(long at) {
        return NormalizedEvent.builder(Instant.ofEpochMilli(at), "login-" + at, NormalizedEvent.DATASET_AB_USER).build();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
