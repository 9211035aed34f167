package io.airlock.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.Json;
import io.airlock.core.StableIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes Vault audit-device lines for the demo, in the shape Vault's file device writes them: a request line and a response
 * line per operation with the same {@code request.id}, string values HMAC'd ({@code hmac-sha256:…}).
 */
final class VaultAuditWriter {

    private final Path file;
    private final AtomicLong sequence = new AtomicLong();

    VaultAuditWriter(Path file) {
        this.file = file;
    }

    /** A KV v2 read by {@code displayName} at {@code at}; {@code denied} gives Vault's permission-denied error. */
    void read(Instant at, String displayName, String mount, String path, boolean denied, Map<String, String> headers) {
        String id = "demo-" + sequence.incrementAndGet() + "-" + StableIds.of(displayName, path, at.toString()).substring(0, 8);
        ObjectNode request = line("request", at, id, displayName, mount, mount + "/data/" + path, headers);
        ObjectNode response = line("response", at.plusMillis(3), id, displayName, mount, mount + "/data/" + path, headers);
        if (denied) {
            request.put("error", "permission denied");
            response.put("error", "1 error occurred:\n\t* permission denied\n\n");
        } else {
            response.putObject("response").put("mount_type", "kv").putObject("data")
                    .put("data", hmac(path + "-value")).put("metadata", hmac(path + "-metadata"));
        }
        append(Json.writeString(request) + "\n" + Json.writeString(response) + "\n");
    }

    private static ObjectNode line(String type, Instant at, String id, String displayName, String mount, String path,
            Map<String, String> headers) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("time", at.toString()).put("type", type);
        ObjectNode auth = line.putObject("auth");
        auth.put("client_token", hmac("token-" + displayName)).put("accessor", hmac("accessor-" + displayName))
                .put("display_name", displayName).put("entity_id", StableIds.of("entity", displayName)).put("token_type", "service");
        auth.putArray("policies").add("default").add(displayName.contains("airflow") ? "airflow" : "reader");
        ObjectNode request = line.putObject("request");
        request.put("id", id).put("operation", "read").put("mount_type", "kv").put("mount_point", mount + "/")
                .put("client_token", hmac("token-" + displayName)).put("path", path).put("remote_address", "10.20.0." + (displayName.length() % 200 + 10));
        request.putObject("namespace").put("id", "root");
        if (!headers.isEmpty()) {
            ObjectNode h = request.putObject("headers");
            headers.forEach((k, v) -> h.putArray(k).add(v));
        }
        return line;
    }

    private static String hmac(String value) {
        return "hmac-sha256:" + StableIds.of("hmac", value) + StableIds.of("hmac2", value);
    }

    private void append(String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the simulated Vault audit log " + file, e);
        }
    }
}
