package io.airlock.streams.normalize;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * What the {@code dag_run} normalizer remembers of one run between updates, because updates carry no {@code before} image
 * with the default replica identity.
 *
 * @param state    the last seen {@code dag_run.state} (may be null)
 * @param seenAtMs commit time (epoch ms) of the last change seen, used to prune finished runs
 * @param dagId    the run's DAG, to name a deleted run (whose delete carries only the primary key); null in state written
 *                 before it was kept
 * @param runId    the run's id, as {@code dagId}
 */
public record DagRunState(String state, long seenAtMs, String dagId, String runId) {

    @JsonIgnore
    public boolean finished() {
        return DagRunNormalizer.SUCCESS.equals(state) || DagRunNormalizer.FAILED.equals(state);
    }
}
