package io.airlock.embedded;

import io.airlock.core.Directories;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** File-system and port helpers shared by the embedded components. */
final class RunDirectories {

    private static final Logger LOG = LoggerFactory.getLogger(RunDirectories.class);

    private RunDirectories() {
    }

    /** A TCP port free on the loopback interface at the time of the call. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    /** Deletes a directory tree; logs instead of throwing. */
    static void deleteQuietly(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try {
            deleteRecursively(root);
        } catch (IOException e) {
            LOG.warn("could not delete {}", root, e);
        }
    }

    static void deleteRecursively(Path root) throws IOException {
        try {
            Directories.deleteRecursively(root);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
