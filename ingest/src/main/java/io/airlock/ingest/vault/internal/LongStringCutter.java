package io.airlock.ingest.vault.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Shortens every JSON string (value or name) longer than a bound in JSON text that arrives in pieces, before a parser sees
 * it: a string keeps its first {@code keepBytes} bytes of JSON text (cut before a whole character or escape, never inside
 * one), then {@value #MARK} and 16 hex digits of the SHA-256 of the bytes left out.
 *
 * <p>Why: a client chooses strings Vault writes as they are — audited request headers with {@code hmac=false}, a path,
 * token metadata, query parameter names — and Jackson holds a string token whole, so one string of a megabyte would make the
 * line impossible to compact. An event keeps at most {@link io.airlock.core.BoundedText#EVENT_FIELD_CHARS} characters of a
 * field, and {@code keepBytes} is at least six times that (a character is at most six bytes of JSON text), so an event of a
 * cut line has the head it would have had; the digest of the tail keeps two strings that differ only past the cut apart.
 *
 * <p>The tail left out is checked as JSON string text (escapes, no control characters): a broken tail is reported, not hidden.
 * Offsets: {@link #originalOffset} maps an offset in the output to the offset of the same byte in the input.
 */
final class LongStringCutter {

    /** What separates the kept head of a cut string from the digest of its tail (as {@code BoundedText} writes it). */
    static final String MARK = "…#";
    private static final byte[] MARK_BYTES = MARK.getBytes(StandardCharsets.UTF_8);
    private static final int DIGEST_HEX = 16;

    private final int keepBytes;
    private final MessageDigest tailDigest;

    private byte[] out = new byte[8192];
    private int outLength;

    private boolean inString;
    private boolean escaped;
    private int hexLeft;
    private long stringBytes;
    private boolean dropping;
    /** Input offset of the first byte of the chunk being cut. */
    private long inputBytes;
    /** Output offset of the first byte of the chunk being cut. */
    private long outputBytes;
    /** Input offset of the first byte of the tail that is not JSON string text, or -1. */
    private long invalidAt = -1;
    /** For each cut: the output offset just after its marker, and the input minus output bytes from there on. */
    private long[] cutEnds = new long[16];
    private long[] cutShifts = new long[16];
    private int cuts;

    LongStringCutter(int keepBytes) {
        this.keepBytes = keepBytes;
        try {
            this.tailDigest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    void reset() {
        outLength = 0;
        inString = false;
        escaped = false;
        hexLeft = 0;
        stringBytes = 0;
        dropping = false;
        inputBytes = 0;
        outputBytes = 0;
        invalidAt = -1;
        cuts = 0;
        tailDigest.reset();
    }

    /**
     * Cuts the next bytes of JSON text; the result is {@link #output()} up to {@link #outputLength()}, valid until the next
     * call. Stops at the first invalid byte of a tail ({@link #invalidAt()}).
     */
    void cut(byte[] buf, int start, int end) {
        outputBytes += outLength;
        outLength = 0;
        if (invalidAt >= 0) {
            return;
        }
        int copyFrom = start;
        for (int i = start; i < end; i++) {
            byte b = buf[i];
            if (!inString) {
                inString = b == '"';
                stringBytes = 0;
                continue;
            }
            if (!dropping && stringBytes >= keepBytes && !escaped && hexLeft == 0 && (b & 0xC0) != 0x80 && b != '"') {
                append(buf, copyFrom, i);
                dropping = true;
                tailDigest.reset();
            }
            boolean closes = !escaped && hexLeft == 0 && b == '"';
            if (dropping && !closes) {
                if (!validInTail(b)) {
                    invalidAt = inputBytes + i - start;
                    return;
                }
                tailDigest.update(b);
                copyFrom = i + 1;
                continue;
            }
            if (closes) {
                inString = false;
                if (dropping) {
                    endCut(inputBytes + i - start);
                    copyFrom = i;
                }
                continue;
            }
            stringBytes++;
            step(b);
        }
        append(buf, copyFrom, end);
        inputBytes += end - start;
    }

    /** Advances the escape state by one byte of a kept head. */
    private void step(byte b) {
        if (hexLeft > 0) {
            hexLeft--;
        } else if (escaped) {
            escaped = false;
            hexLeft = b == 'u' ? 4 : 0;
        } else if (b == '\\') {
            escaped = true;
        }
    }

    /** Checks and advances the escape state by one byte of a dropped tail: JSON string text, as Jackson would require. */
    private boolean validInTail(byte b) {
        if (hexLeft > 0) {
            hexLeft--;
            return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
        }
        if (escaped) {
            escaped = false;
            hexLeft = b == 'u' ? 4 : 0;
            return "\"\\/bfnrtu".indexOf(b) >= 0;
        }
        if (b == '\\') {
            escaped = true;
            return true;
        }
        return (b & 0xFF) >= 0x20;
    }

    /** Writes the marker of the tail dropped before the closing quote at input offset {@code closingQuote}; notes the shift. */
    private void endCut(long closingQuote) {
        dropping = false;
        append(MARK_BYTES, 0, MARK_BYTES.length);
        byte[] hex = HexFormat.of().formatHex(tailDigest.digest(), 0, DIGEST_HEX / 2).getBytes(StandardCharsets.US_ASCII);
        append(hex, 0, hex.length);
        if (cuts == cutEnds.length) {
            cutEnds = Arrays.copyOf(cutEnds, cuts * 2);
            cutShifts = Arrays.copyOf(cutShifts, cuts * 2);
        }
        long outputAt = outputBytes + outLength;
        cutEnds[cuts] = outputAt;
        cutShifts[cuts] = closingQuote - outputAt;
        cuts++;
    }

    private void append(byte[] b, int from, int to) {
        if (to > from) {
            ensure(to - from);
            System.arraycopy(b, from, out, outLength, to - from);
            outLength += to - from;
        }
    }

    private void ensure(int more) {
        if (outLength + more > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, outLength + more));
        }
    }

    byte[] output() {
        return out;
    }

    int outputLength() {
        return outLength;
    }

    /** Input offset of the first byte of a dropped tail that is not JSON string text, or -1. */
    long invalidAt() {
        return invalidAt;
    }

    /** Whether a string is being dropped: the text ended inside a cut string. */
    boolean inCutString() {
        return dropping;
    }

    /** The input offset of the byte at output offset {@code at}. */
    long originalOffset(long at) {
        int lo = 0;
        int hi = cuts - 1;
        long shift = 0;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (cutEnds[mid] <= at) {
                shift = cutShifts[mid];
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return at + shift;
    }
}
