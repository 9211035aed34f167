package io.airlock.streams.normalize;

import io.airlock.core.NormalizedEvent;
import io.airlock.core.RecordTimes;
import java.time.Duration;
import java.time.Instant;
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

    private static final Duration WARN_EVERY = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(EventRecordTimes.class);

    private long cappedSinceWarning;
    private long warnedAtMs = Long.MIN_VALUE;

    /** The record timestamp for {@code event}, processed at {@code wallClockMs}. */
    long of(NormalizedEvent event, long wallClockMs) {
        // an event's time is never before the epoch (the normalizers dead-letter such a one: RecordTimes.outOfRange)
        Instant capped = RecordTimes.capped(event.timestamp(), wallClockMs);
        if (capped != event.timestamp()) {
            cappedSinceWarning++;
            if (warnedAtMs == Long.MIN_VALUE || wallClockMs - warnedAtMs >= WARN_EVERY.toMillis()) {
                LOG.warn("{} event(s) of {} stamped more than {} s ahead of this host's clock, the latest {} by {}: check the "
                                + "source's clock. Their Kafka timestamps are capped; their @timestamp is kept",
                        cappedSinceWarning, event.dataset(), RecordTimes.MAX_AHEAD.toSeconds(), event.id(),
                        Duration.ofMillis(event.timestamp().toEpochMilli() - wallClockMs));
                warnedAtMs = wallClockMs;
                cappedSinceWarning = 0;
            }
        }
        return capped.toEpochMilli();
    }
}
