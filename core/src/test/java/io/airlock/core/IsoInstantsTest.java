package io.airlock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IsoInstantsTest {

    @ParameterizedTest
    @ValueSource(strings = {"2026-03-02T08:00:00Z", "2026-03-02T08:00:00.1Z", "2026-03-02T08:00:00.12Z", "2026-03-02T08:00:00.123Z",
        "2026-03-02T08:00:00.123456Z", "2026-03-02T08:00:00.123456789Z", "2026-03-29T02:30:00+02:00", "2026-11-01T01:30:00-04:00",
        "2024-02-29T23:59:59.999999999+00:00", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.5Z", "2026-06-30T12:00:00.000001-09:30",
        "2026-01-01T00:00:00+14:00", "2026-01-01T00:00:00+18:00", "2026-01-01T00:00:00-18:00", "2026-01-01T00:00:00-00:00",
        "0000-01-01T00:00:00Z"})
    void shouldReadWhatJavaTimeReadsTheSameWay(String text) {
        assertThat(IsoInstants.parseOrNull(text)).isEqualTo(OffsetDateTime.parse(text).toInstant());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2026-03-02", "2026-03-02T08:00:00", "2026-03-02 08:00:00Z", "2026-13-02T08:00:00Z",
        "2026-04-31T08:00:00Z", "2025-02-29T08:00:00Z", "2026-03-02T24:00:00Z", "2026-03-02T08:60:00Z", "2026-03-02T08:00:60Z",
        "2026-03-02T08:00:00.Z", "2026-03-02T08:00:00.1234567891Z", "2026-03-02T08:00:00+0100", "2026-03-02T08:00:00+01",
        "2026-03-02T08:00:00z", "2026-03-02T08:00:00Zjunk", "+12026-03-02T08:00:00Z", "2026-03-02T08:00:00[Europe/Berlin]",
        "２０２６-03-02T08:00:00Z", "2026-03-02T08:00:00+19:00", "2026-03-02T08:00:00+18:01", "2026-03-02T08:00:00+18:30",
        "2026-03-02T08:00:00-18:59"})
    void shouldLeaveEveryOtherShapeToTheFullParser(String text) {
        assertThat(IsoInstants.parseOrNull(text)).isNull();
    }

    /** What the full parser refuses is refused: no reader of times in Airlock takes an offset past ±18:00. */
    @ParameterizedTest
    @ValueSource(strings = {"2026-03-02T08:00:00+18:01", "2026-03-02T08:00:00+18:30", "2026-03-02T08:00:00-18:59"})
    void shouldNotReadAnOffsetJavaTimeRefuses(String text) {
        assertThatThrownBy(() -> OffsetDateTime.parse(text)).isInstanceOf(DateTimeParseException.class);
        assertThatThrownBy(() -> ColumnTimes.parseIso(text)).isInstanceOf(DateTimeParseException.class);
    }

    record Stamped(Instant at) {
    }

    @Test
    void shouldBeWhatTheMapperReadsInstantsWithAndStillReadOtherForms() {
        assertThat(Json.read("{\"at\":\"2026-03-02T08:00:00.5+01:00\"}".getBytes(), Stamped.class).at())
                .isEqualTo(Instant.parse("2026-03-02T07:00:00.5Z"));
        assertThat(Json.read("{\"at\":1772438400.5}".getBytes(), Stamped.class).at()).isEqualTo(Instant.parse("2026-03-02T08:00:00.5Z"));
        for (Instant at : List.of(Instant.parse("2026-03-02T08:00:00Z"), Instant.parse("2026-03-02T08:00:00.000000001Z"))) {
            assertThat(Json.read(Json.write(new Stamped(at)), Stamped.class).at()).isEqualTo(at);
        }
    }
}
