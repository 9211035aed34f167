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

    @Test
    void shouldBoundEveryTextFieldSoAMegabyteLineGivesAnEventKafkaTakes() {
        String path = "kv/data/" + "p".repeat(900_000);
        String header = "h".repeat(900_000);
        NormalizedEvent read = NormalizedEvent.builder(Instant.parse("2026-03-02T10:00:00Z"), "e-2", NormalizedEvent.DATASET_VAULT)
                .vaultPath(path).vaultKvPath(path.replace("data/", "")).dagId(header).runId(header).taskId(header)
                .vaultError(header).relatedUsers(List.of(header)).build();

        assertThat(Json.write(read).length).isLessThan(64 * 1024);
        assertThat(read.vaultPath()).hasSize(BoundedText.EVENT_FIELD_CHARS).startsWith("kv/data/ppp");
        assertThat(read.vaultPath()).isNotEqualTo(read.vaultKvPath());
        assertThat(read.relatedUsers().get(0)).hasSize(BoundedText.EVENT_FIELD_CHARS);
        assertThat(Json.read(Json.write(read), NormalizedEvent.class)).isEqualTo(read);
    }

    @Test
    void shouldKeepShortTextAsItIsAndLongTextDistinct() {
        assertThat(BoundedText.of("airflow/connections/db", 30)).isEqualTo("airflow/connections/db");
        assertThat(BoundedText.of(null, 30)).isNull();
        String a = BoundedText.of("x".repeat(100) + "a", 40);
        String b = BoundedText.of("x".repeat(100) + "b", 40);
        assertThat(a).hasSize(40).startsWith("xxxx").contains("…#").isNotEqualTo(b);
        assertThat(BoundedText.of("😀".repeat(50), 40)).doesNotContain("\uFFFD").hasSizeLessThanOrEqualTo(40)
                .satisfies(t -> assertThat(Character.isHighSurrogate(t.charAt(t.indexOf('…') - 1))).isFalse());
    }
}
