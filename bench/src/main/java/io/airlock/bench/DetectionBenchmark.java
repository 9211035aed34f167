package io.airlock.bench;

import io.airlock.core.Topics;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.streams.AirlockTopology;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.StreamsSettings;
import io.airlock.streams.detect.RuleDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Detection throughput: input records/s and normalized events/s through the full Airlock topology (normalizers and every
 * default rule, exactly_once_v2, {@link StreamsSettings}), beside a pass-through topology (the same four input topics copied
 * to one output topic with the same settings) on the same embedded broker in the same run.
 *
 * <p>The input is pre-produced (non-transactionally, so input end offsets equal record counts) before KafkaStreams starts:
 * 40% Vault audit lines (request+response pairs of several identities and paths), 30% Airflow {@code log} inserts, 20%
 * {@code ab_user} updates (failed and successful logins of many users), 10% {@code dag_run} inserts/updates. The generator is
 * built so that every input record normalizes to exactly one event, so {@code airlock.events} must end up holding N events.
 *
 * <p>Timer: from the moment the first stream thread is {@code RUNNING} (its first assignment done, internal topics created:
 * the start-up before it is reported on its own) until the application's committed offsets on every input topic equal the end
 * offsets (Admin {@code listConsumerGroupOffsets} vs {@code listOffsets}) — under exactly_once_v2 the input offsets commit in
 * the same transaction as the events they produced, so at that moment all events are committed; the count is verified after
 * the timer stops (read_committed) — and, for the Airlock topology, until the rule sub-topologies have drained too: the
 * application's lag on {@code events} and on its repartition topics is at most the trailing transaction marker. The
 * throughput reported is over that drained time: events through normalization <em>and</em> every rule.
 *
 * <p>{@link #compare} first sends a third of the input through each topology unmeasured, so that both are measured with the
 * JIT compiler done with their code (on two cores, C2 compiling the rules otherwise takes a core for the first ~10 s).
 * {@link #main} runs alternating rounds and keeps the best of each. {@code java -cp … io.airlock.bench.DetectionBenchmark
 * [records] [rounds]} (default 300 000, 2).
 */
public final class DetectionBenchmark {

    private static final Duration POLL = Duration.ofMillis(25);
    private static final String STREAMS_OVERRIDE = "airlock.bench.streams.";
    private static final String ONLY_RULES = "airlock.bench.rules";
    /** Partitions of every topic of a round ({@code -Dairlock.bench.partitions}, default 1: the figures of docs/performance.md). */
    private static final int PARTITIONS = Integer.getInteger("airlock.bench.partitions", 1);
    /** Records through each topology before the measured round, at least (or the round's size, if smaller). */
    static final int WARM_UP_RECORDS = 100_000;
    private static final Duration TIMEOUT = Duration.ofMinutes(15);
    private static final String RUN_ID = Long.toString(System.nanoTime() & 0xffffffL, 36);
    private static int roundNumber;

    private DetectionBenchmark() {
    }

    private record Result(String label, long inputs, long events, double startSeconds, double seconds, double drainedSeconds,
            long stateBytes, long changelogBytes, long alerts, long dlq, Map<String, Long> alertsByRule) {
        double inputsPerS() {
            return inputs / drainedSeconds;
        }

        double eventsPerS() {
            return events / drainedSeconds;
        }
    }

    /**
     * One round of each topology on the given broker: the Airlock topology and the pass-through topology over the same input.
     *
     * @param airlockEventsPerSecond normalized events per second through the full Airlock topology (until its input offsets are
     *     committed)
     * @param passThroughEventsPerSecond records per second through the pass-through topology, same input, same settings
     * @param stateStoreBytes bytes of the Airlock application's state directory once it has drained and closed (the stores kept
     *     on disk; those kept in memory are in the changelogs)
     * @param changelogBytes bytes of the Airlock application's changelog topics on the broker, not compacted yet: an upper
     *     bound of what restoring all its state reads
     */
    public record Comparison(double airlockEventsPerSecond, double passThroughEventsPerSecond, long stateStoreBytes,
            long changelogBytes) {
        /** Airlock events/s over pass-through records/s (every input record normalizes to one event, so the units match). */
        public double ratio() {
            return passThroughEventsPerSecond == 0 ? 0 : airlockEventsPerSecond / passThroughEventsPerSecond;
        }
    }

    /**
     * Runs the pass-through topology and then the Airlock topology on {@code kafka}, each over {@code records} freshly generated
     * input records on fresh topic names, {@code rounds} times after a warm-up, and returns the best round of each, as the CDC
     * and indexing stages do: one round alone moved with the machine's noise (a pass-through round measured 46 873 and 62 566
     * records/s in two suites of one afternoon).
     *
     * @param kafka the broker both topologies run on
     * @param records input records per topology and round (rounded down to a multiple of ten, at least ten)
     * @param rounds measured rounds of each topology, alternating
     * @return the best measured round of each
     * @throws Exception if a topology fails or does not finish within the timeout
     */
    public static Comparison compare(EmbeddedKafka kafka, int records, int rounds) throws Exception {
        int n = wholeGroups(records);
        try (Admin admin = kafka.admin()) {
            // The same JIT warm-up for the quick suite as for the full one (C2 settles after ~100 000 records of each)
            int warmUp = Math.max(Math.min(n, WARM_UP_RECORDS), n / 3 / 10 * 10);
            System.out.printf("  warm-up: %,d records through each topology (not measured)%n", warmUp);
            measure(kafka, admin, warmUp, false, PARTITIONS);
            measure(kafka, admin, warmUp, true, PARTITIONS);
            Result pass = null;
            Result airlock = null;
            for (int round = 0; round < rounds; round++) {
                Result p = measure(kafka, admin, n, false, PARTITIONS);
                Result a = measure(kafka, admin, n, true, PARTITIONS);
                pass = pass == null || p.eventsPerS() > pass.eventsPerS() ? p : pass;
                airlock = airlock == null || a.eventsPerS() > airlock.eventsPerS() ? a : airlock;
            }
            return new Comparison(airlock.eventsPerS(), pass.eventsPerS(), airlock.stateBytes, airlock.changelogBytes);
        }
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 300_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        records = wholeGroups(records);
        List<Result> results = new ArrayList<>();
        try (var kafka = EmbeddedKafka.start(); Admin admin = kafka.admin()) {
            for (int round = 0; round < rounds; round++) {
                results.add(measure(kafka, admin, records, false, PARTITIONS));
                results.add(measure(kafka, admin, records, true, PARTITIONS));
            }
        }
        Result pass = results.stream().filter(r -> r.label.startsWith("pass")).max(Comparator.comparingDouble(Result::inputsPerS)).orElseThrow();
        Result detect = results.stream().filter(r -> r.label.startsWith("airlock")).max(Comparator.comparingDouble(Result::eventsPerS)).orElseThrow();
        double ratio = detect.inputsPerS() / pass.inputsPerS();

        System.out.printf("%n%-22s %10s %10s %9s %9s %9s %12s %12s %10s %8s %5s%n", "variant", "inputs", "events", "start s", "input s",
                "drain s", "inputs/s", "events/s", "state MB", "alerts", "dlq");
        for (Result r : results) {
            System.out.printf("%-22s %,10d %,10d %9.2f %9.2f %9.2f %,12.0f %,12.0f %10.2f %,8d %,5d%n", r.label, r.inputs, r.events,
                    r.startSeconds, r.seconds, r.drainedSeconds, r.inputsPerS(), r.eventsPerS(), r.stateBytes / 1e6, r.alerts, r.dlq);
        }
        System.out.printf("%nDetection (normalization and every rule, drained): %,.0f events/s (%,.0f input records/s; input offsets "
                + "committed after %.2f s), pass-through %,.0f records/s, ratio %.3f; state %.2f MB on disk, changelogs %.2f MB, %,d alerts%n",
                detect.eventsPerS(), detect.inputsPerS(), detect.seconds, pass.inputsPerS(), ratio, detect.stateBytes / 1e6,
                detect.changelogBytes / 1e6, detect.alerts);
        System.out.printf("{\"detect_events_per_s\": %.0f, \"detect_input_records_per_s\": %.0f, \"passthrough_records_per_s\": %.0f, "
                + "\"detect_ratio\": %.3f, \"state_store_mb\": %.2f, \"changelog_mb\": %.2f, \"alerts\": %d}%n", detect.eventsPerS(),
                detect.inputsPerS(), pass.inputsPerS(), ratio, detect.stateBytes / 1e6, detect.changelogBytes / 1e6, detect.alerts);
    }

    /**
     * The default detection config, or with {@code -Dairlock.bench.rules=AL-001,AL-021} only those rules enabled (an empty
     * value: none, normalization alone) — to see what a rule costs. The suite always runs every rule.
     */
    private static DetectionConfig detectionConfig() {
        DetectionConfig config = DetectionConfig.defaults();
        String only = System.getProperty(ONLY_RULES);
        if (only == null) {
            return config;
        }
        Set<String> enabled = Stream.of(only.split(",")).map(String::trim).filter(id -> !id.isEmpty()).collect(Collectors.toSet());
        for (RuleDefinition rule : RuleDefinition.CATALOGUE) {
            if (!enabled.contains(rule.id())) {
                config = config.withRule(rule, config.rule(rule).disabled());
            }
        }
        return config;
    }

    /** {@code records} rounded down to whole groups of ten (the generator's unit), at least one group. */
    private static int wholeGroups(int records) {
        return Math.max(10, records / 10 * 10);
    }

    /**
     * The Airlock topology alone over {@code records} generated input records (a backlog, as after a stop) on topics of
     * {@code partitions} partitions each: its alert records by rule, and {@code distinct alert ids}.
     */
    static Map<String, Long> alertsByRule(EmbeddedKafka kafka, int records, int partitions) throws Exception {
        try (Admin admin = kafka.admin()) {
            return measure(kafka, admin, wholeGroups(records), true, partitions).alertsByRule();
        }
    }

    private static Result measure(EmbeddedKafka kafka, Admin admin, int records, boolean airlock, int partitions) throws Exception {
        var topics = new Topics(nextPrefix());
        String output = topics.prefix() + ".passthrough";
        createTopics(kafka, partitions, Stream.concat(topics.all().stream(), Stream.of(output)).toArray(String[]::new));
        List<String> inputs = topics.inputs();
        produce(kafka, topics, records);
        Map<TopicPartition, Long> inputEnds = endOffsets(admin, inputs, IsolationLevel.READ_UNCOMMITTED);
        long produced = inputEnds.values().stream().mapToLong(Long::longValue).sum();
        if (produced != records) {
            throw new IllegalStateException("produced " + produced + " records, expected " + records);
        }

        Path stateDir = Files.createTempDirectory("airlock-bench-state-");
        Properties props = StreamsSettings.of(kafka.bootstrapServers(), topics, stateDir, 1);
        props.put(StreamsSettings.INPUT_PARTITIONS, partitions);
        // -Dairlock.bench.streams.<config>=<value> tunes both topologies alike, e.g. num.stream.threads=2
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(STREAMS_OVERRIDE))
                .forEach(k -> props.put(k.substring(STREAMS_OVERRIDE.length()), System.getProperty(k)));
        String applicationId = props.getProperty("application.id");
        Topology topology = airlock ? AirlockTopology.build(detectionConfig(), topics) : passThrough(inputs, output);
        String label = airlock ? "airlock (" + topics.prefix() + ")" : "pass-through (" + topics.prefix() + ")";
        String resultTopic = airlock ? topics.events() : output;
        double startup;
        double seconds;
        double drained;
        long stateBytes;
        Map<String, Double> cpuPerRecord;
        String threadRatios;
        try {
            var streams = new KafkaStreams(topology, props);
            streams.setUncaughtExceptionHandler(e -> {
                e.printStackTrace();
                return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            long t0 = System.nanoTime();
            streams.start();
            // The timer starts when the first stream thread runs (it processes from then on): the client reports RUNNING only
            // once every thread does, which with several threads can be after a rebalance and most of the work
            awaitFirstThreadRunning(streams);
            long t1 = System.nanoTime();
            Map<String, Long> cpuAtRunning = ThreadCpu.snapshot();
            if (airlock) {
                ProfilerHook.start();
            }
            awaitCommitted(admin, applicationId, inputEnds, 0, streams);
            long committed = System.nanoTime();
            startup = (t1 - t0) / 1e9;
            seconds = (committed - t1) / 1e9;
            if (airlock) {
                awaitDrained(admin, applicationId, inputs, streams);
            }
            drained = (System.nanoTime() - t1) / 1e9;
            if (airlock) {
                ProfilerHook.stop(topics.prefix());
            }
            cpuPerRecord = ThreadCpu.perUnitMicros(cpuAtRunning, ThreadCpu.snapshot(), records);
            threadRatios = threadRatios(streams) + "; tasks by thread: " + tasksByThread(streams);
            streams.close(Duration.ofSeconds(60));
            stateBytes = sizeOf(stateDir);
        } finally {
            deleteQuietly(stateDir);
        }
        long results = countCommitted(kafka, resultTopic);
        long alerts = airlock ? countCommitted(kafka, topics.alerts()) : 0;
        Map<String, Long> logBytes = logBytes(admin, topics.prefix(), applicationId);
        System.out.println("  bytes written per record: " + perRecord(logBytes, records));
        long changelogBytes = logBytes.entrySet().stream().filter(e -> e.getKey().endsWith("-changelog")).mapToLong(Map.Entry::getValue).sum();
        Map<String, Long> byRule = airlock ? countAlertsByRule(kafka, topics.alerts()) : Map.of();
        if (airlock) {
            System.out.println("  alerts by rule: " + byRule);
        }
        long dlq = countCommitted(kafka, topics.dlq());
        var r = new Result(label, records, results, startup, seconds, drained, stateBytes, changelogBytes, alerts, dlq, byRule);
        System.out.printf("%-22s started in %.2f s; %,d inputs -> %,d %s in %.2f s (drained %.2f s) = %,.0f inputs/s, %,.0f events/s; "
                + "state %.2f MB on disk, changelogs %.2f MB, %,d alerts, %,d dlq%n", label, startup, records, results,
                airlock ? "events" : "records", seconds, drained, r.inputsPerS(), r.eventsPerS(), stateBytes / 1e6, changelogBytes / 1e6,
                alerts, dlq);
        System.out.printf("  CPU per input record (Java threads, no JIT/GC), µs: %s%n", cpuPerRecord.entrySet().stream()
                .map(e -> e.getKey() + " " + String.format("%.1f", e.getValue())).collect(Collectors.joining(", ")));
        System.out.println("  stream thread time (Kafka Streams metrics, last 60 s): " + threadRatios + "; JVM uptime at the end "
                + java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() + " ms");
        if (results != records) {
            System.out.printf("  WARNING: %s holds %,d records, expected %,d%n", resultTopic, results, records);
        }
        return r;
    }

    /** Share of the stream threads' time in poll, process, commit and punctuate (Kafka Streams' thread metrics). */
    private static String threadRatios(KafkaStreams streams) {
        return streams.metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals("stream-thread-metrics") && e.getKey().name().endsWith("-ratio"))
                .map(e -> e.getKey().name().replace("-ratio", "") + " " + String.format("%.0f %%",
                        100 * ((Number) e.getValue().metricValue()).doubleValue()))
                .sorted().collect(Collectors.joining(", "));
    }

    /** Which tasks each stream thread ran ({@code 0_0} = sub-topology 0, partition 0), for runs with several threads. */
    private static String tasksByThread(KafkaStreams streams) {
        return streams.metadataForLocalThreads().stream()
                .map(thread -> thread.activeTasks().stream().map(task -> task.taskId().toString()).sorted()
                        .collect(Collectors.joining(" ", "[", "]")))
                .collect(Collectors.joining(" "));
    }

    private static synchronized String nextPrefix() {
        return "bench-" + RUN_ID + "-" + (++roundNumber);
    }

    /**
     * Creation is retried: right after creation the broker may not yet report a topic in the visibility check. Retention is
     * unlimited: the generated events happened in March 2026, and with the broker's default 7-day time retention the log
     * cleaner deleted input and events mid-run (the consumer then reset to the new log start and the round never finished).
     */
    private static void createTopics(EmbeddedKafka kafka, int partitions, String... names) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                kafka.createTopics(partitions, Map.of("retention.ms", "-1"), names);
                return;
            } catch (IllegalStateException e) {
                if (attempt >= 20) {
                    throw e;
                }
                Thread.sleep(250);
            }
        }
    }

    private static Topology passThrough(List<String> inputs, String output) {
        var builder = new StreamsBuilder();
        builder.stream(inputs, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("inputs"))
                .to(output, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("output"));
        return builder.build();
    }

    // ---------------------------------------------------------------- waiting

    private static void awaitFirstThreadRunning(KafkaStreams streams) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (streams.metadataForLocalThreads().stream().noneMatch(thread -> thread.threadState().equals("RUNNING"))) {
            if (streams.state() == KafkaStreams.State.ERROR || System.nanoTime() > deadline) {
                throw new IllegalStateException("no stream thread running: " + streams.state());
            }
            Thread.sleep(1);
        }
    }

    /** Until the group's committed offset of every given partition is at least its end offset minus {@code slack}. */
    private static void awaitCommitted(Admin admin, String group, Map<TopicPartition, Long> ends, long slack, KafkaStreams streams)
            throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            Map<TopicPartition, OffsetAndMetadata> committed = committed(admin, group);
            boolean done = ends.entrySet().stream().allMatch(e -> {
                OffsetAndMetadata c = committed.get(e.getKey());
                return c != null && c.offset() >= e.getValue() - slack;
            });
            if (done) {
                return;
            }
            if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING
                    || System.nanoTime() > deadline) {
                throw new IllegalStateException("streams " + streams.state() + ", committed " + committed + ", ends " + ends);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /**
     * Until the rule sub-topologies have caught up: every partition the group consumes that is not an input topic
     * ({@code events}, repartition topics) is written transactionally, so its end offset includes a trailing commit marker
     * the committed position may not have passed yet: lag at most 1, measured against the last stable offset.
     */
    private static void awaitDrained(Admin admin, String group, List<String> inputs, KafkaStreams streams) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            Map<TopicPartition, OffsetAndMetadata> committed = committed(admin, group);
            List<String> others = committed.keySet().stream().map(TopicPartition::topic).filter(t -> !inputs.contains(t)).distinct().toList();
            Map<TopicPartition, Long> ends = endOffsets(admin, others, IsolationLevel.READ_COMMITTED);
            boolean done = !others.isEmpty() && ends.entrySet().stream()
                    .allMatch(e -> committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue() - 1);
            if (done) {
                return;
            }
            if (streams.state() == KafkaStreams.State.ERROR || System.nanoTime() > deadline) {
                throw new IllegalStateException("not drained: " + streams.state() + ", committed " + committed + ", ends " + ends);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
        return offsets.entrySet().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, List<String> topics, IsolationLevel isolation) throws Exception {
        if (topics.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, description) ->
                description.partitions().forEach(p -> request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(request, new ListOffsetsOptions(isolation)).all().get(30, TimeUnit.SECONDS)
                .forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    /** Committed records of a topic (read_committed, values not deserialized). */
    private static long countCommitted(EmbeddedKafka kafka, String topic) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20, ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 << 20);
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
            long count = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to " + ends);
                }
                count += consumer.poll(Duration.ofMillis(200)).count();
            }
            return count;
        }
    }

    /**
     * Log bytes on the broker of this round's topics: those named {@code <prefix>.…} (inputs, events, alerts) and the
     * application's internal topics ({@code <applicationId>-…}), each without that prefix.
     */
    private static Map<String, Long> logBytes(Admin admin, String prefix, String applicationId) throws Exception {
        Map<String, Long> bytes = new TreeMap<>();
        var nodes = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream().map(org.apache.kafka.common.Node::id).toList();
        admin.describeLogDirs(nodes).allDescriptions().get(30, TimeUnit.SECONDS).values().forEach(dirs -> dirs.values().forEach(dir ->
                dir.replicaInfos().forEach((tp, info) -> {
                    for (String owner : List.of(prefix + ".", applicationId + "-")) {
                        if (tp.topic().startsWith(owner)) {
                            bytes.merge(tp.topic().substring(owner.length()), info.size(), Long::sum);
                        }
                    }
                })));
        return bytes;
    }

    private static String perRecord(Map<String, Long> bytes, long records) {
        long total = bytes.values().stream().mapToLong(Long::longValue).sum();
        return String.format("total %,d B; ", total / records) + bytes.entrySet().stream().filter(e -> e.getValue() >= records)
                .map(e -> e.getKey() + " " + e.getValue() / records).collect(Collectors.joining(", "));
    }

    /** Alert records by rule, {@code distinct alert ids}, and each rule's distinct ids ({@code <rule> ids}). */
    private static Map<String, Long> countAlertsByRule(EmbeddedKafka kafka, String topic) {
        var rule = java.util.regex.Pattern.compile("AL-\\d{3}");
        Map<String, Long> counts = new TreeMap<>();
        Map<String, Set<String>> ids = new TreeMap<>();
        for (var r : kafka.readAll(topic)) {
            var m = rule.matcher(r.value() == null ? "" : r.value());
            String ruleId = m.find() ? m.group() : "?";
            counts.merge(ruleId, 1L, Long::sum);
            ids.computeIfAbsent(ruleId, k -> new HashSet<>()).add(r.key());
        }
        counts.put("distinct alert ids", ids.values().stream().mapToLong(Set::size).sum());
        ids.forEach((ruleId, ofRule) -> counts.put(ruleId + " ids", (long) ofRule.size()));
        return counts;
    }

    // ---------------------------------------------------------------- input

    private static void produce(EmbeddedKafka kafka, Topics topics, int records) {
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 64L << 20,
                // Not idempotent, one request in flight: right after topic creation the broker may refuse the first batch of a
                // partition, and an idempotent producer then fails it with OutOfOrderSequence while later batches land (a gap).
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        long t0 = System.nanoTime();
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            topics.inputs().forEach(producer::partitionsFor);
            new InputGenerator(topics).generate(records, producer::send);
            producer.flush();
        }
        System.out.printf("  produced %,d input records onto %s.* in %.1f s%n", records, topics.prefix(), (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Deterministic input (seeded), in groups of ten records 100 ms apart: slots 0-3 two Vault request/response pairs, 4-6
     * {@code log} inserts, 7-8 {@code ab_user} updates, 9 a {@code dag_run} insert (queued) or update (running, success).
     * Every record normalizes to exactly one event: each ab_user update moves exactly one counter by one (the first update of
     * a user, which the normalizer sees without prior state, is a failed login) and each dag_run update changes the state.
     */
    static final class InputGenerator {
        private static final Instant START = Instant.parse("2026-03-02T08:00:00Z");
        private static final long STEP_MS = 100;
        private static final String HMAC = "hmac-sha256:4f5e2b1a9c0d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f";
        private static final String DENIED = "1 error occurred:\\n\\t* permission denied\\n\\n";
        private static final String[] LOG_EVENTS = {"cli_task_run", "cli_task_run", "cli_task_run", "task_instances.get", "grid_data",
            "trigger", "paused", "variable.edit", "connection.edit", "clear", "dagrun_clear", "log"};
        private static final int USERS = 2_000;
        private static final int ATTACKED = 10;
        private static final int HUMANS = 25;

        private final Topics topics;
        private final Random random = new Random(42);
        private final long[] failCount = new long[USERS];
        private final long[] loginCount = new long[USERS];
        private final boolean[] seen = new boolean[USERS];
        private long lsn = 1_000;
        private long logId;

        InputGenerator(Topics topics) {
            this.topics = topics;
        }

        void generate(int records, Function<ProducerRecord<String, String>, ?> send) {
            String vault = topics.vaultAudit();
            String log = topics.cdc("log");
            String abUser = topics.cdc("ab_user");
            String dagRun = topics.cdc("dag_run");
            for (int group = 0; group < records / 10; group++) {
                long base = START.toEpochMilli() + group * 10L * STEP_MS;
                for (int pair = 0; pair < 2; pair++) {
                    long t = base + pair * 2 * STEP_MS;
                    String id = "req-" + group + "-" + pair;
                    VaultOp op = vaultOp(group / 3);
                    send.apply(new ProducerRecord<>(vault, null, t, id, op.line(id, "request", t)));
                    send.apply(new ProducerRecord<>(vault, null, t + 4, id, op.line(id, "response", t + 4)));
                }
                for (int i = 0; i < 3; i++) {
                    long t = base + (4 + i) * STEP_MS;
                    long id = ++logId;
                    send.apply(new ProducerRecord<>(log, null, t + 1, "{\"id\":" + id + "}", logInsert(id, t)));
                }
                for (int i = 0; i < 2; i++) {
                    long t = base + (7 + i) * STEP_MS;
                    int user = random.nextInt(5) == 0 ? random.nextInt(ATTACKED) : random.nextInt(USERS);
                    send.apply(new ProducerRecord<>(abUser, null, t, "{\"id\":" + (user + 1) + "}", abUserUpdate(user, t)));
                }
                long t = base + 9 * STEP_MS;
                int run = group / 3;
                send.apply(new ProducerRecord<>(dagRun, null, t, "{\"id\":" + (run + 1) + "}", dagRunChange(run, group % 3, t)));
            }
        }

        private record VaultOp(String displayName, String entityId, String operation, String path, String mountType, String mountPoint,
                String error, String dagId, String runId, String ip) {
            /** AppRole tokens carry their role ({@code approle-airflow}: role {@code airflow}), userpass tokens their user. */
            private String metadata() {
                return displayName.startsWith("approle-") ? "\"role_name\":\"" + displayName.substring("approle-".length()) + "\""
                        : "\"username\":\"" + displayName.substring(displayName.indexOf('-') + 1) + "\"";
            }

            String line(String requestId, String type, long t) {
                var sb = new StringBuilder(1100);
                sb.append("{\"time\":\"").append(Instant.ofEpochMilli(t)).append("\",\"type\":\"").append(type).append("\",\"auth\":{")
                        .append("\"client_token\":\"").append(HMAC).append("\",\"accessor\":\"").append(HMAC)
                        .append("\",\"display_name\":\"").append(displayName).append("\",\"policies\":[\"default\",\"airflow\"],")
                        .append("\"metadata\":{").append(metadata()).append("},\"entity_id\":\"").append(entityId)
                        .append("\",\"token_type\":\"service\",\"token_ttl\":3600},\"request\":{\"id\":\"").append(requestId)
                        .append("\",\"client_id\":\"").append(entityId).append("\",\"operation\":\"").append(operation)
                        .append("\",\"mount_point\":\"").append(mountPoint).append("\",\"mount_type\":\"").append(mountType)
                        .append("\",\"mount_running_version\":\"v0.20.0+builtin\",\"mount_class\":\"secret\",\"client_token\":\"")
                        .append(HMAC).append("\",\"client_token_accessor\":\"").append(HMAC).append("\",\"namespace\":{\"id\":\"root\"},")
                        .append("\"path\":\"").append(path).append('"');
                if (runId != null) {
                    sb.append(",\"headers\":{\"x-airflow-dag-id\":[\"").append(dagId).append("\"],\"x-airflow-run-id\":[\"").append(runId)
                            .append("\"],\"x-airflow-task-id\":[\"extract\"]}");
                }
                sb.append(",\"remote_address\":\"").append(ip).append("\",\"remote_port\":50326}");
                if ("response".equals(type)) {
                    sb.append(",\"response\":{\"mount_point\":\"").append(mountPoint).append("\",\"mount_type\":\"").append(mountType).append('"');
                    if (error == null) {
                        sb.append(",\"data\":{\"password\":\"").append(HMAC).append("\"}");
                    }
                    sb.append('}');
                }
                if (error != null) {
                    sb.append(",\"error\":\"").append(error).append('"');
                }
                return sb.append('}').toString();
            }
        }

        private VaultOp vaultOp(int currentRun) {
            int kind = random.nextInt(100);
            if (kind < 65) { // Airflow's service identity reading its connections and variables, attributed to the current run
                String path = random.nextBoolean() ? "airflow/data/connections/conn_" + random.nextInt(40)
                        : "airflow/data/variables/var_" + random.nextInt(60);
                return new VaultOp("approle-airflow", "ent-airflow", "read", path, "kv", "airflow/", null, dagId(currentRun),
                        runId(currentRun), "10.0.4.17");
            }
            if (kind < 75) { // monitoring
                return new VaultOp("approle-monitor", "ent-monitor", "read", "sys/health", "system", "sys/", null, null, null, "10.0.9.2");
            }
            int human = random.nextInt(HUMANS);
            String name = "userpass-user_" + human;
            String entity = "ent-user-" + human;
            String ip = "10.1.0." + (10 + human);
            if (kind < 80) { // a human reading a pipeline secret (rare but real)
                return new VaultOp(name, entity, "read", "airflow/data/connections/conn_" + random.nextInt(40), "kv", "airflow/",
                        null, null, null, ip);
            }
            String error = random.nextInt(20) == 0 ? DENIED : null;
            String operation = random.nextInt(10) == 0 ? "list" : "read";
            return new VaultOp(name, entity, operation, "secret/data/team_" + human % 5 + "/app_" + random.nextInt(200), "kv", "secret/",
                    error, null, null, ip);
        }

        private String logInsert(long id, long t) {
            String owner = random.nextInt(4) == 0 ? "airflow" : "user_" + random.nextInt(60);
            String event = LOG_EVENTS[random.nextInt(LOG_EVENTS.length)];
            int dag = random.nextInt(50);
            String row = "{\"id\":" + id + ",\"dttm\":\"" + Instant.ofEpochMilli(t) + "\",\"dag_id\":\"dag_" + dag
                    + "\",\"task_id\":\"task_" + random.nextInt(7) + "\",\"map_index\":null,\"event\":\"" + event
                    + "\",\"execution_date\":\"2026-03-01T00:00:00Z\",\"run_id\":\"scheduled__2026-03-01T00:00:00+00:00\",\"owner\":\""
                    + owner + "\",\"owner_display_name\":\"" + owner.toUpperCase(java.util.Locale.ROOT)
                    + "\",\"extra\":\"{\\\"k\\\": \\\"***\\\"}\",\"try_number\":null}";
            return envelope("log", "c", null, row, t + 1);
        }

        private String abUserUpdate(int user, long t) {
            if (!seen[user] || user < ATTACKED || random.nextInt(10) < 6) {
                failCount[user]++;
            } else {
                loginCount[user]++;
                failCount[user] = 0;
            }
            seen[user] = true;
            String name = "user_" + user;
            String row = "{\"id\":" + (user + 1) + ",\"first_name\":\"First\",\"last_name\":\"Last\",\"username\":\"" + name
                    + "\",\"active\":true,\"email\":\"" + name + "@example.com\",\"login_count\":" + loginCount[user]
                    + ",\"fail_login_count\":" + failCount[user] + "}";
            return envelope("ab_user", "u", null, row, t);
        }

        private String dagRunChange(int run, int phase, long t) {
            boolean manual = run % 10 == 0;
            String dagId = dagId(run);
            String runId = runId(run);
            long queued = t - phase * 10 * STEP_MS;
            String state = switch (phase) {
                case 0 -> "queued";
                case 1 -> "running";
                default -> random.nextInt(10) == 0 ? "failed" : "success";
            };
            String start = phase >= 1 ? "\"" + Instant.ofEpochMilli(t - (phase - 1) * 10 * STEP_MS) + "\"" : "null";
            String end = phase == 2 ? "\"" + Instant.ofEpochMilli(t) + "\"" : "null";
            String user = manual ? "\"user_" + run % 60 + "\"" : "null";
            String row = "{\"id\":" + (run + 1) + ",\"dag_id\":\"" + dagId + "\",\"queued_at\":\"" + Instant.ofEpochMilli(queued)
                    + "\",\"logical_date\":\"2026-03-01T00:00:00Z\",\"start_date\":" + start + ",\"end_date\":" + end + ",\"state\":\""
                    + state + "\",\"run_id\":\"" + runId + "\",\"creating_job_id\":3,\"run_type\":\"" + (manual ? "manual" : "scheduled")
                    + "\",\"triggered_by\":\"" + (manual ? "rest_api" : "timetable") + "\",\"triggering_user_name\":" + user
                    + ",\"run_after\":\"2026-03-02T00:00:00Z\",\"bundle_version\":null,\"span_status\":\"not_started\",\"conf\":null,"
                    + "\"data_interval_start\":\"2026-03-01T00:00:00Z\",\"data_interval_end\":\"2026-03-02T00:00:00Z\",\"updated_at\":"
                    + (phase == 2 ? end : phase == 1 ? start : "null") + ",\"clear_number\":0}";
            return envelope("dag_run", phase == 0 ? "c" : "u", null, row, t);
        }

        /** Run {@code run} is queued in group 3·run, running from group 3·run+1, finished in group 3·run+2. */
        private static String dagId(int run) {
            return "dag_" + run % 50;
        }

        private static String runId(int run) {
            return (run % 10 == 0 ? "manual__" : "scheduled__") + Instant.ofEpochMilli(START.toEpochMilli() + (3L * run * 10 + 9) * STEP_MS);
        }

        private String envelope(String table, String op, String before, String after, long committedMs) {
            lsn += 8;
            return "{\"before\":" + before + ",\"after\":" + after + ",\"source\":{\"version\":\"3.1.0.Final\",\"connector\":\"postgresql\","
                    + "\"name\":\"airlock\",\"db\":\"airflow\",\"schema\":\"public\",\"table\":\"" + table + "\",\"ts_ms\":" + committedMs
                    + ",\"lsn\":" + lsn + ",\"snapshot\":\"false\"},\"op\":\"" + op + "\",\"ts_ms\":" + (committedMs + 5) + "}";
        }
    }

    // ---------------------------------------------------------------- files

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }
}
