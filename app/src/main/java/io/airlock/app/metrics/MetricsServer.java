package io.airlock.app.metrics;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.airlock.core.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint of {@code airlock run} (JDK {@link HttpServer}, two threads):
 * <ul>
 *   <li>{@code GET /metrics}: Prometheus text format;</li>
 *   <li>{@code GET /health/live}: 200 {@code {"status":"UP"}} until the {@link Liveness} failed (a started stage stopped for
 *       good), then 503 {@code {"status":"DOWN","problems":[reason]}};</li>
 *   <li>{@code GET /health/ready}: 200 {@code {"status":"UP"}} when the {@link ReadinessCheck} finds no problem, else 503
 *       {@code {"status":"DOWN","problems":[...]}}.</li>
 * </ul>
 */
public final class MetricsServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds {@code bindAddress:port} (0: a free port) and starts serving. */
    public static MetricsServer start(String bindAddress, int port, Supplier<String> scrape, ReadinessCheck readiness,
            Liveness liveness) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bindAddress, port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on " + bindAddress + ":" + port, e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "airlock-metrics-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", exchange -> respond(exchange, 200, TEXT_FORMAT, scrape.get()));
        server.createContext("/health/live", exchange -> health(exchange, liveness.failure().map(List::of).orElse(List.of())));
        server.createContext("/health/ready", exchange -> ready(exchange, readiness));
        server.createContext("/", exchange -> respond(exchange, 404, "text/plain; charset=utf-8", "not found: try /metrics, /health/live, /health/ready\n"));
        server.start();
        var started = new MetricsServer(server, executor);
        LOG.info("Serving /metrics, /health/live and /health/ready on {}", started.address());
        return started;
    }

    private static void ready(HttpExchange exchange, ReadinessCheck readiness) throws IOException {
        List<String> problems;
        try {
            problems = readiness.problems();
        } catch (RuntimeException e) {
            problems = List.of("readiness check failed: " + e.getClass().getSimpleName());
        }
        health(exchange, problems);
    }

    private static void health(HttpExchange exchange, List<String> problems) throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode().put("status", problems.isEmpty() ? "UP" : "DOWN");
        if (!problems.isEmpty()) {
            problems.forEach(body.putArray("problems")::add);
        }
        respond(exchange, problems.isEmpty() ? 200 : 503, "application/json", Json.writeString(body));
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    /** The bound address (the real port if 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
