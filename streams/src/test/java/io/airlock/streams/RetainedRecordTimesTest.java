package io.airlock.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.RecordTimes;
import io.airlock.streams.internal.TimeHeaders;
import io.airlock.streams.internal.TrueRecordTimes;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Records of history older than the topics' time retention: {@code events} and {@code alerts} got their events' times as
 * record timestamps, and the broker's 7-day retention deleted a first start's backlog within minutes. They are stamped at
 * most {@link RecordTimes#MAX_BEHIND} back, their true time in a header that detection and delivery go by.
 */
class RetainedRecordTimesTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private static final Instant NOW = T0.plus(Duration.ofDays(20));
    private final TopologyFixture fixture = new TopologyFixture(DetectionConfig.defaults(), NOW);

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void shouldSendEventsAndAlertsOfTwentyDaysAgoStampedWithinTheFloorWithTheirTimesInAHeader() {
        for (int i = 0; i < 6; i++) {
            VaultOperation.read("secret/data/prod/db-" + i).by("userpass-mallory", "ent-mallory").at(T0.plusSeconds(30L * i))
                    .denied().pipeTo(fixture);
        }
        long floor = NOW.minus(RecordTimes.MAX_BEHIND).toEpochMilli();

        var events = fixture.eventRecordsAsWritten();
        assertThat(events).hasSize(12).allSatisfy(r -> {
            assertThat(r.timestamp()).isEqualTo(floor);
            assertThat(TimeHeaders.read(r.headers(), RecordTimes.TRUE_TIME_HEADER)).hasValue(r.value().timestamp().toEpochMilli());
        });
        var alerts = fixture.alertRecords().stream().filter(r -> r.value().ruleId().equals("AL-023")).toList();
        assertThat(alerts).as("detected as without the floor").isNotEmpty().allSatisfy(r -> {
            assertThat(r.value().lastSeen()).isBefore(T0.plusSeconds(200));
            assertThat(r.timestamp()).isGreaterThanOrEqualTo(floor);
            assertThat(TimeHeaders.read(r.headers(), RecordTimes.TRUE_TIME_HEADER)).hasValue(r.value().lastSeen().toEpochMilli());
        });
        assertThat(alerts.get(alerts.size() - 1).value().count()).isEqualTo(6);
    }

    /** The rules take {@code events} at their true times: their stream time, and what they pass on, are those of the events. */
    @Test
    void shouldHandARaisedEventOnToTheRulesAtItsTrueTime() {
        VaultOperation.read("secret/data/prod/db").by("userpass-alice", "ent-alice").at(T0).pipeTo(fixture);

        assertThat(fixture.repartitionRecords(io.airlock.streams.detect.FirstSeenSecretPathRule.TOPIC)).singleElement()
                .satisfies(r -> assertThat(r.timestamp()).isEqualTo(r.value().timestamp().toEpochMilli()));
    }

    @Test
    void shouldKeepTheTimestampOfAFreshEventAndDropAHeaderItsVaultLineBrought() {
        Instant fresh = NOW.minusSeconds(60);
        String line = VaultAuditLine.request("fresh-1").at(fresh).json();
        var headers = new RecordHeaders().add(RecordTimes.TRUE_TIME_HEADER, RecordTimes.trueTimeHeader(fresh.toEpochMilli()));
        fixture.vaultAudit(new org.apache.kafka.streams.test.TestRecord<>("fresh-1", line, headers, fresh.plusSeconds(5)));

        assertThat(fixture.eventRecordsAsWritten()).singleElement().satisfies(r -> {
            assertThat(r.timestamp()).isEqualTo(fresh.toEpochMilli());
            assertThat(r.headers().lastHeader(RecordTimes.TRUE_TIME_HEADER)).isNull();
        });
    }

    /** The capture raised a Vault line's timestamp: the normalization task orders it among the CDC sources by its own time. */
    @Test
    void shouldTakeTheTimeOfARecordFromItsHeaderWhenItsWriterRaisedTheTimestamp() {
        var raised = new ConsumerRecord<Object, Object>("airlock.vault.audit", 0, 0, NOW.toEpochMilli(), TimestampType.CREATE_TIME, 0, 0,
                "k", "v", new RecordHeaders().add(RecordTimes.TRUE_TIME_HEADER, RecordTimes.trueTimeHeader(T0.toEpochMilli())),
                java.util.Optional.empty());
        var plain = new ConsumerRecord<Object, Object>("airlock.vault.audit", 0, 1, NOW.toEpochMilli(), TimestampType.CREATE_TIME, 0, 0,
                "k", "v", new RecordHeaders(), java.util.Optional.empty());

        assertThat(new TrueRecordTimes().extract(raised, -1)).isEqualTo(T0.toEpochMilli());
        assertThat(new TrueRecordTimes().extract(plain, -1)).isEqualTo(NOW.toEpochMilli());
    }
}
