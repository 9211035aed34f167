package io.airlock.alerting;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.airlock.core.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Slack webhook or PagerDuty Events API stand-in on loopback that records every POST (alert id, the
 * {@code version-N} marker of the alert's summary, the status it answered) and can be told to hold its answers, fail
 * the first attempts, answer late at random, or refuse everything.
 */
final class LocalReceiver implements AutoCloseable {

    /** One POST as received. */
    record Post(String alertId, int version, int status) {
        boolean confirmed() {
            return status >= 200 && status < 300;
        }
    }

    private static final Pattern SLACK_ALERT_ID = Pattern.compile("Airlock alert `([^`]+)`");
    private static final Pattern VERSION = Pattern.compile("version-(\\d+)");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "local-receiver");
        t.setDaemon(true);
        return t;
    });
    private final List<Post> posts = new CopyOnWriteArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private final Map<String, AtomicInteger> attemptsPerVersion = new ConcurrentHashMap<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final AtomicInteger arrived = new AtomicInteger();
    private volatile boolean hold;
    private volatile int failFirstAttemptsOfEachVersion;
    private volatile int maxRandomDelayMs;
    private volatile int refuseWith;

    LocalReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    Secret slackWebhook() {
        return Secret.of(uri("/services/T000/B000/" + Integer.toHexString(System.identityHashCode(this))).toString());
    }

    URI pagerDutyEventsUrl() {
        return uri("/v2/enqueue");
    }

    /** Answers nothing until {@link #release()}. */
    LocalReceiver holdAnswers() {
        hold = true;
        return this;
    }

    void release() {
        hold = false;
        released.countDown();
    }

    /** The first {@code n} POSTs in all are answered 503. */
    LocalReceiver failFirst(int n) {
        failuresLeft.set(n);
        return this;
    }

    /** The first {@code n} attempts of every alert version are answered 503. */
    LocalReceiver failFirstAttemptsOfEachVersion(int n) {
        failFirstAttemptsOfEachVersion = n;
        return this;
    }

    LocalReceiver randomDelayUpTo(int millis) {
        maxRandomDelayMs = millis;
        return this;
    }

    /** Every POST is answered with this 4xx. */
    LocalReceiver refuseWith(int status) {
        refuseWith = status;
        return this;
    }

    /** Stops refusing (the webhook was fixed): POSTs are answered as before {@link #refuseWith}. */
    LocalReceiver accept() {
        refuseWith = 0;
        return this;
    }

    /** POSTs that arrived, answered or not. */
    int arrived() {
        return arrived.get();
    }

    List<Post> posts() {
        return List.copyOf(posts);
    }

    List<Post> confirmed() {
        return posts.stream().filter(Post::confirmed).toList();
    }

    List<String> confirmedAlertIds() {
        return confirmed().stream().map(Post::alertId).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            boolean pagerDuty = exchange.getRequestURI().getPath().equals("/v2/enqueue");
            String id = pagerDuty ? Json.tree(body).path("dedup_key").asText() : group(SLACK_ALERT_ID, body);
            String marker = group(VERSION, body);
            int version = marker == null ? 0 : Integer.parseInt(marker);
            arrived.incrementAndGet();
            if (hold) {
                released.await(60, TimeUnit.SECONDS);
            }
            if (maxRandomDelayMs > 0) {
                Thread.sleep(ThreadLocalRandom.current().nextInt(maxRandomDelayMs + 1));
            }
            int attempt = attemptsPerVersion.computeIfAbsent(id + "/" + version, k -> new AtomicInteger()).incrementAndGet();
            int status;
            if (refuseWith > 0) {
                status = refuseWith;
            } else if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 || attempt <= failFirstAttemptsOfEachVersion) {
                status = 503;
            } else {
                status = pagerDuty ? 202 : 200;
            }
            posts.add(new Post(id, version, status));
            byte[] answer = (status == 404 ? "no_service" : status >= 300 ? "unavailable"
                    : pagerDuty ? "{\"status\":\"success\",\"dedup_key\":\"" + id + "\"}" : "ok").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String group(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        executor.shutdownNow();
    }
}
