package io.airlock.ingest.vault.internal;

import io.airlock.core.DeadLetter;
import io.airlock.core.LogThrottle;
import io.airlock.core.RecordTimes;
import io.airlock.core.SourceHeaders;
import io.airlock.core.StableIds;
import io.airlock.core.Topics;
import io.airlock.ingest.internal.IngestMeters;
import io.airlock.ingest.vault.VaultAuditSettings;
import io.airlock.ingest.vault.internal.ParsedLine.Accepted;
import io.airlock.ingest.vault.internal.ParsedLine.RejectCategory;
import io.airlock.ingest.vault.internal.ParsedLine.Rejected;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses lines and sends them with one idempotent producer ({@code acks=all}, lz4, linger 5 ms): good lines to the audit
 * topic with their {@link SourceHeaders}, bad ones as {@link DeadLetter}s to the DLQ. {@code send} blocks while the producer's buffer is full (backpressure,
 * nothing dropped) and the producer retries until Kafka accepts. Completion is counted per {@link Batch}, so a caller marks
 * a position processed only after Kafka acknowledged every line before it.
 *
 * <p>A line's record timestamp is its {@code time}, capped at the wall clock plus {@link RecordTimes#MAX_AHEAD} (a Vault
 * clock running ahead), raised to {@link RecordTimes#MAX_BEHIND} before the wall clock for an older line (the topic's time
 * retention would delete a backlog of weeks within minutes; the line's time then goes in {@link RecordTimes#TRUE_TIME_HEADER},
 * which the normalization task orders by), and 0 for a time before the epoch, which Kafka cannot stamp (the normalizer dead-letters it). Permanent Kafka rejections of a good line are handled instead of stopping: a record too large for
 * the topic goes to the DLQ; a timestamp the broker still refuses (its {@code message.timestamp.before|after.max.ms}) is sent
 * again stamped with the current time; records failed only for sharing a batch
 * with such a record are sent again unchanged. All are re-sent by the publishing thread in {@link #resendRejected()}, never
 * from the producer's I/O thread.
 */
public final class AuditRecordPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditRecordPublisher.class);
    /** At most one log line per this interval about compacted lines. */
    static final Duration COMPACTION_LOG_INTERVAL = Duration.ofMinutes(1);
    /** At most one log line per this interval about lines stamped later than their time. */
    static final Duration RAISED_LOG_INTERVAL = Duration.ofMinutes(1);

    /** Lines sent together whose completion is awaited together; starts open, {@link #seal()} after the last send. */
    public static final class Batch {
        private final AtomicInteger pending = new AtomicInteger(1);
        private final String fileId;
        private long endOffset;

        public Batch(String fileId) {
            this.fileId = fileId;
        }

        void add() {
            pending.incrementAndGet();
        }

        void complete() {
            pending.decrementAndGet();
        }

        /** No more lines will be added; the batch may be done from now on. */
        public void seal(long endOffsetOfBatch) {
            this.endOffset = endOffsetOfBatch;
            pending.decrementAndGet();
        }

        public boolean done() {
            return pending.get() == 0;
        }

        public String fileId() {
            return fileId;
        }

        public long endOffset() {
            return endOffset;
        }
    }

    private record Resend(ProducerRecord<byte[], byte[]> record, String sourceName, long position, Batch batch, Exception cause) {
    }

    private final Topics topics;
    private final String stage;
    private final VaultAuditLineParser parser;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Queue<Resend> resends = new ConcurrentLinkedQueue<>();
    private final AtomicLong captured = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Counter eventsIn = IngestMeters.eventsIn(IngestMeters.SOURCE_VAULT);
    private final Counter compactedLines = IngestMeters.vaultLinesCompacted();
    private final AtomicLong compacted = new AtomicLong();
    private final LogThrottle compactedLog = new LogThrottle(COMPACTION_LOG_INTERVAL);
    private final LogThrottle raisedLog = new LogThrottle(RAISED_LOG_INTERVAL);

    public AuditRecordPublisher(VaultAuditSettings settings, String stage, String clientId) {
        this.topics = settings.topics();
        this.stage = stage;
        this.parser = new VaultAuditLineParser(settings.prefix(), settings.maxLineBytes());
        this.producer = new KafkaProducer<>(producerProperties(settings, clientId), new ByteArraySerializer(), new ByteArraySerializer());
    }

    static Properties producerProperties(VaultAuditSettings settings, String clientId) {
        var props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        settings.kafkaSecurity().applyTo(props);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        // A line up to the limit must fit one request (the broker checks the compressed batch against max.message.bytes).
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Math.max(1 << 20, settings.maxLineBytes() + (64 << 10)));
        // Never give up on a line: block the reader when the buffer is full, retry delivery until Kafka is back.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.MAX_VALUE);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        return props;
    }

    /** A compactor for one stream of lines (a file, a connection) to give its {@link LineAssembler} and {@link #publish}. */
    public VaultAuditLineCompactor compactor() {
        return parser.compactor();
    }

    /**
     * Parses one line and sends it (blocking while the producer buffer is full).
     *
     * @param longLine   the compactor a line longer than the limit was streamed through ({@link LineAssembler.Overflow}); it
     *                   is sent compacted if it can be. Null dead-letters such a line
     * @param sourceName names the source in dead letters ({@code source_topic})
     * @param position   byte offset of the line in its file, or the line number on a connection
     * @param origin     the {@link SourceHeaders} the audit record carries
     * @param batch      counts the send until Kafka acknowledged it; may be null
     */
    public void publish(byte[] buf, int off, int len, long fullLength, VaultAuditLineCompactor longLine, String sourceName,
            long position, LineOrigin origin, Batch batch) {
        ParsedLine parsed = parser.parse(buf, off, len, fullLength, longLine);
        if (parsed instanceof Accepted a) {
            if (a.compacted()) {
                compacted(fullLength, a.value().length, sourceName, position);
            }
            // the line's time by Vault's clock, no further ahead of ours than the broker takes, nor further back than the
            // topic's time retention keeps it (RecordTimes); a raised one keeps the line's time in a header
            Long timestamp = null;
            Headers headers = origin.headers();
            if (a.timestamp() != null) {
                long now = System.currentTimeMillis();
                long capped = RecordTimes.capped(a.timestamp(), now);
                timestamp = RecordTimes.retained(capped, now);
                if (timestamp > capped) {
                    headers.add(RecordTimes.TRUE_TIME_HEADER, RecordTimes.trueTimeHeader(capped));
                    raised(now - capped, sourceName, position);
                }
            }
            sendAudit(new ProducerRecord<>(topics.vaultAudit(), null, timestamp, a.key(), a.value(), headers), sourceName,
                    position, batch);
        } else {
            Rejected r = (Rejected) parsed;
            deadLetter(r.category(), r.reason(), buf, off, len, fullLength, sourceName, position, batch);
        }
    }

    /**
     * Says, at most once a {@link #RAISED_LOG_INTERVAL}, that lines older than {@link RecordTimes#MAX_BEHIND} were stamped
     * that far back instead: topic, age and position only, never content.
     */
    private synchronized void raised(long ageMs, String sourceName, long position) {
        long raisedUnlogged = raisedLog.count(System.nanoTime());
        if (raisedUnlogged > 0) {
            LOG.warn("Captured {} Vault audit line(s) older than {} days, the latest at {} position {} {} days old: sent to {} "
                    + "stamped {} days back, their own time in header {}, so that the topic's time retention does not delete "
                    + "them before detection reads them. {} needs retention.ms of at least {} days (2 x {} days)",
                    raisedUnlogged, RecordTimes.MAX_BEHIND.toDays(), sourceName, position, Duration.ofMillis(ageMs).toDays(),
                    topics.vaultAudit(), RecordTimes.MAX_BEHIND.toDays(), RecordTimes.TRUE_TIME_HEADER, topics.vaultAudit(),
                    2 * RecordTimes.MAX_BEHIND.toDays(), RecordTimes.MAX_BEHIND.toDays());
        }
    }

    /**
     * Counts a compacted line and says so in the log, at most once a {@link #COMPACTION_LOG_INTERVAL} (a padding attack may
     * bring thousands): sizes and position only, never content.
     */
    private synchronized void compacted(long fullLength, int compactedLength, String sourceName, long position) {
        compacted.incrementAndGet();
        compactedLines.increment();
        long compactedUnlogged = compactedLog.count(System.nanoTime());
        if (compactedUnlogged > 0) {
            LOG.warn("Captured {} Vault audit line(s) longer than vault.audit.max-line-bytes compacted (only the fields "
                    + "Airlock reads kept, strings bounded: padded requests?); the latest at {} position "
                    + "{}: {} bytes, {} bytes compacted",
                    compactedUnlogged, sourceName, position, fullLength, compactedLength);
        }
    }

    private void sendAudit(ProducerRecord<byte[], byte[]> record, String sourceName, long position, Batch batch) {
        if (batch != null) {
            batch.add();
        }
        producer.send(record, (metadata, e) -> {
            if (e == null) {
                captured.incrementAndGet();
                eventsIn.increment();
                if (batch != null) {
                    batch.complete();
                }
            } else if (e instanceof RecordTooLargeException || isTimestampRejection(e) || isInnocentSibling(e)) {
                resends.add(new Resend(record, sourceName, position, batch, e));
            } else {
                fail(e, sourceName, position);
            }
        });
    }

    private void deadLetter(RejectCategory category, String reason, byte[] buf, int off, int len, long fullLength, String sourceName,
            long position, Batch batch) {
        byte[] key = StableIds.of(sourceName, Long.toString(position)).getBytes(StandardCharsets.UTF_8);
        DeadLetter letter = DeadLetter.ofHead(sourceName, -1, position, stage, reason, key, buf, off, len, fullLength,
                VaultAuditSettings.MAX_DEAD_LETTER_BYTES);
        LOG.warn("Dead-lettered the Vault audit line at {} position {}: {}", sourceName, position, category);
        if (batch != null) {
            batch.add();
        }
        producer.send(letter.toProducerRecord(topics.dlq(), key), (metadata, e) -> {
            if (e == null) {
                deadLettered.incrementAndGet();
                if (batch != null) {
                    batch.complete();
                }
            } else {
                fail(e, sourceName, position);
            }
        });
    }

    /** Sends again what Kafka rejected permanently but can be saved; call from the publishing thread. */
    public void resendRejected() {
        Resend r;
        while ((r = resends.poll()) != null) {
            if (isInnocentSibling(r.cause())) {
                sendAudit(r.record(), r.sourceName(), r.position(), r.batch());
            } else if (isTimestampRejection(r.cause())) {
                LOG.warn("Kafka rejected the time of the Vault audit line at {} position {}; sending it stamped with the current time",
                        r.sourceName(), r.position());
                // counted at the current time, as it is stamped: without a true time from before
                var headers = new RecordHeaders(r.record().headers().toArray());
                headers.remove(RecordTimes.TRUE_TIME_HEADER);
                var now = new ProducerRecord<>(r.record().topic(), null, null, r.record().key(), r.record().value(), headers);
                sendAudit(now, r.sourceName(), r.position(), r.batch());
            } else {
                byte[] value = r.record().value();
                deadLetter(RejectCategory.REJECTED_BY_KAFKA, "rejected by Kafka: record too large (" + value.length + " bytes)",
                        value, 0, value.length, value.length, r.sourceName(), r.position(), r.batch());
            }
            if (r.batch() != null) {
                r.batch().complete();
            }
        }
    }

    /**
     * The broker refused the record's timestamp (outside its {@code message.timestamp.before|after.max.ms}): as an
     * {@link InvalidTimestampException}, or — when it names the record within its batch — as an {@link InvalidRecordException}
     * "Timestamp … is out of range".
     */
    private static boolean isTimestampRejection(Exception e) {
        return e instanceof InvalidTimestampException || e instanceof InvalidRecordException && e.getMessage() != null
                && e.getMessage().startsWith("Timestamp ") && e.getMessage().contains("out of range");
    }

    /**
     * When the broker rejects some records of a batch (KIP-467), the producer fails the others with a plain
     * {@link KafkaException}; they were fine and are sent again.
     */
    private static boolean isInnocentSibling(Exception e) {
        return e.getClass() == KafkaException.class && e.getMessage() != null
                && e.getMessage().startsWith("Failed to append record because it was part of a batch");
    }

    private void fail(Exception e, String sourceName, long position) {
        if (failure.compareAndSet(null, e)) {
            LOG.error("Kafka did not acknowledge the Vault audit line at {} position {}", sourceName, position, e);
        }
    }

    /** Sends everything buffered and waits for the acknowledgements (callbacks included). */
    public void flush() {
        producer.flush();
    }

    /** Lines acknowledged on the audit topic. */
    public long captured() {
        return captured.get();
    }

    /** Lines acknowledged on the dead-letter topic. */
    public long deadLettered() {
        return deadLettered.get();
    }

    /** Lines longer than the limit that were sent compacted (counted when sent). */
    public long compacted() {
        return compacted.get();
    }

    /** The first permanent send failure, if any: lines from there on are not acknowledged. */
    public Exception failure() {
        return failure.get();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
