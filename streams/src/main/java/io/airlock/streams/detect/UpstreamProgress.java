package io.airlock.streams.detect;

import io.airlock.core.NormalizedEvent;
import io.airlock.streams.StreamsSettings;
import io.airlock.streams.internal.StateStores;
import io.airlock.streams.internal.TimeHeaders;
import io.airlock.streams.normalize.SourceTimes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * How far in event time each writer of a single-partition repartition topic has come: the low watermark a rule that joins
 * sources through such a topic decides by (AL-022), instead of its own stream time.
 *
 * <p>A topic re-keyed to one key is written by every task of the sub-topology before it, one per input partition, and those
 * tasks do not advance together: in a catch-up, tasks of one Kafka Streams thread take turns by record count, and one measured
 * 36 minutes of event time ahead of another (three partitions, a backlog). The receiving task's stream time is the
 * <em>newest</em> of its writers, so a rule deciding by it decides before a lagging writer delivered what it was waiting for.
 *
 * <p>The {@link Feed} on the writing side tags every record it forwards with its task's partition ({@value #HEADER} header)
 * and adds a progress marker — a record without value, its timestamp the task's progress (the newest time of the events it
 * saw, each {@linkplain SourceTimes#progressOf no later than its input record}) — whenever that progress has
 * moved {@link #MARK_EVERY} since the last one, whether or not the task had a record for the rule. The receiving side's
 * {@link #watermark} is the oldest progress of the writers heard from within {@link #ACTIVE_FOR} of processing time; a writer
 * silent that long (nothing to process) no longer holds the rest back. The progress is kept in a store, so after a restart
 * every known writer holds the watermark until it reports again or has been silent for {@link #ACTIVE_FOR}. On the first
 * start no writer is known yet: when the application says how many there are ({@link StreamsSettings#INPUT_PARTITIONS}: one
 * normalization task per input partition), those not heard from hold the watermark for {@link #ACTIVE_FOR} after start, so
 * the first writer to report does not decide for all; without it (offline replays: one partition) only writers heard from
 * count.
 */
final class UpstreamProgress {

    /** Header naming the writing task's partition. */
    static final String HEADER = "airlock.upstream";
    /**
     * Header of an event: how far its writing task had come when it forwarded the event (8 bytes, big-endian). An event's
     * own time can be ahead of that ({@link SourceTimes}) and must not count as the writer's progress.
     */
    static final String PROGRESS_HEADER = "airlock.upstream.time";
    /**
     * Event time between a task's markers: a read waits at most this much longer than its grace; in a catch-up, where event
     * time runs far faster than the clock, fewer markers cost less (one per second was one record in ten in the detection
     * benchmark).
     */
    static final Duration MARK_EVERY = Duration.ofSeconds(10);
    static final Duration ACTIVE_FOR = Duration.ofSeconds(30);
    /** Progress of a writer not heard from yet: before any event. */
    private static final long NONE = 0L;

    private final KeyValueStore<String, Long> store;
    private final Map<String, Long> progress = new HashMap<>();
    private final Map<String, Long> heardAtMs = new HashMap<>();

    /**
     * The receiving side: loads what the store knows, each writer — and each of the {@code expectedWriters} (0 if unknown)
     * not in it, with no progress — counting as heard from at {@code nowMs}.
     */
    UpstreamProgress(KeyValueStore<String, Long> store, int expectedWriters, long nowMs) {
        this.store = store;
        try (KeyValueIterator<String, Long> all = store.all()) {
            all.forEachRemaining(kv -> {
                progress.put(kv.key, kv.value);
                heardAtMs.put(kv.key, nowMs);
            });
        }
        for (int writer = 0; writer < expectedWriters; writer++) {
            progress.putIfAbsent(Integer.toString(writer), NONE);
            heardAtMs.putIfAbsent(Integer.toString(writer), nowMs);
        }
    }

    /**
     * The number of writers the application configured ({@link StreamsSettings#INPUT_PARTITIONS} in {@code appConfigs}),
     * 0 when it did not.
     */
    static int expectedWriters(Map<String, Object> appConfigs) {
        Object value = appConfigs.get(StreamsSettings.INPUT_PARTITIONS);
        if (value == null) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(value.toString().trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(StreamsSettings.INPUT_PARTITIONS + " must be a number of partitions, not '" + value + "'");
        }
    }

    static void addStore(StreamsBuilder builder, String name) {
        builder.addStateStore(StateStores.inMemory(name, Serdes.Long()));
    }

    /**
     * Notes the record's writer and time; a record without the header (written before this existed) only counts as stream
     * time, as it did then.
     *
     * @return true if the record is a progress marker (no event to process)
     */
    boolean observe(Record<String, ?> record, long nowMs) {
        Header header = record.headers().lastHeader(HEADER);
        if (header != null) {
            String writer = new String(header.value(), StandardCharsets.UTF_8);
            heardAtMs.put(writer, nowMs);
            long at = progressOf(record);
            Long known = progress.get(writer);
            if (known == null || at > known) {
                progress.put(writer, at);
                if (record.value() == null) {
                    store.put(writer, at);
                }
            }
        }
        return record.value() == null;
    }

    /** A marker's timestamp; an event's {@link #PROGRESS_HEADER}, or its timestamp when written before that header existed. */
    private static long progressOf(Record<String, ?> record) {
        return TimeHeaders.read(record.headers(), PROGRESS_HEADER).orElse(record.timestamp());
    }

    /**
     * The oldest progress among the writers heard from within {@link #ACTIVE_FOR} before {@code nowMs}: no event time up to
     * it is still to come from them (beyond their own disorder, which the rule's grace covers). {@link Long#MAX_VALUE} when
     * no writer is active — then nothing holds the decision back.
     */
    long watermark(long nowMs) {
        long oldest = Long.MAX_VALUE;
        for (Map.Entry<String, Long> writer : progress.entrySet()) {
            if (nowMs - heardAtMs.getOrDefault(writer.getKey(), Long.MIN_VALUE / 2) < ACTIVE_FOR.toMillis()) {
                oldest = Math.min(oldest, writer.getValue());
            }
        }
        return oldest;
    }

    /**
     * The writing side: forwards the records {@code relevant} accepts re-keyed to {@code key} and tagged with this task's
     * partition, and the progress markers.
     */
    static final class Feed implements Processor<String, NormalizedEvent, String, NormalizedEvent> {

        private final Predicate<NormalizedEvent> relevant;
        private final String key;
        private ProcessorContext<String, NormalizedEvent> context;
        private Header tag;
        private long markedAt = Long.MIN_VALUE;
        /**
         * The newest time of the events this task saw, each at {@link SourceTimes#progressOf}: not the task's stream time,
         * which in a {@code TopologyTestDriver} (backtest) is that of every sub-topology at once.
         */
        private long progress = Long.MIN_VALUE;

        Feed(Predicate<NormalizedEvent> relevant, String key) {
            this.relevant = relevant;
            this.key = key;
        }

        @Override
        public void init(ProcessorContext<String, NormalizedEvent> context) {
            this.context = context;
            this.tag = new RecordHeader(HEADER, Integer.toString(context.taskId().partition()).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void process(Record<String, NormalizedEvent> record) {
            if (record.value() != null) {
                // never beyond the task's stream time either: an event's own time (log.dttm from a host whose clock runs
                // ahead) may be later than the input records it came from
                progress = Math.max(progress, Math.min(SourceTimes.progressOf(record), context.currentStreamTimeMs()));
            }
            if (progress == Long.MIN_VALUE) {
                return;
            }
            if (record.value() != null && relevant.test(record.value())) {
                Headers headers = TimeHeaders.with(record.headers(), PROGRESS_HEADER, progress);
                headers.remove(HEADER);
                context.forward(record.withKey(key).withHeaders(headers.add(tag)));
            }
            if (markedAt == Long.MIN_VALUE || progress - markedAt >= MARK_EVERY.toMillis()) {
                markedAt = progress;
                context.forward(new Record<String, NormalizedEvent>(key, null, progress, new RecordHeaders().add(tag)));
            }
        }
    }
}
