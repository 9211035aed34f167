package io.airlock.app.config;

import io.airlock.core.config.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where Vault audit lines come from, as configured ({@code vault.audit.*}). The ingest module's tailer and listener take
 * their own settings record; this one only carries what the file says.
 *
 * @param file          the file audit device's log, tailed; empty: no file
 * @param socket        the address the socket audit device connects to, listened on; empty: no listener
 * @param prefix        the audit device's {@code prefix} option, stripped before parsing; empty: none
 * @param maxLineBytes  longest line passed on as written; longer lines are compacted (data values dropped) or dead-lettered
 * @param pollInterval  how often the tailer looks for growth, rotation and truncation at the end of the file
 */
public record VaultAuditSource(Optional<Path> file, Optional<HostPort> socket, String prefix, int maxLineBytes,
        Duration pollInterval) {

    public VaultAuditSource {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(pollInterval, "pollInterval");
    }

    /** Whether any Vault audit source is configured. */
    public boolean isConfigured() {
        return file.isPresent() || socket.isPresent();
    }
}
