package io.airlock.app.metrics;

import java.util.List;

/** What keeps the process from being ready; empty when it is ready. Reasons are plain words, never data or secrets. */
@FunctionalInterface
public interface ReadinessCheck {

    List<String> problems();
}
