package io.airlock.streams.detect;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * The small per-entity record of a {@link DistinctValueBursts}: the newest hit time seen (what expiry is measured from) and the
 * open burst, whose {@link BurstTracker.OpenBurst#values() values} hold only the first {@link DistinctValueBursts#SAMPLE}
 * values (its {@code count} is exact; every counted value is a store entry of its own).
 *
 * @param latest the newest hit time seen for the entity, null before the first hit
 * @param open   the burst an alert is open for, or null
 */
public record SprayState(@JsonProperty("latest") Instant latest, @JsonProperty("open") BurstTracker.OpenBurst open) {

    static final SprayState EMPTY = new SprayState(null, null);
}
