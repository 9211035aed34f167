package io.airlock.streams.detect;

import io.airlock.core.Alert;
import io.airlock.core.Severity;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Between a rule and the alerts topic ({@link RuleWiring#toAlerts} puts it there): the first record of an alert goes out at
 * once; the updates that follow while its burst grows (count, last_seen, evidence) are collected and only each alert's
 * latest version goes out, every {@link #FLUSH_INTERVAL} of wall-clock time. A brute force of 10 000 failed logins per
 * second is then one alert and ten updates a second on {@code alerts} — and in OpenSearch and at the notifier — instead of
 * 10 000 records of the same alert.
 *
 * <p>Nothing is lost in a crash: a collected update is written to a changelogged store (keyed by alert id) in the same
 * transaction as the input that caused it, and is forwarded (and deleted) by the next flush after a restart. The alert ids and
 * each alert's final version are exactly what the rule decided; only the intermediate versions are fewer.
 *
 * <p>Goes out at once, replacing any collected version: an alert id this instance has not sent yet (it remembers the last
 * {@link #MAX_SENT_IDS}; after a restart, none) and a change of severity (an escalation pages at once).
 */
public final class AlertUpdateCoalescer implements Processor<String, Alert, String, Alert> {

    /** How often collected alert updates are forwarded (wall clock; an offline replay advances its clock by this at the end). */
    public static final Duration FLUSH_INTERVAL = Duration.ofMillis(100);
    static final int MAX_SENT_IDS = 10_000;

    private final String storeName;
    private final Map<String, Alert> collected = new LinkedHashMap<>();
    /** Severity last sent, by alert id (least recently used dropped first). */
    private final Map<String, Severity> sent = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Severity> eldest) {
            return size() > MAX_SENT_IDS;
        }
    };
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, Alert> store;

    AlertUpdateCoalescer(String storeName) {
        this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        try (KeyValueIterator<String, Alert> restored = store.all()) {
            restored.forEachRemaining(entry -> collected.put(entry.key, entry.value));
        }
        context.schedule(FLUSH_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> flush());
    }

    @Override
    public void process(Record<String, Alert> record) {
        String id = record.key();
        Severity severity = record.value().severity();
        if (sent.put(id, severity) != severity) {
            if (collected.remove(id) != null) {
                store.delete(id);
            }
            context.forward(record);
            return;
        }
        collected.put(id, record.value());
        store.put(id, record.value());
    }

    void flush() {
        for (Alert alert : collected.values()) {
            sent.put(alert.id(), alert.severity());
            store.delete(alert.id());
            context.forward(AlertFactory.record(alert, context));
        }
        collected.clear();
    }
}
