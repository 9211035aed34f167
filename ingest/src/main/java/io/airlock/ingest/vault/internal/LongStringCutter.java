package io.airlock.ingest.vault.internal;

import io.airlock.core.BoundedText;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Bounds every JSON string (value or name) in JSON text that arrives in pieces, before a parser sees it, to the very form
 * an event keeps of it: a string of more than {@code maxChars} characters becomes what {@link BoundedText#of} makes of the
 * whole decoded string — its head, {@value BoundedText#MARK} and 16 hex digits of the SHA-256 of all of it. The head is the
 * JSON text of its first characters as written (escapes kept, never cut inside one or inside a surrogate pair); the digest is
 * computed over the decoded string's UTF-8 bytes, as {@link BoundedText} computes it (an unpaired surrogate counts as
 * {@code ?}, as Java encodes it).
 *
 * <p>Why: a client chooses strings Vault writes as they are — audited request headers with {@code hmac=false}, a path, token
 * metadata, query parameter names — and Jackson holds a string token whole, so one string of a megabyte would make the line
 * impossible to compact. And since an event bounds its fields with {@link BoundedText#of}, which leaves a bounded string as
 * it is, the event of a cut line is the event of the whole line: a long path is one path, whether its line was compacted or
 * not.
 *
 * <p>Every string is checked as JSON string text (escapes, no control characters) here, the part left out included: a broken
 * string is reported ({@link #invalidAt()}), not hidden. A string is held until it ends or passes {@code maxChars}
 * characters (at most a few times {@code maxChars} bytes). Offsets: {@link #originalOffset} maps an offset in the output to
 * the offset of the same byte in the input.
 */
final class LongStringCutter {

    private static final byte[] MARK_BYTES = BoundedText.MARK.getBytes(StandardCharsets.UTF_8);

    private final int maxChars;
    private final int headChars;
    private final MessageDigest digest;

    private byte[] out = new byte[8192];
    private int outLength;
    /** The JSON text of the string being read, while it may still be kept whole. */
    private byte[] held = new byte[1024];
    private int heldLength;
    /** UTF-8 bytes of the decoded string waiting for the digest. */
    private final byte[] decoded = new byte[8192];
    private int decodedLength;

    private boolean inString;
    private boolean escaped;
    private int hexLeft;
    private int unit;
    /** An escaped high surrogate waiting for its low one. */
    private int pendingHigh = -1;
    /** Continuation bytes left in the current UTF-8 sequence, and the UTF-16 units it stands for. */
    private int utf8Left;
    private int utf8Units;
    /** UTF-16 units of the string so far. */
    private long units;
    /** Held bytes after {@code headChars - 1} and after {@code headChars} units; whether unit {@code headChars - 1} is high. */
    private int heldAtHeadLess1;
    private int heldAtHead;
    private boolean highAtHeadLess1;
    private boolean dropping;
    /** Input offset of the first byte of the chunk being cut. */
    private long inputBytes;
    /** Output offset of the first byte of the chunk being cut. */
    private long outputBytes;
    /** Input offset of the first byte of a string that is not JSON string text, or -1. */
    private long invalidAt = -1;
    /** For each cut: the output offset just after its digest, and the input minus output bytes from there on. */
    private long[] cutEnds = new long[16];
    private long[] cutShifts = new long[16];
    private int cuts;

    /** @param maxChars characters a string keeps whole ({@link BoundedText#EVENT_FIELD_CHARS} for the event's bound) */
    LongStringCutter(int maxChars) {
        this.maxChars = maxChars;
        this.headChars = BoundedText.headChars(maxChars);
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    void reset() {
        outLength = 0;
        inString = false;
        startString();
        inputBytes = 0;
        outputBytes = 0;
        invalidAt = -1;
        cuts = 0;
    }

    private void startString() {
        heldLength = 0;
        decodedLength = 0;
        escaped = false;
        hexLeft = 0;
        pendingHigh = -1;
        utf8Left = 0;
        units = 0;
        heldAtHeadLess1 = -1;
        heldAtHead = -1;
        highAtHeadLess1 = false;
        dropping = false;
        digest.reset();
    }

    /**
     * Cuts the next bytes of JSON text; the result is {@link #output()} up to {@link #outputLength()}, valid until the next
     * call. Stops at the first byte of a string that is not JSON string text ({@link #invalidAt()}).
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
                if (b == '"') {
                    inString = true;
                    append(buf, copyFrom, i + 1);
                    copyFrom = i + 1;
                    startString();
                }
                continue;
            }
            copyFrom = i + 1;
            if (!escaped && hexLeft == 0 && utf8Left == 0 && b == '"') {
                endString(inputBytes + i - start);
                inString = false;
                copyFrom = i; // the closing quote is copied as text
                continue;
            }
            if (!step(b)) {
                invalidAt = inputBytes + i - start;
                inputBytes += end - start;
                return;
            }
            if (!dropping) {
                hold(b);
                if (units > maxChars) {
                    dropping = true;
                    int head = highAtHeadLess1 ? heldAtHeadLess1 : heldAtHead;
                    append(held, 0, head);
                }
            }
        }
        append(buf, copyFrom, end);
        inputBytes += end - start;
    }

    /** The held text of a string the input ended in, as it is (the parser then reports the truncated line). */
    void flush() {
        outputBytes += outLength;
        outLength = 0;
        if (inString && !dropping) {
            append(held, 0, heldLength);
            heldLength = 0;
        }
    }

    /**
     * Reads one byte of string text: decodes it for the digest, counts the UTF-16 units of whole characters, notes where the
     * head ends. False when the byte cannot be there (a control character, a bad escape).
     */
    private boolean step(byte b) {
        int c = b & 0xFF;
        if (hexLeft > 0) {
            int digit = Character.digit(c, 16);
            if (digit < 0) {
                return false;
            }
            unit = unit << 4 | digit;
            if (--hexLeft == 0) {
                escapedUnit((char) unit);
            }
            return true;
        }
        if (escaped) {
            escaped = false;
            switch (c) {
                case '"', '\\', '/' -> decodedChar(c);
                case 'b' -> decodedChar('\b');
                case 'f' -> decodedChar('\f');
                case 'n' -> decodedChar('\n');
                case 'r' -> decodedChar('\r');
                case 't' -> decodedChar('\t');
                case 'u' -> {
                    hexLeft = 4;
                    unit = 0;
                }
                default -> {
                    return false;
                }
            }
            return true;
        }
        if (utf8Left > 0) {
            decoded(b);
            if (--utf8Left == 0) {
                counted(utf8Units, utf8Units == 2);
            }
            return true;
        }
        if (c == '\\') {
            escaped = true;
            return true;
        }
        if (c < 0x20) {
            return false;
        }
        flushPendingHigh();
        decoded(b);
        if (c < 0x80) {
            counted(1, false);
        } else {
            utf8Left = Utf8Lead.continuationBytes(c); // valid: the line's UTF-8 is checked before it is cut
            utf8Units = utf8Left == 3 ? 2 : 1;
        }
        return true;
    }

    /** A character of an escape other than {@code \\u}: one unit, one ASCII byte. */
    private void decodedChar(int ascii) {
        flushPendingHigh();
        decoded((byte) ascii);
        counted(1, false);
    }

    /** A UTF-16 unit of a {@code \\u} escape, paired with an escaped high surrogate before it as Java's UTF-8 encoder does. */
    private void escapedUnit(char u) {
        if (pendingHigh >= 0 && Character.isLowSurrogate(u)) {
            int codePoint = Character.toCodePoint((char) pendingHigh, u);
            pendingHigh = -1;
            decoded((byte) (0xF0 | codePoint >> 18));
            decoded((byte) (0x80 | codePoint >> 12 & 0x3F));
            decoded((byte) (0x80 | codePoint >> 6 & 0x3F));
            decoded((byte) (0x80 | codePoint & 0x3F));
        } else {
            flushPendingHigh();
            if (Character.isHighSurrogate(u)) {
                pendingHigh = u;
            } else if (Character.isLowSurrogate(u)) {
                decoded((byte) '?');
            } else if (u < 0x80) {
                decoded((byte) u);
            } else if (u < 0x800) {
                decoded((byte) (0xC0 | u >> 6));
                decoded((byte) (0x80 | u & 0x3F));
            } else {
                decoded((byte) (0xE0 | u >> 12));
                decoded((byte) (0x80 | u >> 6 & 0x3F));
                decoded((byte) (0x80 | u & 0x3F));
            }
        }
        counted(1, Character.isHighSurrogate(u));
    }

    /** An escaped high surrogate not followed by a low one: Java's UTF-8 encoder writes {@code ?} for it. */
    private void flushPendingHigh() {
        if (pendingHigh >= 0) {
            pendingHigh = -1;
            decoded((byte) '?');
        }
    }

    /** A whole character of {@code n} units was read; {@code high}: its first unit is a high surrogate. */
    private void counted(int n, boolean high) {
        long before = units;
        units += n;
        if (dropping) {
            return;
        }
        int heldAfter = heldLength + 1; // the byte being read is held after this returns
        if (before == headChars - 1) {
            highAtHeadLess1 = high;
        }
        if (units == headChars - 1) {
            heldAtHeadLess1 = heldAfter;
        }
        if (units == headChars) {
            heldAtHead = heldAfter;
        } // else a pair begins at unit headChars - 1, and the head ends before it
    }

    private void hold(byte b) {
        if (heldLength == held.length) {
            held = Arrays.copyOf(held, held.length * 2);
        }
        held[heldLength++] = b;
    }

    private void decoded(byte b) {
        if (decodedLength == decoded.length) {
            digest.update(decoded, 0, decodedLength);
            decodedLength = 0;
        }
        decoded[decodedLength++] = b;
    }

    /** Ends the string whose closing quote is at input offset {@code closingQuote}: whole, or its bounded form. */
    private void endString(long closingQuote) {
        if (hexLeft > 0 || escaped) {
            return; // cannot happen: a quote there is not a closing one
        }
        flushPendingHigh();
        if (!dropping) {
            append(held, 0, heldLength);
            return;
        }
        digest.update(decoded, 0, decodedLength);
        decodedLength = 0;
        append(MARK_BYTES, 0, MARK_BYTES.length);
        byte[] hex = HexFormat.of().formatHex(digest.digest(), 0, BoundedText.DIGEST_CHARS / 2).getBytes(StandardCharsets.US_ASCII);
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
            if (outLength + to - from > out.length) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, outLength + to - from));
            }
            System.arraycopy(b, from, out, outLength, to - from);
            outLength += to - from;
        }
    }

    byte[] output() {
        return out;
    }

    int outputLength() {
        return outLength;
    }

    /** Input offset of the first byte of a string that is not JSON string text, or -1. */
    long invalidAt() {
        return invalidAt;
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
