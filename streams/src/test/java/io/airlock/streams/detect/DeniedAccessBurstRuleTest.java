package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Alert;
import io.airlock.core.Severity;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.TopologyFixture;
import io.airlock.streams.VaultOperation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeniedAccessBurstRuleTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private final TopologyFixture fixture = new TopologyFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private static VaultOperation deniedRead(String path, String displayName, int secondsAfterT0) {
        return VaultOperation.read(path).by(displayName, "ent-mallory").at(T0.plusSeconds(secondsAfterT0)).denied();
    }

    private static List<Alert> al023(List<Alert> alerts) {
        return alerts.stream().filter(a -> a.ruleId().equals("AL-023")).toList();
    }

    @Test
    void shouldRaiseOneMediumAlertForSixDeniedOperationsOfOneIdentityInFiveMinutes() {
        for (int i = 0; i < 6; i++) {
            deniedRead("secret/data/prod/db-" + i, "userpass-mallory", i * 30).pipeTo(fixture);
        }

        List<Alert> updates = al023(fixture.alertUpdates());
        Map<String, Alert> alerts = TopologyFixture.latest(updates);
        assertThat(updates).hasSize(2);
        assertThat(alerts).hasSize(1);
        Alert alert = alerts.values().iterator().next();
        assertThat(alert.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(alert.entity()).isEqualTo("ent-mallory");
        assertThat(alert.count()).isEqualTo(6);
        assertThat(alert.evidence()).hasSize(6).doesNotHaveDuplicates();
        assertThat(alert.techniqueIds()).contains("T1555");
        assertThat(alert.runbook()).isEqualTo("docs/runbooks/AL-023-denied-access-burst.md");
        assertThat(alert.summary()).contains("6 permission-denied", "userpass-mallory", "secret/prod/db-5");
    }

    private static VaultOperation denied(String entity, int n, Instant at) {
        return VaultOperation.read("secret/data/prod/db-" + n).by("userpass-" + entity, "ent-" + entity).at(at).denied();
    }

    @Test
    void shouldCountDenialsExactlyTheWindowApartAsWithinItButNotAMillisecondMore() {
        for (int i = 0; i < 4; i++) {
            denied("mallory", i, T0.plusSeconds(75L * i)).pipeTo(fixture);   // 0:00 … 3:45
            denied("trudy", i, T0.plusSeconds(75L * i)).pipeTo(fixture);
        }
        denied("mallory", 4, T0.plus(Duration.ofMinutes(5))).pipeTo(fixture);
        denied("trudy", 4, T0.plus(Duration.ofMinutes(5)).plusMillis(1)).pipeTo(fixture);

        assertThat(TopologyFixture.latest(al023(fixture.alertUpdates())).values()).singleElement().satisfies(alert -> {
            assertThat(alert.entity()).isEqualTo("ent-mallory");
            assertThat(alert.count()).isEqualTo(5);
            assertThat(alert.firstSeen()).isEqualTo(T0.plus(VaultOperation.LATENCY));
            assertThat(alert.lastSeen()).isEqualTo(T0.plus(Duration.ofMinutes(5)).plus(VaultOperation.LATENCY));
        });
    }

    /** Mallory's denials 1…4 at T0 + 1…4 min and 9 at {@code latest}, in that order, then denial 0 at T0. */
    private static List<Alert> withTheFirstDenialArrivingLast(Instant latest) {
        try (var fixture = new TopologyFixture()) {
            for (int i = 1; i <= 4; i++) {
                denied("mallory", i, T0.plus(Duration.ofMinutes(i))).pipeTo(fixture);
            }
            denied("mallory", 9, latest).pipeTo(fixture);
            assertThat(al023(fixture.alertUpdates())).isEmpty();
            denied("mallory", 0, T0).pipeTo(fixture);
            return al023(fixture.alertUpdates());
        }
    }

    @Test
    void shouldRaiseTheAlertWhenTheThresholdCompletingDenialArrivesLastAndOutOfOrderWithinTheGrace() {
        List<Alert> updates = withTheFirstDenialArrivingLast(T0.plus(Duration.ofMinutes(9)).plusSeconds(1)); // 9 min late

        String inOrderId;
        try (var inOrder = new TopologyFixture()) {
            for (int i = 0; i <= 4; i++) {
                denied("mallory", i, T0.plus(Duration.ofMinutes(i))).pipeTo(inOrder);
            }
            inOrderId = al023(inOrder.alertUpdates()).get(0).id();
        }
        assertThat(updates).singleElement().satisfies(alert -> {
            assertThat(alert.id()).isEqualTo(inOrderId);
            assertThat(alert.entity()).isEqualTo("ent-mallory");
            assertThat(alert.count()).isEqualTo(5);
            assertThat(alert.firstSeen()).isEqualTo(T0.plus(VaultOperation.LATENCY));
            assertThat(alert.lastSeen()).isEqualTo(T0.plus(Duration.ofMinutes(4)).plus(VaultOperation.LATENCY));
            assertThat(alert.evidence()).hasSize(5).doesNotHaveDuplicates();
        });
    }

    /** A denial is counted while a window holding it is open: up to window (5 min) + grace (10 min) behind the latest. */
    @Test
    void shouldCountADenialTheWindowPlusTheGraceBehindTheLatestButDropItAMillisecondLater() {
        Instant edge = T0.plus(Duration.ofMinutes(15));

        assertThat(withTheFirstDenialArrivingLast(edge)).singleElement().satisfies(alert -> {
            assertThat(alert.count()).isEqualTo(5);
            assertThat(alert.firstSeen()).isEqualTo(T0.plus(VaultOperation.LATENCY));
        });
        assertThat(withTheFirstDenialArrivingLast(edge.plusMillis(1))).isEmpty();
    }

    @Test
    void shouldCountDenialsOfTokensVaultCouldNotResolvePerSourceAddress() {
        for (int i = 0; i < 5; i++) {
            VaultOperation.read("airflow/data/connections/db").by(null, null).from("203.0.113.66").at(T0.plusSeconds(i * 7L)).denied()
                    .pipeTo(fixture);
            VaultOperation.read("airflow/data/connections/db").by(null, null).from("198.51.100." + i).at(T0.plusSeconds(i * 7L)).denied()
                    .pipeTo(fixture);
        }

        assertThat(TopologyFixture.latest(al023(fixture.alertUpdates())).values()).singleElement().satisfies(alert -> {
            assertThat(alert.entity()).isEqualTo("(unknown token from 203.0.113.66)");
            assertThat(alert.count()).isEqualTo(5);
            assertThat(alert.summary()).contains("5 permission-denied Vault requests by (unknown token from 203.0.113.66)");
        });
    }

    @Test
    void shouldNotTakeA403InsideAQuotedPathForADenial() {
        for (int i = 0; i < 5; i++) {
            VaultOperation.read("secret/data/build-403/x" + i).by("userpass-quinn", "ent-quinn").at(T0.plusSeconds(i * 10L))
                    .failed("1 error occurred:\n\t* no handler for route \"secret/data/build-403/x" + i + "\". route entry not found.\n\n")
                    .pipeTo(fixture);
        }

        assertThat(al023(fixture.alertUpdates())).isEmpty();
    }

    @Test
    void shouldKeepTheSummaryOneLineWhateverTheIdentityAndPathsHold() {
        String displayName = "userpass-mallory\n<!here> *rotate all creds now*";
        for (int i = 0; i < 5; i++) {
            deniedRead("secret/data/prod/db-" + i + "\r\nforged line\u2028", displayName, i * 30).pipeTo(fixture);
        }

        Alert alert = TopologyFixture.latest(al023(fixture.alertUpdates())).values().iterator().next();
        assertThat(alert.summary()).doesNotContain("\n", "\r", "\u2028").contains("userpass-mallory?<!here>", "db-4??forged line?");
    }

    @Test
    void shouldCountOperationsNotAuditLines() {
        for (int i = 0; i < 4; i++) {
            deniedRead("secret/data/prod/db-" + i, "userpass-mallory", i * 30).pipeTo(fixture); // 8 lines, 4 operations
        }
        assertThat(al023(fixture.alertUpdates())).isEmpty();
    }

    @Test
    void shouldIgnoreRequestsWhoseResponseNeverCame() {
        for (int i = 0; i < 4; i++) {
            deniedRead("secret/data/prod/db-" + i, "userpass-mallory", i * 30).pipeTo(fixture);
        }
        deniedRead("secret/data/prod/db-9", "userpass-mallory", 200).pipeRequestOnlyTo(fixture);

        assertThat(al023(fixture.alertUpdates())).isEmpty();
    }

    @Test
    void shouldCountOneEntityAcrossItsDisplayNames() {
        for (int i = 0; i < 3; i++) {
            deniedRead("secret/data/prod/db-" + i, "userpass-mallory", i * 10).pipeTo(fixture);
            deniedRead("secret/data/prod/api-" + i, "oidc-mallory", i * 10 + 5).pipeTo(fixture);
        }
        assertThat(TopologyFixture.latest(al023(fixture.alertUpdates())).values())
                .singleElement().satisfies(a -> assertThat(a.count()).isEqualTo(6));
    }

    @Test
    void shouldNotCountDuplicatesSuccessesOrSpreadOutDenials() {
        for (int i = 0; i < 4; i++) {
            VaultOperation denied = deniedRead("secret/data/prod/db-" + i, "userpass-mallory", i * 30);
            denied.pipeTo(fixture);
            denied.pipeTo(fixture);
            VaultOperation.read("secret/data/prod/ok-" + i).by("userpass-mallory", "ent-mallory").at(T0.plusSeconds(i * 30 + 1))
                    .pipeTo(fixture);
        }
        deniedRead("secret/data/prod/db-4", "userpass-mallory", 600).pipeTo(fixture);

        assertThat(al023(fixture.alertUpdates())).isEmpty();
    }

    @Test
    void shouldNotAlertOnAnAllowListedIdentity() {
        var config = DetectionConfig.defaults().withAllowList(new DetectionConfig.AllowList(Set.of(), Set.of("ent-mallory"), List.of()));
        try (var allowing = new TopologyFixture(config)) {
            for (int i = 0; i < 6; i++) {
                deniedRead("secret/data/prod/db-" + i, "userpass-mallory", i * 30).pipeTo(allowing);
            }
            assertThat(al023(allowing.alertUpdates())).isEmpty();
        }
    }

    @Test
    void shouldRaiseNothingWhenDisabled() {
        var config = DetectionConfig.defaults().withRule(RuleDefinition.DENIED_ACCESS_BURST,
                RuleDefinition.DENIED_ACCESS_BURST.defaults().disabled());
        try (var disabled = new TopologyFixture(config)) {
            for (int i = 0; i < 6; i++) {
                deniedRead("secret/data/prod/db-" + i, "userpass-mallory", i * 30).pipeTo(disabled);
            }
            assertThat(al023(disabled.alertUpdates())).isEmpty();
        }
    }
}
