package io.airlock.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Deterministic identifiers: the same parts always give the same id, so replays never duplicate. */
public final class StableIds {

    private StableIds() {
    }

    /** The first 16 bytes of SHA-256 over the parts joined by a unit separator, as 32 hex digits. */
    public static String of(String... parts) {
        return HexFormat.of().formatHex(sha256(String.join("\u001f", parts).getBytes(StandardCharsets.UTF_8)), 0, 16);
    }

    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
