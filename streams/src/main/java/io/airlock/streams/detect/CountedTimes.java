package io.airlock.streams.detect;

import io.airlock.core.NormalizedEvent;
import io.airlock.core.RecordTimes;
import java.time.Instant;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The time the rules count an event at: its {@code @timestamp}, or its Kafka record timestamp when that is earlier.
 *
 * <p>A source stamps events by its own clock, and a clock that runs ahead — a Vault node a year or twenty minutes ahead, a
 * line written to the unauthenticated audit socket, an Airflow row with a forged time — would otherwise move a rule's
 * notion of "now" (the newest time it has seen for an identity, a user, the one global entity, its learning start) ahead of
 * every true event after it: those would then count as late and be dropped, or each alert on its own, until the wall clock
 * reached the forged time. The normalizers cap an event's record timestamp at the wall clock plus {@link RecordTimes#MAX_AHEAD},
 * so counted at the earlier of the two, such an event is at most that far ahead of its arrival; a replay or catch-up of old
 * data is not capped (its record timestamps are its events' times) and decides as before.
 *
 * <p>Applied once, where the rules take events in ({@code events}, and the normalizers' output for AL-022), so that every
 * rule, its repartitions and its alerts ({@code first_seen}, {@code last_seen}) see the counted time. {@code events} itself
 * keeps the source's {@code @timestamp}. Costs one comparison per event; a copy of the event only for one stamped ahead.
 */
public final class CountedTimes implements FixedKeyProcessor<String, NormalizedEvent, NormalizedEvent> {

    private FixedKeyProcessorContext<String, NormalizedEvent> context;

    /** {@code events} as the rules count them, through the processor {@code name}. */
    public static KStream<String, NormalizedEvent> of(KStream<String, NormalizedEvent> events, String name) {
        return events.processValues(CountedTimes::new, Named.as(name));
    }

    @Override
    public void init(FixedKeyProcessorContext<String, NormalizedEvent> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, NormalizedEvent> record) {
        NormalizedEvent event = record.value();
        Instant counted = event == null ? null : RecordTimes.atMost(event.timestamp(), record.timestamp());
        if (counted != null && counted != event.timestamp()) {
            context.forward(record.withValue(event.withTimestamp(counted)));
        } else {
            context.forward(record);
        }
    }
}
