package io.airlock.ingest.vault;

import io.airlock.core.KafkaSecurity;
import io.airlock.core.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where Vault audit lines come from and where they go: either a file written by Vault's {@code file} audit device (tailed by
 * {@link VaultAuditFileTailer}) or a TCP address Vault's {@code socket} audit device connects to
 * ({@link VaultAuditSocketListener}).
 *
 * @param bootstrapServers Kafka {@code bootstrap.servers}
 * @param topics           topic names; lines go to {@link Topics#vaultAudit()}, bad lines to {@link Topics#dlq()}
 * @param file             the audit log file, for the file tailer (null for the socket listener)
 * @param bindAddress      the address to listen on, for the socket listener (null for the file tailer)
 * @param port             the TCP port to listen on (0 picks a free port)
 * @param prefix           the {@code prefix} option of the audit device, stripped before parsing (null or empty: none)
 * @param maxLineBytes     longest line passed on as written, in bytes, prefix included, newline excluded; longer lines are
 *                         compacted ({@link io.airlock.ingest.vault.internal.VaultAuditLineCompactor}) or dead-lettered
 * @param positionFile     where the file tailer remembers the last position Kafka acknowledged (required for the tailer)
 * @param pollInterval     how often the tailer looks for growth, rotation and truncation when it reached the end of the file
 * @param kafkaSecurity    what the producer adds to reach a secured Kafka; null: {@link KafkaSecurity#PLAINTEXT}
 */
public record VaultAuditSettings(String bootstrapServers, Topics topics, Path file, String bindAddress, int port, String prefix,
        int maxLineBytes, Path positionFile, Duration pollInterval, KafkaSecurity kafkaSecurity) {

    /** 1 MiB. */
    public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;
    /** At most this many bytes of a bad line are copied into its dead letter (256 KiB). */
    public static final int MAX_DEAD_LETTER_BYTES = 256 << 10;
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(100);

    public VaultAuditSettings {
        Objects.requireNonNull(bootstrapServers, "kafka.bootstrap-servers");
        Objects.requireNonNull(topics, "topics");
        if (file == null && bindAddress == null) {
            throw new IllegalArgumentException("a Vault audit source needs a file path or a socket bind address");
        }
        if (file != null && positionFile == null) {
            throw new IllegalArgumentException("the Vault audit file tailer needs a position file");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        prefix = prefix == null || prefix.isEmpty() ? null : prefix;
        maxLineBytes = maxLineBytes <= 0 ? DEFAULT_MAX_LINE_BYTES : maxLineBytes;
        pollInterval = pollInterval == null ? DEFAULT_POLL_INTERVAL : pollInterval;
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("poll interval must be positive");
        }
        kafkaSecurity = kafkaSecurity == null ? KafkaSecurity.PLAINTEXT : kafkaSecurity;
    }

    /** Tail {@code file}, remembering the position in {@code positionFile}. */
    public static VaultAuditSettings forFile(String bootstrapServers, Topics topics, Path file, Path positionFile) {
        return new VaultAuditSettings(bootstrapServers, topics, file, null, 0, null, DEFAULT_MAX_LINE_BYTES, positionFile,
                DEFAULT_POLL_INTERVAL, null);
    }

    /** Listen on {@code bindAddress:port} for Vault's socket audit device ({@code socket_type=tcp}). */
    public static VaultAuditSettings forSocket(String bootstrapServers, Topics topics, String bindAddress, int port) {
        return new VaultAuditSettings(bootstrapServers, topics, null, bindAddress, port, null, DEFAULT_MAX_LINE_BYTES, null,
                DEFAULT_POLL_INTERVAL, null);
    }

    public VaultAuditSettings withPrefix(String newPrefix) {
        return new VaultAuditSettings(bootstrapServers, topics, file, bindAddress, port, newPrefix, maxLineBytes, positionFile,
                pollInterval, kafkaSecurity);
    }

    public VaultAuditSettings withMaxLineBytes(int newMaxLineBytes) {
        return new VaultAuditSettings(bootstrapServers, topics, file, bindAddress, port, prefix, newMaxLineBytes, positionFile,
                pollInterval, kafkaSecurity);
    }

    public VaultAuditSettings withPollInterval(Duration newPollInterval) {
        return new VaultAuditSettings(bootstrapServers, topics, file, bindAddress, port, prefix, maxLineBytes, positionFile,
                newPollInterval, kafkaSecurity);
    }

    public VaultAuditSettings withKafkaSecurity(KafkaSecurity security) {
        return new VaultAuditSettings(bootstrapServers, topics, file, bindAddress, port, prefix, maxLineBytes, positionFile,
                pollInterval, security);
    }

    /** {@code source_topic} of dead letters from the file: {@code vault-audit-file:<absolute path>}. */
    public String fileSourceName() {
        return "vault-audit-file:" + file.toAbsolutePath();
    }
}
