package io.airlock.app.backtest;

import io.airlock.core.Alert;
import io.airlock.core.DeadLetter;
import io.airlock.core.Directories;
import io.airlock.core.Json;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Topics;
import io.airlock.streams.AirlockTopology;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.StreamsSettings;
import io.airlock.streams.detect.AlertUpdateCoalescer;
import io.airlock.streams.detect.SecretReadOutsideRunsRule;
import io.airlock.streams.internal.StateStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * Runs the production topology ({@link AirlockTopology}) without a broker, over records already in event-time order:
 * the same rules, the same ids, so a backtest gives the alerts a live run would have given.
 */
final class OfflineReplay implements AutoCloseable {

    /**
     * What a replay produced: the final version of every alert, how many events and dead letters, and the first
     * {@link #DEAD_LETTERS_DESCRIBED} dead letters as the input record and the reason.
     */
    record Result(List<Alert> alerts, long events, long deadLetters, List<DeadLetterAt> firstDeadLetters) {
    }

    /**
     * A dead letter traced back to the record of the input that caused it; {@code record} is null for one a later stage
     * wrote about a record of its own (a normalized event), then {@code stage} says where.
     */
    record DeadLetterAt(ReplayRecord record, String stage, String reason) {
    }

    static final int DEAD_LETTERS_DESCRIBED = 20;

    /**
     * The topology failed on an input record instead of dead-lettering it (a bug): names the record and the exceptions' types
     * only. Their messages are left out because they can quote the record (Kafka's do: "Input record ConsumerRecord(…,
     * value = …)"), and audit data does not belong on a console or in a CI log.
     */
    static final class ReplayFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient ReplayRecord record;

        ReplayFailure(ReplayRecord record, RuntimeException cause) {
            super(types(cause), null, false, false);
            this.record = record;
        }

        ReplayRecord record() {
            return record;
        }

        private static String types(Throwable cause) {
            var chain = new StringBuilder();
            for (Throwable t = cause; t != null; t = t.getCause()) {
                chain.append(chain.isEmpty() ? "" : " caused by ").append(t.getClass().getName());
            }
            return chain.toString();
        }
    }

    private static final int DRAIN_EVERY = 5_000;

    private final Topics topics = Topics.defaults();
    private final DetectionConfig config;
    /**
     * Where the replay's wall clock starts: after any time an input can carry, so that no record counts as stamped ahead of
     * the clock ({@link io.airlock.core.RecordTimes}) and the same input gives the same alerts whatever the day of the replay.
     * Rules compare event times with event times; the clock only paces what a live run does when idle.
     */
    static final Instant CLOCK_START = Instant.parse("9000-01-01T00:00:00Z");
    /** The replay's wall clock: it starts at {@link #CLOCK_START} and moves only where {@link #replay} moves it. */
    private Instant wallClock = CLOCK_START;
    private final Path stateDir;
    private final TopologyTestDriver driver;
    private final Map<String, TestInputTopic<String, String>> inputs = new HashMap<>();
    /** The records piped to each input topic, in order: offset n of a topic is its n-th record. */
    private final Map<String, List<ReplayRecord>> piped = new HashMap<>();
    private final List<DeadLetterAt> firstDeadLetters = new ArrayList<>();
    private final TestOutputTopic<String, String> events;
    private final TestOutputTopic<String, byte[]> alerts;
    private final TestOutputTopic<String, String> deadLetters;
    private final Map<String, TestOutputTopic<byte[], byte[]>> internalOutput = new HashMap<>();

    OfflineReplay(DetectionConfig config) {
        this.config = config;
        try {
            stateDir = Files.createTempDirectory("airlock-backtest");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a state directory for the backtest", e);
        }
        driver = new TopologyTestDriver(StateStores.allInMemory(() -> AirlockTopology.build(config, topics)),
                StreamsSettings.of("offline:9092", topics, stateDir, 1), wallClock);
        events = driver.createOutputTopic(topics.events(), new StringDeserializer(), new StringDeserializer());
        alerts = driver.createOutputTopic(topics.alerts(), new StringDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(topics.dlq(), new StringDeserializer(), new StringDeserializer());
    }

    Topics topics() {
        return topics;
    }

    /**
     * Replays the records in order, each read from {@code input} as it goes.
     *
     * @param eventSink receives every normalized event (JSON) in output order; may be a no-op
     * @param progress  called with the number of records replayed so far, every few thousand records
     */
    Result replay(List<ReplayRecord> records, ReplayInput input, Consumer<String> eventSink, Consumer<Long> progress)
            throws IOException {
        Map<String, Alert> latest = new LinkedHashMap<>();
        long eventCount = 0;
        long deadLetterCount = 0;
        long done = 0;
        for (ReplayRecord record : records) {
            ReplayRecord.Content content = input.content(record);
            try {
                input(content.topic()).pipeInput(content.key(), content.value(), record.at());
            } catch (RuntimeException e) {
                throw new ReplayFailure(record, e);
            }
            piped.computeIfAbsent(content.topic(), t -> new ArrayList<>()).add(record);
            if (++done % DRAIN_EVERY == 0) {
                eventCount += drainEvents(eventSink);
                drainAlerts(latest);
                deadLetterCount += drainDeadLetters();
                discardInternalOutput();
                progress.accept(done);
            }
        }
        eventCount += drainEvents(eventSink);
        finishAsLive(records.isEmpty() ? wallClock : records.get(records.size() - 1).at());
        drainAlerts(latest);
        deadLetterCount += drainDeadLetters();
        discardInternalOutput();
        progress.accept(done);
        List<Alert> ordered = latest.values().stream()
                .sorted(Comparator.comparing(Alert::firstSeen, Comparator.nullsLast(Comparator.naturalOrder())).thenComparing(Alert::id))
                .toList();
        return new Result(ordered, eventCount, deadLetterCount, List.copyOf(firstDeadLetters));
    }

    /**
     * What a live run does once its input stops, done at the end instead: AL-022 decides the reads still waiting for their
     * grace to pass once the input has been idle for a while (so the clock moves past the last event time plus that grace,
     * and on by the idle delay), and the updates of open alerts go out at the next flush. The clock moves only here, so the
     * same input gives the same alerts.
     */
    private void finishAsLive(Instant lastEventTime) {
        Instant decidable = lastEventTime.plus(config.grace());
        Duration idle = SecretReadOutsideRunsRule.IDLE_DECISION_AFTER.plus(AlertUpdateCoalescer.FLUSH_INTERVAL);
        advance(wallClock.isBefore(decidable) ? Duration.between(wallClock, decidable).plus(idle) : idle);
        advance(AlertUpdateCoalescer.FLUSH_INTERVAL);
    }

    private void advance(Duration by) {
        driver.advanceWallClockTime(by);
        wallClock = wallClock.plus(by);
    }

    /**
     * The driver keeps every record written to any topic until it is read, changelogs and repartition topics included:
     * with a commit after every record, a replay of a few hundred thousand records filled a 1 GB heap with changelog
     * entries nobody reads. They are dropped here (the state is in the stores; repartitioned records were processed).
     */
    private void discardInternalOutput() {
        internalOutputs().forEach(TestOutputTopic::readRecordsToList);
    }

    /** Records the driver still holds on topics other than {@code events}, {@code alerts} and {@code dlq}. */
    long internalRecordsHeld() {
        return internalOutputs().mapToLong(TestOutputTopic::getQueueSize).sum();
    }

    private java.util.stream.Stream<TestOutputTopic<byte[], byte[]>> internalOutputs() {
        return driver.producedTopicNames().stream()
                .filter(t -> !t.equals(topics.events()) && !t.equals(topics.alerts()) && !t.equals(topics.dlq()))
                .map(t -> internalOutput.computeIfAbsent(t, n -> driver.createOutputTopic(n, new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())));
    }

    private TestInputTopic<String, String> input(String topic) {
        return inputs.computeIfAbsent(topic, t -> driver.createInputTopic(t, new StringSerializer(), new StringSerializer()));
    }

    private long drainEvents(Consumer<String> sink) {
        List<String> batch = events.readValuesToList();
        batch.forEach(sink);
        return batch.size();
    }

    private long drainDeadLetters() {
        List<String> letters = deadLetters.readValuesToList();
        for (String json : letters) {
            if (firstDeadLetters.size() >= DEAD_LETTERS_DESCRIBED) {
                break;
            }
            DeadLetter letter = Json.read(json.getBytes(StandardCharsets.UTF_8), DeadLetter.class);
            List<ReplayRecord> records = piped.getOrDefault(letter.sourceTopic(), List.of());
            boolean traced = piped.containsKey(letter.sourceTopic()) && letter.offset() >= 0 && letter.offset() < records.size();
            firstDeadLetters.add(new DeadLetterAt(traced ? records.get((int) letter.offset()) : null, letter.stage(), letter.reason()));
        }
        return letters.size();
    }

    private void drainAlerts(Map<String, Alert> latest) {
        for (byte[] value : alerts.readValuesToList()) {
            Alert alert = Json.read(value, Alert.class);
            latest.put(alert.id(), alert);
        }
    }

    static String toJsonLine(Object value) {
        return new String(Json.write(value), StandardCharsets.UTF_8);
    }

    static String normalizedEventLine(String json) {
        // Re-serialize through the record so the file has one canonical field order.
        return toJsonLine(Json.read(json.getBytes(StandardCharsets.UTF_8), NormalizedEvent.class));
    }

    @Override
    public void close() {
        driver.close();
        Directories.deleteRecursively(stateDir);
    }
}
