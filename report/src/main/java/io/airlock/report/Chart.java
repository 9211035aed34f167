package io.airlock.report;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A bar chart, drawn the same way as inline SVG in the HTML report and with PDFBox in the PDF.
 *
 * @param title      caption
 * @param bars       label and value of each bar, in drawing order
 * @param horizontal bars grow to the right (rankings) instead of upwards (time series)
 */
public record Chart(String title, List<Bar> bars, boolean horizontal) {

    /** One bar. */
    public record Bar(String label, long value) {
    }

    public Chart {
        bars = List.copyOf(bars);
    }

    /** The largest value, at least 1. */
    public long max() {
        return Math.max(1, bars.stream().mapToLong(Bar::value).max().orElse(1));
    }

    /** The three charts of a report: alerts per day, changes by hour, top identities. */
    public static List<Chart> of(ReportSummary summary) {
        List<Bar> days = new ArrayList<>();
        Map<LocalDate, Long> perDay = summary.alertsPerDay();
        if (!perDay.isEmpty()) {
            LocalDate first = perDay.keySet().iterator().next();
            LocalDate last = perDay.keySet().stream().reduce((a, b) -> b).orElse(first);
            long span = last.toEpochDay() - first.toEpochDay();
            if (span > 92) { // at most about a quarter of days as single bars; else only the days with alerts
                perDay.forEach((day, n) -> days.add(new Bar(day.toString(), n)));
            } else {
                for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
                    days.add(new Bar(d.toString(), perDay.getOrDefault(d, 0L)));
                }
            }
        }
        List<Bar> hours = new ArrayList<>();
        long[] byHour = summary.changesByHour();
        for (int h = 0; h < 24; h++) {
            hours.add(new Bar(String.format("%02d", h), byHour[h]));
        }
        List<Bar> identities = summary.topIdentities(10).stream().map(e -> new Bar(ReportSummary.shown(e.getKey()), e.getValue())).toList();
        return List.of(new Chart("Alerts per day (UTC)", days, false),
                new Chart("Changes by hour of day (UTC)", hours, false),
                new Chart("Top identities (events)", identities, true));
    }
}
