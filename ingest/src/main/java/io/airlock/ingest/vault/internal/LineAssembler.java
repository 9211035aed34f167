package io.airlock.ingest.vault.internal;

import java.util.Arrays;

/**
 * Splits a byte stream into newline-terminated lines with bounded memory. A line that lies inside one fed chunk is handed
 * over in place; a line spanning chunks is collected in a carry buffer that never grows beyond {@code maxLineBytes}: of a
 * longer line only the head is kept and the rest is counted and skipped, so a 5 MB line costs at most the limit in heap.
 * Positions count every byte fed, so a line's start position is its byte offset in the source.
 *
 * <p>With an {@link Overflow}, every byte of a line longer than the limit is also streamed to it while the line is read
 * (the head, then each further piece), so the whole line can be looked at without holding it.
 */
public final class LineAssembler {

    /** Receives each complete line (without the newline). */
    @FunctionalInterface
    public interface LineHandler {

        /**
         * @param fullLength the line's real length; larger than {@code len} if only the head was kept
         * @param start      position of the line's first byte
         */
        void onLine(byte[] buf, int off, int len, long fullLength, long start);
    }

    /** Receives, piece by piece, every byte of each line that turns out longer than the limit. */
    public interface Overflow {

        /** A line outgrew the limit (or lies longer than it in one chunk): its bytes follow, from its first. */
        void begin();

        /** The next bytes of the long line; its end is the next {@link LineHandler#onLine} with a full length over the limit. */
        void feed(byte[] buf, int off, int len);
    }

    private final int maxLineBytes;
    private final Overflow overflow;
    private boolean overflowing;
    private byte[] carry = new byte[0];
    private int carryLength;
    private long partialLength;
    private long position;
    private long lineStart;

    public LineAssembler(int maxLineBytes, long startPosition) {
        this(maxLineBytes, startPosition, null);
    }

    /** @param overflow gets the bytes of lines longer than {@code maxLineBytes}; null to keep only their head */
    public LineAssembler(int maxLineBytes, long startPosition, Overflow overflow) {
        this.maxLineBytes = maxLineBytes;
        this.overflow = overflow;
        reset(startPosition);
    }

    public void feed(byte[] chunk, int off, int len, LineHandler handler) {
        int end = off + len;
        int i = off;
        while (i < end) {
            int newline = indexOfNewline(chunk, i, end);
            if (newline < 0) {
                append(chunk, i, end - i);
                position += end - i;
                return;
            }
            int n = newline - i;
            if (partialLength == 0) {
                if (overflow != null && n > maxLineBytes) {
                    overflow.begin();
                    overflow.feed(chunk, i, n);
                }
                handler.onLine(chunk, i, n, n, lineStart);
            } else {
                append(chunk, i, n);
                handler.onLine(carry, 0, carryLength, partialLength, lineStart);
                carryLength = 0;
                partialLength = 0;
                overflowing = false;
            }
            position += n + 1;
            lineStart = position;
            i = newline + 1;
        }
    }

    /** Hands over an unterminated last line (end of a rotated file, a closed connection), if any. */
    public void finishPartial(LineHandler handler) {
        if (partialLength > 0) {
            handler.onLine(carry, 0, carryLength, partialLength, lineStart);
        }
        carryLength = 0;
        partialLength = 0;
        overflowing = false;
        lineStart = position;
    }

    /** Drops any partial line and continues at {@code newPosition}. */
    public void reset(long newPosition) {
        carryLength = 0;
        partialLength = 0;
        overflowing = false;
        position = newPosition;
        lineStart = newPosition;
    }

    /** Position of the first byte not yet handed over in a complete line: where a restart must resume. */
    public long nextLineStart() {
        return lineStart;
    }

    /** Bytes of the pending partial line, kept or skipped. */
    public long partialLength() {
        return partialLength;
    }

    /** Current capacity of the carry buffer, never above the line limit. */
    public int carryCapacity() {
        return carry.length;
    }

    /** Adds {@code n} bytes to the pending line: its head to the carry, and all of a long line to the overflow. */
    private void append(byte[] src, int off, int n) {
        if (overflow != null && !overflowing && partialLength + n > maxLineBytes) {
            overflowing = true;
            overflow.begin();
            overflow.feed(carry, 0, carryLength);
        }
        if (overflowing) {
            overflow.feed(src, off, n);
        }
        partialLength += n;
        int keep = Math.min(n, maxLineBytes - carryLength);
        if (keep <= 0) {
            return;
        }
        if (carryLength + keep > carry.length) {
            int capacity = Math.max(carry.length * 2, 8192);
            carry = Arrays.copyOf(carry, Math.min(Math.max(capacity, carryLength + keep), maxLineBytes));
        }
        System.arraycopy(src, off, carry, carryLength, keep);
        carryLength += keep;
    }

    private static int indexOfNewline(byte[] b, int from, int end) {
        for (int i = from; i < end; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
