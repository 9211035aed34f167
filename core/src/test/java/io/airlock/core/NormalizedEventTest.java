package io.airlock.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class NormalizedEventTest {

    @Test
    void shouldWriteOnlyTheFieldsOfTheEventContract() {
        NormalizedEvent failedLogin = NormalizedEvent.builder(Instant.parse("2026-03-02T10:00:00Z"), "e-1", NormalizedEvent.DATASET_AB_USER)
                .category("authentication").outcome(NormalizedEvent.OUTCOME_FAILURE).userName("mallory").build();

        Iterator<String> names = Json.tree(Json.write(failedLogin)).fieldNames();
        List<String> fields = new java.util.ArrayList<>();
        names.forEachRemaining(fields::add);

        assertThat(failedLogin.isFailedLogin()).isTrue();
        assertThat(fields).containsExactly("@timestamp", "event.id", "event.dataset", "event.category", "event.outcome", "user.name");
    }
}
