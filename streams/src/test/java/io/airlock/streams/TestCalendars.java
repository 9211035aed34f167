package io.airlock.streams;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.Set;

/** Test data: business calendars, Mon–Fri 08:00–18:00 in a zone. {@code TestCalendars.berlin(LocalDate.of(2026, 12, 24))}. */
public final class TestCalendars {

    private TestCalendars() {
    }

    public static BusinessCalendar officeHours(String zone, LocalDate... holidays) {
        return new BusinessCalendar(ZoneId.of(zone), EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(8, 0),
                LocalTime.of(18, 0), Set.of(holidays));
    }

    public static BusinessCalendar berlin(LocalDate... holidays) {
        return officeHours("Europe/Berlin", holidays);
    }

    public static BusinessCalendar newYork(LocalDate... holidays) {
        return officeHours("America/New_York", holidays);
    }

    /** The default detection config with business hours in Berlin. */
    public static DetectionConfig berlinConfig(LocalDate... holidays) {
        return DetectionConfig.defaults().withCalendar(berlin(holidays));
    }
}
