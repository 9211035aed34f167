package io.airlock.streams;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Business hours in a time zone: working days, a daily span and holidays. Instants are converted with the zone's rules,
 * so daylight-saving changes in either direction are handled (08:00 local is 08:00 local on both sides of a change).
 *
 * @param start first minute inside business hours, local time
 * @param end   first minute after business hours, local time (exclusive)
 */
public record BusinessCalendar(ZoneId zone, Set<DayOfWeek> days, LocalTime start, LocalTime end, Set<LocalDate> holidays) {

    public BusinessCalendar {
        Objects.requireNonNull(zone, "time zone");
        days = days.isEmpty() ? EnumSet.noneOf(DayOfWeek.class) : EnumSet.copyOf(days);
        holidays = Set.copyOf(holidays);
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("business hours end " + end + " must be after their start " + start);
        }
    }

    /** Mon–Fri 08:00–18:00 UTC, no holidays (DESIGN.md defaults). */
    public static BusinessCalendar defaults() {
        return new BusinessCalendar(ZoneId.of("UTC"), EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(8, 0),
                LocalTime.of(18, 0), Set.of());
    }

    public boolean isOffHours(Instant at) {
        ZonedDateTime local = at.atZone(zone);
        if (!days.contains(local.getDayOfWeek()) || holidays.contains(local.toLocalDate())) {
            return true;
        }
        LocalTime time = local.toLocalTime();
        return time.isBefore(start) || !time.isBefore(end);
    }

    /**
     * The local time of an instant, for alert summaries ({@code SUN 2026-03-29 03:30 Europe/Berlin}). A local time that occurs
     * twice (the hour repeated when daylight saving time ends) gets its UTC offset appended, so the two stay apart:
     * {@code SUN 2026-10-25 02:30 Europe/Berlin (UTC+02:00)}. A configured holiday says so, or a change at 10:00 on a
     * Monday would read as within business hours: {@code MON 2026-12-28 10:00 Europe/Berlin (a holiday)}.
     */
    public String describe(Instant at) {
        ZonedDateTime local = at.atZone(zone);
        String text = String.format("%s %s %02d:%02d %s", local.getDayOfWeek().toString().substring(0, 3), local.toLocalDate(),
                local.getHour(), local.getMinute(), zone.getId());
        boolean repeated = zone.getRules().getValidOffsets(local.toLocalDateTime()).size() > 1;
        String offset = repeated ? " (UTC" + local.getOffset().getId() + ")" : "";
        return text + offset + (holidays.contains(local.toLocalDate()) ? " (a holiday)" : "");
    }
}
