package io.airlock.app;

import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.embedded.WebhookReceiver;
import java.io.PrintStream;
import java.util.function.Supplier;

/** The real components of {@code airlock demo}, started in order with their start-up times reported, stopped in reverse. */
final class EmbeddedStack implements AutoCloseable {

    final EmbeddedPostgres postgres;
    final EmbeddedKafka kafka;
    final EmbeddedOpenSearch openSearch;
    final WebhookReceiver webhooks;

    private EmbeddedStack(EmbeddedPostgres postgres, EmbeddedKafka kafka, EmbeddedOpenSearch openSearch, WebhookReceiver webhooks) {
        this.postgres = postgres;
        this.kafka = kafka;
        this.openSearch = openSearch;
        this.webhooks = webhooks;
    }

    static EmbeddedStack start(PrintStream out) {
        EmbeddedPostgres postgres = null;
        EmbeddedKafka kafka = null;
        EmbeddedOpenSearch openSearch = null;
        try {
            postgres = timed(out, "PostgreSQL (wal_level=logical)", EmbeddedPostgres::start);
            kafka = timed(out, "Kafka (KRaft, in this JVM)", EmbeddedStack::quietKafka);
            openSearch = timed(out, "OpenSearch 2.19.1 (child process)", EmbeddedOpenSearch::start);
            WebhookReceiver webhooks = timed(out, "Slack/PagerDuty receiver", WebhookReceiver::start);
            return new EmbeddedStack(postgres, kafka, openSearch, webhooks);
        } catch (RuntimeException e) {
            closeQuietly(openSearch);
            closeQuietly(kafka);
            closeQuietly(postgres);
            throw e;
        }
    }

    /** Kafka's test kit prints its storage formatting to stdout; keep the demo's console for alerts. */
    private static EmbeddedKafka quietKafka() {
        PrintStream console = System.out;
        System.setOut(new PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            return EmbeddedKafka.start();
        } finally {
            System.setOut(console);
        }
    }

    private static <T> T timed(PrintStream out, String what, Supplier<T> start) {
        out.printf("start: %-36s ", what);
        out.flush();
        long t0 = System.nanoTime();
        T component = start.get();
        out.printf("%5.1f s%n", (System.nanoTime() - t0) / 1e9);
        return component;
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort while failing
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(webhooks);
        closeQuietly(openSearch);
        closeQuietly(kafka);
        closeQuietly(postgres);
    }
}
