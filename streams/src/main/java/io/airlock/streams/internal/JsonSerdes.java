package io.airlock.streams.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Alert;
import io.airlock.core.Json;
import io.airlock.core.MalformedRecordException;
import io.airlock.core.NormalizedEvent;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serdes for Airlock's JSON records. Deserializers throw {@link MalformedRecordException} on bad input, which the
 * configured {@link DeadLetterHandler} routes to the dead-letter topic.
 */
public final class JsonSerdes {

    private JsonSerdes() {
    }

    public static Serde<JsonNode> tree() {
        return Serdes.serdeFrom(jsonSerializer(), (topic, bytes) -> bytes == null ? null : requireObject(parse(bytes)));
    }

    /**
     * {@link Json#tree(byte[])}, failing with a reason that names where the JSON broke but quotes nothing of it. Jackson's
     * message quotes the input (an unrecognized token, up to 256 characters of it), and Kafka Streams logs a deserialization
     * exception with its message and causes at WARN before it resumes: a record on a CDC topic is audit data, and its text
     * must not reach the log at any log level. The dead letter keeps the whole value.
     */
    static JsonNode parse(byte[] bytes) {
        try {
            return Json.tree(bytes);
        } catch (MalformedRecordException e) {
            if (e.getCause() instanceof JsonProcessingException parse) {
                JsonLocation at = parse.getLocation();
                throw new MalformedRecordException("not valid JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column "
                        + at.getColumnNr()) + " (" + parse.getClass().getSimpleName() + ")");
            }
            throw new MalformedRecordException("not valid JSON (" + (e.getCause() == null ? "unreadable" : e.getCause().getClass()
                    .getSimpleName()) + ")");
        }
    }

    public static Serde<NormalizedEvent> events() {
        return of(NormalizedEvent.class);
    }

    public static Serde<Alert> alerts() {
        return of(Alert.class);
    }

    /** A serde for any Jackson-mappable type (records of state stores included). */
    public static <T> Serde<T> of(Class<T> type) {
        Serializer<T> serializer = jsonSerializer();
        Deserializer<T> deserializer = (topic, bytes) -> bytes == null ? null : Json.read(bytes, type);
        return Serdes.serdeFrom(serializer, deserializer);
    }

    private static <T> Serializer<T> jsonSerializer() {
        return (topic, value) -> value == null ? null : Json.write(value);
    }

    private static JsonNode requireObject(JsonNode node) {
        if (!node.isObject()) {
            throw new MalformedRecordException("expected a JSON object, got " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return node;
    }
}
