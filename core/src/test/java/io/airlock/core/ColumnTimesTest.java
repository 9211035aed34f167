package io.airlock.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ColumnTimesTest {

    private static final Instant AT = Instant.parse("2026-11-24T09:00:05.123456Z");

    @Test
    void shouldReadMillisecondsMicrosecondsAndNanosecondsSinceTheEpoch() {
        long seconds = AT.getEpochSecond();
        assertThat(ColumnTimes.ofEpochNumber(seconds * 1_000 + 123)).isEqualTo(Instant.parse("2026-11-24T09:00:05.123Z"));
        assertThat(ColumnTimes.ofEpochNumber(seconds * 1_000_000 + 123_456)).isEqualTo(AT);
        assertThat(ColumnTimes.ofEpochNumber(seconds * 1_000_000_000 + 123_456_000)).isEqualTo(AT);
        assertThat(ColumnTimes.ofEpochNumber(0)).isEqualTo(Instant.EPOCH);
    }

    @Test
    void shouldReadIsoTextAndGiveNullForWhatIsNoTime() {
        var json = JsonNodeFactory.instance;
        assertThat(ColumnTimes.orNull(json.textNode("2026-11-24T09:00:05.123456Z"))).isEqualTo(AT);
        assertThat(ColumnTimes.orNull(json.textNode("2026-11-24T10:00:05.123456+01:00"))).isEqualTo(AT);
        assertThat(ColumnTimes.orNull(json.textNode("yesterday"))).isNull();
        assertThat(ColumnTimes.orNull(json.booleanNode(true))).isNull();
        assertThat(ColumnTimes.orNull(json.nullNode())).isNull();
        assertThat(ColumnTimes.orNull(null)).isNull();
    }
}
