package io.airlock.streams.internal;

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
        return Serdes.serdeFrom(jsonSerializer(), (topic, bytes) -> bytes == null ? null : requireObject(Json.tree(bytes)));
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
