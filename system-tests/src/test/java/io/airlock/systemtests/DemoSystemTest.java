package io.airlock.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.embedded.AirlockProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, {@code airlock demo}, as a new user runs it: every simulated attack detected, indexed and
 * notified, exit 0; with {@code --report DIR} the signed compliance report of the run, which {@code report verify} accepts.
 */
class DemoSystemTest {

    /** DemoCommand.EXPECTED_RULES: every rule but AL-020, which needs its learning period. */
    private static final List<String> RULES = List.of("AL-001", "AL-002", "AL-003", "AL-010", "AL-011", "AL-012", "AL-013",
            "AL-021", "AL-022", "AL-023", "AL-024");

    @Test
    void shouldDetectIndexAndNotifyEverySimulatedAttackAndWriteAVerifiableReport(@TempDir Path dir) {
        Path report = dir.resolve("report");
        try (AirlockProcess demo = AirlockProcess.withoutConfig().command("demo").args("--report", report.toString())
                .jvmOptions("-Xmx1g").logFile(dir.resolve("demo.log")).start()) {
            int exit = demo.awaitExit(Duration.ofMinutes(6));
            String output = demo.output();
            assertThat(exit).as("demo exit code; output:%n%s", output).isZero();
            assertThat(output).contains("done: every simulated attack detected, indexed and notified");
            for (String rule : RULES) {
                assertThat(output).as("the summary lists an alert of " + rule).containsPattern("(?m)^    " + rule + " ");
            }
            assertThat(output).containsPattern("Slack receiver  [1-9]\\d* message\\(s\\)   PagerDuty receiver [1-9]\\d* event\\(s\\)");
        }
        Path publicKey = dir.resolve("report.public-key.pem");
        assertThat(publicKey).exists();
        try (AirlockProcess verify = AirlockProcess.withoutConfig().command("report")
                .args("verify", report.toString(), "--public-key", publicKey.toString()).logFile(dir.resolve("verify.log")).start()) {
            assertThat(verify.awaitExit(Duration.ofMinutes(1))).as("report verify; output:%n%s", verify.output()).isZero();
        }
    }
}
