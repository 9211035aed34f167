package io.airlock.app.config;

import static io.airlock.core.config.ConfigTypes.duration;
import static io.airlock.core.config.ConfigTypes.hostPort;
import static io.airlock.core.config.ConfigTypes.integer;
import static io.airlock.core.config.ConfigTypes.path;
import static io.airlock.core.config.ConfigTypes.string;

import io.airlock.core.config.ConfigDefinition.Group;
import io.airlock.core.config.ConfigProblems;
import io.airlock.core.config.ConfigValues;
import io.airlock.core.config.HostPort;
import io.airlock.core.config.Setting;
import io.airlock.core.config.Validators;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The Vault audit device Airlock reads. Belongs to {@code ingest} (next to the Vault tailer) once modules read their own settings. */
public final class VaultAuditFields {


    public static final Setting<Path> FILE = Setting.of("vault.audit.file", path())
            .whenUnset("no file is tailed")
            .doc("Log file of Vault's `file` audit device, tailed across rotation and truncation. Airlock needs read access.");

    /**
     * What {@code check-config} says about the file {@code vault.audit.file} names, on the host it runs on (the capture waits
     * for a file that is not there or not readable yet; other commands never read it): a problem when it is there but is not
     * a regular file, a note when this user cannot read it; empty when it is fine or not there yet.
     */
    public static Optional<String> fileProblem(ConfigValues values) {
        return values.find(FILE).filter(Files::exists).filter(file -> !Files.isRegularFile(file))
                .map(file -> FILE.key() + ": is " + (Files.isDirectory(file) ? "a directory"
                        : "not a regular file (a FIFO or a device?)") + ": it must name the file_path of Vault's file audit device");
    }

    /** The note of {@link #fileProblem}: the file is there but this user cannot read it. */
    public static Optional<String> fileNote(ConfigValues values) {
        return values.find(FILE).filter(Files::isRegularFile).filter(file -> !Files.isReadable(file))
                .map(file -> FILE.key() + " cannot be read by this user; the user airlock run runs as needs read access");
    }

    public static final Setting<HostPort> SOCKET = Setting.of("vault.audit.socket", hostPort())
            .whenUnset("no listener")
            .doc("Address Airlock listens on for Vault's `socket` audit device (`socket_type=tcp`), e.g. `10.0.4.5:9090`. "
                    + "Give this or `vault.audit.file`, not both. The listener is unauthenticated and unencrypted (plain TCP, "
                    + "no TLS): anyone who can reach the port can inject audit lines (forged reads, or noise that hides real "
                    + "ones). Bind it to loopback or a private interface Vault alone reaches, or firewall the port to the "
                    + "Vault nodes; do not bind `0.0.0.0` on a shared network.");

    public static final Setting<String> PREFIX = Setting.of("vault.audit.prefix", string())
            .defaultValue("")
            .doc("The audit device's `prefix` option, stripped from each line before parsing.");

    public static final Setting<Integer> MAX_LINE_BYTES = Setting.of("vault.audit.max-line-bytes", integer())
            .defaultValue(1 << 20)
            .validate(Validators.atLeast(1024))
            .doc("Longest audit line in bytes (prefix included) passed on as Vault wrote it. A longer line (a request padded with "
                    + "thousands of query parameters, token metadata, headers) is passed on compacted: only the fields Airlock "
                    + "reads are kept, each string bounded to the 4 096 characters an event keeps, everything else replaced by "
                    + "`{\"airlock_omitted_bytes\":N}` (see docs/vault-audit.md); if it is still longer, or not valid JSON, it goes "
                    + "to the dead-letter topic. Memory stays bounded by this limit whatever the line's length.");

    public static final Setting<Duration> POLL_INTERVAL = Setting.of("vault.audit.poll-interval", duration())
            .defaultValue(Duration.ofMillis(100))
            .validate(Validators.positive())
            .doc("How often the file tailer looks for new lines, rotation and truncation once it reached the end of the file; "
                    + "a line Vault writes meanwhile waits up to this long.");

    public static final Group GROUP = Group.of("Vault audit",
            "Vault's audit device: one JSON object per request and response. Use the `file` device (tailed) or the `socket` "
                    + "device (Airlock listens). Without either, only Airflow is watched.",
            FILE, SOCKET, PREFIX, MAX_LINE_BYTES, POLL_INTERVAL);

    private VaultAuditFields() {
    }

    static VaultAuditSource source(ConfigValues values, ConfigProblems problems) {
        var source = new VaultAuditSource(values.find(FILE), values.find(SOCKET), values.get(PREFIX), values.get(MAX_LINE_BYTES),
                values.get(POLL_INTERVAL));
        if (source.file().isPresent() && source.socket().isPresent()) {
            problems.add(SOCKET.key(), "give vault.audit.file or vault.audit.socket, not both");
        }
        return source;
    }
}
