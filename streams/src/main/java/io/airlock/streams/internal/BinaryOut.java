package io.airlock.streams.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Writes Airlock's binary formats into a growing array: big-endian numbers as {@link java.io.DataOutputStream} writes them,
 * strings as their UTF-8 length ({@code -1} for null) and bytes. Byte for byte what the earlier {@code DataOutputStream}
 * code wrote, without its per-byte synchronized calls and per-string copies: these formats are written for every event
 * that passes a repartition topic or changes a rule's state.
 */
public final class BinaryOut {

    private byte[] buf;
    private int size;

    public BinaryOut(int capacity) {
        this.buf = new byte[Math.max(16, capacity)];
    }

    public BinaryOut writeByte(int value) {
        ensure(1);
        buf[size++] = (byte) value;
        return this;
    }

    public BinaryOut writeBoolean(boolean value) {
        return writeByte(value ? 1 : 0);
    }

    public BinaryOut writeInt(int value) {
        ensure(4);
        buf[size++] = (byte) (value >>> 24);
        buf[size++] = (byte) (value >>> 16);
        buf[size++] = (byte) (value >>> 8);
        buf[size++] = (byte) value;
        return this;
    }

    public BinaryOut writeLong(long value) {
        writeInt((int) (value >>> 32));
        return writeInt((int) value);
    }

    /** A nullable string as its UTF-8 length ({@code -1} for null) and bytes: the one string encoding of these formats. */
    public BinaryOut writeString(String value) {
        if (value == null) {
            return writeInt(-1);
        }
        // String.getBytes copies an ASCII string's bytes in one vectorized step; a loop over charAt was ~7 % of the stream
        // thread (evidence ids of alerts and burst states)
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        writeInt(utf8.length);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, buf, size, utf8.length);
        size += utf8.length;
        return this;
    }

    /** A nullable list of strings: its size ({@code -1} for null), then each string. */
    public BinaryOut writeStrings(List<String> values) {
        if (values == null) {
            return writeInt(-1);
        }
        writeInt(values.size());
        for (String value : values) {
            writeString(value);
        }
        return this;
    }

    /** A nullable instant: a presence flag, then epoch seconds and nanos. */
    public BinaryOut writeInstant(Instant instant) {
        writeBoolean(instant != null);
        if (instant != null) {
            writeLong(instant.getEpochSecond());
            writeInt(instant.getNano());
        }
        return this;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }
}
