package io.airlock.ingest.vault;

import io.airlock.ingest.internal.IngestMeters;
import io.airlock.ingest.vault.internal.AuditRecordPublisher;
import io.airlock.ingest.vault.internal.AuditRecordPublisher.Batch;
import io.airlock.ingest.vault.internal.FileIdentity;
import io.airlock.ingest.vault.internal.FilePosition;
import io.airlock.ingest.vault.internal.LineAssembler;
import io.airlock.ingest.vault.internal.LineOrigin;
import io.airlock.ingest.vault.internal.PositionStore;
import io.airlock.ingest.vault.internal.VaultAuditLineCompactor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the file of Vault's {@code file} audit device like {@code tail -F} and writes every complete line to
 * {@code <prefix>.vault.audit} (bad lines to the DLQ), on its own thread.
 *
 * <ul>
 *   <li>Only newline-terminated lines are sent; a partial last line waits for its newline.</li>
 *   <li>Rotation by rename: when the path names a new file, the old one is read to its end through the still open channel
 *       until it has been quiet for {@value #ROTATION_GRACE_MILLIS} ms (Vault keeps writing to it until it reopens its file
 *       on SIGHUP), then the new file is read from 0.</li>
 *   <li>Copy-truncate: a file shorter than the read position is read again from 0.</li>
 *   <li>A missing file is waited for, and so is a missing directory: with a stored position, the file is resumed (or
 *       finished as a rotated one) once the directory is there.</li>
 * </ul>
 *
 * <p>The position (file identity = device and inode, byte offset of the next unacknowledged line) is written atomically to
 * the position file only after Kafka acknowledged every line before it. A restart resumes there; if the file at the path is
 * no longer the stored one, the directory is searched for the stored inode (the rotated {@code audit.log.1}), which is
 * finished first. Each record carries the headers {@code airlock.source = vault-file:<file id>} and
 * {@code airlock.position = <byte offset of the line>} ({@link io.airlock.core.SourceHeaders}). Lines are never logged, only
 * positions and reason categories.
 *
 * <p>A position that cannot be written (disk full, read-only or lost mount) does not stop the capture: the previous position
 * file stays intact (the new one is written beside it and renamed), the failure is logged once per streak and counted in
 * {@value IngestMeters#POSITION_WRITE_FAILURES}, and the write is tried again every second until it succeeds. Lines keep
 * flowing meanwhile; only a restart during the streak re-reads from the older position, and those re-sent lines are
 * duplicates that downstream recognizes by their stable event ids.
 */
public final class VaultAuditFileTailer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VaultAuditFileTailer.class);
    static final long ROTATION_GRACE_MILLIS = 500;
    private static final int READ_BUFFER_BYTES = 64 * 1024;
    private static final long POSITION_WRITE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** One open file: the channel stays valid when the file is renamed or unlinked. */
    private static final class OpenFile {
        final FileChannel channel;
        final String id;
        long readPosition;
        long lastDataNanos = System.nanoTime();

        OpenFile(FileChannel channel, String id, long readPosition) {
            this.channel = channel;
            this.id = id;
            this.readPosition = readPosition;
        }
    }

    private final VaultAuditSettings settings;
    private final Path path;
    private final String sourceName;
    private final PositionStore positions;
    private final AuditRecordPublisher publisher;
    private final LineAssembler lines;
    /** Every byte of a line longer than the limit goes through it, so the line can be sent compacted. */
    private final VaultAuditLineCompactor longLines;
    private final ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
    private final Deque<OpenFile> following = new ArrayDeque<>();
    private final Deque<Batch> inFlight = new ArrayDeque<>();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private OpenFile current;
    private Batch batch;
    private FilePosition committed;
    private FilePosition written;
    private long lastPositionWrite = System.nanoTime();
    private long lastPathCheck = System.nanoTime();
    private volatile boolean started;
    private volatile long currentOffset;
    private final Counter positionWriteFailures = IngestMeters.positionWriteFailures();
    private volatile long failedPositionWrites;
    private long failureStreak;
    /** The stored position in the configured file when it could not be opened at start; null otherwise. */
    private FilePosition resumeAt;
    /** Why the configured file cannot be followed, while it cannot; null once it can. */
    private String waitingFor;
    private long waitReportedNanos;
    /** How often {@link #waiting} repeats an unchanged reason. */
    static final java.time.Duration WAIT_REPORT_EVERY = java.time.Duration.ofMinutes(10);

    public VaultAuditFileTailer(VaultAuditSettings settings) {
        if (settings.file() == null) {
            throw new IllegalArgumentException("the file tailer needs settings with a file");
        }
        this.settings = settings;
        this.path = settings.file().toAbsolutePath();
        this.sourceName = settings.fileSourceName();
        this.positions = new PositionStore(settings.positionFile());
        this.publisher = new AuditRecordPublisher(settings, "ingest:vault-file", "airlock-vault-file");
        this.longLines = publisher.compactor();
        this.lines = new LineAssembler(settings.maxLineBytes(), 0, longLines);
        this.thread = new Thread(this::run, "airlock-vault-tailer");
        this.thread.setDaemon(true);
    }

    /**
     * Whether a tailer with these settings stored a position before: it resumes there, else it starts with the whole file.
     *
     * @throws CaptureConfigurationException if the position file is damaged
     */
    public static boolean hasStoredPosition(VaultAuditSettings settings) {
        return new PositionStore(settings.positionFile()).read() != null;
    }

    /** Starts following the file in the background. */
    public VaultAuditFileTailer start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        thread.start();
        LOG.info("Tailing Vault audit file {} (position file {})", path, positions.path());
        return this;
    }

    /** Lines Kafka acknowledged on the audit topic since start. */
    public long linesCaptured() {
        return publisher.captured();
    }

    /** Lines Kafka acknowledged on the dead-letter topic since start. */
    public long linesDeadLettered() {
        return publisher.deadLettered();
    }

    /** Lines longer than {@code vault.audit.max-line-bytes} sent compacted since start. */
    public long linesCompacted() {
        return publisher.compacted();
    }

    /** Bytes read so far of the file being followed (compare with its size for the lag). */
    public long currentOffset() {
        return currentOffset;
    }

    /** Position writes that failed since start (each retried a second later). */
    public long positionWriteFailures() {
        return failedPositionWrites;
    }

    /** Why the tailer stopped on its own, if it did. */
    public Throwable failure() {
        return failure.get() != null ? failure.get() : publisher.failure();
    }

    /** Stops reading, waits for Kafka to acknowledge what was sent, stores the position and closes the producer. */
    @Override
    public void close() {
        stop.countDown();
        if (started) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        publisher.close();
        LOG.info("Stopped tailing {} after {} lines ({} dead-lettered)", path, linesCaptured(), linesDeadLettered());
    }

    private void run() {
        try {
            boolean restored = restore();
            while (stop.getCount() > 0 && publisher.failure() == null) {
                if (!restored) {
                    restored = restore();
                    if (!restored) {
                        pause();
                        continue;
                    }
                }
                if (current == null) {
                    current = open(path, resumeOffset());
                    if (current == null) {
                        pause();
                        continue;
                    }
                    resumeAt = null;
                    lines.reset(current.readPosition);
                    markSwitch();
                }
                int n = readChunk();
                publisher.resendRejected();
                completeBatches();
                if (n > 0) {
                    if (System.nanoTime() - lastPathCheck > settings.pollInterval().toNanos()) {
                        lookForNewFile();
                    }
                    maybeWritePosition(false);
                } else if (!atEndOfFile()) {
                    maybeWritePosition(true);
                    pause();
                }
            }
        } catch (Throwable t) {
            failure.set(t);
            LOG.error("Tailing {} stopped", path, t);
        } finally {
            shutdown();
        }
    }

    /**
     * Resumes from the position file, finishing a rotated file first if the path now names another one.
     *
     * @return false, having said it waits, while the file's directory does not exist (a volume not mounted yet, a log
     *     directory not created yet): nothing can be told about the stored file then, so this is tried again until it
     *     exists, and the stored file is resumed, finished as a rotated one or given up as it would have been at start
     */
    private boolean restore() throws IOException {
        FilePosition stored = positions.read();
        committed = stored;
        written = stored;
        if (stored == null) {
            return true;
        }
        FileIdentity now = FileIdentity.of(path);
        if (now == null && !Files.isDirectory(path.getParent())) {
            waiting(path, "does not exist (yet)");
            return false;
        }
        if (now != null && now.id().equals(stored.fileId())) {
            current = open(path, stored.offset());
            if (current != null) {
                lines.reset(current.readPosition);
            } else {
                resumeAt = stored; // not readable yet: once it is, on from here, not from its start again
            }
            return true;
        }
        Path rotated = findByIdentity(stored.fileId());
        if (rotated != null) {
            LOG.info("Finishing rotated Vault audit file {} from offset {} before {}", rotated, stored.offset(), path);
            current = open(rotated, stored.offset());
            if (current != null) {
                lines.reset(current.readPosition);
                lookForNewFile();
            }
        } else {
            LOG.warn("The Vault audit file last read ({}) is gone; reading {} from its start: lines written to the old file after "
                    + "the last stored position are lost", stored.fileId(), path);
        }
        return true;
    }

    private Path findByIdentity(String fileId) throws IOException {
        Path dir = path.getParent();
        Path own = positions.path();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path candidate : entries) {
                if (candidate.equals(own) || candidate.equals(path) || !Files.isRegularFile(candidate)) {
                    continue;
                }
                FileIdentity identity = FileIdentity.of(candidate);
                if (identity != null && identity.id().equals(fileId)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    /**
     * Opens the file at {@code file} and reads its identity, retrying if it was replaced in between; null if there is no file.
     * A stored offset beyond the file's end means it was truncated: start at 0.
     */
    private OpenFile open(Path file, long offset) throws IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            FileIdentity before = FileIdentity.of(file);
            if (before == null) {
                waiting(file, "does not exist (yet)");
                return null;
            }
            if (!Files.isRegularFile(file)) { // a FIFO would block the open until a writer comes, a directory fail every read
                waiting(file, Files.isDirectory(file) ? "is a directory" : "is not a regular file (a FIFO or a device?)");
                return null;
            }
            FileChannel channel;
            try {
                channel = FileChannel.open(file, StandardOpenOption.READ);
            } catch (java.nio.file.NoSuchFileException e) {
                continue;
            } catch (java.nio.file.AccessDeniedException e) {
                waiting(file, "cannot be read by this user (permission denied)");
                return null;
            }
            if (file.equals(path) && waitingFor != null) {
                LOG.info("Vault audit file {} can be read now", path);
                waitingFor = null;
            }
            FileIdentity after = FileIdentity.of(file);
            if (after != null && after.id().equals(before.id())) {
                long start = offset;
                if (channel.size() < offset) {
                    LOG.info("Vault audit file {} is shorter than the stored offset {}: it was truncated, reading from 0", file, offset);
                    start = 0;
                }
                return new OpenFile(channel, before.id(), start);
            }
            channel.close();
        }
        return null;
    }

    /** Where to start in the configured file: the stored position if it is still that file, else its start. */
    private long resumeOffset() throws IOException {
        if (resumeAt == null) {
            return 0;
        }
        FileIdentity now = FileIdentity.of(path);
        return now != null && now.id().equals(resumeAt.fileId()) ? resumeAt.offset() : 0;
    }

    /**
     * Says why the configured file cannot be followed yet — when the reason is new, and every {@link #WAIT_REPORT_EVERY} while
     * it lasts — so that a wrong path or permission does not go unnoticed while Airlock otherwise looks healthy.
     */
    private void waiting(Path file, String why) {
        if (!file.equals(path)) { // a rotated file left from before the restart
            LOG.warn("Rotated Vault audit file {} {}: the lines it got after the stored position are not read", file, why);
            return;
        }
        long now = System.nanoTime();
        if (!why.equals(waitingFor) || now - waitReportedNanos >= WAIT_REPORT_EVERY.toNanos()) {
            LOG.warn("Vault audit file {} {}: waiting for it. vault.audit.file must name the file_path of Vault's file audit "
                    + "device, readable by Airlock", path, why);
            waitingFor = why;
            waitReportedNanos = now;
        }
    }

    /** Reads one chunk of the current file and publishes the complete lines in it; 0 at the end of the file. */
    private int readChunk() throws IOException {
        buffer.clear();
        int n = current.channel.read(buffer, current.readPosition);
        if (n <= 0) {
            return 0;
        }
        current.readPosition += n;
        currentOffset = current.readPosition;
        current.lastDataNanos = System.nanoTime();
        batch = new Batch(current.id);
        lines.feed(buffer.array(), 0, n, this::publishLine);
        batch.seal(lines.nextLineStart());
        inFlight.add(batch);
        return n;
    }

    private void publishLine(byte[] buf, int off, int len, long fullLength, long start) {
        publisher.publish(buf, off, len, fullLength, longLines, sourceName, start, LineOrigin.file(current.id, start), batch);
    }

    /**
     * At the end of the current file: handles truncation and rotation.
     *
     * @return true if there is more to read right away
     */
    private boolean atEndOfFile() throws IOException {
        lookForNewFile();
        if (following.isEmpty()) {
            FileIdentity now = FileIdentity.of(path);
            if (now != null && now.id().equals(current.id) && now.size() < current.readPosition) {
                LOG.info("Vault audit file {} was truncated (copy-truncate rotation); reading from 0", path);
                current.readPosition = 0;
                currentOffset = 0;
                lines.reset(0);
                markSwitch();
                return true;
            }
            return false;
        }
        long quietMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - current.lastDataNanos);
        if (quietMillis < ROTATION_GRACE_MILLIS) {
            return false;
        }
        // The rotated file has been quiet for the grace period: finish it (an unterminated last line included) and move on.
        batch = new Batch(current.id);
        lines.finishPartial(this::publishLine);
        batch.seal(lines.nextLineStart());
        inFlight.add(batch);
        current.channel.close();
        current = following.poll();
        currentOffset = current.readPosition;
        lines.reset(current.readPosition);
        LOG.info("Vault audit file {} was rotated; continuing with the new file", path);
        markSwitch();
        return true;
    }

    /** If the path names a file not seen yet (rotation by rename), opens it now so it survives further rotations. */
    private void lookForNewFile() throws IOException {
        lastPathCheck = System.nanoTime();
        FileIdentity now = FileIdentity.of(path);
        String newest = following.isEmpty() ? current.id : following.peekLast().id;
        if (now != null && !now.id().equals(newest)) {
            OpenFile next = open(path, 0);
            if (next != null && !next.id.equals(newest)) {
                following.add(next);
            } else if (next != null) {
                next.channel.close();
            }
        }
    }

    /** A marker batch so the stored position moves to the start of a new (or truncated) file once earlier lines are acknowledged. */
    private void markSwitch() {
        Batch marker = new Batch(current.id);
        marker.seal(current.readPosition);
        inFlight.add(marker);
    }

    private void completeBatches() {
        Batch head;
        while ((head = inFlight.peek()) != null && head.done()) {
            committed = new FilePosition(head.fileId(), head.endOffset());
            inFlight.poll();
        }
    }

    private void maybeWritePosition(boolean idle) {
        if (committed == null || committed.equals(written)) {
            return;
        }
        if (idle || System.nanoTime() - lastPositionWrite > POSITION_WRITE_INTERVAL_NANOS) {
            if (failureStreak > 0 && System.nanoTime() - lastPositionWrite < POSITION_WRITE_INTERVAL_NANOS) {
                return; // while writes fail, try once a second, also when idle
            }
            lastPositionWrite = System.nanoTime();
            try {
                positions.write(committed);
            } catch (java.io.UncheckedIOException e) {
                failedPositionWrites++;
                positionWriteFailures.increment();
                if (failureStreak++ == 0) {
                    LOG.error("Cannot store the Vault audit position in {} ({}); capture goes on, the previous position stays "
                            + "in place, retrying every second", positions.path(), e.getCause());
                }
                return;
            }
            if (failureStreak > 0) {
                LOG.info("Stored the Vault audit position in {} again after {} failed attempts", positions.path(), failureStreak);
                failureStreak = 0;
            }
            written = committed;
        }
    }

    private void pause() throws InterruptedException {
        stop.await(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void shutdown() {
        try {
            publisher.flush();
            publisher.resendRejected();
            publisher.flush();
            completeBatches();
            // Only acknowledged batches moved the position, so it is safe to store even after a failure.
            maybeWritePosition(true);
        } catch (RuntimeException e) {
            LOG.warn("Could not store the final position of {}", path, e);
        }
        closeQuietly(current);
        following.forEach(VaultAuditFileTailer::closeQuietly);
    }

    private static void closeQuietly(OpenFile file) {
        if (file == null) {
            return;
        }
        try {
            file.channel.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    @Override
    public String toString() {
        return "VaultAuditFileTailer[" + path + "]";
    }
}
