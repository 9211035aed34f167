package io.airlock.streams.normalize;

import io.airlock.streams.internal.TimeHeaders;
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

    /**
     * The headers for an event forwarded with record time {@code eventMs} from {@code input}: the input's own when the event
     * is not later than it, else a copy with the input's time in {@value #HEADER}.
     */
    static Headers headersFor(Record<?, ?> input, long eventMs) {
        return eventMs > input.timestamp() ? TimeHeaders.with(input.headers(), HEADER, input.timestamp()) : input.headers();
    }

    /** The time up to which {@code record} shows its writer's progress: its timestamp, or the earlier one of its header. */
    public static long progressOf(Record<?, ?> record) {
        return Math.min(record.timestamp(), TimeHeaders.read(record.headers(), HEADER).orElse(record.timestamp()));
    }
}
