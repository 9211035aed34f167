package io.airlock.streams.internal;

import io.airlock.core.RecordTimes;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The record timestamp a record goes to a topic Airlock writes ({@code events}, {@code alerts}) with: its own, or — when that
 * is older than {@link RecordTimes#MAX_BEHIND} — that far before the wall clock, its own in
 * {@link RecordTimes#TRUE_TIME_HEADER} ({@link RecordTimes#retained} says why: the topic's time retention deleted a backlog
 * of weeks within minutes). Detection reads {@code events} by that header ({@link TrueRecordTimes}), delivery measures an
 * alert's notification latency from it, so both decide and measure as before.
 *
 * <p>Only on the way to the topic: AL-022, which takes the normalizers' output directly, keeps the true timestamps. A header
 * an input record brought along (a Vault line the capture raised) is dropped when this record's timestamp is not raised.
 */
public final class RetainedRecordTimes<K, V> implements FixedKeyProcessor<K, V, V> {

    private FixedKeyProcessorContext<K, V> context;

    @Override
    public void init(FixedKeyProcessorContext<K, V> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<K, V> record) {
        long retained = RecordTimes.retained(record.timestamp(), context.currentSystemTimeMs());
        if (retained > record.timestamp()) {
            context.forward(record.withHeaders(TimeHeaders.with(record.headers(), RecordTimes.TRUE_TIME_HEADER, record.timestamp()))
                    .withTimestamp(retained));
        } else if (record.headers().lastHeader(RecordTimes.TRUE_TIME_HEADER) != null) {
            Headers headers = new RecordHeaders(record.headers().toArray());
            headers.remove(RecordTimes.TRUE_TIME_HEADER);
            context.forward(record.withHeaders(headers));
        } else {
            context.forward(record);
        }
    }
}
