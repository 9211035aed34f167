package io.airlock.report;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code manifest.json}: what a report contains and how to check it. Keys:
 * <ul>
 *   <li>{@code files}: every other file of the report with {@code sha256} and {@code bytes}; data files also with
 *       {@code kind}, {@code records}, {@code first_prev_hash} and {@code last_hash} (their part of the chain);</li>
 *   <li>{@code chain}: the algorithm, the genesis hash and the {@code head} (hash of the last record of the last file);</li>
 *   <li>{@code query}: the period, the filters, and per kind the index and the OpenSearch query and sort that selected the
 *       records;</li>
 *   <li>{@code sources}: per source the first and last position of the exported events (PostgreSQL LSN, Vault audit
 *       byte offset);</li>
 *   <li>{@code summary}: the counts; {@code signature} (optional): Ed25519 over {@link #signedText(ObjectNode)}.</li>
 * </ul>
 */
public final class Manifest {

    /** The manifest's file name. */
    public static final String FILE = "manifest.json";

    static final ObjectMapper CANONICAL = JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();
    private static final ObjectMapper PRETTY = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final ObjectMapper STRICT = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    /** Jackson's message for a repeated key. */
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'", Pattern.DOTALL);

    private Manifest() {
    }

    /**
     * The text a signature covers: the manifest without its {@code signature} key, as compact JSON with every object's keys
     * sorted.
     */
    public static String signedText(ObjectNode manifest) {
        ObjectNode copy = manifest.deepCopy();
        copy.remove("signature");
        try {
            return CANONICAL.writeValueAsString(CANONICAL.convertValue(copy, Object.class));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, ObjectNode manifest) throws IOException {
        Files.writeString(file, PRETTY.writeValueAsString(manifest) + "\n", StandardCharsets.UTF_8);
    }

    /**
     * Reads a manifest, refusing a key that appears twice in one object ({@link DuplicateKeyException}): a parser keeps one
     * of them and {@link #signedText} re-serialises what it kept, so a second {@code "query"} or {@code "generated_at"}
     * could be put before the signed one, shown by another tool, and still leave the signature valid.
     */
    static JsonNode read(Path file) throws IOException {
        try {
            return STRICT.readTree(file.toFile());
        } catch (StreamReadException e) {
            Matcher duplicate = DUPLICATE.matcher(e.getOriginalMessage());
            if (duplicate.matches()) {
                throw new DuplicateKeyException(duplicate.group(1), e);
            }
            throw e;
        }
    }

    /** A manifest with a key twice in one object. */
    static final class DuplicateKeyException extends IOException {
        private final String key;

        DuplicateKeyException(String key, Throwable cause) {
            super("duplicate key '" + key + "'", cause);
            this.key = key;
        }

        /** The repeated key. */
        String key() {
            return key;
        }
    }

    /** Lower-case hex SHA-256 of a file, read in chunks. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest = HashChain.sha256();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
