package io.airlock.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OversizedChangeShortenerTest {

    private static final String KEY = "{\"id\":7}";

    private final OversizedChangeShortener shortener = new OversizedChangeShortener(10_000, 1_000);

    /** A streamed {@code dag_run} update whose {@code after} has {@code conf} and {@code run_id} of the given sizes. */
    private static String dagRunUpdate(int confChars, int runIdChars) {
        ObjectNode change = Json.MAPPER.createObjectNode();
        change.putNull("before");
        ObjectNode after = change.putObject("after");
        after.put("id", 7);
        after.put("dag_id", "etl_daily");
        after.put("state", "running");
        after.put("run_id", "r".repeat(runIdChars));
        after.put("conf", "{\"payload\": \"" + "x".repeat(confChars) + "\"}");
        ObjectNode source = change.putObject("source");
        source.put("table", "dag_run");
        source.put("lsn", 123456789L);
        source.put("ts_ms", 1_700_000_000_000L);
        change.put("op", "u");
        return Json.writeString(change);
    }

    @Test
    void shouldLeaveAChangeThatFitsAsItIs() {
        String value = dagRunUpdate(5_000, 10);

        var fitted = shortener.fit(KEY, value);

        assertThat(fitted.fits()).isTrue();
        assertThat(fitted.shortened()).isFalse();
        assertThat(fitted.value()).isSameAs(value);
    }

    @Test
    void shouldLeaveOutTheLargestValueAndKeepTheEnvelopeAndTheOtherColumns() {
        String value = dagRunUpdate(50_000, 3_000);

        var fitted = shortener.fit(KEY, value);

        assertThat(fitted.fits()).isTrue();
        assertThat(fitted.shortenedColumns()).containsExactly("after.conf");
        JsonNode change = Json.tree(fitted.value());
        assertThat(change.at("/after/conf").asText()).isEqualTo("<airlock: value of 50015 bytes left out>");
        assertThat(change.at("/after/run_id").asText()).hasSize(3_000);
        assertThat(change.at("/after/state").asText()).isEqualTo("running");
        assertThat(change.at("/after/dag_id").asText()).isEqualTo("etl_daily");
        assertThat(change.at("/op").asText()).isEqualTo("u");
        assertThat(change.at("/source/lsn").asLong()).isEqualTo(123456789L);
        assertThat(change.at("/source/ts_ms").asLong()).isEqualTo(1_700_000_000_000L);
        assertThat(fitted.bytes()).isEqualTo(KEY.length() + fitted.value().getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void shouldLeaveOutValuesLargestFirstUntilTheChangeFits() {
        String value = dagRunUpdate(9_000, 6_000);

        var fitted = shortener.fit(KEY, value);

        assertThat(fitted.fits()).isTrue();
        assertThat(fitted.shortenedColumns()).containsExactly("after.conf");
        assertThat(shortener.fit(KEY, dagRunUpdate(6_000, 9_000)).shortenedColumns()).containsExactly("after.run_id");
        assertThat(shortener.fit(KEY, dagRunUpdate(12_000, 12_000)).shortenedColumns()).containsExactlyInAnyOrder("after.conf",
                "after.run_id");
    }

    @Test
    void shouldMeasureValuesInUtf8Bytes() {
        ObjectNode change = Json.MAPPER.createObjectNode();
        change.putObject("after").put("extra", "é".repeat(6_000)); // 6 000 chars, 12 000 bytes
        change.put("op", "c");

        var fitted = shortener.fit(KEY, Json.writeString(change));

        assertThat(fitted.shortenedColumns()).containsExactly("after.extra");
        assertThat(Json.tree(fitted.value()).at("/after/extra").asText()).isEqualTo("<airlock: value of 12000 bytes left out>");
    }

    @Test
    void shouldSayItDoesNotFitWhenOnlySmallValuesMakeItLarge() {
        ObjectNode change = Json.MAPPER.createObjectNode();
        ObjectNode after = change.putObject("after");
        for (int i = 0; i < 30; i++) {
            after.put("c" + i, "v".repeat(500)); // below the 1 000 bytes a value must have to be left out
        }
        String value = Json.writeString(change);

        var fitted = shortener.fit(KEY, value);

        assertThat(fitted.fits()).isFalse();
        assertThat(fitted.shortened()).isFalse();
        assertThat(fitted.bytes()).isGreaterThan(10_000);
    }

    @Test
    void shouldLeaveOutEveryLargeValueForAKafkaThatRefusedTheChange() {
        String value = dagRunUpdate(2_000, 1_500);

        var all = shortener.shortenAll(KEY, value);

        assertThat(all.shortenedColumns()).containsExactly("after.conf", "after.run_id");
        assertThat(all.fits()).isTrue();
        assertThat(shortener.shortenAll(KEY, dagRunUpdate(10, 10)).shortened()).isFalse();
    }

    @Test
    void shouldCountUtf8BytesWithoutEncoding() {
        assertThat(OversizedChangeShortener.utf8Length("a😀é")).isEqualTo(7);
    }
}
