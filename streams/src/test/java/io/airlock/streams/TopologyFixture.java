package io.airlock.streams;

import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Topics;
import io.airlock.streams.detect.AlertUpdateCoalescer;
import io.airlock.streams.internal.JsonSerdes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

/** The real topology in a {@link TopologyTestDriver}, with typed access to its topics. */
public final class TopologyFixture implements AutoCloseable {

    public final Topics topics = Topics.defaults();
    private final TopologyTestDriver driver;
    private final Path stateDir;
    private final TestInputTopic<String, String> abUser;
    private final TestInputTopic<String, String> log;
    private final TestInputTopic<String, String> dagRun;
    private final TestInputTopic<String, String> vaultAudit;
    private final TestOutputTopic<String, NormalizedEvent> events;
    private final TestOutputTopic<String, Alert> alerts;
    private final TestOutputTopic<String, String> dlq;

    /** The default wall clock of the driver: after every event time the tests use. */
    public static final Instant LATER_THAN_ANY_TEST_DATA = Instant.parse("2100-01-01T00:00:00Z");

    /** The driver's wall clock, as far as this fixture moved it. */
    private Instant wallClock;

    /**
     * The driver's wall clock starts at {@link #LATER_THAN_ANY_TEST_DATA}, not now: the rules count an event stamped ahead of
     * the clock at the clock ({@code CountedTimes}), so a test whose events lie after the day it runs (a holiday next
     * month, a DST change next year) would otherwise decide differently depending on the date it runs on.
     */
    public TopologyFixture(DetectionConfig config) {
        this(config, LATER_THAN_ANY_TEST_DATA);
    }

    /**
     * With the driver's wall clock starting at {@code wallClock} rather than now: for tests of events stamped ahead of the
     * clock, whose true events must arrive about when they happened ({@link #advanceWallClockTo}).
     */
    public TopologyFixture(DetectionConfig config, Instant wallClock) {
        this.wallClock = wallClock;
        try {
            stateDir = Files.createTempDirectory("airlock-ttd");
            var props = StreamsSettings.of("ttd:9092", topics, stateDir, 1);
            driver = new TopologyTestDriver(AirlockTopology.build(config, topics), props, wallClock);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        abUser = driver.createInputTopic(topics.cdc("ab_user"), Serdes.String().serializer(), Serdes.String().serializer());
        log = driver.createInputTopic(topics.cdc("log"), Serdes.String().serializer(), Serdes.String().serializer());
        dagRun = driver.createInputTopic(topics.cdc("dag_run"), Serdes.String().serializer(), Serdes.String().serializer());
        vaultAudit = driver.createInputTopic(topics.vaultAudit(), Serdes.String().serializer(), Serdes.String().serializer());
        events = driver.createOutputTopic(topics.events(), Serdes.String().deserializer(), JsonSerdes.events().deserializer());
        alerts = driver.createOutputTopic(topics.alerts(), Serdes.String().deserializer(), JsonSerdes.alerts().deserializer());
        dlq = driver.createOutputTopic(topics.dlq(), Serdes.String().deserializer(), Serdes.String().deserializer());
    }

    public TopologyFixture() {
        this(DetectionConfig.defaults());
    }

    public void abUser(AbUserRow row, String changeJson, Instant at) {
        abUser.pipeInput(row.key(), changeJson, at);
    }

    public void abUserRaw(String key, String value, Instant at) {
        abUser.pipeInput(key, value, at);
    }

    /** A change event of the {@code log} table, as raw JSON (use {@link LogRow} to build it). */
    public void log(String key, String changeJson, Instant at) {
        log.pipeInput(key, changeJson, at);
    }

    /** A change event of the {@code dag_run} table, as raw JSON (use {@link DagRunRow} to build it). */
    public void dagRun(String key, String changeJson, Instant at) {
        dagRun.pipeInput(key, changeJson, at);
    }

    /** A Vault audit line, as raw JSON (use {@link VaultAuditLine} to build it). */
    public void vaultAudit(String key, String line, Instant at) {
        vaultAudit.pipeInput(key, line, at);
    }

    /** A Vault audit line with the record headers the capture adds (e.g. {@code airlock.source}, {@code airlock.position}). */
    public void vaultAudit(String key, String line, Instant at, Map<String, String> headers) {
        var recordHeaders = new org.apache.kafka.common.header.internals.RecordHeaders();
        headers.forEach((name, value) -> recordHeaders.add(name, value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        vaultAudit.pipeInput(new org.apache.kafka.streams.test.TestRecord<>(key, line, recordHeaders, at));
    }

    /** A Vault audit line as the capture sent it: key, value, headers and record timestamp. */
    public void vaultAudit(TestRecord<String, String> record) {
        vaultAudit.pipeInput(record);
    }

    /**
     * Records straight onto a repartition topic of the topology ({@code <application id>-<name>-repartition}), as the tasks
     * writing it send them — for what one driver (one task, one partition per topic) never interleaves on its own.
     */
    public TestInputTopic<String, NormalizedEvent> repartitionTopic(String name) {
        return driver.createInputTopic(topics.prefix() + "-streams-" + name + "-repartition", Serdes.String().serializer(),
                io.airlock.streams.internal.InternalSerdes.events().serializer());
    }

    /** The records a task wrote to a repartition topic of the topology ({@code <application id>-<name>-repartition}). */
    public List<TestRecord<String, NormalizedEvent>> repartitionRecords(String name) {
        return driver.createOutputTopic(topics.prefix() + "-streams-" + name + "-repartition", Serdes.String().deserializer(),
                io.airlock.streams.internal.InternalSerdes.events().deserializer()).readRecordsToList();
    }

    /** Moves the driver's wall clock, firing wall-clock punctuations. */
    public void advanceWallClock(java.time.Duration by) {
        driver.advanceWallClockTime(by);
        wallClock = wallClock.plus(by);
    }

    /** Moves the driver's wall clock to {@code at}, if it is not there yet. */
    public void advanceWallClockTo(Instant at) {
        if (at.isAfter(wallClock)) {
            advanceWallClock(java.time.Duration.between(wallClock, at));
        }
    }

    public List<NormalizedEvent> events() {
        return events.readValuesToList();
    }

    /**
     * The event records with their keys, at the times detection takes them at: their record timestamps, or the true time
     * {@link io.airlock.core.RecordTimes#TRUE_TIME_HEADER} of an event the normalization task stamped later for the topic's
     * retention — every event of a test dated before the driver's wall clock less 3 days. {@link #eventRecordsAsWritten}
     * gives them as they are on the topic.
     */
    public List<TestRecord<String, NormalizedEvent>> eventRecords() {
        return eventRecordsAsWritten().stream().map(r -> new TestRecord<>(r.key(), r.value(), r.headers(),
                io.airlock.streams.internal.TimeHeaders.read(r.headers(), io.airlock.core.RecordTimes.TRUE_TIME_HEADER)
                        .orElse(r.timestamp()))).toList();
    }

    /** The event records as the normalization task wrote them to {@code events}: keys, headers, record timestamps. */
    public List<TestRecord<String, NormalizedEvent>> eventRecordsAsWritten() {
        return events.readRecordsToList();
    }

    public <K, V> KeyValueStore<K, V> keyValueStore(String name) {
        return driver.getKeyValueStore(name);
    }

    /**
     * Every alert record in order (updates included), after moving the wall clock by the {@linkplain AlertUpdateCoalescer
     * coalescer's} flush interval so that collected updates of open alerts are sent.
     */
    public List<Alert> alertUpdates() {
        advanceWallClock(AlertUpdateCoalescer.FLUSH_INTERVAL);
        return alerts.readValuesToList();
    }

    /** Every alert record with its record timestamp and headers, after the coalescer's flush interval as {@link #alertUpdates}. */
    public List<TestRecord<String, Alert>> alertRecords() {
        advanceWallClock(AlertUpdateCoalescer.FLUSH_INTERVAL);
        return alerts.readRecordsToList();
    }

    /** The latest version of each alert, by id. */
    public static Map<String, Alert> latest(List<Alert> updates) {
        Map<String, Alert> latest = new LinkedHashMap<>();
        updates.forEach(a -> latest.put(a.id(), a));
        return latest;
    }

    public List<String> deadLetters() {
        return dlq.readValuesToList();
    }

    @Override
    public void close() {
        driver.close();
        io.airlock.core.Directories.deleteRecursively(stateDir);
    }
}
