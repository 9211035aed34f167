package io.airlock.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.alerting.MaintenanceWindow;
import io.airlock.alerting.RoutingConfig;
import io.airlock.alerting.Secret;
import io.airlock.alerting.Silence;
import io.airlock.core.Severity;
import io.airlock.core.config.ConfigException;
import io.airlock.core.config.ConfigSource;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** notifications.* and retention.* of airlock.yml, mapped onto the alerting module's RoutingConfig. */
class RoutingConfigTest {

    private static final String SOC = "https://hooks.slack.com/services/T1/B1/SOCSECRET";
    private static final String VAULT = "https://hooks.slack.com/services/T1/B2/VAULTSECRET";
    private static final Map<String, String> ENV = Map.of("SLACK_WEBHOOK_URL", SOC, "SLACK_VAULT", VAULT,
            "PD_ONCALL", "oncall-key-123", "PAGERDUTY_ROUTING_KEY", "default-pd-key");

    private static AirlockConfig yaml(String yaml) {
        return AirlockConfig.from(ConfigSource.fromYaml(yaml, "airlock.yml", ENV));
    }

    @Test
    void shouldKeepTheSimpleKeysAsTheDefaultRoute() {
        RoutingConfig routing = yaml("""
                slack: {webhook-url-env: SLACK_WEBHOOK_URL}
                pagerduty: {routing-key-env: PAGERDUTY_ROUTING_KEY}
                """).routing();

        assertThat(routing.receivers()).extracting(RoutingConfig.Receiver::name).containsExactly("slack", "pagerduty");
        assertThat(routing.receivers().get(0).secret()).isEqualTo(Secret.of(SOC));
        assertThat(routing.receivers().get(1).eventsUrl()).isEqualTo(URI.create("https://events.pagerduty.com/v2/enqueue"));
        assertThat(routing.routes()).containsExactly(new RoutingConfig.RouteSpec(Severity.LOW, Set.of(), List.of("slack")),
                new RoutingConfig.RouteSpec(Severity.HIGH, Set.of(), List.of("pagerduty")));
        assertThat(routing.repeatInterval()).isEqualTo(Duration.ofMinutes(60));
        assertThat(routing.slackInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(AirlockConfig.defaults().routing().routes()).isEmpty();
    }

    @Test
    void shouldReadReceiversRoutesSilencesAndMaintenanceWindows() {
        AirlockConfig config = yaml("""
                slack: {webhook-url-env: SLACK_WEBHOOK_URL}
                notifications:
                  receivers:
                    - {name: vault-team, type: slack, webhook-url-env: SLACK_VAULT}
                    - {name: oncall, type: pagerduty, routing-key-env: PD_ONCALL, events-url: "https://pd-proxy.internal/v2/enqueue"}
                  routes:
                    - {receivers: [slack]}
                    - {min-severity: high, receivers: [oncall, slack]}
                    - {rules: [AL-020, AL-021], receivers: [vault-team]}
                  repeat-interval: 15m
                  max-age: 0
                  silences:
                    - {rule: AL-024, entity: svc-backup, until: 2026-12-31T00:00:00Z, reason: "known job"}
                    - {entity: svc-ci, until: 2026-07-01}
                  maintenance-windows:
                    - {from: "2026-01-10T23:00:00+01:00", to: 2026-01-11T02:00:00Z, rules: [AL-010], reason: upgrade}
                delivery: {slack-interval: 2s}
                """);
        RoutingConfig routing = config.routing();

        assertThat(routing.maxAge()).as("0: every alert notifies, however old").isZero();
        assertThat(AirlockConfig.defaults().routing().maxAge()).isEqualTo(Duration.ofHours(24));
        assertThat(routing.receivers()).extracting(RoutingConfig.Receiver::name).containsExactly("slack", "vault-team", "oncall");
        assertThat(routing.receivers().get(1).secret()).isEqualTo(Secret.of(VAULT));
        assertThat(routing.receivers().get(2).type()).isEqualTo(RoutingConfig.Type.PAGERDUTY);
        assertThat(routing.receivers().get(2).eventsUrl()).isEqualTo(URI.create("https://pd-proxy.internal/v2/enqueue"));
        assertThat(routing.routes()).containsExactly(
                new RoutingConfig.RouteSpec(Severity.LOW, Set.of(), List.of("slack")),
                new RoutingConfig.RouteSpec(Severity.HIGH, Set.of(), List.of("oncall", "slack")),
                new RoutingConfig.RouteSpec(Severity.LOW, Set.of("AL-020", "AL-021"), List.of("vault-team")));
        assertThat(routing.repeatInterval()).isEqualTo(Duration.ofMinutes(15));
        assertThat(routing.silences()).containsExactly(
                new Silence("AL-024", "svc-backup", Instant.parse("2026-12-31T00:00:00Z"), "known job"),
                new Silence(null, "svc-ci", Instant.parse("2026-07-01T00:00:00Z"), null));
        assertThat(routing.maintenanceWindows()).containsExactly(new MaintenanceWindow(Instant.parse("2026-01-10T22:00:00Z"),
                Instant.parse("2026-01-11T02:00:00Z"), Set.of("AL-010"), Set.of(), "upgrade"));
        assertThat(routing.slackInterval()).isEqualTo(Duration.ofSeconds(2));
    }

    private static String problems(String yaml) {
        try {
            yaml(yaml);
        } catch (ConfigException e) {
            return e.getMessage();
        }
        throw new AssertionError("no problem reported");
    }

    @Test
    void shouldReportEveryRoutingProblemAtOnceWithoutShowingSecrets() {
        assertThat(problems("""
                notifications:
                  receivers:
                    - {name: inline, type: slack, webhook-url: "https://hooks.slack.com/services/T1/B3/INLINESECRET"}
                  routes:
                    - {min-severity: hihg, receivers: [soc]}
                  silences:
                    - {rule: AL-024, reason: "no end"}
                  maintenance-windows:
                    - {from: 2026-01-11T02:00:00Z, to: 2026-01-10T22:00:00Z}
                """))
                .contains("4 problems")
                .contains("notifications.receivers: unknown key 'webhook-url' in a receiver; a secret is never written")
                .contains("notifications.routes: min-severity must be one of low, medium, high, critical, was 'hihg'")
                .contains("notifications.silences: until is required")
                .contains("notifications.maintenance-windows: a maintenance window must end after it starts")
                .doesNotContain("INLINESECRET");
        assertThat(problems("notifications: {receivers: [{name: pd, type: pagerdooty, routing-key-env: PD_ONCALL}]}"))
                .contains("type must be slack or pagerduty, was 'pagerdooty'");
        assertThat(problems("notifications: {silences: [{until: 2026-12-31T00:00:00Z}]}"))
                .contains("a silence needs a rule, an entity or both");
        assertThat(problems("notifications: {silences: [{rule: AL-001, until: 2026-12-31, entitiy: bob}]}"))
                .contains("unknown key 'entitiy' in a silence; known: rule, entity, until, reason");
        assertThat(problems("notifications: {receivers: [{name: x, type: slack, webhook-url-env: \"https://hooks.slack.com/x\"}]}"))
                .contains("must be the name of an environment variable").doesNotContain("hooks.slack.com");
        assertThat(problems("notifications: {receivers: [{name: x, type: slack, webhook-url-file: \"https://hooks.slack.com/T9/B9/FILESECRET\"}]}"))
                .contains("the file it names does not exist").doesNotContain("FILESECRET");
    }

    @Test
    void shouldRefuseAReceiversWebhookUrlWithAPortOutOfRangeNamingTheReceiverNotTheUrl() {
        Map<String, String> env = Map.of("SLACK_BADPORT", "http://127.0.0.1:99999/services/T1/B1/PORTSECRET");
        assertThatThrownBy(() -> AirlockConfig.from(ConfigSource.fromYaml("""
                notifications:
                  receivers:
                    - {name: soc, type: slack, webhook-url-env: SLACK_BADPORT}
                  routes:
                    - {receivers: [soc]}
                """, "airlock.yml", env)))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(e.getMessage())
                        .contains("receiver 'soc': the webhook URL from env SLACK_BADPORT has port 99999, outside 1–65535")
                        .doesNotContain("PORTSECRET").doesNotContain("127.0.0.1"));
    }

    @Test
    void shouldNoteAPagerDutyRoutingKeyThatIsNot32CharactersWithoutShowingIt() {
        Map<String, String> env = Map.of("PD_SHORT", "SHORTKEY", "PD_BLANK", "abcdefghij abcdefghij abcdefghij",
                "PD_GOOD", "0123456789abcdef0123456789abcdef");
        AirlockConfig config = AirlockConfig.from(ConfigSource.fromYaml("""
                notifications:
                  receivers:
                    - {name: short, type: pagerduty, routing-key-env: PD_SHORT}
                    - {name: blank, type: pagerduty, routing-key-env: PD_BLANK}
                    - {name: good, type: pagerduty, routing-key-env: PD_GOOD}
                  routes:
                    - {receivers: [short, blank, good]}
                """, "airlock.yml", env));

        List<String> notes = config.notes().stream().filter(n -> n.startsWith("receiver ")).toList();
        assertThat(notes).hasSize(2).noneMatch(n -> n.contains("SHORTKEY") || n.contains("abcdefghij"));
        assertThat(notes).anySatisfy(n -> assertThat(n).startsWith("receiver 'short': the PagerDuty routing key is 8 "
                + "characters long, PagerDuty's Events API v2 integration keys are 32"));
        assertThat(notes).anySatisfy(n -> assertThat(n).startsWith("receiver 'blank': the PagerDuty routing key "
                + "contains blanks"));
    }

    @Test
    void shouldReportUndefinedUnusedAndUnresolvableReceivers() {
        assertThatThrownBy(() -> yaml("""
                notifications:
                  receivers:
                    - {name: soc, type: slack, webhook-url-env: SLACK_SOC_UNSET}
                    - {name: unused, type: slack, webhook-url-env: SLACK_VAULT}
                  routes:
                    - {receivers: [soc]}
                    - {receivers: [socc]}
                """))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(e.getMessage())
                        .contains("receiver 'soc': environment variable SLACK_SOC_UNSET is not set")
                        .contains("route 2 names receiver 'socc', which is not defined")
                        .contains("receiver 'unused' is named by no route")
                        .doesNotContain("VAULTSECRET"));
    }

    @Test
    void shouldRefuseUnknownRuleIdsInRoutesSilencesAndWindowsAndTakeThemInAnyCase() {
        assertThat(problems("""
                slack: {webhook-url-env: SLACK_WEBHOOK_URL}
                notifications:
                  routes:
                    - {rules: [AL-99, al-001], receivers: [slack]}
                  silences:
                    - {rule: AL-24, until: 2026-12-31T00:00:00Z}
                  maintenance-windows:
                    - {from: 2026-01-10T22:00:00Z, to: 2026-01-11T02:00:00Z, rules: [AL-10]}
                """))
                .contains("3 problems").contains("there is no rule AL-99 (rules: AL-001, AL-002").contains("there is no rule AL-24")
                .contains("there is no rule AL-10 ");
        AirlockConfig config = yaml("""
                slack: {webhook-url-env: SLACK_WEBHOOK_URL}
                notifications:
                  routes: [{rules: [al-001], receivers: [slack]}]
                  silences: [{rule: " al-024", until: 2026-12-31T00:00:00Z}]
                """);
        assertThat(config.routing().routes().get(0).rules()).containsExactly("AL-001");
        assertThat(config.routing().silences().get(0).rule()).isEqualTo("AL-024");
    }

    @Test
    void shouldNameEveryProblemOfOneRouteAtOnce() {
        assertThat(problems("""
                slack: {webhook-url-env: SLACK_WEBHOOK_URL}
                notifications:
                  routes:
                    - {min-severity: urgent, rules: [al-001, AL-99], receivers: []}
                """))
                .contains("min-severity").contains("urgent").contains("there is no rule AL-99")
                .contains("receivers must name at least one receiver");
    }

    @Test
    void shouldRefuseAWebhookOrRoutingKeyNoRouteNames() {
        assertThat(problems("""
                slack: {webhook-url-env: SLACK_WEBHOOK_URL}
                pagerduty: {routing-key-env: PD_ONCALL}
                notifications:
                  routes: [{receivers: [pagerduty]}]
                """))
                .contains("receiver 'slack' (slack.* of the simple settings) is named by no route").doesNotContain("'pagerduty' (");
    }

    @Test
    void shouldNotPrintAVariableNameThatMayBeTheSecretItself() {
        assertThat(problems("pagerduty: {routing-key-env: e93facc04764012d7bfb002500d5d1a6}"))
                .contains("the environment variable it names is not set").doesNotContain("e93facc0");
        assertThat(problems("notifications: {receivers: [{name: pd, type: pagerduty, routing-key-env: e93facc04764012d7bfb002500d5d1a6}], "
                + "routes: [{receivers: [pd]}]}"))
                .contains("receiver 'pd': the environment variable it names is not set").doesNotContain("e93facc0");
        assertThat(problems("pagerduty: {routing-key-env: PD_UNSET}")).contains("environment variable PD_UNSET is not set");
    }

    @Test
    void shouldRefuseAReceiverNameTakenByTheSimpleSettings() {
        assertThatThrownBy(() -> yaml("""
                slack: {webhook-url-env: SLACK_WEBHOOK_URL}
                notifications:
                  receivers: [{name: slack, type: slack, webhook-url-env: SLACK_VAULT}]
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("receiver 'slack' is defined twice (the name is taken by slack.* of the simple settings)");
    }

    @Test
    void shouldReadAReceiverSecretFromAFileAndNeverShowIt(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("pd-key"), "file-key-456\n");
        AirlockConfig config = yaml("""
                notifications:
                  receivers:
                    - {name: oncall, type: pagerduty, routing-key-file: %s}
                    - {name: vault-team, type: slack, webhook-url-env: SLACK_VAULT}
                  routes: [{min-severity: high, receivers: [oncall, vault-team]}]
                """.formatted(key));

        assertThat(config.routing().receivers().get(0).secret()).isEqualTo(Secret.of("file-key-456"));
        String shown = config.summary() + config.routing() + config;
        assertThat(shown).doesNotContain("file-key-456", "VAULTSECRET").contains("routing-key-file: " + key, "webhook-url-env: SLACK_VAULT");
        assertThat(config.redact("posting to " + VAULT + " with file-key-456 failed")).doesNotContain("VAULTSECRET", "file-key-456");
    }

    @Test
    void shouldKeepEventIndicesForeverUnlessARetentionIsGiven() {
        assertThat(AirlockConfig.defaults().eventsRetentionDays()).isEqualTo(OptionalInt.empty());
        assertThat(AirlockConfig.defaults().retentionCheckInterval()).isEqualTo(Duration.ofHours(1));
        AirlockConfig config = yaml("retention: {events-days: 30, check-interval: 10m}");
        assertThat(config.eventsRetentionDays()).hasValue(30);
        assertThat(config.retentionCheckInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThatThrownBy(() -> yaml("retention: {events-days: 0}")).hasMessageContaining("retention.events-days: must be at least 1");
    }

    @Test
    void shouldLoadTheExampleWithEveryOptionalRoutingLineUncommented(@TempDir Path dir) throws Exception {
        List<String> lines = Files.readAllLines(AirlockConfigTest.EXAMPLE).stream()
                .map(line -> line.matches("  # (receivers|silences|maintenance-windows):.*") || line.matches("  #   - \\{.*")
                        || line.matches("    # - \\{.*") ? line.replaceFirst("# ", "") : line)
                .toList();
        Path file = Files.write(dir.resolve("airlock.yml"), lines);
        Map<String, String> env = new HashMap<>(AirlockConfigTest.EXAMPLE_ENV);
        env.put("SLACK_VAULT_WEBHOOK_URL", VAULT);
        env.put("PAGERDUTY_PLATFORM_KEY", "platform-key");

        AirlockConfig config = AirlockConfig.load(file, env);

        assertThat(config.routing().receivers()).extracting(RoutingConfig.Receiver::name)
                .containsExactly("slack", "pagerduty", "vault-team", "platform-oncall");
        assertThat(config.routing().routes()).hasSize(4);
        assertThat(config.routing().silences()).hasSize(1);
        assertThat(config.routing().maintenanceWindows()).hasSize(1);
        assertThat(AirlockConfig.load(AirlockConfigTest.EXAMPLE, AirlockConfigTest.EXAMPLE_ENV).eventsRetentionDays()).hasValue(90);
    }

    @Test
    void shouldSayAReceiversSecretFileIsADirectoryAndItsVariableIsEmpty(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String message = problems("""
                notifications:
                  receivers:
                    - {name: a, type: pagerduty, routing-key-file: %s}
                    - {name: b, type: pagerduty, routing-key-env: PD_EMPTY}
                  routes:
                    - {receivers: [a, b]}
                """.formatted(dir));
        assertThat(message).contains("receiver 'a': file " + dir + " is a directory");
        String empty = problemsWith(Map.of("PD_EMPTY", ""), """
                notifications:
                  receivers: [{name: b, type: pagerduty, routing-key-env: PD_EMPTY}]
                  routes: [{receivers: [b]}]
                """);
        assertThat(empty).contains("receiver 'b': environment variable PD_EMPTY is set but empty");
    }

    private static String problemsWith(Map<String, String> env, String yaml) {
        try {
            AirlockConfig.from(ConfigSource.fromYaml(yaml, "airlock.yml", env));
        } catch (ConfigException e) {
            return e.getMessage();
        }
        throw new AssertionError("no problem reported");
    }
}
