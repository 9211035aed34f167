package io.airlock.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RecordTimesTest {

    private static final long NOW = Instant.parse("2026-03-03T20:00:00Z").toEpochMilli();

    @Test
    void shouldKeepASourceTimeUpToAMinuteAheadOfTheClock() {
        assertThat(RecordTimes.capped(NOW - 3_600_000, NOW)).isEqualTo(NOW - 3_600_000);
        assertThat(RecordTimes.capped(NOW + 60_000, NOW)).isEqualTo(NOW + 60_000);
        assertThat(RecordTimes.capped(NOW + 3_600_000, NOW)).isEqualTo(NOW + RecordTimes.MAX_AHEAD.toMillis());
    }

    /**
     * The one cap of an event's or a commit's time (EventRecordTimes, AuditLogNormalizer, CountedTimes): the same instance
     * when it is not moved, so the processors on every event allocate nothing for it; compared in milliseconds.
     */
    @Test
    void shouldCapAnInstantAtTheLatestTimestampAndKeepTheSameInstanceOtherwise() {
        Instant now = Instant.ofEpochMilli(NOW);
        Instant hourAgo = now.minusSeconds(3600);
        assertThat(RecordTimes.capped(hourAgo, NOW)).isSameAs(hourAgo);
        Instant minuteAhead = now.plus(RecordTimes.MAX_AHEAD);
        assertThat(RecordTimes.capped(minuteAhead, NOW)).isSameAs(minuteAhead);
        assertThat(RecordTimes.capped(now.plusSeconds(3600), NOW)).isEqualTo(minuteAhead);

        Instant withinTheMillisecond = now.plusNanos(999_999);
        assertThat(RecordTimes.atMost(withinTheMillisecond, NOW)).isSameAs(withinTheMillisecond);
        assertThat(RecordTimes.atMost(now.plusMillis(1), NOW)).isEqualTo(now);
    }

    /** Kafka has no negative timestamps: a Vault line stamped 1969-12-31T23:59:59Z stopped the capture that sent it. */
    @Test
    void shouldStampATimeBeforeTheEpochWithTheEpoch() {
        assertThat(RecordTimes.capped(Instant.parse("1969-12-31T23:59:59Z").toEpochMilli(), NOW)).isZero();
        assertThat(RecordTimes.capped(Long.MIN_VALUE, NOW)).isZero();
        assertThat(RecordTimes.capped(0, NOW)).isZero();
    }

    /**
     * The one range check of source times: a Vault line stamped {@code +300000000-01-01T00:00:00Z} passed the normalizer's
     * check (only the epoch was one) and failed with "long overflow" when its event was stamped.
     */
    @Test
    void shouldTakeNoTimeBeforeTheEpochOrBeyondAKafkaTimestampForAnAuditRecordsTime() {
        assertThat(RecordTimes.outOfRange(Instant.EPOCH)).isNull();
        assertThat(RecordTimes.outOfRange(Instant.ofEpochMilli(NOW))).isNull();
        assertThat(RecordTimes.outOfRange(Instant.ofEpochMilli(Long.MAX_VALUE))).isNull();
        assertThat(RecordTimes.outOfRange(Instant.parse("1969-12-31T23:59:59.999999999Z"))).contains("before 1970-01-01");
        assertThat(RecordTimes.outOfRange(Instant.ofEpochMilli(Long.MAX_VALUE).plusNanos(1)))
                .contains("beyond what a Kafka timestamp holds");
        assertThat(RecordTimes.outOfRange(Instant.parse("+300000000-01-01T00:00:00Z"))).contains("beyond what a Kafka timestamp holds");
    }

    /** A first start on weeks of history wrote records the broker's 7-day retention deleted within minutes. */
    @Test
    void shouldStampARecordOfTwentyDaysAgoAtMostThreeDaysBack() {
        long twentyDaysAgo = NOW - java.time.Duration.ofDays(20).toMillis();
        assertThat(RecordTimes.retained(twentyDaysAgo, NOW)).isEqualTo(NOW - java.time.Duration.ofDays(3).toMillis());
        assertThat(RecordTimes.retained(NOW - 3_600_000, NOW)).isEqualTo(NOW - 3_600_000);
    }
}
