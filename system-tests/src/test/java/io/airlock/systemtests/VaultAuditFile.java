package io.airlock.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import io.airlock.core.StableIds;
import io.airlock.streams.VaultOperation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The Vault file audit device as the test writes it: appends operations (request and response line), keeps the event ids
 * they must become ({@code StableIds.of("vault.audit", request.id, type)}, see VaultAuditNormalizer), and rotates the file
 * the way logrotate does (rename, new empty file).
 */
final class VaultAuditFile {

    private final Path file;
    private final Set<String> expectedEventIds = new LinkedHashSet<>();
    private int rotations;

    VaultAuditFile(Path file) {
        this.file = file;
        try {
            Files.createFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path path() {
        return file;
    }

    /** Appends the request and response lines of each operation, in one write. */
    synchronized void append(List<VaultOperation> operations) {
        List<String> lines = new ArrayList<>();
        for (VaultOperation op : operations) {
            lines.add(op.requestLine().json());
            lines.add(op.responseLine().json());
            expectedEventIds.add(StableIds.of("vault.audit", op.id(), "request"));
            expectedEventIds.add(StableIds.of("vault.audit", op.id(), "response"));
        }
        appendRaw(lines);
    }

    /** Appends lines as they are (hostile or malformed input): no event id is expected from them. */
    synchronized void appendRaw(List<String> lines) {
        try {
            Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Renames the file to {@code <name>.<n>} and creates a new empty one, as logrotate (without copytruncate) does. */
    synchronized Path rotate() {
        try {
            Path rotated = file.resolveSibling(file.getFileName() + "." + (++rotations));
            Files.move(file, rotated);
            Files.createFile(file);
            return rotated;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The event id a line with a request id normalizes to, whether it is read from this file or from the raw Vault topic
     * (where the capture may have compacted it: it keeps {@code type} and {@code request.id}).
     */
    static String eventIdOf(String line) {
        JsonNode json = Json.tree(line);
        String requestId = json.path("request").path("id").asText(null);
        if (requestId == null) {
            throw new IllegalArgumentException("a Vault audit line without request.id; its event id is a hash of the line");
        }
        return StableIds.of("vault.audit", requestId, json.path("type").asText());
    }

    /** The event ids of every operation appended so far. */
    synchronized Set<String> expectedEventIds() {
        return Set.copyOf(expectedEventIds);
    }
}
