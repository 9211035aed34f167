package io.airlock.alerting.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class InFlightRecordsTest {

    private static final TopicPartition P0 = new TopicPartition("airlock.alerts", 0);
    private static final TopicPartition P1 = new TopicPartition("airlock.alerts", 1);

    private final InFlightRecords inFlight = new InFlightRecords();

    @Test
    void shouldCommitOnlyUpToTheFirstRecordWithAnOpenTask() {
        InFlightRecords.Entry first = track(P0, 10, 2);
        InFlightRecords.Entry second = track(P0, 11, 1);
        InFlightRecords.Entry third = track(P0, 12, 1);

        second.settle();
        third.settle();
        assertThat(inFlight.committable()).as("the first record still waits for two receivers").isEmpty();

        first.settle();
        assertThat(inFlight.committable()).as("one of two settled").isEmpty();

        first.settle();
        assertThat(inFlight.committable()).containsExactly(Map.entry(P0, new OffsetAndMetadata(13)));
        assertThat(inFlight.size()).isZero();
        assertThat(inFlight.committable()).as("nothing new").isEmpty();
    }

    @Test
    void shouldTrackPartitionsIndependently() {
        InFlightRecords.Entry slow = track(P0, 0, 1);
        InFlightRecords.Entry fast = track(P1, 7, 1);

        fast.settle();

        assertThat(inFlight.committable()).containsExactly(Map.entry(P1, new OffsetAndMetadata(8)));
        assertThat(inFlight.size()).isEqualTo(1);
        assertThat(slow.settled()).isFalse();
    }

    @Test
    void shouldHaveSendersSkipTheRecordsOfARevokedPartition() {
        InFlightRecords.Entry revoked = track(P0, 0, 1);
        InFlightRecords.Entry kept = track(P1, 0, 1);

        inFlight.abandon(List.of(P0));

        assertThat(revoked.abandoned()).isTrue();
        assertThat(kept.abandoned()).isFalse();
        assertThat(inFlight.size()).isEqualTo(1);
        revoked.settle();
        assertThat(inFlight.committable()).as("a revoked partition is never committed by this owner").isEmpty();
    }

    /** A record with {@code tasks} open tasks, the dispatcher's hold already released. */
    @Test
    void shouldCountOnlyRecordsWithOpenTasksAsUnsettled() {
        InFlightRecords.Entry stuck = track(P0, 0, 1);
        for (int offset = 1; offset <= 5; offset++) {
            track(P0, offset, 1).settle();
        }
        InFlightRecords.Entry other = track(P1, 0, 2);

        assertThat(inFlight.committable()).isEmpty();
        assertThat(inFlight.size()).as("settled records behind the stuck one stay tracked").isEqualTo(7);
        assertThat(inFlight.unsettled()).as("but only two records have open work").isEqualTo(2);

        other.settle();
        other.settle();
        assertThat(inFlight.unsettled()).isEqualTo(1);
        inFlight.abandon(List.of(P0));
        assertThat(inFlight.unsettled()).isZero();
        stuck.settle(); // its sender settles it late, after the partition was given up
        assertThat(inFlight.unsettled()).as("an abandoned record is not counted twice").isZero();
    }

    /**
     * An alert of history older than 3 days is stamped 3 days back so that the topic's retention keeps it; notification
     * latency still counts from its own time, in the header.
     */
    @Test
    void shouldTimeAnAlertStampedLaterThanItHappenedByTheTimeInItsHeader() {
        long lastSeen = 1_772_445_600_000L;
        var headers = new org.apache.kafka.common.header.internals.RecordHeaders()
                .add(io.airlock.core.RecordTimes.TRUE_TIME_HEADER, io.airlock.core.RecordTimes.trueTimeHeader(lastSeen));
        var raised = new ConsumerRecord<>(P0.topic(), 0, 0, lastSeen + 86_400_000L * 17,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0, 0, new byte[0], new byte[0], headers,
                java.util.Optional.<Integer>empty());
        var plain = new ConsumerRecord<>(P0.topic(), 0, 1, lastSeen, org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0,
                0, new byte[0], new byte[0], new org.apache.kafka.common.header.internals.RecordHeaders(),
                java.util.Optional.<Integer>empty());

        assertThat(inFlight.track(raised).timestamp()).isEqualTo(lastSeen);
        assertThat(inFlight.track(plain).timestamp()).isEqualTo(lastSeen);
    }

    private InFlightRecords.Entry track(TopicPartition tp, long offset, int tasks) {
        InFlightRecords.Entry entry = inFlight.track(new ConsumerRecord<>(tp.topic(), tp.partition(), offset, new byte[0], new byte[0]));
        for (int i = 0; i < tasks; i++) {
            entry.hold();
        }
        entry.settle();
        return entry;
    }
}
