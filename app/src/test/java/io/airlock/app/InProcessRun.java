package io.airlock.app;

import static java.time.Duration.ofSeconds;
import static org.awaitility.Awaitility.await;

import io.airlock.embedded.AirlockYml;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code airlock run --config FILE} on a {@link RunCommand} in the test's JVM, as an operator would start it: the secrets
 * only in its environment, everything it prints captured; {@link #close()} stops it like SIGTERM does.
 */
final class InProcessRun implements AutoCloseable {

    private final RunCommand command = new RunCommand();
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CompletableFuture<Integer> exit;

    private InProcessRun(Path file, AirlockYml yml) {
        command.config = yml.writeTo(file);
        command.env = yml.env();
        command.err = new PrintStream(output, true, StandardCharsets.UTF_8);
        exit = CompletableFuture.supplyAsync(() -> {
            try {
                return command.execute(stop);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Writes {@code yml} to {@code file} and starts the command on it. */
    static InProcessRun start(Path file, AirlockYml yml) {
        return new InProcessRun(file, yml);
    }

    /** Waits for the command's "running;" line; fails with its output if it ended before. */
    InProcessRun awaitRunning() throws Exception {
        await().atMost(ofSeconds(120)).until(() -> output().contains("running;") || exit.isDone());
        if (exit.isDone()) {
            throw new AssertionError("airlock run ended early with " + exit.get() + ": " + output());
        }
        return this;
    }

    /** Where the metrics and health endpoint listens (with {@code metrics.port: 0}, the port it picked). */
    InetSocketAddress metricsAddress() {
        return command.metricsAddress;
    }

    CompletableFuture<Integer> exit() {
        return exit;
    }

    /** Everything the command printed so far. */
    String output() {
        return output.toString(StandardCharsets.UTF_8);
    }

    /** Stops the command (as its SIGTERM hook does) and returns its exit code. */
    int stop(Duration timeout) throws Exception {
        stop.countDown();
        return exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        stop.countDown();
    }
}
