package io.airlock.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportQueryTest {

    @Test
    void shouldTruncateThePeriodToTheMillisecondsOpenSearchCompares() {
        var query = new ReportQuery(Instant.parse("2026-12-07T19:07:59.258900Z"), Instant.parse("2026-12-07T19:08:00.999999999Z"),
                List.of(), List.of());

        assertThat(query.from()).isEqualTo(Instant.parse("2026-12-07T19:07:59.258Z"));
        assertThat(query.to()).isEqualTo(Instant.parse("2026-12-07T19:08:00.999Z"));
        assertThat(query.openSearchQuery(RecordKind.EVENTS).toString())
                .contains("{\"gte\":\"2026-12-07T19:07:59.258Z\",\"lt\":\"2026-12-07T19:08:00.999Z\"}");
        assertThat(query.toJson().path("from").asText()).isEqualTo("2026-12-07T19:07:59.258Z");
        assertThat(query.covers(Instant.parse("2026-12-07T19:07:59.258457Z"))).as("in the period's first millisecond").isTrue();
        assertThat(query.covers(Instant.parse("2026-12-07T19:08:00.999Z"))).isFalse();
    }
}
