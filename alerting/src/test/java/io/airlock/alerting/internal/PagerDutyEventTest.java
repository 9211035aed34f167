package io.airlock.alerting.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.alerting.AlertLinks;
import io.airlock.alerting.TestAlerts;
import io.airlock.core.Alert;
import io.airlock.core.Severity;
import org.junit.jupiter.api.Test;

class PagerDutyEventTest {

    @Test
    void shouldTriggerWithTheAlertIdAsDedupKey() {
        Alert alert = TestAlerts.failedLoginBurst().count(6).build();

        JsonNode event = PagerDutyEvent.of(alert, "R0UTINGKEY", AlertLinks.none());

        assertThat(event.path("routing_key").asText()).isEqualTo("R0UTINGKEY");
        assertThat(event.path("event_action").asText()).isEqualTo("trigger");
        assertThat(event.path("dedup_key").asText()).isEqualTo(alert.id());
        JsonNode payload = event.path("payload");
        assertThat(payload.path("source").asText()).isEqualTo("airlock");
        assertThat(payload.path("severity").asText()).isEqualTo("error");
        assertThat(payload.path("timestamp").asText()).isEqualTo(alert.timestamp().toString());
        assertThat(payload.path("class").asText()).isEqualTo("AL-001");
        assertThat(payload.path("component").asText()).isEqualTo("alice");
        assertThat(payload.path("group").asText()).isEqualTo("failed-login burst");
        JsonNode details = payload.path("custom_details");
        assertThat(details.path("entity").asText()).isEqualTo("alice");
        assertThat(details.path("count").asLong()).isEqualTo(6);
        assertThat(details.path("first_seen").asText()).isEqualTo("2025-03-14T09:26:53Z");
        assertThat(details.path("last_seen").asText()).isEqualTo("2025-03-14T09:32:53Z");
        assertThat(details.path("evidence")).hasSize(5);
        assertThat(details.path("threat_technique_ids").get(0).asText()).isEqualTo("T1110");
        assertThat(event.path("links").get(0).path("href").asText()).isEqualTo("https://docs.example.com/runbooks/AL-001");
    }

    @Test
    void shouldMapSeverities() {
        assertThat(PagerDutyEvent.severity(Severity.CRITICAL)).isEqualTo("critical");
        assertThat(PagerDutyEvent.severity(Severity.HIGH)).isEqualTo("error");
        assertThat(PagerDutyEvent.severity(Severity.MEDIUM)).isEqualTo("warning");
        assertThat(PagerDutyEvent.severity(Severity.LOW)).isEqualTo("info");
    }

    @Test
    void shouldKeepTheSummaryWithin1024Characters() {
        JsonNode event = PagerDutyEvent.of(TestAlerts.failedLoginBurst().summary("s".repeat(10_000)).build(), "k",
                AlertLinks.none());

        String summary = event.path("payload").path("summary").asText();
        assertThat(summary).hasSizeLessThanOrEqualTo(1024).startsWith("[HIGH] AL-001 failed-login burst · alice: ").endsWith("…");
    }

    /** A Vault display name of 4 000 characters, quoted again by the summary as AL-024 does. */
    static Alert longEntityAlert() {
        String name = "userpass-" + "x".repeat(3_991);
        return TestAlerts.failedLoginBurst().rule("AL-024").severity(Severity.HIGH).entity(name)
                .summary(name + ", not Airflow's service identity, read 1 Airflow pipeline secret (connections), off hours: "
                        + "secret/data/airflow/connections/prod_db from 10.20.30.40").build();
    }

    @Test
    void shouldKeepThePathAndAddressInTheTitleWhenTheEntityIsThousandsOfCharacters() {
        Alert alert = longEntityAlert();

        JsonNode payload = PagerDutyEvent.of(alert, "k", AlertLinks.none()).path("payload");

        String title = payload.path("summary").asText();
        assertThat(title).hasSizeLessThanOrEqualTo(1024).startsWith("[HIGH] AL-024 failed-login burst · userpass-xxx")
                .endsWith("secret/data/airflow/connections/prod_db from 10.20.30.40").contains("…");
        assertThat(title.length()).isLessThan(400);
        JsonNode details = payload.path("custom_details");
        assertThat(details.path("summary").asText()).endsWith("secret/data/airflow/connections/prod_db from 10.20.30.40");
        assertThat(details.path("entity").asText()).as("the full name stays in the details").isEqualTo(alert.entity());
    }

    @Test
    void shouldResolveWhenTheAlertIsResolved() {
        Alert alert = TestAlerts.failedLoginBurst().status(Alert.Status.RESOLVED).build();

        JsonNode event = PagerDutyEvent.of(alert, "k", AlertLinks.none());

        assertThat(event.path("event_action").asText()).isEqualTo("resolve");
        assertThat(event.path("dedup_key").asText()).isEqualTo(alert.id());
    }
}
