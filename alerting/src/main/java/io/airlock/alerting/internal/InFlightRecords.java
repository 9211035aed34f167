package io.airlock.alerting.internal;

import io.airlock.core.RecordTimes;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The records a delivery loop has handed to its senders and not yet committed, per partition in offset order. Each
 * record's {@link Entry} counts its open tasks (the OpenSearch document, one notification per receiver); senders settle
 * them from their own threads. {@link #committable()} gives, per partition, the offset after the longest run of settled
 * records from the oldest one: what may be committed, so a record is committed only once it and every record before it
 * is confirmed or dead-lettered. Everything except {@link Entry} is used by the loop's thread only.
 */
public final class InFlightRecords {

    /** One record's open tasks. Starts with one hold (the dispatcher's), released by the dispatcher when done. */
    public static final class Entry {
        /** Added to {@code open} when the record is abandoned, so that late settles can never count it settled. */
        private static final int ABANDONED = 1 << 30;

        private final long offset;
        private final long timestamp;
        private final AtomicInteger unsettled;
        private final AtomicInteger open = new AtomicInteger(1);
        private volatile boolean abandoned;

        Entry(long offset, long timestamp, AtomicInteger unsettled) {
            this.offset = offset;
            this.timestamp = timestamp;
            this.unsettled = unsettled;
        }

        /** One more task must settle before the record may be committed; call before handing the task over. */
        public void hold() {
            open.incrementAndGet();
        }

        /** One task is done: confirmed, dead-lettered, or found not due. */
        public void settle() {
            if (open.decrementAndGet() == 0) {
                unsettled.decrementAndGet();
            }
        }

        /** Marks the record abandoned; true if it was not settled yet. */
        private boolean abandon() {
            abandoned = true;
            return open.getAndAdd(ABANDONED) > 0;
        }

        public boolean settled() {
            return open.get() <= 0;
        }

        /**
         * The loop gave the record's partition up (a rebalance): its new owner delivers it again, so senders skip it.
         */
        public boolean abandoned() {
            return abandoned;
        }

        /**
         * The record's Kafka timestamp (epoch ms), or the true time in its {@link RecordTimes#TRUE_TIME_HEADER} if its
         * writer raised it; negative if it has none.
         */
        public long timestamp() {
            return timestamp;
        }

        long offset() {
            return offset;
        }
    }

    private final Map<TopicPartition, ArrayDeque<Entry>> byPartition = new HashMap<>();
    private final AtomicInteger unsettled = new AtomicInteger();
    private int size;

    /** Starts tracking a record (polled in offset order per partition). */
    public Entry track(ConsumerRecord<?, ?> record) {
        // an alert of old history is stamped later than its time (RecordTimes.retained); latency counts from its time
        var trueTime = record.headers().lastHeader(RecordTimes.TRUE_TIME_HEADER);
        long at = trueTime != null && trueTime.value() != null && trueTime.value().length == Long.BYTES
                ? java.nio.ByteBuffer.wrap(trueTime.value()).getLong() : record.timestamp();
        Entry entry = new Entry(record.offset(), at, unsettled);
        unsettled.incrementAndGet();
        byPartition.computeIfAbsent(new TopicPartition(record.topic(), record.partition()), tp -> new ArrayDeque<>())
                .addLast(entry);
        size++;
        return entry;
    }

    /**
     * Forgets the settled records at the head of each partition and returns the offsets to commit for the partitions that
     * advanced (empty if none did).
     */
    public Map<TopicPartition, OffsetAndMetadata> committable() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Map.Entry<TopicPartition, ArrayDeque<Entry>> partition : byPartition.entrySet()) {
            ArrayDeque<Entry> queue = partition.getValue();
            long next = -1;
            while (!queue.isEmpty() && queue.peekFirst().settled()) {
                next = queue.pollFirst().offset() + 1;
                size--;
            }
            if (next >= 0) {
                offsets.put(partition.getKey(), new OffsetAndMetadata(next));
            }
        }
        return offsets;
    }

    /** Stops tracking these partitions' records and tells the senders to skip them. */
    public void abandon(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            ArrayDeque<Entry> queue = byPartition.remove(tp);
            if (queue != null) {
                for (Iterator<Entry> it = queue.iterator(); it.hasNext(); ) {
                    if (it.next().abandon()) {
                        unsettled.decrementAndGet();
                    }
                }
                size -= queue.size();
            }
        }
    }

    /** Tells the senders to skip every record still in flight (the loop is stopping). */
    public void abandonAll() {
        abandon(java.util.List.copyOf(byPartition.keySet()));
    }

    /**
     * Records tracked and not yet committable: those still open and the settled ones behind the oldest open record of their
     * partition (a few bytes each).
     */
    public int size() {
        return size;
    }

    /** Records with a task still open (a document or notification not confirmed yet): what holds memory and work. */
    public int unsettled() {
        return unsettled.get();
    }
}
