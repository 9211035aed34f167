package io.airlock.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class DemoCalendarTest {

    @Test
    void shouldSayWhyTheDemoPicksATimeZoneWhereItIsNight() {
        Instant now = Instant.parse("2026-03-04T14:00:00Z");
        var calendar = DemoCalendar.nightSomewhere(now);

        assertThat(calendar.isOffHours(now)).isTrue();
        assertThat(DemoCalendar.describe(calendar, now)).startsWith("business hours: Mon–Fri 08:00–18:00 " + calendar.zone())
                .contains("off-hours; the demo picks a time zone where it is night now, so the off-hours rules fire whenever it runs");
    }
}
