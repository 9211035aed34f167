package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UserAuthAlertsTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private static final Duration HALF_HOUR = Duration.ofMinutes(30);

    @Test
    void shouldKeepTheLatestFiringOfEachRule() {
        UserAuthAlerts alerts = UserAuthAlerts.of(null).withFailedLoginBurst(T0.plusSeconds(60)).withFailedLoginBurst(T0)
                .withLoginAfterBurst(T0.plusSeconds(90));
        assertThat(alerts.lastFailedLoginBurst()).isEqualTo(T0.plusSeconds(60));
        assertThat(alerts.lastLoginAfterBurst()).isEqualTo(T0.plusSeconds(90));
    }

    @Test
    void shouldSeeABurstOnlyFromItsTimeToTheEndOfTheLookBack() {
        UserAuthAlerts alerts = UserAuthAlerts.NONE.withFailedLoginBurst(T0);
        assertThat(alerts.failedLoginBurstWithin(HALF_HOUR, T0.minusSeconds(1))).isFalse();
        assertThat(alerts.failedLoginBurstWithin(HALF_HOUR, T0)).isTrue();
        assertThat(alerts.failedLoginBurstWithin(HALF_HOUR, T0.plus(HALF_HOUR))).isTrue();
        assertThat(alerts.failedLoginBurstWithin(HALF_HOUR, T0.plus(HALF_HOUR).plusMillis(1))).isFalse();
        assertThat(UserAuthAlerts.NONE.failedLoginBurstWithin(HALF_HOUR, T0)).isFalse();
    }

    @Test
    void shouldPrintAUserNameAsOneQuotedPlainLine() {
        assertThat(UserAuthAlerts.quoted("alice")).isEqualTo("'alice'");
        assertThat(UserAuthAlerts.quoted(null)).isEqualTo("(none)");
        assertThat(UserAuthAlerts.quoted("eve\nALERT resolved\u2028x")).isEqualTo("'eve?ALERT resolved?x'");
        assertThat(UserAuthAlerts.quoted("x".repeat(100))).isEqualTo("'" + "x".repeat(UserAuthAlerts.MAX_NAME_CHARS) + "…'");
    }
}
