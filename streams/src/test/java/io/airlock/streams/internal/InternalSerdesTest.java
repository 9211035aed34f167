package io.airlock.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.Alert;
import io.airlock.core.Json;
import io.airlock.core.MalformedRecordException;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Severity;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class InternalSerdesTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00.123456789Z");

    private static NormalizedEvent full() {
        return NormalizedEvent.builder(T0, "id-1", NormalizedEvent.DATASET_VAULT).category("api").action("read").outcome("success")
                .reason("r").userName("approle-ä").sourceIp("10.0.4.17").dagId("etl").runId("scheduled__x").taskId("extract")
                .runType("manual").state("running").vaultPath("airflow/data/connections/db").vaultOperation("read")
                .vaultMountType("kv").vaultIdentity("ent-1").vaultError("1 error occurred:\n\t* permission denied")
                .vaultAuditType("response").vaultKvPath("airflow/connections/db").relatedUsers(List.of("approle-ä", "bob"))
                .sourcePosition("vault-file:2049-13", 1_048_576L).build();
    }

    private static NormalizedEvent roundTrip(NormalizedEvent event) {
        var serde = InternalSerdes.events();
        return serde.deserializer().deserialize("t", serde.serializer().serialize("t", event));
    }

    @Test
    void shouldRoundTripEveryFieldOfTheEvent() {
        // a field added to NormalizedEvent must be added to the internal format too
        assertThat(Arrays.stream(NormalizedEvent.class.getRecordComponents()).map(c -> c.getName()))
                .as("fields the internal format writes").hasSize(24);
        assertThat(roundTrip(full())).isEqualTo(full());
    }

    @Test
    void shouldKeepAbsentFieldsAbsent() {
        NormalizedEvent minimal = NormalizedEvent.builder(T0, "id-2", NormalizedEvent.DATASET_LOG).build();
        assertThat(roundTrip(minimal)).isEqualTo(minimal);
        NormalizedEvent noUsers = NormalizedEvent.builder(T0, "id-3", NormalizedEvent.DATASET_LOG).relatedUsers(List.of()).build();
        assertThat(roundTrip(noUsers).relatedUsers()).isEmpty();
    }

    @Test
    void shouldStillReadEventsWrittenAsJson() {
        byte[] json = Json.write(full());
        assertThat(InternalSerdes.events().deserializer().deserialize("t", json)).isEqualTo(full());
    }

    @Test
    void shouldRefuseBytesInNoKnownFormat() {
        assertThatThrownBy(() -> InternalSerdes.events().deserializer().deserialize("t", new byte[] {7, 1, 2}))
                .isInstanceOf(MalformedRecordException.class);
        byte[] truncated = Arrays.copyOf(InternalSerdes.write(full()), 20);
        assertThatThrownBy(() -> InternalSerdes.events().deserializer().deserialize("t", truncated))
                .isInstanceOf(MalformedRecordException.class);
    }

    private static Alert alert() {
        List<String> evidence = java.util.stream.IntStream.range(0, Alert.MAX_EVIDENCE).mapToObj(i -> "event-" + i).toList();
        return new Alert("a1", "AL-021", "secret harvesting", Severity.HIGH, T0.plusSeconds(240), T0, T0.plusSeconds(240), 25,
                "ent-ä", "'userpass-eve' read 25 secret paths\n<b>x</b>", evidence, List.of("T1555", "T1552"),
                "docs/runbooks/AL-021-secret-harvesting.md", Alert.Status.OPEN);
    }

    private static Alert roundTrip(Alert alert) {
        var serde = InternalSerdes.alerts();
        return serde.deserializer().deserialize("t", serde.serializer().serialize("t", alert));
    }

    @Test
    void shouldRoundTripEveryFieldOfTheAlert() {
        // a field added to Alert must be added to the internal format too
        assertThat(Arrays.stream(Alert.class.getRecordComponents()).map(c -> c.getName())).as("fields the internal format writes")
                .hasSize(14);
        assertThat(roundTrip(alert())).isEqualTo(alert());
        assertThat(InternalSerdes.writeAlert(alert())).as("smaller than its JSON").hasSizeLessThan(Json.write(alert()).length);
    }

    @Test
    void shouldKeepAbsentAlertFieldsAbsent() {
        Alert minimal = new Alert("a2", "AL-001", "failed-login burst", Severity.HIGH, T0, null, null, 1, "alice", null, null, null,
                null, null);
        assertThat(roundTrip(minimal)).isEqualTo(minimal);
    }

    @Test
    void shouldReadAlertsWrittenAsJsonAndRefuseOtherBytes() {
        assertThat(InternalSerdes.alerts().deserializer().deserialize("t", Json.write(alert()))).isEqualTo(alert());
        assertThatThrownBy(() -> InternalSerdes.alerts().deserializer().deserialize("t", InternalSerdes.write(full())))
                .as("an event is not an alert").isInstanceOf(MalformedRecordException.class);
        byte[] truncated = Arrays.copyOf(InternalSerdes.writeAlert(alert()), 30);
        assertThatThrownBy(() -> InternalSerdes.alerts().deserializer().deserialize("t", truncated))
                .isInstanceOf(MalformedRecordException.class);
    }
}
