package io.airlock.app;

import io.airlock.core.Alert;
import io.airlock.core.Json;
import io.airlock.core.PrintableText;
import io.airlock.core.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Prints alerts as they are committed to the alerts topic: one line when an alert opens, one when it grows. */
final class AlertConsole implements Runnable, AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final PrintStream out;
    private final Map<String, Alert> latest = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread thread = new Thread(this, "airlock-alert-console");

    AlertConsole(String bootstrapServers, Topics topics, PrintStream out) {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "airlock-console-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.consumer.subscribe(List.of(topics.alerts()));
        this.out = out;
    }

    AlertConsole start() {
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** The latest version of every alert printed so far, by id. */
    Map<String, Alert> alerts() {
        return Map.copyOf(latest);
    }

    @Override
    public void run() {
        try {
            while (!closed.get()) {
                for (var record : consumer.poll(Duration.ofMillis(250))) {
                    Alert alert = Json.read(record.value(), Alert.class);
                    String line = line(alert, latest.put(alert.id(), alert));
                    if (line != null) {
                        out.println(line);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    /**
     * The console line for {@code alert}, given the version printed before ({@code null} if none): a new alert, or an update
     * that changed the count; null for nothing to print. Entity and summary are source values: {@link PrintableText}.
     */
    static String line(Alert alert, Alert previous) {
        if (previous == null) {
            return String.format("ALERT  %s %-8s entity=%s  %s", alert.ruleId(), alert.severity().label(),
                    PrintableText.of(alert.entity()), PrintableText.of(alert.summary()));
        }
        if (alert.count() != previous.count()) {
            return String.format("UPDATE %s %-8s entity=%s  count=%d last_seen=%s", alert.ruleId(), alert.severity().label(),
                    PrintableText.of(alert.entity()), alert.count(), alert.lastSeen());
        }
        return null;
    }

    @Override
    public void close() {
        closed.set(true);
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
