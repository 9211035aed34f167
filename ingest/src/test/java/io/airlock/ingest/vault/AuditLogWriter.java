package io.airlock.ingest.vault;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes an audit log the way Vault's file device does: the file opened in append mode, one write per line, reopened on
 * SIGHUP ({@link #reopen()}); logrotate's two rotation styles on top.
 */
final class AuditLogWriter implements AutoCloseable {

    private final Path path;
    private FileOutputStream out;
    private long written;

    AuditLogWriter(Path path) {
        this.path = path;
        reopen();
    }

    /** What Vault does on SIGHUP: close the file and open the path again (creating it). */
    synchronized void reopen() {
        try {
            if (out != null) {
                out.close();
            }
            out = new FileOutputStream(path.toFile(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized void line(String line) {
        raw((line + "\n").getBytes(StandardCharsets.UTF_8));
        written++;
    }

    synchronized void raw(byte[] bytes) {
        try {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized long linesWritten() {
        return written;
    }

    /** logrotate without copytruncate: rename, then (postrotate) SIGHUP; the writer may still append to the old file in between. */
    void rotateByRename(Path target) throws IOException {
        Files.move(path, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        reopen();
    }

    /** logrotate copytruncate: copy, then truncate in place; lines written between the two are lost (logrotate says so). */
    void copyTruncate(Path target) throws IOException {
        Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
