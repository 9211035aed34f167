package io.airlock.streams.detect;

import io.airlock.core.Severity;
import java.util.List;

/**
 * The fixed facts of a rule: id, name, default severity, MITRE ATT&CK techniques and runbook page.
 *
 * @param runbookPage file name under {@code docs/runbooks/}
 */
public record RuleDefinition(String id, String name, Severity severity, List<String> techniques, String runbookPage) {

    public static final RuleDefinition FAILED_LOGIN_BURST = new RuleDefinition("AL-001", "failed-login burst", Severity.HIGH,
            List.of("T1110", "T1110.001"), "AL-001-failed-login-burst.md");

    public String runbook(String runbookBase) {
        return runbookBase.endsWith("/") ? runbookBase + runbookPage : runbookBase + "/" + runbookPage;
    }
}
