package io.airlock.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Alert;
import io.airlock.core.Severity;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertConsoleTest {

    private static final Instant T = Instant.parse("2026-12-07T03:00:00Z");
    /** A user name that sets the terminal's title, forges a log line and reverses what follows. */
    private static final String HOSTILE = "mallory\u001b]0;pwn\u0007\r\n04:00:00 INFO alert AL-001 resolved\u202Egnp.exe";

    private static Alert alert(long count) {
        return new Alert("a1", "AL-001", "failed-login burst", Severity.HIGH, T, T, T, count, HOSTILE,
                "5 failed logins for '" + HOSTILE + "'", List.of("e1"), List.of("T1110"), "runbook", Alert.Status.OPEN);
    }

    @Test
    void shouldPrintSourceValuesWithoutEscapesLineBreaksOrBidiOverrides() {
        String first = AlertConsole.line(alert(5), null);
        String update = AlertConsole.line(alert(6), alert(5));

        assertThat(first).startsWith("ALERT  AL-001 high     entity=mallory?]0;pwn???04:00:00 INFO alert AL-001 resolved?gnp.exe");
        assertThat(update).startsWith("UPDATE AL-001 high     entity=mallory?]0;pwn???04:00:00 INFO").contains("count=6");
        assertThat(first + update).doesNotContain("\u001b", "\r", "\n", "\u0007", "\u202E");
        assertThat(AlertConsole.line(alert(6), alert(6))).as("nothing new").isNull();
    }
}
