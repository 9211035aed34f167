package io.airlock.alerting;

import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Small builders for test alerts and events. */
public final class TestAlerts {

    public static final Instant T0 = Instant.parse("2025-03-14T09:26:53Z");

    private String id = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    private String ruleId = "AL-001";
    private String ruleName = "failed-login burst";
    private Severity severity = Severity.HIGH;
    private Instant firstSeen = T0;
    private Instant lastSeen = T0.plusSeconds(60);
    private long count = 5;
    private String entity = "alice";
    private String summary = "5 failed logins for alice within 5 min";
    private List<String> evidence = new ArrayList<>(List.of("e1", "e2", "e3", "e4", "e5"));
    private List<String> techniques = List.of("T1110");
    private String runbook = "https://docs.example.com/runbooks/AL-001";
    private Alert.Status status = Alert.Status.OPEN;

    private TestAlerts() {
    }

    public static TestAlerts failedLoginBurst() {
        return new TestAlerts();
    }

    public TestAlerts id(String v) { id = v; return this; }
    public TestAlerts severity(Severity v) { severity = v; return this; }
    public TestAlerts rule(String v) { ruleId = v; return this; }
    public TestAlerts entity(String v) { entity = v; return this; }
    public TestAlerts summary(String v) { summary = v; return this; }
    public TestAlerts evidence(List<String> v) { evidence = v; return this; }
    public TestAlerts runbook(String v) { runbook = v; return this; }
    public TestAlerts status(Alert.Status v) { status = v; return this; }

    /** count and last_seen grow together, one event per minute. */
    public TestAlerts count(long v) {
        count = v;
        lastSeen = firstSeen.plus(Duration.ofMinutes(v));
        return this;
    }

    public TestAlerts firstSeen(Instant v) { firstSeen = v; return this; }
    public TestAlerts lastSeen(Instant v) { lastSeen = v; return this; }

    public Alert build() {
        return new Alert(id, ruleId, ruleName, severity, lastSeen, firstSeen, lastSeen, count, entity, summary, evidence,
                techniques, runbook, status);
    }

    /** The event of an Airflow {@code log} row: {@code user} triggered a run of {@code dagId}. */
    public static NormalizedEvent dagTriggered(String id, String user, String dagId, Instant at) {
        return NormalizedEvent.builder(at, id, NormalizedEvent.DATASET_LOG).category("configuration")
                .action("trigger_dag_run").userName(user).dagId(dagId).build();
    }

    public static NormalizedEvent failedLogin(String id, String user, Instant at) {
        return NormalizedEvent.builder(at, id, NormalizedEvent.DATASET_AB_USER)
                .category("authentication").action("login").outcome(NormalizedEvent.OUTCOME_FAILURE).userName(user)
                .sourceIp("10.0.0.7").build();
    }
}
