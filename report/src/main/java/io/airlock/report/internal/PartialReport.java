package io.airlock.report.internal;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A report being written: a hidden directory next to {@code --out}, {@code .OUT.airlock-partial-HOST-PID-RANDOM}, on the same file
 * system, moved onto {@code --out} in one rename once the manifest is written. Until then {@code --out} is as it was: an
 * export that fails, is interrupted (Ctrl-C, SIGTERM) or killed leaves no half-written report there, which would block the
 * retry ({@code --out is not empty}) and verify as "manifest.json is missing", like tampering.
 *
 * <p>A killed export leaves its partial directory behind; the next export of the same {@code --out} removes those whose
 * process (the PID in the name) is no longer running on this host, and leaves alone those of a running export, those of
 * other hosts (a shared volume) and any other name that merely starts like one.
 */
public final class PartialReport {

    private static final Logger log = LoggerFactory.getLogger(PartialReport.class);
    private static final String MARK = ".airlock-partial-";
    private static final String MANIFEST = "manifest.json";
    /**
     * This host's name in the partial directory's name: a PID says whether an export is still running only on the host
     * that started it, so leftovers of other hosts (an export directory on a shared volume) are never removed here.
     */
    private static final String HOST = hostName();
    /** What follows the prefix in a partial directory's name written on this host: the PID and 8 hex digits. */
    private static final Pattern OWN_SUFFIX = Pattern.compile(Pattern.quote(HOST) + "-(\\d{1,18})-[0-9a-f]{8}");

    private final Path directory;
    private boolean moved;

    private PartialReport(Path directory) {
        this.directory = directory;
    }

    /** Removes what killed exports of {@code target} left, then creates the partial directory next to it. */
    public static PartialReport create(Path target) throws IOException {
        Path absolute = place(target);
        Path parent = absolute.getParent();
        if (parent == null || absolute.getFileName() == null) {
            throw new IOException(target + " cannot hold a report (no parent directory to write it next to)");
        }
        Files.createDirectories(parent);
        removeStale(parent, prefix(absolute));
        Path partial = parent.resolve(prefix(absolute) + HOST + "-" + ProcessHandle.current().pid() + "-"
                + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectory(partial);
        return new PartialReport(partial);
    }

    /** Where the report goes: {@code target}, or the directory it links to (a rename would replace the link, not fill it). */
    private static Path place(Path target) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        return Files.exists(absolute) ? absolute.toRealPath() : absolute;
    }

    /** The hidden name prefix of {@code target}'s partial directories. */
    static String prefix(Path absoluteTarget) {
        return "." + absoluteTarget.getFileName() + MARK;
    }

    /** Where the report is written. */
    public Path directory() {
        return directory;
    }

    /**
     * Puts the complete report at {@code target}, which does not exist or is an empty directory: one rename (over the empty
     * directory, whose permissions the report keeps). Where {@code target} cannot be renamed over (a mount point), the files
     * are moved in one by one, {@code manifest.json} last, so the report is never taken for complete before it is.
     */
    public void moveInto(Path target) throws IOException {
        Path absolute = place(target);
        boolean existed = Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS);
        if (existed) {
            copyPermissions(absolute, directory);
        }
        try {
            Files.move(directory, absolute, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
            return;
        } catch (AtomicMoveNotSupportedException | DirectoryNotEmptyException | FileAlreadyExistsException e) {
            if (!existed || !isEmpty(absolute)) {
                throw new IOException(target + " changed during the export (it is no longer a new or empty directory); the report "
                        + "was not moved there", e);
            }
        } catch (FileSystemException e) {
            if (!existed || !isEmpty(absolute)) {
                throw e;
            }
        }
        // an empty --out that cannot be renamed over (a mount point, busy): move the files in, the manifest last
        List<Path> files;
        try (Stream<Path> entries = Files.list(directory)) {
            files = entries.sorted(Comparator.comparing((Path p) -> p.getFileName().toString().equals(MANIFEST))).toList();
        }
        for (Path file : files) {
            Files.move(file, absolute.resolve(file.getFileName().toString()));
        }
        Files.delete(directory);
        moved = true;
    }

    /** Removes the partial directory unless it was moved into place; failures are logged, the export's own error matters more. */
    public void removeIfLeft() {
        if (!moved) {
            try {
                deleteTree(directory);
            } catch (IOException e) {
                log.warn("report: could not remove the partial report {} ({}); the next export of the same --out removes it",
                        directory, e.getClass().getSimpleName());
            }
        }
    }

    private static void removeStale(Path parent, String prefix) throws IOException {
        List<Path> leftovers;
        try (Stream<Path> entries = Files.list(parent)) {
            leftovers = entries.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        }
        for (Path leftover : leftovers) {
            // only names this code writes on this host, whose process is gone: anything else may be someone's, or running
            Matcher own = OWN_SUFFIX.matcher(leftover.getFileName().toString().substring(prefix.length()));
            if (!own.matches()) {
                continue;
            }
            long pid = Long.parseLong(own.group(1));
            boolean running = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            if (!running && Files.isDirectory(leftover, LinkOption.NOFOLLOW_LINKS)) {
                log.info("report: removing {}, left by an export that did not finish (process {} is gone)", leftover, pid);
                deleteTree(leftover);
            }
        }
    }

    private static String hostName() {
        String name;
        try {
            name = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException | SecurityException e) {
            name = "host";
        }
        String safe = name.replaceAll("[^A-Za-z0-9.]", "_");
        return safe.isEmpty() ? "host" : safe.substring(0, Math.min(safe.length(), 64));
    }

    private static boolean isEmpty(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void copyPermissions(Path from, Path to) {
        var fromView = Files.getFileAttributeView(from, PosixFileAttributeView.class);
        var toView = Files.getFileAttributeView(to, PosixFileAttributeView.class);
        if (fromView != null && toView != null) {
            try {
                toView.setPermissions(fromView.readAttributes().permissions());
            } catch (IOException e) {
                // the report is the same; only the directory's mode differs from the one given
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
