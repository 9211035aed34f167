package io.airlock.embedded;

import io.airlock.core.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node OpenSearch server running as a child process of this JVM, from the distribution the
 * build unpacked (see {@code AIRLOCK_OPENSEARCH_HOME}).
 *
 * <p>Each instance owns a run directory with its own copy of {@code config/}, {@code data/},
 * {@code logs/} and {@code tmp/}; {@link #stop()} and {@link #restart()} keep the ports and the data,
 * so outages can be simulated. OpenSearch refuses to run as root: when the JVM is root the server is
 * started through {@code setpriv} as {@code nobody}, and the run directory belongs to {@code nobody}.
 * A JVM shutdown hook makes sure no OpenSearch process outlives the JVM.
 */
public final class EmbeddedOpenSearch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedOpenSearch.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final String HEAP = "-Xms512m -Xmx512m -XX:-UsePerfData";
    private static final int LOG_TAIL_LINES = 60;

    private final Path home;
    private final Path runDirectory;
    private final int httpPort;
    private final int transportPort;
    private final String runAsGroup;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private StopAtExit stopAtExit;
    private volatile Process process;
    private boolean closed;

    private EmbeddedOpenSearch(Path home, Path runDirectory, int httpPort, int transportPort, String runAsGroup) {
        this.home = home;
        this.runDirectory = runDirectory;
        this.httpPort = httpPort;
        this.transportPort = transportPort;
        this.runAsGroup = runAsGroup;
    }

    /**
     * Prepares a new run directory, starts OpenSearch and waits (at most 120 s) until the cluster is
     * yellow.
     *
     * @throws IllegalStateException if the distribution is missing or the server does not come up; the
     *                               message then holds the tail of its log
     */
    public static EmbeddedOpenSearch start() {
        Path distribution = OpenSearchDistribution.home();
        boolean root = RootSupport.isRoot();
        String group = root ? RootSupport.unprivilegedGroup() : null;
        Path runDirectory;
        try {
            runDirectory = Files.createTempDirectory("airlock-opensearch-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the OpenSearch run directory", e);
        }
        Path home = distribution;
        try {
            if (root && !readableBy(group, distribution)) {
                // A clone under a private directory (a home, mktemp -d) is out of nobody's reach: mirror the
                // distribution into the run directory with hard links (a copy across file systems).
                home = mirror(distribution, runDirectory.resolve("distribution"));
            }
        } catch (IOException e) {
            RunDirectories.deleteQuietly(runDirectory);
            throw new UncheckedIOException("cannot prepare the OpenSearch distribution for user nobody", e);
        }
        EmbeddedOpenSearch node = new EmbeddedOpenSearch(home, runDirectory, RunDirectories.freePort(),
                RunDirectories.freePort(), group);
        try {
            node.prepareRunDirectory();
            if (root) {
                Files.setPosixFilePermissions(runDirectory, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
                node.requireReadableByUnprivilegedUser();
                for (String dir : List.of("config", "data", "logs", "tmp")) {
                    chownRecursively(runDirectory.resolve(dir), RootSupport.UNPRIVILEGED_USER, group);
                }
            }
            node.stopAtExit = StopAtExit.register("airlock-opensearch-shutdown-" + node.httpPort, node::closeOnShutdown);
            node.launchAndAwaitYellow();
            return node;
        } catch (IOException | RuntimeException e) {
            node.close();
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot start OpenSearch", io);
            }
            throw (RuntimeException) e;
        }
    }

    /** Base URI of the REST API, e.g. {@code http://127.0.0.1:9200}. */
    public URI httpUri() {
        return URI.create("http://127.0.0.1:" + httpPort);
    }

    /**
     * How many documents of {@code index} (a name or pattern; none yet counts 0) match the query-string {@code query}
     * ({@code rule.id:AL-001}), after a refresh so that just-indexed documents count; -1 while OpenSearch cannot answer yet.
     * For assertions.
     */
    public long count(String index, String query) {
        String options = "?ignore_unavailable=true&allow_no_indices=true";
        try {
            http.send(HttpRequest.newBuilder(httpUri().resolve("/" + index + "/_refresh" + options))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            String q = URLEncoder.encode(query, StandardCharsets.UTF_8);
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(httpUri().resolve("/" + index + "/_count" + options
                    + "&q=" + q)).GET().build(), HttpResponse.BodyHandlers.ofString());
            // not 200 (a 503 while a new index's shards start): -1, so that an awaited count is tried again
            return response.statusCode() != 200 ? -1 : Json.tree(response.body()).path("count").asLong();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The run directory (config, data, logs, tmp); deleted by {@link #close()}. */
    public Path runDirectory() {
        return runDirectory;
    }

    /** The OpenSearch process while it runs. */
    public synchronized Optional<ProcessHandle> process() {
        return process != null && process.isAlive() ? Optional.of(process.toHandle()) : Optional.empty();
    }

    /** Stops the server gracefully (SIGTERM, then SIGKILL after 30 s), keeping its data and ports. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        terminate(process);
        process = null;
        LOG.info("OpenSearch on port {} stopped", httpPort);
    }

    /** Starts the server again after {@link #stop()} (or stops it first), on the same ports with the same data. */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        stop();
        try {
            launchAndAwaitYellow();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart OpenSearch", e);
        }
    }

    /** Kills the process tree and deletes the run directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
        if (stopAtExit != null) {
            stopAtExit.closed();
        }
        RunDirectories.deleteQuietly(runDirectory);
    }

    @Override
    public String toString() {
        return "EmbeddedOpenSearch[" + httpUri() + "]";
    }

    /**
     * Runs in the JVM shutdown hook when nothing closed this node in time ({@link StopAtExit}): no locking, so a start-up in
     * progress cannot hold it up.
     */
    private void closeOnShutdown() {
        Process running = process;
        if (running != null) {
            terminate(running);
        }
        RunDirectories.deleteQuietly(runDirectory);
    }

    private void prepareRunDirectory() throws IOException {
        copyRecursively(home.resolve("config"), runDirectory.resolve("config"));
        for (String dir : List.of("data", "logs", "tmp")) {
            Files.createDirectories(runDirectory.resolve(dir));
        }
        Path jvmOptions = runDirectory.resolve("config/jvm.options");
        String logs = runDirectory.resolve("logs").toString();
        String rewritten = Files.readString(jvmOptions)
                .replaceAll("(?m)^-Xm[sx]\\S*\\s*$", "")
                .replace("-XX:HeapDumpPath=data", "-XX:HeapDumpPath=" + runDirectory.resolve("data"))
                .replace("-XX:ErrorFile=logs/", "-XX:ErrorFile=" + logs + "/")
                .replace("-Xloggc:logs/", "-Xloggc:" + logs + "/")
                .replace("file=logs/gc.log", "file=" + logs + "/gc.log")
                .replace("filecount=32,filesize=64m", "filecount=2,filesize=8m");
        Files.writeString(jvmOptions, rewritten);
    }

    private static boolean readableBy(String group, Path home) throws IOException {
        List<String> check = new ArrayList<>(RootSupport.setprivPrefix(group));
        check.addAll(List.of("test", "-r", home.resolve("lib/opensearch-" + OpenSearchDistribution.version() + ".jar").toString(),
                "-a", "-x", home.resolve("bin").toString()));
        return RootSupport.run(check).exitCode() == 0;
    }

    /** Recreates {@code source} under {@code target}: world-readable directories, files hard-linked (copied if links fail). */
    private static Path mirror(Path source, Path target) throws IOException {
        var readable = java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x");
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path copy = target.resolve(source.relativize(dir).toString());
                Files.createDirectories(copy);
                Files.setPosixFilePermissions(copy, readable);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path copy = target.resolve(source.relativize(file).toString());
                try {
                    Files.createLink(copy, file);
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(file, copy, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return target;
    }

    private void requireReadableByUnprivilegedUser() throws IOException {
        List<String> check = new ArrayList<>(RootSupport.setprivPrefix(runAsGroup));
        check.addAll(List.of("test", "-r", home.resolve("lib/opensearch-" + OpenSearchDistribution.version() + ".jar").toString(),
                "-a", "-x", home.resolve("bin").toString()));
        RootSupport.ProcessResult result = RootSupport.run(check);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("the JVM runs as root, so OpenSearch runs as '" + RootSupport.UNPRIVILEGED_USER
                    + "', who cannot read the distribution at " + home + " (" + result.output().strip()
                    + "). Make it and its parent directories world-readable, or set "
                    + OpenSearchDistribution.HOME_ENV + " to a copy that is.");
        }
    }

    private List<String> command() {
        List<String> command = new ArrayList<>();
        if (runAsGroup != null) {
            command.addAll(RootSupport.setprivPrefix(runAsGroup));
        }
        command.addAll(List.of("/bin/bash", home.resolve("bin/opensearch").toString()));
        Map<String, String> settings = Map.of(
                "cluster.name", "airlock-embedded",
                "node.name", "airlock-embedded",
                "discovery.type", "single-node",
                "network.host", "127.0.0.1",
                "http.port", Integer.toString(httpPort),
                "transport.port", Integer.toString(transportPort),
                "path.data", runDirectory.resolve("data").toString(),
                "path.logs", runDirectory.resolve("logs").toString(),
                "cluster.routing.allocation.disk.threshold_enabled", "false");
        settings.forEach((k, v) -> command.add("-E" + k + "=" + v));
        return command;
    }

    private void launchAndAwaitYellow() throws IOException {
        long started = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(command())
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(consoleLog().toFile()));
        Map<String, String> env = builder.environment();
        env.put("OPENSEARCH_JAVA_HOME", System.getProperty("java.home"));
        env.put("OPENSEARCH_PATH_CONF", runDirectory.resolve("config").toString());
        env.put("OPENSEARCH_JAVA_OPTS", HEAP);
        env.put("OPENSEARCH_TMPDIR", runDirectory.resolve("tmp").toString());
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("_JAVA_OPTIONS");
        process = builder.start();
        LOG.info("OpenSearch starting (pid {}) on {} from {}", process.pid(), httpUri(), home);
        awaitYellow(started);
        LOG.info("OpenSearch ready on {} in {} ms", httpUri(), Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    private void awaitYellow(long startedNanos) {
        long deadline = startedNanos + START_TIMEOUT.toNanos();
        HttpRequest health = HttpRequest.newBuilder(httpUri().resolve("/_cluster/health?wait_for_status=yellow&timeout=2s"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        String lastFailure = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw startFailure("OpenSearch exited with code " + process.exitValue() + " during start-up");
            }
            try {
                HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                lastFailure = "HTTP " + response.statusCode();
            } catch (ConnectException notListeningYet) {
                lastFailure = "connection refused";
                awaitExit(Duration.ofMillis(250));
            } catch (IOException e) {
                lastFailure = e.toString();
                awaitExit(Duration.ofMillis(250));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for OpenSearch", e);
            }
        }
        throw startFailure("OpenSearch not yellow after " + START_TIMEOUT.toSeconds() + " s (" + lastFailure + ")");
    }

    /** Waits for the process to exit, at most {@code max}: the pause between polls that ends early on a crash. */
    private void awaitExit(Duration max) {
        try {
            process.onExit().get(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillRunning) {
            // poll again
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for OpenSearch", e);
        }
    }

    private IllegalStateException startFailure(String reason) {
        return new IllegalStateException(reason + "; run directory " + runDirectory + "; last lines of its log:\n" + logTail());
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(consoleLog(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private Path consoleLog() {
        return runDirectory.resolve("logs/console.log");
    }

    private static void terminate(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("OpenSearch (pid {}) did not stop within {} s, killing it", process.pid(), STOP_TIMEOUT.toSeconds());
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        Stream.concat(descendants.stream(), process.descendants()).filter(ProcessHandle::isAlive).forEach(p -> {
            p.destroyForcibly();
            p.onExit().join();
        });
    }

    private static void copyRecursively(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, target.resolve(source.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void chownRecursively(Path root, String user, String group) throws IOException {
        UserPrincipalLookupService lookup = root.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal owner = lookup.lookupPrincipalByName(user);
        GroupPrincipal ownerGroup = lookup.lookupPrincipalByGroupName(group);
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
                view.setOwner(owner);
                view.setGroup(ownerGroup);
            }
        }
    }
}
