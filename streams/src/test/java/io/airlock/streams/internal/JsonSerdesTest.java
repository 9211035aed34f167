package io.airlock.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.airlock.core.MalformedRecordException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonSerdesTest {

    /** Kafka Streams logs a deserialization exception with its message and causes: neither may quote the record. */
    @Test
    void shouldRejectInvalidJsonWithAReasonThatQuotesNothingOfTheRecord() {
        byte[] record = "hostile_token_of_an_attacker <!channel>\n12:00:00.000 INFO FORGED".getBytes(StandardCharsets.UTF_8);

        MalformedRecordException e = catchThrowableOfType(MalformedRecordException.class,
                () -> JsonSerdes.tree().deserializer().deserialize("airlock.cdc.airflow.log", record));

        assertThat(e).hasMessageStartingWith("not valid JSON at line 1, column ").hasMessageEndingWith(" (JsonParseException)")
                .hasNoCause();
        assertThat(DeadLetterHandler.reason(e)).doesNotContain("hostile_token", "channel", "FORGED");
    }

    @Test
    void shouldRejectTruncatedJsonNamingWhereItEnds() {
        byte[] record = "{\"op\":\"c\",\"after\":{\"id\":1".getBytes(StandardCharsets.UTF_8);

        assertThat(catchThrowableOfType(MalformedRecordException.class,
                () -> JsonSerdes.tree().deserializer().deserialize("t", record)))
                .hasMessageStartingWith("not valid JSON at line 1, column ").hasMessageNotContaining("after").hasNoCause();
    }
}
