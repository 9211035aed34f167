package io.airlock.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write-behind store under a real task (TopologyTestDriver commits after every input record): a processor applies the
 * operations one input record names — {@code put k v}, {@code delete k}, {@code get k}, {@code range a b} — and forwards
 * what its reads returned; the changelog shows what reached the store below.
 */
class WriteBehindKeyValueStoreTest {

    private static final String STORE = "write-behind-test";
    private static final String CHANGELOG = "app-" + STORE + "-changelog";

    @Test
    void shouldHandEachKeysLastWriteOfACommitToTheChangelogOnce() {
        try (var driver = driver(StateStores.inMemory(STORE, Serdes.String()))) {
            apply(driver, "put a 1", "put a 2", "put b 1", "put c 1", "delete c", "put a 3");

            assertThat(changelog(driver)).containsExactlyInAnyOrder(KeyValue.pair("a", "3"), KeyValue.pair("b", "1"),
                    KeyValue.pair("c", null));

            apply(driver, "put b 2");
            assertThat(changelog(driver)).as("the next commit: only what it wrote").containsExactly(KeyValue.pair("b", "2"));
        }
    }

    @Test
    void shouldReadItsOwnPendingWrites() {
        try (var driver = driver(StateStores.inMemory(STORE, Serdes.String()))) {
            apply(driver, "put a 1", "put b 1");
            changelog(driver);

            List<String> reads = apply(driver, "put a 2", "get a", "delete b", "get b", "put c 1", "range a z");

            assertThat(reads).containsExactly("a=2", "b=null", "range=a:2,c:1");
        }
    }

    @Test
    void shouldWriteBehindOnDiskToo() {
        try (var driver = driver(StateStores.onDisk(STORE, Serdes.String()))) {
            List<String> reads = apply(driver, "put a 1", "put a 2", "get a");

            assertThat(reads).containsExactly("a=2");
            assertThat(changelog(driver)).containsExactly(KeyValue.pair("a", "2"));
            assertThat(apply(driver, "get a")).as("from RocksDB after the commit").containsExactly("a=2");
        }
    }

    @TempDir
    Path stateDir;

    /**
     * Kafka Streams 4.3 flushes, before the transaction of a commit, only the stores that are {@link CachedStateStore}s
     * ({@code ProcessorStateManager.flushCache}); {@code StateStore.commit} runs after it (TopologyTestDriver, which calls
     * both, cannot tell the difference — a real broker restart did: writes of a store that only wrote on {@code commit} went
     * into the next transaction, and those of the last commit before a close were lost).
     */
    @Test
    void shouldBeFlushedWhereKafkaStreamsFlushesCachesBeforeTheTransactionCommits() {
        assertThat(StateStores.inMemory(STORE, Serdes.String()).build()).isInstanceOf(CachedStateStore.class);
        assertThat(StateStores.onDisk(STORE, Serdes.String()).build()).isInstanceOf(CachedStateStore.class);
    }

    private TopologyTestDriver driver(StoreBuilder<KeyValueStore<String, String>> store) {
        var topology = new Topology();
        topology.addSource("ops", new StringDeserializer(), new StringDeserializer(), "ops");
        topology.addProcessor("apply", Operations::new, "ops");
        topology.addStateStore(store, "apply");
        topology.addSink("reads", "reads", new StringSerializer(), new StringSerializer(), "apply");
        var props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return new TopologyTestDriver(topology, props);
    }

    /** Applies the operations in one input record (so in one commit); returns what the reads among them returned. */
    private static List<String> apply(TopologyTestDriver driver, String... operations) {
        driver.createInputTopic("ops", new StringSerializer(), new StringSerializer()).pipeInput("k", String.join(";", operations));
        return driver.createOutputTopic("reads", new StringDeserializer(), new StringDeserializer()).readValuesToList();
    }

    private static List<KeyValue<String, String>> changelog(TopologyTestDriver driver) {
        return driver.createOutputTopic(CHANGELOG, new StringDeserializer(), new StringDeserializer()).readKeyValuesToList();
    }

    private static final class Operations implements Processor<String, String, String, String> {

        private ProcessorContext<String, String> context;
        private KeyValueStore<String, String> store;

        @Override
        public void init(ProcessorContext<String, String> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, String> record) {
            for (String operation : record.value().split(";")) {
                String[] op = operation.split(" ");
                switch (op[0]) {
                    case "put" -> store.put(op[1], op[2]);
                    case "delete" -> store.delete(op[1]);
                    case "get" -> context.forward(record.withValue(op[1] + "=" + store.get(op[1])));
                    case "range" -> {
                        List<String> entries = new ArrayList<>();
                        try (KeyValueIterator<String, String> range = store.range(op[1], op[2])) {
                            range.forEachRemaining(kv -> entries.add(kv.key + ":" + kv.value));
                        }
                        context.forward(record.withValue("range=" + String.join(",", entries)));
                    }
                    default -> throw new IllegalArgumentException(operation);
                }
            }
        }
    }
}
