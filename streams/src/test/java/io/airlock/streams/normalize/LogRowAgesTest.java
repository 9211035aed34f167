package io.airlock.streams.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.streams.internal.InMemoryStores;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

class LogRowAgesTest {

    private static final Instant T0 = Instant.parse("2026-03-20T02:00:00Z");
    private static final Duration DAY = Duration.ofHours(24);
    private final KeyValueStore<String, Long> store = InMemoryStores.of(Serdes.Long());
    private final LogRowAges ages = new LogRowAges(store);

    /** Rows {@code first}, {@code first + 1}, … one an hour from {@code from}; returns the next id. */
    private long hourly(long first, Instant from, int hours) {
        for (int h = 0; h < hours; h++) {
            ages.written(first + h, from.plus(Duration.ofHours(h)));
        }
        return first + hours;
    }

    @Test
    void shouldTellRowsOlderThanADayFromYoungerOnesByTheirIds() {
        hourly(100, T0, 72);

        Instant now = T0.plus(Duration.ofHours(72));
        assertThat(ages.writtenWithin(100, now, DAY)).isFalse();
        assertThat(ages.writtenWithin(100 + 46, now, DAY)).as("written 26 h before").isFalse();
        assertThat(ages.writtenWithin(100 + 49, now, DAY)).as("written 23 h before").isTrue();
        assertThat(ages.writtenWithin(1_000, now, DAY)).as("above every id: not seen yet").isTrue();
    }

    /**
     * A backtest of a week's streamed changes without a snapshot of {@code log}: the first night's {@code airflow db clean}
     * deletes month-old rows whose ids lie below everything seen. Their age is unknown — they were not taken for young
     * (an AL-013 "written within 24h" on a routine clean-up) — while rows seen inserted stay young.
     */
    @Test
    void shouldNotTakeRowsBelowEverythingSeenForYoungWhileNothingOlderIsKnown() {
        assertThat(ages.writtenWithin(5, T0, DAY)).as("nothing seen yet").isFalse();
        hourly(500_001, T0, 2);

        Instant now = T0.plus(Duration.ofHours(3));
        assertThat(ages.writtenWithin(100_000, now, DAY)).as("below every id seen: written before all of it").isFalse();
        assertThat(ages.writtenWithin(500_001, now, DAY)).isTrue();
        assertThat(ages.writtenWithin(500_050, now, DAY)).as("above the first id seen").isTrue();
        assertThat(new LogRowAges(store).writtenWithin(100_000, now, DAY)).as("after a restart from the store").isFalse();

        ages.written(7, now); // INSERT with an explicit low id: seen, so young — and ids above it may be as young
        assertThat(ages.writtenWithin(7, now, DAY)).isTrue();
        assertThat(ages.writtenWithin(6, now, DAY)).isFalse();
    }

    @Test
    void shouldKeepRowsYoungForADayHoweverHighAnIdWasInsertedBeforeThem() {
        ages.written(2_000_000_000L, T0); // INSERT INTO log (id, …) VALUES (2000000000, …): the sequence stays where it was
        int written = 0;
        for (int hoursLater : new int[] {30, 60, 84}) {
            hourly(200 + written, T0.plusSeconds(300).plus(Duration.ofHours(written)), hoursLater - written);
            written = hoursLater;
            Instant now = T0.plus(Duration.ofHours(hoursLater)).plusSeconds(600);
            long youngest = 200 + hoursLater - 1;
            assertThat(ages.writtenWithin(youngest, now, DAY)).as("%d h after the forged id", hoursLater).isTrue();
            assertThat(ages.writtenWithin(youngest - 20, now, DAY)).as("written 20 h before, %d h after", hoursLater).isTrue();
            assertThat(ages.writtenWithin(youngest - 30, now, DAY)).as("written 30 h before, %d h after", hoursLater).isFalse();
        }
    }

    @Test
    void shouldKeepARowYoungThatCommittedAfterHigherIds() {
        hourly(100, T0, 30);
        ages.written(500, T0.plus(Duration.ofHours(30)));
        ages.written(480, T0.plus(Duration.ofHours(30)).plusSeconds(5)); // its id taken first, committed later

        Instant now = T0.plus(Duration.ofHours(40));
        assertThat(ages.writtenWithin(480, now, DAY)).isTrue();
        assertThat(ages.writtenWithin(490, now, DAY)).as("within its minute's ids").isTrue();
        assertThat(ages.writtenWithin(110, now, DAY)).isFalse();
    }

    @Test
    void shouldJudgeAlikeAfterARestartFromTheStore() {
        ages.written(2_000_000_000L, T0);
        hourly(200, T0.plusSeconds(300), 84);
        ages.written(300, T0.plus(Duration.ofHours(84)).plusSeconds(1)); // the last minute's highest: stored when the next begins
        ages.written(301, T0.plus(Duration.ofHours(85)));

        LogRowAges restored = new LogRowAges(store);
        Instant now = T0.plus(Duration.ofHours(85)).plusSeconds(600);
        assertThat(restored.writtenWithin(300, now, DAY)).isTrue();
        assertThat(restored.writtenWithin(270, now, DAY)).isTrue();
        assertThat(restored.writtenWithin(250, now, DAY)).isFalse();
    }

    @Test
    void shouldReadAStoreWithoutLowestIdsAsTheBuildBeforeWroteIt() {
        long minute = T0.getEpochSecond() / 60;
        for (int h = 0; h < 30; h++) {
            store.put(String.format("%012d", minute + 60L * h), 100L + h);
        }
        store.put("floor", 50L);

        LogRowAges restored = new LogRowAges(store);
        Instant now = T0.plus(Duration.ofHours(30));
        assertThat(restored.writtenWithin(100, now, DAY)).isFalse();
        assertThat(restored.writtenWithin(120, now, DAY)).isTrue();
        assertThat(restored.writtenWithin(40, now, DAY)).isFalse();
    }
}
