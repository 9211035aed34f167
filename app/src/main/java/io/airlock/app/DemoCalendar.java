package io.airlock.app;

import io.airlock.streams.BusinessCalendar;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The demo's business hours: Mon–Fri 08:00–18:00 in a real time zone where it is night right now, so the off-hours rules
 * show what they do whenever the demo runs.
 */
final class DemoCalendar {

    private static final List<String> ZONES = List.of("Pacific/Pago_Pago", "Pacific/Honolulu", "America/Anchorage",
            "America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York", "America/Halifax", "America/Sao_Paulo",
            "Atlantic/South_Georgia", "Atlantic/Azores", "Europe/London", "Europe/Berlin", "Europe/Athens", "Europe/Moscow",
            "Asia/Dubai", "Asia/Karachi", "Asia/Dhaka", "Asia/Bangkok", "Asia/Shanghai", "Asia/Tokyo", "Australia/Brisbane",
            "Pacific/Noumea", "Pacific/Auckland", "Pacific/Tongatapu", "Pacific/Kiritimati");

    private DemoCalendar() {
    }

    /** The line the demo prints: the business hours, and why that time zone (a configured one is shown as it is). */
    static String describe(BusinessCalendar calendar, Instant now) {
        return "business hours: Mon–Fri 08:00–18:00 " + calendar.zone() + " (now " + calendar.describe(now) + ", off-hours; "
                + "the demo picks a time zone where it is night now, so the off-hours rules fire whenever it runs)";
    }

    static BusinessCalendar nightSomewhere(Instant now) {
        ZoneId zone = ZONES.stream().map(ZoneId::of)
                .min(Comparator.comparingInt(z -> Math.abs(now.atZone(z).getHour() * 60 + now.atZone(z).getMinute() - 3 * 60)))
                .orElseThrow();
        return new BusinessCalendar(zone, EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(8, 0), LocalTime.of(18, 0),
                Set.of());
    }
}
