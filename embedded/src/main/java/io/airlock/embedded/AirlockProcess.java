package io.airlock.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code airlock run} as a child process: {@code java <jvm options> -cp <classpath> io.airlock.app.AirlockCli run --config
 * <file> [args]}, its standard output and error copied to a log file and kept in memory for {@link #awaitOutput}.
 *
 * <pre>{@code
 * try (AirlockProcess airlock = AirlockProcess.builder(yml).env(secrets).logFile(dir.resolve("run.log")).start()) {
 *     airlock.awaitOutput(AirlockProcess.RUNNING, Duration.ofSeconds(120));
 *     ...
 *     int exit = airlock.terminate(Duration.ofSeconds(60));   // SIGTERM
 * }
 * }</pre>
 *
 * The classpath defaults to this JVM's {@code java.class.path}, which holds airlock-app wherever the app is a
 * dependency (system-tests, bench); under Surefire that is its manifest-only booter jar, whose {@code Class-Path} the
 * child JVM follows just the same. {@link #close()} kills a process still running, and so does a shutdown hook if the
 * test JVM exits first, so no child outlives its test.
 */
public final class AirlockProcess implements AutoCloseable {

    /** The line {@code airlock run} prints once every stage runs. */
    public static final Pattern RUNNING = Pattern.compile("airlock run: running;");

    private static final Logger LOG = LoggerFactory.getLogger(AirlockProcess.class);
    /** How long {@link #close()} waits after SIGTERM before it kills. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(90);
    private static final String MAIN_CLASS = "io.airlock.app.AirlockCli";
    private static final Pattern VM_HWM = Pattern.compile("(?m)^VmHWM:\\s+(\\d+)\\s+kB");
    private static final Pattern VM_RSS = Pattern.compile("(?m)^VmRSS:\\s+(\\d+)\\s+kB");

    private final Process process;
    private final Path logFile;
    private final StringBuilder output = new StringBuilder();
    private final Thread pump;
    private final Thread shutdownHook;
    private volatile long lastPeakRssBytes = -1;

    private AirlockProcess(Process process, Path logFile) {
        this.process = process;
        this.logFile = logFile;
        this.pump = new Thread(this::copyOutput, "airlock-process-output-" + process.pid());
        this.pump.setDaemon(true);
        this.shutdownHook = new Thread(this::stopGracefully, "airlock-process-kill-" + process.pid());
    }

    /** A builder for {@code airlock run --config config}. */
    public static Builder builder(Path config) {
        return new Builder(Objects.requireNonNull(config, "config"));
    }

    /**
     * A builder for {@code airlock run} without {@code --config}, which starts embedded components of its own; give it a
     * {@link Builder#logFile log file}.
     */
    public static Builder withoutConfig() {
        return new Builder(null);
    }

    /** The operating-system process id. */
    public long pid() {
        return process.pid();
    }

    /** Whether the process still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Where standard output and error are copied to. */
    public Path logFile() {
        return logFile;
    }

    /** Everything the process printed so far (standard output and error interleaved). */
    public String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /**
     * Waits until the output contains a match of {@code pattern} (searched from the start of the output) and returns the
     * matched text.
     *
     * @throws IllegalStateException if the process exits, or {@code max} passes, first; the message holds the output's tail
     */
    public String awaitOutput(Pattern pattern, Duration max) {
        return awaitOutput(pattern, 0, max);
    }

    /**
     * As {@link #awaitOutput(Pattern, Duration)}, searching only the output after character {@code from} (e.g. the
     * {@code output().length()} taken before an action).
     */
    public String awaitOutput(Pattern pattern, int from, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (output) {
            while (true) {
                Matcher m = pattern.matcher(output);
                if (m.find(Math.min(from, output.length()))) {
                    return m.group();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw failure("no output matching /" + pattern + "/ within " + max);
                }
                if (!process.isAlive() && !pump.isAlive()) {
                    throw failure("exited with " + process.exitValue() + " before printing /" + pattern + "/");
                }
                try {
                    output.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for /" + pattern + "/", e);
                }
            }
        }
    }

    /**
     * Sends SIGTERM and waits up to {@code max} for the process to exit; its exit code (a JVM ended by SIGTERM exits with
     * 143 after its shutdown hooks ran). The peak RSS is sampled just before the signal.
     *
     * @throws IllegalStateException if it is still running after {@code max}; it is then killed
     */
    public int terminate(Duration max) {
        sampleRss();
        try {
            if (!stop(max)) {
                throw failure("did not stop within " + max + " of SIGTERM; killed");
            }
            pump.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for airlock run to stop", e);
        }
        return process.exitValue();
    }

    /**
     * Waits up to {@code max} for the process to end by itself (a command that finishes, such as {@code demo}); its exit
     * code.
     *
     * @throws IllegalStateException if it still runs after {@code max}; it is then killed
     */
    public int awaitExit(Duration max) {
        try {
            if (!process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) {
                sampleRss();
                stopGracefully();
                throw failure("did not finish within " + max + "; stopped");
            }
            pump.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for airlock to finish", e);
        }
        return process.exitValue();
    }

    /** SIGTERM, and SIGKILL after {@link #CLOSE_GRACE}: the embedded components of a {@code demo} are stopped by it. */
    private void stopGracefully() {
        try {
            stop(CLOSE_GRACE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.toHandle().destroyForcibly();
        }
    }

    /** SIGTERM, then SIGKILL if it still runs after {@code grace}; whether it stopped on SIGTERM. */
    private boolean stop(Duration grace) throws InterruptedException {
        // through the handle: Process.destroy() would also close our end of the output pipe and lose the last lines
        process.toHandle().destroy();
        if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            return true;
        }
        process.toHandle().destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        return false;
    }

    /** Sends SIGKILL and waits for the process to be gone; its exit code (137). The peak RSS is sampled first. */
    public int kill() {
        sampleRss();
        process.toHandle().destroyForcibly();
        try {
            int exit = process.waitFor();
            pump.join(TimeUnit.SECONDS.toMillis(10));
            return exit;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for airlock run to die", e);
        }
    }

    /**
     * The peak resident set size ({@code VmHWM} of {@code /proc/<pid>/status}) while the process runs; once it has ended,
     * the value sampled by {@link #terminate} or {@link #kill} (or by an earlier call).
     *
     * @throws IllegalStateException if the process ended without a sample, or on a system without {@code /proc}
     */
    public long peakRssBytes() {
        if (process.isAlive()) {
            sampleRss();
        }
        if (lastPeakRssBytes < 0) {
            throw new IllegalStateException("no VmHWM sample of process " + pid() + " (ended, or no /proc)");
        }
        return lastPeakRssBytes;
    }

    /** The resident set size now ({@code VmRSS}), empty once the process has ended. */
    public OptionalLong currentRssBytes() {
        OptionalLong hwm = readStatus(VM_HWM);
        hwm.ifPresent(v -> lastPeakRssBytes = Math.max(lastPeakRssBytes, v));
        return readStatus(VM_RSS);
    }

    /**
     * Stops the process if it still runs (a test that failed first): SIGTERM, and SIGKILL after {@link #CLOSE_GRACE}, so
     * that the embedded components a {@code demo} or a {@code run} without a file started are stopped by it, not orphaned.
     * Idempotent.
     */
    @Override
    public void close() {
        if (process.isAlive()) {
            stopGracefully();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException shuttingDownOrRemoved) {
            // nothing to remove
        }
    }

    @Override
    public String toString() {
        return "AirlockProcess[pid " + pid() + (process.isAlive() ? ", running" : ", exited") + "]";
    }

    private void sampleRss() {
        readStatus(VM_HWM).ifPresent(v -> lastPeakRssBytes = Math.max(lastPeakRssBytes, v));
    }

    private OptionalLong readStatus(Pattern field) {
        if (!process.isAlive()) {
            return OptionalLong.empty();
        }
        try {
            Matcher m = field.matcher(Files.readString(Path.of("/proc", Long.toString(pid()), "status")));
            return m.find() ? OptionalLong.of(Long.parseLong(m.group(1)) * 1024) : OptionalLong.empty();
        } catch (NoSuchFileException gone) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/" + pid() + "/status", e);
        }
    }

    private void copyOutput() {
        byte[] buffer = new byte[8192];
        try (InputStream in = process.getInputStream();
                OutputStream log = Files.newOutputStream(logFile)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                log.write(buffer, 0, n);
                log.flush();
                synchronized (output) {
                    // split multi-byte characters are rare in a log line and only affect the in-memory copy
                    output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    output.notifyAll();
                }
            }
        } catch (IOException e) {
            LOG.warn("output of airlock run (pid {}) no longer readable: {}", pid(), e.toString());
        } finally {
            synchronized (output) {
                output.notifyAll();
            }
        }
    }

    private IllegalStateException failure(String what) {
        String text = output();
        String tail = text.length() > 4000 ? text.substring(text.length() - 4000) : text;
        return new IllegalStateException("airlock run (pid " + pid() + ") " + what + "; log " + logFile + ", tail:\n" + tail);
    }

    /** Options of the child process; {@link #start()} launches it. */
    public static final class Builder {
        private final Path config;
        private final List<String> jvmOptions = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new java.util.LinkedHashMap<>();
        private String classpath = System.getProperty("java.class.path");
        private String command = "run";
        private Path logFile;

        private Builder(Path config) {
            this.config = config;
        }

        /** JVM options such as {@code -Xmx512m}, added in order. */
        public Builder jvmOptions(String... options) {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        /** Arguments after {@code --config <file>}, e.g. {@code --only streams}. */
        public Builder args(String... more) {
            args.addAll(List.of(more));
            return this;
        }

        /** Environment variables added to this JVM's environment (the secrets airlock.yml names with {@code -env}). */
        public Builder env(Map<String, String> variables) {
            env.putAll(variables);
            return this;
        }

        /** The classpath instead of this JVM's {@code java.class.path}. */
        public Builder classpath(String value) {
            classpath = Objects.requireNonNull(value, "classpath");
            return this;
        }

        /** The subcommand instead of {@code run} (with a configuration file, it must accept {@code --config}). */
        public Builder command(String value) {
            command = Objects.requireNonNull(value, "command");
            return this;
        }

        /** Where output goes; default {@code airlock-run-<n>.log} next to the configuration file. */
        public Builder logFile(Path value) {
            logFile = Objects.requireNonNull(value, "logFile");
            return this;
        }

        /** Starts the process (without waiting for it to be up: see {@link AirlockProcess#RUNNING}). */
        public AirlockProcess start() {
            Path log = logFile != null ? logFile : uniqueLogFile();
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(jvmOptions);
            cmd.add("-cp");
            cmd.add(classpath);
            cmd.add(MAIN_CLASS);
            cmd.add(command);
            if (config != null) {
                cmd.add("--config");
                cmd.add(config.toAbsolutePath().toString());
            }
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env);
            try {
                AirlockProcess started = new AirlockProcess(pb.start(), log);
                Runtime.getRuntime().addShutdownHook(started.shutdownHook);
                started.pump.start();
                LOG.info("airlock {} started as pid {}, output in {}", command, started.pid(), log);
                return started;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start airlock " + command, e);
            }
        }

        private Path uniqueLogFile() {
            if (config == null) {
                throw new IllegalStateException("without a configuration file, give the log file: logFile(path)");
            }
            Path dir = config.toAbsolutePath().getParent();
            for (int i = 1; ; i++) {
                Path candidate = dir.resolve("airlock-" + command + "-" + i + ".log");
                if (!Files.exists(candidate)) {
                    return candidate;
                }
            }
        }
    }
}
