package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Alert;
import io.airlock.core.RecordTimes;
import io.airlock.streams.AbUserRow;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.TopologyFixture;
import io.airlock.streams.VaultAuditLine;
import io.airlock.streams.VaultOperation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One event stamped ahead of the clock — a Vault node whose clock runs a year or twenty minutes ahead, a line written to the
 * audit socket, a failed login committed by a database clock ahead — arrives before the true events of the same entity.
 * The rules count it at most {@link RecordTimes#MAX_AHEAD} ahead of its arrival ({@link CountedTimes}), so the true events
 * after it are not taken for late and dropped (AL-001, AL-002, AL-021, AL-023), do not alert one by one (AL-024), and the
 * learning period does not start a year ahead (AL-020).
 *
 * <p>The driver's wall clock starts at {@link #T0} and follows the true events as they arrive, as a live run's does.
 */
class CountedTimesTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private final TopologyFixture fixture = new TopologyFixture(DetectionConfig.defaults(), T0);

    @AfterEach
    void close() {
        fixture.close();
    }

    /** A true operation, arriving when it happened. */
    private void arrives(VaultOperation operation, Instant at) {
        fixture.advanceWallClockTo(at);
        operation.at(at).pipeTo(fixture);
    }

    /** An operation stamped {@code ahead} of the clock, arriving now: the capture caps its record timestamp (RecordTimes). */
    private void arrivesStampedAhead(VaultOperation operation, String ahead) {
        operation.at(T0.plus(Duration.parse(ahead)));
        Instant recordTime = T0.plus(RecordTimes.MAX_AHEAD);
        for (VaultAuditLine line : List.of(operation.requestLine(), operation.responseLine())) {
            fixture.vaultAudit(line.key(), line.json(), recordTime);
        }
    }

    private List<Alert> latest(String ruleId) {
        return TopologyFixture.latest(fixture.alertUpdates()).values().stream().filter(a -> a.ruleId().equals(ruleId)).toList();
    }

    private static VaultOperation malloryDenied(String path) {
        return VaultOperation.read(path).by("userpass-mallory", "ent-mallory").denied();
    }

    private static VaultOperation malloryReads(String path) {
        return VaultOperation.read(path).by("userpass-mallory", "ent-mallory");
    }

    @ParameterizedTest
    @ValueSource(strings = {"P365D", "PT20M"})
    void shouldStillRaiseTheDeniedAccessBurstOfAnIdentityAfterOneOfItsLinesStampedAhead(String ahead) {
        arrivesStampedAhead(malloryDenied("secret/data/prod/forged"), ahead);
        for (int i = 0; i < 6; i++) {
            arrives(malloryDenied("secret/data/prod/db-" + i), T0.plusSeconds(i * 30L));
        }

        assertThat(latest("AL-023")).singleElement().satisfies(alert -> {
            assertThat(alert.entity()).isEqualTo("ent-mallory");
            assertThat(alert.count()).isEqualTo(7); // the line stamped ahead counts too, at its arrival + MAX_AHEAD
            assertThat(alert.lastSeen()).isBefore(T0.plus(Duration.ofMinutes(5)));
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"P365D", "PT20M"})
    void shouldStillRaiseTheSecretHarvestingOfAnIdentityAfterOneOfItsLinesStampedAhead(String ahead) {
        arrivesStampedAhead(malloryReads("secret/data/prod/forged"), ahead);
        for (int i = 0; i < 20; i++) {
            arrives(malloryReads("secret/data/prod/db-" + i), T0.plusSeconds(i * 10L));
        }

        assertThat(latest("AL-021")).singleElement().satisfies(alert -> {
            assertThat(alert.entity()).isEqualTo("ent-mallory");
            assertThat(alert.count()).isEqualTo(21);
            assertThat(alert.lastSeen()).isBefore(T0.plus(Duration.ofMinutes(5)));
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"P365D", "PT20M"})
    void shouldStillRaiseTheFailedLoginBurstOfAUserAfterAFailedLoginCommittedAhead(String ahead) {
        AbUserRow alice = AbUserRow.of(1, "alice");
        fixture.abUser(alice, alice.change("r", T0, null), T0);
        fixture.abUser(alice, alice.failCount(1).update(T0.plus(Duration.parse(ahead))), T0.plus(RecordTimes.MAX_AHEAD));
        for (int i = 2; i <= 7; i++) {
            Instant at = T0.plusSeconds(10 + 30L * (i - 2));
            fixture.advanceWallClockTo(at);
            fixture.abUser(alice, alice.failCount(i).update(at), at);
        }

        assertThat(latest("AL-001")).singleElement().satisfies(alert -> {
            assertThat(alert.entity()).isEqualTo("alice");
            assertThat(alert.count()).isEqualTo(7);
            assertThat(alert.lastSeen()).isEqualTo(T0.plusSeconds(160));
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"P365D", "PT20M"})
    void shouldStillRaiseThePasswordSprayAfterAFailedLoginCommittedAhead(String ahead) {
        AbUserRow first = AbUserRow.of(1, "user-0");
        fixture.abUser(first, first.change("r", T0, null), T0);
        fixture.abUser(first, first.failCount(1).update(T0.plus(Duration.parse(ahead))), T0.plus(RecordTimes.MAX_AHEAD));
        for (int i = 1; i <= 10; i++) {
            Instant at = T0.plusSeconds(50L * i);
            fixture.advanceWallClockTo(at);
            AbUserRow user = AbUserRow.of(i + 1, "user-" + i);
            fixture.abUser(user, user.change("r", at, null), at);
            fixture.abUser(user, user.failCount(1).update(at), at);
        }

        assertThat(latest("AL-002")).singleElement().satisfies(alert -> {
            assertThat(alert.count()).isEqualTo(11);
            assertThat(alert.lastSeen()).isEqualTo(T0.plusSeconds(500));
        });
    }

    @Test
    void shouldGroupAPersonsReadsOfPipelineSecretsIntoOneAlertAfterOneOfThemStampedAhead() {
        VaultOperation alice = VaultOperation.read("airflow/data/connections/prod_db").by("userpass-alice", "ent-alice");
        arrivesStampedAhead(alice, "P365D");
        for (int i = 1; i <= 8; i++) {
            arrives(VaultOperation.read("airflow/data/connections/prod_db").by("userpass-alice", "ent-alice"),
                    T0.plus(Duration.ofMinutes(5L * i)));
        }

        assertThat(latest("AL-024")).singleElement().satisfies(alert -> {
            assertThat(alert.entity()).isEqualTo("ent-alice");
            assertThat(alert.firstSeen()).isEqualTo(T0.plus(RecordTimes.MAX_AHEAD));
        });
    }

    @Test
    void shouldStillLearnForSevenDaysAndThenAlertWhenTheFirstVaultLineIsStampedAhead() {
        arrivesStampedAhead(VaultOperation.system("sys/mounts").by("userpass-admin", "ent-admin"), "P365D");
        arrives(VaultOperation.read("airflow/data/connections/warehouse"), T0.plusSeconds(10));
        Instant day8 = T0.plus(Duration.ofDays(8));
        arrives(VaultOperation.read("airflow/data/connections/warehouse"), day8);
        assertThat(latest("AL-020")).isEmpty();

        arrives(VaultOperation.read("airflow/data/connections/payments"), day8.plusSeconds(20));

        assertThat(latest("AL-020")).singleElement().satisfies(alert -> {
            assertThat(alert.entity()).isEqualTo("ent-airflow");
            assertThat(alert.summary()).contains("airflow/connections/payments");
        });
    }
}
