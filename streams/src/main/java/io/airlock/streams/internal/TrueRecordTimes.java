package io.airlock.streams.internal;

import io.airlock.core.RecordTimes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The time a record of a topic Airlock writes itself ({@code vault.audit}, {@code events}) counts at: its
 * {@link RecordTimes#TRUE_TIME_HEADER} when its writer raised its timestamp to stay inside the topic's time retention
 * ({@link RecordTimes#retained}), else its record timestamp. So the order the normalization task takes its sources in, stream
 * time and what the rules count are the same for a backlog of weeks as they were before the floor; only the broker sees the
 * raised timestamp.
 */
public final class TrueRecordTimes implements TimestampExtractor {

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        return TimeHeaders.read(record.headers(), RecordTimes.TRUE_TIME_HEADER).orElse(record.timestamp());
    }
}
