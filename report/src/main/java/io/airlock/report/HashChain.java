package io.airlock.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeMap;

/**
 * The hash chain over a report's records. The canonical form of a record is its kind, a line feed, and the compact JSON of
 * its non-empty fields with keys sorted by UTF-16 code units:
 *
 * <pre>
 * canonical(r) = kind + "\n" + {"@timestamp":"2026-11-02T03:04:05Z","event.id":"…",…}
 * hash(r)      = hex(SHA-256(prev_hash + "\n" + canonical(r)))      prev_hash of the first record: 64 × "0"
 * </pre>
 *
 * The JSON is written as RFC 8785 (and Python's {@code json.dumps(r, separators=(",", ":"), ensure_ascii=False,
 * sort_keys=True)}) write a map of strings: {@code \"}, {@code \\}, {@code \b \f \n \r \t}, other control characters as
 * a backslash, {@code u} and four lower-case hex digits ({@code 001b} for ESC), everything else as is (UTF-8), so a verifier in any language gets the same bytes.
 * Hashes are lower-case hex. Changing, removing, inserting or reordering a record changes every later hash, so the last
 * one (the chain head, in the manifest) stands for the whole sequence.
 */
public final class HashChain {

    /** The {@code prev_hash} of the first record. */
    public static final String GENESIS = "0".repeat(64);

    private static final ObjectMapper PLAIN = JsonMapper.builder().disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE).build();

    private String head = GENESIS;
    private long length;

    /** The hash of the last record appended ({@link #GENESIS} before the first). */
    public String head() {
        return head;
    }

    /** How many records were appended. */
    public long length() {
        return length;
    }

    /** Appends a record and returns its hash, the new head. */
    public String append(ReportRecord record) {
        head = hash(head, record);
        length++;
        return head;
    }

    /** The hash of a record that follows {@code previous}. */
    public static String hash(String previous, ReportRecord record) {
        return sha256Hex((previous + "\n" + canonical(record)).getBytes(StandardCharsets.UTF_8));
    }

    /** The canonical form of a record (see the class comment). */
    public static String canonical(ReportRecord record) {
        try {
            return record.kind().label() + "\n" + PLAIN.writeValueAsString(new TreeMap<>(record.fields()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a map of strings", e);
        }
    }

    /** Lower-case hex SHA-256 of some bytes. */
    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    /** A fresh SHA-256 digest. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
