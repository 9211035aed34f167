package io.airlock.ingest.vault.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** Identity (device and inode) and size of the file at a path, as one consistent stat. */
public record FileIdentity(String id, long size) {

    /** The identity of the file now at {@code path}, or null if there is none. */
    public static FileIdentity of(Path path) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        }
        Object key = attrs.fileKey();
        String id;
        if (key != null) {
            id = key.toString();
        } else {
            try {
                id = "ino=" + Files.getAttribute(path, "unix:ino");
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                // No inode on this file system: creation time is the best stand-in for "a new file".
                id = "created=" + attrs.creationTime().toMillis();
            }
        }
        return new FileIdentity(id, attrs.size());
    }
}
