package io.airlock.streams.internal;

import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * How Airlock keeps its key-value state: every store is changelogged (the changelog is what a restart or another instance
 * restores from), only where it lives locally differs.
 */
public final class StateStores {

    private StateStores() {
    }

    /**
     * For state bounded by a rule's window and grace or by the number of partitions — open bursts, reads waiting for a verdict,
     * alert updates waiting to go out: in the heap, restored from its changelog when a task starts. These stores are small
     * by construction, their processors mirror most of them in memory anyway, and they are written on nearly every event,
     * where RocksDB's per-call cost showed in profiles (docs/performance.md).
     */
    public static KeyValueBytesStoreSupplier inMemory(String name) {
        return Stores.inMemoryKeyValueStore(name);
    }

    /** For state that grows with the users, identities, paths and runs seen: RocksDB, on disk under the state directory. */
    public static KeyValueBytesStoreSupplier onDisk(String name) {
        return Stores.persistentKeyValueStore(name);
    }
}
