package io.airlock.ingest.vault.internal;

/**
 * What a UTF-8 lead byte (0x80 and above) allows after it, by RFC 3629: how many continuation bytes, and the range of the
 * first one (narrower after E0, ED, F0 and F4, which rules out overlong forms, surrogates and code points past U+10FFFF).
 */
final class Utf8Lead {

    private Utf8Lead() {
    }

    /** Continuation bytes after lead byte {@code c}, or -1 if {@code c} cannot start a sequence. */
    static int continuationBytes(int c) {
        if (c >= 0xC2 && c <= 0xDF) {
            return 1;
        }
        if (c >= 0xE0 && c <= 0xEF) {
            return 2;
        }
        if (c >= 0xF0 && c <= 0xF4) {
            return 3;
        }
        return -1;
    }

    /** The lowest first continuation byte allowed after {@code c}. */
    static int firstMin(int c) {
        return c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    }

    /** The highest first continuation byte allowed after {@code c}. */
    static int firstMax(int c) {
        return c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    }
}
