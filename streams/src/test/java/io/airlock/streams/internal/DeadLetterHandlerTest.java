package io.airlock.streams.internal;

import io.airlock.core.DeadLetter;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Json;
import io.airlock.core.MalformedRecordException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.junit.jupiter.api.Test;

class DeadLetterHandlerTest {

    private final DeadLetterHandler handler = new DeadLetterHandler();

    {
        handler.configure(Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "airlock.dlq"));
    }

    @Test
    void shouldResumeAndDeadLetterAnUndeserializableRecordWithItsPositionAndReason() {
        byte[] value = "{not json".getBytes(StandardCharsets.UTF_8);
        var record = new ConsumerRecord<>("airlock.cdc.airflow.ab_user", 2, 42L, "{\"id\":7}".getBytes(StandardCharsets.UTF_8), value);
        var response = handler.handleError((ErrorHandlerContext) null, record, new MalformedRecordException("not valid JSON: unexpected character"));

        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(letter -> {
            assertThat(letter.topic()).isEqualTo("airlock.dlq");
            assertThat(letter.key()).isEqualTo(record.key());
            var json = Json.tree(letter.value());
            assertThat(json.get("source_topic").asText()).isEqualTo("airlock.cdc.airflow.ab_user");
            assertThat(json.get("partition").asInt()).isEqualTo(2);
            assertThat(json.get("offset").asLong()).isEqualTo(42L);
            assertThat(json.get("reason").asText()).contains("not valid JSON");
            assertThat(json.get("value").asText()).isEqualTo("{not json");
        });
    }

    @Test
    void shouldKeepInvalidUtf8AsBase64() {
        byte[] value = {(byte) 0xC3, (byte) 0x28, 0};
        var letter = DeadLetter.of("t", 0, 1, "deserialize", "bad", null, value);
        assertThat(letter.value()).isNull();
        assertThat(java.util.Base64.getDecoder().decode(letter.valueBase64())).isEqualTo(value);
    }

    @Test
    void shouldNeverKeepAnAbUserPasswordInADeadLetterWithOrWithoutAConnectEnvelope() {
        String plain = "{\"op\":\"u\",\"after\":{\"username\":\"alice\",\"password\":\"pbkdf2:sha256:600000$salt$hash\","
                + "\"fail_login_count\":\"many\"}}";
        String enveloped = "{\"schema\":{},\"payload\":{\"op\":\"u\",\"before\":{\"password\":\"pbkdf2:old\"},"
                + "\"after\":{\"username\":\"alice\",\"password\":\"pbkdf2:sha256:600000$salt$hash\"}}}";
        for (String value : new String[] {plain, enveloped}) {
            var record = new ConsumerRecord<>("airlock.cdc.airflow.ab_user", 0, 1L, (byte[]) null, value.getBytes(StandardCharsets.UTF_8));
            var response = handler.handleError((ErrorHandlerContext) null, record, new MalformedRecordException("bad"));

            assertThat(new String(response.deadLetterQueueRecords().get(0).value(), StandardCharsets.UTF_8))
                    .doesNotContain("pbkdf2").contains("alice");
        }
        byte[] other = "{\"after\":{\"password\":\"not an ab_user row\"}}".getBytes(StandardCharsets.UTF_8);
        assertThat(DeadLetterHandler.withoutPasswords("airlock.cdc.airflow.log", other)).isSameAs(other);
    }
}
