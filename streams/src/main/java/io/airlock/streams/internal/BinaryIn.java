package io.airlock.streams.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reads what {@link BinaryOut} wrote; reading past the end, or a negative length, is an {@link IOException}. */
public final class BinaryIn {

    private final byte[] buf;
    private int pos;

    /** Reads {@code bytes} from {@code offset} (past a format byte, say). */
    public BinaryIn(byte[] bytes, int offset) {
        this.buf = bytes;
        this.pos = offset;
    }

    public byte readByte() throws IOException {
        need(1);
        return buf[pos++];
    }

    public boolean readBoolean() throws IOException {
        return readByte() != 0;
    }

    public int readInt() throws IOException {
        need(4);
        int value = (buf[pos] & 0xff) << 24 | (buf[pos + 1] & 0xff) << 16 | (buf[pos + 2] & 0xff) << 8 | (buf[pos + 3] & 0xff);
        pos += 4;
        return value;
    }

    public long readLong() throws IOException {
        return (long) readInt() << 32 | (readInt() & 0xffffffffL);
    }

    public String readString() throws IOException {
        int length = readInt();
        if (length == -1) {
            return null;
        }
        if (length < 0) {
            throw new IOException("invalid string length " + length);
        }
        need(length);
        String value = new String(buf, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return value;
    }

    /** {@code n} strings, each as {@link BinaryOut#writeString} wrote it. */
    public String[] readStrings(int n) throws IOException {
        String[] values = new String[n];
        for (int i = 0; i < n; i++) {
            values[i] = readString();
        }
        return values;
    }

    public List<String> readStrings() throws IOException {
        int n = readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0) {
            throw new IOException("invalid list size " + n);
        }
        List<String> values = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            values.add(readString());
        }
        return values;
    }

    public Instant readInstant() throws IOException {
        if (!readBoolean()) {
            return null;
        }
        return Instant.ofEpochSecond(readLong(), readInt()); // out of range: DateTimeException, as for every instant read
    }

    private void need(int bytes) throws EOFException {
        if (bytes > buf.length - pos) {
            throw new EOFException("truncated: " + bytes + " more bytes needed at " + pos + " of " + buf.length);
        }
    }
}
