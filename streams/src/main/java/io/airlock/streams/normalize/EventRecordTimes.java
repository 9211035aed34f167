package io.airlock.streams.normalize;

import io.airlock.core.LogThrottle;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.RecordTimes;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka timestamp of a normalized event's record: the event's time, capped at the wall clock plus
 * {@link RecordTimes#MAX_AHEAD} ({@link RecordTimes} says why). The event keeps its own {@code @timestamp}.
 *
 * <p>One per normalizer: it logs, at most once a minute, how many events it capped and the latest one's id — identifiers
 * only.
 */
final class EventRecordTimes {

    private static final Logger LOG = LoggerFactory.getLogger(EventRecordTimes.class);

    private final LogThrottle capped = new LogThrottle(Duration.ofMinutes(1));

    /** The record timestamp for {@code event}, processed at {@code wallClockMs}. */
    long of(NormalizedEvent event, long wallClockMs) {
        // an event's time is never before the epoch (the normalizers dead-letter such a one: RecordTimes.outOfRange)
        Instant recordTime = RecordTimes.capped(event.timestamp(), wallClockMs);
        if (recordTime != event.timestamp()) {
            long cappedSinceWarning = capped.count(TimeUnit.MILLISECONDS.toNanos(wallClockMs));
            if (cappedSinceWarning > 0) {
                LOG.warn("{} event(s) of {} stamped more than {} s ahead of this host's clock, the latest {} by {}: check the "
                                + "source's clock. Their Kafka timestamps are capped; their @timestamp is kept",
                        cappedSinceWarning, event.dataset(), RecordTimes.MAX_AHEAD.toSeconds(), event.id(),
                        Duration.ofMillis(event.timestamp().toEpochMilli() - wallClockMs));
            }
        }
        return recordTime.toEpochMilli();
    }
}
