package io.airlock.app;

import io.airlock.ingest.AirflowCdcCapture;
import io.airlock.ingest.vault.VaultAuditFileTailer;
import io.airlock.ingest.vault.VaultAuditSettings;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vault audit file tailer of a first start: it begins reading once the Airflow capture's initial snapshot is in Kafka.
 *
 * <p>A first start reads the audit file from its beginning — a backlog of reads, many made by Airflow's workers during
 * DAG runs that only the snapshot of {@code dag_run} tells about. Kafka Streams orders the two sources by event time
 * ({@link io.airlock.streams.normalize.SnapshotRowTimes}), but only among records already in Kafka: a backlog read before
 * Debezium has written the snapshot would be judged by AL-022 against no runs at all, and every such read would alert.
 * Waiting costs nothing: the lines stay in the file. Later starts resume both captures from their stored positions and
 * need no wait; neither does the socket listener (Vault pushes lines as it serves requests, there is no backlog).
 */
final class VaultTailerAfterSnapshot implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VaultTailerAfterSnapshot.class);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    private final VaultAuditSettings settings;
    private final AirflowCdcCapture capture;
    private final Thread waiter;
    private volatile VaultAuditFileTailer tailer;
    private volatile boolean closed;

    private VaultTailerAfterSnapshot(VaultAuditSettings settings, AirflowCdcCapture capture) {
        this.settings = settings;
        this.capture = capture;
        this.waiter = new Thread(this::awaitSnapshotThenTail, "airlock-vault-tailer-start");
        this.waiter.setDaemon(true);
    }

    /** Whether the tailer has never stored a position, so it would start with the whole file as backlog. */
    static boolean isFirstStart(VaultAuditSettings settings) {
        return !VaultAuditFileTailer.hasStoredPosition(settings);
    }

    /** Starts waiting in the background; the tailer starts once {@code capture}'s snapshot is in Kafka. */
    static VaultTailerAfterSnapshot start(VaultAuditSettings settings, AirflowCdcCapture capture) {
        var deferred = new VaultTailerAfterSnapshot(settings, capture);
        LOG.info("First start: reading the Vault audit file {} once the Airflow snapshot is in Kafka, so that AL-022 knows the "
                + "runs its backlog happened in", settings.file());
        deferred.waiter.start();
        return deferred;
    }

    private void awaitSnapshotThenTail() {
        try {
            while (!capture.awaitSnapshotInKafka(PROGRESS_EVERY)) {
                if (closed) {
                    return;
                }
                if (capture.failure() != null || !capture.isCapturing()) {
                    LOG.warn("The Airflow capture stopped before its snapshot was in Kafka; the Vault audit file is not read");
                    return;
                }
                LOG.info("Waiting for the Airflow snapshot before the Vault audit backlog: {} changes in Kafka so far",
                        capture.capturedCount());
            }
            synchronized (this) {
                if (closed) {
                    return;
                }
                LOG.info("Airflow snapshot in Kafka ({} changes); reading the Vault audit file", capture.capturedCount());
                tailer = new VaultAuditFileTailer(settings).start();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Why the tailer stopped, if it started and stopped on an error. */
    Throwable failure() {
        VaultAuditFileTailer started = tailer;
        return started == null ? null : started.failure();
    }

    @Override
    public void close() throws Exception {
        VaultAuditFileTailer started;
        synchronized (this) {
            closed = true;
            started = tailer;
        }
        waiter.interrupt();
        waiter.join(Duration.ofSeconds(5).toMillis());
        if (started != null) {
            started.close();
        }
    }
}
