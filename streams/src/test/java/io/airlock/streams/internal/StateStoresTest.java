package io.airlock.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

class StateStoresTest {

    @Test
    void shouldKeepWindowBoundedStateInMemoryWithChangelogSegmentsTheCleanerCanCompactSoon() {
        var builder = StateStores.inMemory("al-002-password-sprays-by-time", Serdes.String());

        assertThat(builder.loggingEnabled()).isTrue();
        assertThat(builder.logConfig()).containsEntry("segment.ms", "600000").containsEntry("segment.bytes", "67108864");
        assertThat(builder.build().persistent()).isFalse();
    }

    @Test
    void shouldKeepGrowingStateOnDiskChangelogged() {
        var builder = StateStores.onDisk("al-020-seen-paths", Serdes.Long());

        assertThat(builder.loggingEnabled()).isTrue();
        assertThat(builder.build().persistent()).isTrue();
    }
}
