package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.streams.internal.InMemoryStores;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

class SortedStoreMirrorTest {

    private final KeyValueStore<String, String> store = InMemoryStores.strings();

    @Test
    void shouldTellWhetherARangeHoldsAtLeastSoManyEntries() {
        var mirror = new SortedStoreMirror<>(store);
        for (String key : List.of("a", "b", "c", "d")) {
            mirror.put(key, key);
        }
        assertThat(mirror.holdsAtLeast("b", "d", 3)).isTrue();
        assertThat(mirror.holdsAtLeast("b", "d", 4)).isFalse();
        assertThat(mirror.holdsAtLeast("a", "a", 1)).as("both ends inclusive").isTrue();
        assertThat(mirror.holdsAtLeast("d", "a", 1)).as("an empty range").isFalse();
    }

    @Test
    void shouldStartAsWhatTheStoreHoldsSoThatARestoredTaskSeesItsState() {
        store.put("b", "2");
        store.put("a", "1");
        var mirror = new SortedStoreMirror<>(store);
        assertThat(mirror.size()).isEqualTo(2);
        assertThat(mirror.all()).extracting(Map.Entry::getKey).containsExactly("a", "b");
        assertThat(mirror.get("b")).isEqualTo("2");
    }

    @Test
    void shouldWriteEveryChangeThroughToTheStore() {
        var mirror = new SortedStoreMirror<>(store);
        mirror.put("a", "1");
        mirror.put("b", "2");
        mirror.delete("a");
        mirror.put("b", null);
        mirror.put("c", "3");
        assertThat(store.get("a")).isNull();
        assertThat(store.get("b")).isNull();
        assertThat(store.get("c")).isEqualTo("3");
        assertThat(new SortedStoreMirror<>(store).all()).extracting(Map.Entry::getKey).containsExactly("c");
    }

    @Test
    void shouldScanRangesWithBothEndsIncludedAsTheStoreDoes() {
        var mirror = new SortedStoreMirror<>(store);
        List.of("k1", "k2", "k3", "k4").forEach(k -> mirror.put(k, k.toUpperCase(java.util.Locale.ROOT)));
        try (var fromStore = store.range("k2", "k3")) {
            List<KeyValue<String, String>> expected = new java.util.ArrayList<>();
            fromStore.forEachRemaining(expected::add);
            assertThat(mirror.range("k2", "k3")).isEqualTo(expected).extracting(kv -> kv.key).containsExactly("k2", "k3");
        }
        assertThat(mirror.range("k3", "k2")).isEmpty();
    }

    @Test
    void shouldFindExactlyTheKeysWithAPrefix() {
        var mirror = new SortedStoreMirror<>(store);
        for (String k : List.of("alert1\u001fa", "alert1\u001fb", "alert10\u001fa", "alert1", "alert2\u001fa", "alert1\u001f\uffff")) {
            mirror.put(k, "");
        }
        assertThat(mirror.prefixed("alert1\u001f")).extracting(kv -> kv.key)
                .containsExactly("alert1\u001fa", "alert1\u001fb", "alert1\u001f\uffff");
    }
}
