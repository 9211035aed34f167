package io.airlock.streams.internal;

import java.nio.ByteBuffer;
import java.util.OptionalLong;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Epoch milliseconds carried in a record header, 8 bytes big-endian; the one encoding of Airlock's time headers. */
public final class TimeHeaders {

    private TimeHeaders() {
    }

    /** A copy of {@code headers} with {@code name} set to {@code epochMs} (replacing it). */
    public static Headers with(Headers headers, String name, long epochMs) {
        Headers copy = new RecordHeaders(headers.toArray());
        copy.remove(name);
        return copy.add(name, ByteBuffer.allocate(Long.BYTES).putLong(epochMs).array());
    }

    /** The time in the last header {@code name}; empty without one, or with a value of another length. */
    public static OptionalLong read(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null || header.value().length != Long.BYTES ? OptionalLong.empty()
                : OptionalLong.of(ByteBuffer.wrap(header.value()).getLong());
    }
}
