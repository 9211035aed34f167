package io.airlock.ingest.vault.internal;

import io.airlock.core.Json;
import io.airlock.ingest.CaptureConfigurationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** A small JSON file holding one {@link FilePosition}, replaced atomically: temp file, fsync, rename, fsync of the directory. */
public final class PositionStore {

    private final Path file;

    public PositionStore(Path file) {
        this.file = file.toAbsolutePath();
    }

    /** The stored position, or null if none was ever written. */
    public FilePosition read() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Vault audit position file " + file, e);
        }
        try {
            return Json.read(bytes, FilePosition.class);
        } catch (RuntimeException e) {
            throw new CaptureConfigurationException("the Vault audit position file " + file
                    + " is damaged; delete it to read the audit log from the start");
        }
    }

    public void write(FilePosition position) {
        Path dir = file.getParent();
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(Json.write(position));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException e) {
                // Some file systems cannot fsync a directory; the rename itself is still atomic.
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Vault audit position file " + file, e);
        }
    }

    public Path path() {
        return file;
    }
}
