package io.airlock.streams.detect;

import static io.airlock.core.Severity.CRITICAL;
import static io.airlock.core.Severity.HIGH;
import static io.airlock.core.Severity.LOW;
import static io.airlock.core.Severity.MEDIUM;

import io.airlock.core.PrintableText;
import io.airlock.core.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The fixed facts of a rule (DESIGN.md, "Detection rules", and AL-013, which Airlock adds): id, name, default severity, MITRE ATT&CK techniques, runbook
 * page and default settings. The catalogue is the single place these are written down.
 *
 * @param runbookPage file name under {@code docs/runbooks/}
 */
public record RuleDefinition(String id, String name, Severity severity, List<String> techniques, String runbookPage,
        RuleSettings defaults) {

    public static final RuleDefinition FAILED_LOGIN_BURST = new RuleDefinition("AL-001", "failed-login burst", HIGH,
            List.of("T1110", "T1110.001"), "AL-001-failed-login-burst.md", RuleSettings.of(5, Duration.ofMinutes(5)));
    public static final RuleDefinition PASSWORD_SPRAY = new RuleDefinition("AL-002", "password spray", HIGH,
            List.of("T1110", "T1110.003"), "AL-002-password-spray.md", RuleSettings.of(10, Duration.ofMinutes(10)));
    public static final RuleDefinition LOGIN_AFTER_BURST = new RuleDefinition("AL-003", "login after burst", CRITICAL,
            List.of("T1078", "T1110"), "AL-003-login-after-burst.md", RuleSettings.of(1, Duration.ofMinutes(30)));
    public static final RuleDefinition OFF_HOURS_CHANGE = new RuleDefinition("AL-010", "off-hours change", MEDIUM,
            List.of("T1078", "T1565"), "AL-010-off-hours-change.md", RuleSettings.of(1, Duration.ofHours(24)));
    public static final RuleDefinition OFF_HOURS_MANUAL_RUN = new RuleDefinition("AL-011", "off-hours manual run", MEDIUM,
            List.of("T1053", "T1078"), "AL-011-off-hours-manual-run.md", RuleSettings.of(1, Duration.ofHours(1)));
    public static final RuleDefinition ACCOUNT_CHANGE = new RuleDefinition("AL-012", "account or privilege change", MEDIUM,
            List.of("T1098", "T1136"), "AL-012-account-or-privilege-change.md", RuleSettings.of(1, Duration.ofHours(1)));
    public static final RuleDefinition AUDIT_TRAIL_TAMPERING = new RuleDefinition("AL-013", "audit-trail tampering", HIGH,
            List.of("T1070", "T1565.001"), "AL-013-audit-trail-tampering.md", RuleSettings.of(1, Duration.ofHours(1)));
    public static final RuleDefinition FIRST_SEEN_SECRET_PATH = new RuleDefinition("AL-020", "first-seen secret path", LOW,
            List.of("T1555", "T1552"), "AL-020-first-seen-secret-path.md", RuleSettings.of(1, Duration.ofDays(7)));
    public static final RuleDefinition SECRET_HARVESTING = new RuleDefinition("AL-021", "secret harvesting", HIGH,
            List.of("T1555", "T1552"), "AL-021-secret-harvesting.md", RuleSettings.of(20, Duration.ofMinutes(5)));
    public static final RuleDefinition SECRET_READ_OUTSIDE_RUNS = new RuleDefinition("AL-022", "secret read outside DAG runs", HIGH,
            List.of("T1552", "T1078.004"), "AL-022-secret-read-outside-dag-runs.md", RuleSettings.of(1, Duration.ofMinutes(2)));
    public static final RuleDefinition DENIED_ACCESS_BURST = new RuleDefinition("AL-023", "denied-access burst", MEDIUM,
            List.of("T1555", "T1083"), "AL-023-denied-access-burst.md", RuleSettings.of(5, Duration.ofMinutes(5)));
    public static final RuleDefinition HUMAN_PIPELINE_SECRET_READ = new RuleDefinition("AL-024", "human read of pipeline secrets",
            MEDIUM, List.of("T1552", "T1555"), "AL-024-human-read-of-pipeline-secrets.md", RuleSettings.of(1, Duration.ofHours(1)));

    /** Every rule, in id order. */
    public static final List<RuleDefinition> CATALOGUE = List.of(FAILED_LOGIN_BURST, PASSWORD_SPRAY, LOGIN_AFTER_BURST,
            OFF_HOURS_CHANGE, OFF_HOURS_MANUAL_RUN, ACCOUNT_CHANGE, AUDIT_TRAIL_TAMPERING, FIRST_SEEN_SECRET_PATH, SECRET_HARVESTING,
            SECRET_READ_OUTSIDE_RUNS, DENIED_ACCESS_BURST, HUMAN_PIPELINE_SECRET_READ);

    public static Optional<RuleDefinition> byId(String id) {
        return CATALOGUE.stream().filter(r -> r.id().equals(id)).findFirst();
    }

    /**
     * A rule id as a user wrote it ({@code al-001 }), as the catalogue has it ({@code AL-001}).
     *
     * @throws IllegalArgumentException naming the id (control characters shown as {@code ?}) and the ids there are,
     *     when there is no such rule: a typo must not make a route, silence or report quietly match nothing
     */
    public static String knownId(String given) {
        String id = given == null ? "" : given.strip().toUpperCase(Locale.ROOT);
        if (byId(id).isEmpty()) {
            throw new IllegalArgumentException("there is no rule " + PrintableText.of(id) + " (rules: "
                    + CATALOGUE.stream().map(RuleDefinition::id).collect(Collectors.joining(", ")) + ")");
        }
        return id;
    }

    public String runbook(String runbookBase) {
        return runbookBase.endsWith("/") ? runbookBase + runbookPage : runbookBase + "/" + runbookPage;
    }

    /** The name of a state store or processor of this rule: {@code al-001-<what>}. */
    public String resourceName(String what) {
        return id.toLowerCase(java.util.Locale.ROOT) + "-" + what;
    }
}
