package io.airlock.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Appends Vault file-audit-device lines for the end-to-end benchmark: per KV v2 read a request line and a response line with
 * the same {@code request.id}, tokens and secret values as {@code hmac-sha256:} strings, as Vault writes them. Lines are
 * buffered; {@link #flush()} hands them to the operating system, where the pipeline's tailer reads them.
 */
final class VaultAuditLines implements AutoCloseable {

    private static final String HMAC = "hmac-sha256:9b1c6f3e2a7d4b8c0e5f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";

    private final BufferedWriter out;
    private final String runId;
    private long sequence;

    VaultAuditLines(Path file, String runId) {
        try {
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the Vault audit file " + file, e);
        }
        this.runId = runId;
    }

    /** A successful read of {@code secret/data/<path>} by {@code identity} (display name and entity id): two lines. */
    void read(Instant at, String identity, String path) {
        String id = runId + "-" + (++sequence);
        String auth = "{\"client_token\":\"" + HMAC + "\",\"accessor\":\"" + HMAC + "\",\"display_name\":\"" + identity
                + "\",\"entity_id\":\"" + identity + "\",\"token_type\":\"service\",\"policies\":[\"default\",\"reader\"]}";
        String request = "{\"id\":\"" + id + "\",\"operation\":\"read\",\"mount_type\":\"kv\",\"mount_point\":\"secret/\","
                + "\"client_token\":\"" + HMAC + "\",\"path\":\"secret/data/" + path + "\",\"remote_address\":\"10.20.0.7\","
                + "\"namespace\":{\"id\":\"root\"}}";
        write("{\"time\":\"" + at + "\",\"type\":\"request\",\"auth\":" + auth + ",\"request\":" + request + "}\n");
        write("{\"time\":\"" + at.plusMillis(2) + "\",\"type\":\"response\",\"auth\":" + auth + ",\"request\":" + request
                + ",\"response\":{\"mount_type\":\"kv\",\"data\":{\"data\":\"" + HMAC + "\",\"metadata\":\"" + HMAC + "\"}}}\n");
    }

    /** Hands the buffered lines to the operating system (the moment they count as written). */
    void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Vault audit file", e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the Vault audit file", e);
        }
    }

    private void write(String line) {
        try {
            out.write(line);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Vault audit file", e);
        }
    }
}
