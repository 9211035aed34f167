package io.airlock.core;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The value written to {@code airlock.dlq} by every stage: the bad record, where it came from and why it was rejected.
 * A value that is not valid UTF-8 is kept as base64 so nothing is lost or mangled. Sources that are not Kafka topics (a Vault
 * audit file, a socket) name themselves in {@code source_topic} and give their own position as {@code offset}.
 */
public record DeadLetter(
        @JsonProperty("source_topic") String sourceTopic,
        @JsonProperty("partition") int partition,
        @JsonProperty("offset") long offset,
        @JsonProperty("stage") String stage,
        @JsonProperty("reason") String reason,
        @JsonProperty("key") String key,
        @JsonProperty("value") String value,
        @JsonProperty("value_base64") String valueBase64) {

    public static DeadLetter of(String topic, int partition, long offset, String stage, String reason, byte[] key, byte[] value) {
        String text = utf8OrNull(value);
        return new DeadLetter(topic, partition, offset, stage, reason, key == null ? null : lossyUtf8(key), text,
                text == null && value != null ? Base64.getEncoder().encodeToString(value) : null);
    }

    /**
     * A dead letter holding only the head of a large value: {@code buf[off..off+len)} of a value {@code fullLength} bytes
     * long, cut to at most {@code maxBytes} between UTF-8 characters; the reason then says how much was kept.
     */
    public static DeadLetter ofHead(String topic, int partition, long offset, String stage, String reason, byte[] key, byte[] buf,
            int off, int len, long fullLength, int maxBytes) {
        int keep = len <= maxBytes ? len : utf8Boundary(buf, off, maxBytes);
        String fullReason = keep < fullLength ? reason + "; value truncated to the first " + keep + " of " + fullLength + " bytes"
                : reason;
        return of(topic, partition, offset, stage, fullReason, key, Arrays.copyOfRange(buf, off, off + keep));
    }

    /** Cuts {@code keep} back so that {@code buf[off..off+keep)} does not end inside a UTF-8 sequence. */
    static int utf8Boundary(byte[] buf, int off, int keep) {
        int k = keep;
        for (int back = 0; back < 3 && k > 0 && (buf[off + k] & 0xC0) == 0x80; back++) {
            k--;
        }
        return (buf[off + k] & 0xC0) == 0x80 ? keep : k;
    }

    public ProducerRecord<byte[], byte[]> toProducerRecord(String dlqTopic, byte[] sourceKey) {
        return new ProducerRecord<>(dlqTopic, null, sourceKey, Json.write(this));
    }

    private static String utf8OrNull(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String lossyUtf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
