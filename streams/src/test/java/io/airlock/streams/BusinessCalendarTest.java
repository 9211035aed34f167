package io.airlock.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BusinessCalendarTest {

    private final BusinessCalendar berlin = TestCalendars.berlin(LocalDate.of(2026, 12, 24));
    private final BusinessCalendar newYork = TestCalendars.newYork(LocalDate.of(2026, 11, 26));

    @ParameterizedTest(name = "{0} is off-hours in Berlin: {1}")
    @CsvSource({
        // Spring forward, Sunday 2026-03-29 02:00 CET -> 03:00 CEST: 08:00 local is 07:00Z before, 06:00Z after
        "2026-03-27T06:59:00Z, true", "2026-03-27T07:00:00Z, false",   // Fri 07:59 / 08:00 CET
        "2026-03-27T16:59:00Z, false", "2026-03-27T17:00:00Z, true",   // Fri 17:59 / 18:00 CET
        "2026-03-29T00:59:00Z, true", "2026-03-29T01:00:00Z, true",    // Sun 01:59 CET / 03:00 CEST
        "2026-03-30T05:59:00Z, true", "2026-03-30T06:00:00Z, false",   // Mon 07:59 / 08:00 CEST
        "2026-03-30T15:59:00Z, false", "2026-03-30T16:00:00Z, true",   // Mon 17:59 / 18:00 CEST
        // Fall back, Sunday 2026-10-25 03:00 CEST -> 02:00 CET
        "2026-10-23T05:59:00Z, true", "2026-10-23T06:00:00Z, false",   // Fri 07:59 / 08:00 CEST
        "2026-10-23T15:59:00Z, false", "2026-10-23T16:00:00Z, true",   // Fri 17:59 / 18:00 CEST
        "2026-10-25T00:30:00Z, true", "2026-10-25T01:30:00Z, true",    // Sun 02:30 CEST, 02:30 CET
        "2026-10-26T06:59:00Z, true", "2026-10-26T07:00:00Z, false",   // Mon 07:59 / 08:00 CET
        "2026-10-26T16:59:00Z, false", "2026-10-26T17:00:00Z, true",   // Mon 17:59 / 18:00 CET
        // Day boundaries in local time, not UTC
        "2026-03-27T22:59:59Z, true", "2026-03-27T23:00:00Z, true",    // Fri 23:59:59 / Sat 00:00 CET
        "2026-03-29T21:59:59Z, true", "2026-03-29T22:00:00Z, true",    // Sun 23:59:59 / Mon 00:00 CEST
        "2026-03-02T23:30:00Z, true",                                  // Tue 00:30 CET, still Mon 23:30 in UTC
        // Holiday 2026-12-24 (a Thursday): off all local day, neighbours are working days
        "2026-12-23T16:59:00Z, false", "2026-12-24T09:00:00Z, true", "2026-12-24T16:00:00Z, true", "2026-12-25T09:00:00Z, false",
    })
    void shouldFollowBerlinLocalTimeAcrossBothDaylightSavingChanges(Instant at, boolean offHours) {
        assertThat(berlin.isOffHours(at)).isEqualTo(offHours);
    }

    @ParameterizedTest(name = "{0} is off-hours in New York: {1}")
    @CsvSource({
        // Spring forward, Sunday 2026-03-08 02:00 EST -> 03:00 EDT: 08:00 local is 13:00Z before, 12:00Z after
        "2026-03-06T12:59:00Z, true", "2026-03-06T13:00:00Z, false",   // Fri 07:59 / 08:00 EST
        "2026-03-09T11:59:00Z, true", "2026-03-09T12:00:00Z, false",   // Mon 07:59 / 08:00 EDT
        "2026-03-09T21:59:00Z, false", "2026-03-09T22:00:00Z, true",   // Mon 17:59 / 18:00 EDT
        // Europe changes on 2026-03-29 and 2026-10-25; New York does not
        "2026-03-30T11:59:00Z, true", "2026-03-30T12:00:00Z, false",   // Mon 07:59 / 08:00 EDT
        "2026-10-26T11:59:00Z, true", "2026-10-26T12:00:00Z, false",   // Mon 07:59 / 08:00 EDT
        // Fall back, Sunday 2026-11-01 02:00 EDT -> 01:00 EST
        "2026-10-30T21:59:00Z, false", "2026-10-30T22:00:00Z, true",   // Fri 17:59 / 18:00 EDT
        "2026-11-02T12:59:00Z, true", "2026-11-02T13:00:00Z, false",   // Mon 07:59 / 08:00 EST
        "2026-11-02T22:59:00Z, false", "2026-11-02T23:00:00Z, true",   // Mon 17:59 / 18:00 EST
        // Friday evening in New York is Saturday in UTC, and the other way round on Monday
        "2026-11-06T22:30:00Z, false", "2026-11-07T00:30:00Z, true", "2026-11-09T04:00:00Z, true",
        // Holiday 2026-11-26 (Thanksgiving) in local dates
        "2026-11-25T22:59:00Z, false", "2026-11-26T15:00:00Z, true", "2026-11-27T15:00:00Z, false",
    })
    void shouldFollowNewYorkLocalTimeAcrossBothDaylightSavingChanges(Instant at, boolean offHours) {
        assertThat(newYork.isOffHours(at)).isEqualTo(offHours);
    }

    @Test
    void shouldTreatEveryWeekendHourAsOffHoursWithTheDefaults() {
        BusinessCalendar utc = BusinessCalendar.defaults();
        assertThat(utc.isOffHours(Instant.parse("2026-03-28T12:00:00Z"))).isTrue();
        assertThat(utc.isOffHours(Instant.parse("2026-03-29T12:00:00Z"))).isTrue();
        assertThat(utc.isOffHours(Instant.parse("2026-03-30T08:00:00Z"))).isFalse();
        assertThat(utc.isOffHours(Instant.parse("2026-03-30T07:59:59.999Z"))).isTrue();
    }

    @Test
    void shouldDescribeInstantsInLocalTime() {
        assertThat(berlin.describe(Instant.parse("2026-03-28T22:30:00Z"))).isEqualTo("SAT 2026-03-28 23:30 Europe/Berlin");
        assertThat(berlin.describe(Instant.parse("2026-03-29T01:30:00Z"))).isEqualTo("SUN 2026-03-29 03:30 Europe/Berlin");
        assertThat(newYork.describe(Instant.parse("2026-03-08T07:30:00Z"))).isEqualTo("SUN 2026-03-08 03:30 America/New_York");
    }

    @Test
    void shouldTellTheTwoOccurrencesOfARepeatedLocalTimeApart() {
        String first = berlin.describe(Instant.parse("2026-10-25T00:30:00Z"));
        String second = berlin.describe(Instant.parse("2026-10-25T01:30:00Z"));

        assertThat(first).startsWith("SUN 2026-10-25 02:30 Europe/Berlin");
        assertThat(second).startsWith("SUN 2026-10-25 02:30 Europe/Berlin");
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void shouldSayThatADayIsAHolidaySoAWeekdayMorningDoesNotReadAsBusinessHours() {
        assertThat(berlin.describe(Instant.parse("2026-12-24T09:00:00Z"))).isEqualTo("THU 2026-12-24 10:00 Europe/Berlin (a holiday)");
        assertThat(berlin.describe(Instant.parse("2026-12-23T09:00:00Z"))).isEqualTo("WED 2026-12-23 10:00 Europe/Berlin");
    }

    @Test
    void shouldRejectBusinessHoursThatEndBeforeTheyStart() {
        assertThatThrownBy(() -> new BusinessCalendar(ZoneId.of("UTC"), EnumSet.allOf(DayOfWeek.class), LocalTime.of(18, 0),
                LocalTime.of(8, 0), Set.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldTreatEveryDayAsOffHoursWithoutWorkingDays() {
        var none = new BusinessCalendar(ZoneId.of("UTC"), Set.of(), LocalTime.of(8, 0), LocalTime.of(18, 0), Set.of());
        assertThat(none.isOffHours(Instant.parse("2026-03-30T10:00:00Z"))).isTrue();
    }
}
