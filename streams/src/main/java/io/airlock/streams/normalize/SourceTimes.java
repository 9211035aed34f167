package io.airlock.streams.normalize;

import java.nio.ByteBuffer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Record;

/**
 * How far the normalization task had come when it forwarded an event, for an event whose time is later than that: a
 * snapshot row of a DAG run is taken at its {@code queued_at} ({@link SnapshotRowTimes}) but tells {@code dag-run-running}
 * at its {@code start_date} and {@code dag-run-success} at its {@code end_date}, possibly hours later. Such an event says
 * nothing of the time in between, so it must not count as the task's progress (AL-022 decides reads by that progress):
 * its record carries the input record's time in {@value #HEADER} (8 bytes, big-endian).
 */
public final class SourceTimes {

    public static final String HEADER = "airlock.source.time";

    private SourceTimes() {
    }

    /** Adds the header to {@code headers} when the event's record time {@code eventMs} is after the input's {@code sourceMs}. */
    static Headers mark(Headers headers, long eventMs, long sourceMs) {
        if (eventMs > sourceMs) {
            headers.remove(HEADER);
            headers.add(HEADER, ByteBuffer.allocate(Long.BYTES).putLong(sourceMs).array());
        }
        return headers;
    }

    /** The time up to which {@code record} shows its writer's progress: its timestamp, or the earlier one of its header. */
    public static long progressOf(Record<?, ?> record) {
        Header header = record.headers().lastHeader(HEADER);
        if (header == null || header.value() == null || header.value().length != Long.BYTES) {
            return record.timestamp();
        }
        return Math.min(record.timestamp(), ByteBuffer.wrap(header.value()).getLong());
    }
}
