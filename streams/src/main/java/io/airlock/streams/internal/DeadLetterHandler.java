package io.airlock.streams.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.DeadLetter;
import io.airlock.core.Json;
import io.airlock.core.PasswordColumn;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes records that cannot be deserialized or processed to the dead-letter topic with their source position and the
 * reason, and lets the pipeline continue. Configured through {@link StreamsConfig#ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG}.
 * Logs identifiers only, never the payload.
 */
public class DeadLetterHandler implements DeserializationExceptionHandler, ProcessingExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);

    private String dlqTopic;

    @Override
    public void configure(Map<String, ?> configs) {
        Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        if (topic == null || topic.toString().isBlank()) {
            throw new IllegalArgumentException(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG + " must name the dead-letter topic");
        }
        this.dlqTopic = topic.toString();
    }

    @Override
    public DeserializationExceptionHandler.Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
            Exception exception) {
        var letter = DeadLetter.of(record.topic(), record.partition(), record.offset(), "deserialize", reason(exception),
                record.key(), withoutPasswords(record.topic(), record.value()));
        log(letter, exception);
        return DeserializationExceptionHandler.Response.resume(List.of(letter.toProducerRecord(dlqTopic, record.key())));
    }

    @Override
    public ProcessingExceptionHandler.Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        var letter = DeadLetter.of(context.topic(), context.partition(), context.offset(), "process:" + context.processorNodeId(),
                reason(exception), context.sourceRawKey(), withoutPasswords(context.topic(), context.sourceRawValue()));
        log(letter, exception);
        return ProcessingExceptionHandler.Response.resume(List.of(letter.toProducerRecord(dlqTopic, context.sourceRawKey())));
    }

    /**
     * An {@code ab_user} change as it came, but without any {@code password} column in its row images — also in a Kafka
     * Connect envelope with schemas ({@code payload.before}/{@code payload.after}). The embedded capture never writes the
     * column; a Kafka Connect configured without the exclusion would, and a dead letter must not keep a second copy.
     * A value that is not a JSON object stays as it is (it cannot hold a column by name).
     */
    static byte[] withoutPasswords(String topic, byte[] value) {
        if (value == null || topic == null || !topic.endsWith(".ab_user")) {
            return value;
        }
        JsonNode change;
        try {
            change = Json.tree(value);
        } catch (RuntimeException notJson) {
            return value;
        }
        return PasswordColumn.removeFrom(change) ? Json.write(change) : value;
    }

    /** The reason can quote the payload (parsers do), so the log line names only the exception type. */
    private static void log(DeadLetter letter, Exception exception) {
        LOG.warn("Dead-lettered record topic={} partition={} offset={} stage={} error={}", letter.sourceTopic(), letter.partition(),
                letter.offset(), letter.stage(), exception.getClass().getSimpleName());
    }

    /** The exception's own message, or its type when it has none; the cause chain's first message otherwise. */
    static String reason(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getClass().getSimpleName() + ": " + t.getMessage();
            }
        }
        return exception.getClass().getName();
    }
}
