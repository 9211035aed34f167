package io.airlock.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigDefinitionTest {

    private static final String CANARY = "s3cr3t-CANARY-7f3a";

    static final Setting<String> HOST = Setting.of("db.host", ConfigTypes.string()).defaultValue("localhost").doc("Host.");
    static final Setting<Integer> PORT = Setting.of("db.port", ConfigTypes.integer()).defaultValue(5432)
            .validate(Validators.between(1, 65535)).doc("Port.");
    static final Setting<SecretValue> PASSWORD = Setting.secret("db.password").doc("Password.");
    static final Setting<List<HostPort>> SERVERS = Setting.of("kafka.bootstrap-servers", ConfigTypes.listOf(ConfigTypes.hostPort()))
            .defaultValue(List.of(new HostPort("localhost", 9092))).doc("Brokers.");
    static final Setting<Duration> WINDOW = Setting.of("rules.AL-001.window", ConfigTypes.duration())
            .defaultValue(Duration.ofMinutes(5)).validate(Validators.positive()).doc("Window.");
    static final Setting<Integer> SPRAY = Setting.of("rules.AL-002.threshold", ConfigTypes.integer()).defaultValue(10)
            .reserved("AL-002 is not implemented yet").doc("Distinct users.");
    static final Setting<SecretValue> WEBHOOK = Setting.secret("slack.webhook-url").validate(Validators.secretIsHttpUrl())
            .whenUnset("no Slack messages").doc("Webhook.");
    static final Setting<String> NAME = Setting.of("db.name", ConfigTypes.string()).required().doc("Database.");

    static final ConfigDefinition DEFINITION = ConfigDefinition.of(
            ConfigDefinition.Group.of("Database", "The database.", HOST, PORT, PASSWORD, NAME),
            ConfigDefinition.Group.of("Kafka", "", SERVERS),
            ConfigDefinition.Group.of("Rules", "", WINDOW, SPRAY),
            ConfigDefinition.Group.of("Slack", "", WEBHOOK));

    private static ConfigValues parse(String yaml, Map<String, String> env) {
        return DEFINITION.parse(ConfigSource.fromYaml(yaml, "airlock.yml", env));
    }

    private static ConfigValues parse(String yaml) {
        return parse(yaml, Map.of());
    }

    @Test
    void shouldReadNestedAndDottedKeysAndApplyDefaults() {
        ConfigValues values = parse("""
                db:
                  port: 6543
                  name: airflow
                kafka.bootstrap-servers: [k1:9092, k2:9092]
                rules:
                  AL-001:
                    window: 10m
                """);
        assertThat(values.problems().all()).isEmpty();
        assertThat(values.get(HOST)).isEqualTo("localhost");
        assertThat(values.isGiven(HOST)).isFalse();
        assertThat(values.get(PORT)).isEqualTo(6543);
        assertThat(values.isGiven(PORT)).isTrue();
        assertThat(values.get(SERVERS)).extracting(HostPort::toString).containsExactly("k1:9092", "k2:9092");
        assertThat(values.get(WINDOW)).isEqualTo(Duration.ofMinutes(10));
        assertThat(values.find(PASSWORD)).isEmpty();
    }

    @Test
    void shouldReportAnUnknownKeyWithTheClosestKnownKey() {
        ConfigValues values = parse("db.name: x\nkafka:\n  bootstrap-server: k1:9092\nhost: db\nfrobnicate: 1\n");
        assertThat(values.problems().all()).containsExactly(
                "unknown key 'kafka.bootstrap-server' (did you mean 'kafka.bootstrap-servers'?) (line 3)",
                "unknown key 'host' (did you mean 'db.host'?) (line 4)",
                "unknown key 'frobnicate' (line 5)");
    }

    @Test
    void shouldNameTheKeysOfTheSameBlockRatherThanASimilarKeyOfAnotherBlock() {
        ConfigValues values = parse("db.name: x\nrules:\n  AL-002:\n    window: 5m\n    treshold: 3\n");
        assertThat(values.problems().all()).containsExactly(
                "unknown key 'rules.AL-002.window' ('rules.AL-002' takes threshold) (line 4)",
                "unknown key 'rules.AL-002.treshold' (did you mean 'rules.AL-002.threshold'?) (line 5)");
    }

    @Test
    void shouldReportEveryProblemAtOnce() {
        ConfigValues values = parse("""
                db:
                  port: 70000
                  password: hunter2
                kafka.bootstrap-servers: [k1:9092, nonsense]
                rules.AL-001.window: 0
                slack.webhook-urll-env: X
                """);
        assertThat(values.problems().all()).containsExactly(
                "db.password: a secret is never written in the file; name an environment variable with "
                        + "'db.password-env: VARIABLE' or a file with 'db.password-file: /path' (the value given is not shown) (line 3)",
                "unknown key 'slack.webhook-urll-env' (did you mean 'slack.webhook-url-env'?) (line 6)",
                "db.port: must be 1..65535, was 70000 (line 2)",
                "db.name: is required",
                "kafka.bootstrap-servers: item 2 must be host:port, was 'nonsense' (line 4)",
                "rules.AL-001.window: must be longer than 0, was 0 (line 5)");
        assertThatThrownBy(() -> values.problems().throwIfAny("airlock.yml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("airlock.yml: 6 problems")
                .hasMessageContaining("1. db.password: a secret is never written")
                .hasMessageContaining("6. rules.AL-001.window: must be longer than 0, was 0");
        assertThatThrownBy(() -> values.get(PORT)).isInstanceOf(ConfigValues.Unavailable.class);
    }

    @Test
    void shouldNeverShowAnInlineSecret() {
        ConfigValues values = parse("db.name: x\ndb.password: " + CANARY + "\n");
        assertThat(values.problems().all()).hasSize(1);
        assertThat(values.problems().all().get(0)).doesNotContain(CANARY);
        assertThat(values.summary()).doesNotContain(CANARY);
    }

    @Test
    void shouldRefuseAValueOrAListWhereASectionIsExpectedAtAnyDepthWithoutShowingIt() {
        ConfigValues values = parse("""
                slack: https://hooks.slack.com/services/T1/B1/%s
                db: [localhost, 5432]
                rules:
                  AL-001: false
                kafka: 5
                """.formatted(CANARY));
        assertThat(values.problems().all()).containsExactly(
                "slack: must be a section (webhook-url-env: …), was a text value (line 1)",
                "db: must be a section (host: …, port: …, …), was a list (line 2)",
                "rules.AL-001: must be a section (window: …), was a boolean (line 4)",
                "kafka: must be a section (bootstrap-servers: …), was a number (line 5)",
                "db.name: is required");
        assertThat(String.join("\n", values.problems().all())).doesNotContain(CANARY, "B1", "localhost");
        assertThat(values.summary()).doesNotContain(CANARY);
    }

    @Test
    void shouldEndEachProblemOfAKeyWrittenInTheFileWithItsLine() {
        ConfigValues values = parse("""
                # a comment
                db:
                  host: db

                  port: 0
                  password-env: unset_variable
                rules.AL-001.window: -1m
                kafka.bootstrap-servers:
                  - k1:9092
                  - nonsense
                """);
        assertThat(values.problems().all()).containsExactly(
                "db.port: must be 1..65535, was 0 (line 5)",
                "db.password-env: the environment variable it names is not set (the name is not shown: not written in upper case, "
                        + "it may be the secret itself) (line 6)",
                "db.name: is required",
                "kafka.bootstrap-servers: item 2 must be host:port, was 'nonsense' (line 8)",
                "rules.AL-001.window: must be a duration like 500ms, 30s, 5m, 24h, 7d or PT5M, was '-1m' (line 7)");
        // not read from a file: no lines
        assertThat(DEFINITION.parse(ConfigSource.fromMap(Map.of("db", Map.of("port", 0, "name", "x")), "test", Map.of()))
                .problems().all()).containsExactly("db.port: must be 1..65535, was 0");
    }

    @Test
    void shouldReadSecretsFromTheEnvironmentAndShowOnlyWhereTheyCameFrom() {
        ConfigValues values = parse("db.name: x\ndb.password-env: DB_PASSWORD\nslack.webhook-url-env: SLACK\n",
                Map.of("DB_PASSWORD", CANARY, "SLACK", "https://hooks.slack.com/services/T0/B0/" + CANARY));
        assertThat(values.problems().all()).isEmpty();
        assertThat(values.get(PASSWORD).reveal()).isEqualTo(CANARY);
        assertThat(values.get(PASSWORD)).hasToString("<set from env DB_PASSWORD>");
        assertThat(values.display(WEBHOOK)).isEqualTo("<set from env SLACK>");
        assertThat(values.summary()).doesNotContain(CANARY).contains("<set from env DB_PASSWORD>");
        assertThat(values.secrets()).hasSize(2);
    }

    @Test
    void shouldLeaveOutTheLineBreakAVariableFilledFromAFileEndsWith() {
        ConfigValues values = parse("db.name: x\ndb.password-env: DB_PASSWORD\n", Map.of("DB_PASSWORD", CANARY + " \r\n"));
        assertThat(values.get(PASSWORD).reveal()).isEqualTo(CANARY + " ");

        ConfigValues onlyALineBreak = parse("db.name: x\ndb.password-env: DB_PASSWORD\n", Map.of("DB_PASSWORD", "\n"));
        assertThat(onlyALineBreak.problems().all()).containsExactly("db.password-env: environment variable DB_PASSWORD is set but empty (line 2)");
        assertThat(parse("db.name: x\ndb.password-env: DB_PASSWORD\n", Map.of("DB_PASSWORD", "")).problems().all())
                .containsExactly("db.password-env: environment variable DB_PASSWORD is set but empty (line 2)");
    }

    @Test
    void shouldReportAMissingEnvironmentVariableByName() {
        ConfigValues values = parse("db.name: x\nslack.webhook-url-env: SLACK_WEBHOOK_URL\n", Map.of("OTHER", "x"));
        assertThat(values.problems().all()).containsExactly("slack.webhook-url-env: environment variable SLACK_WEBHOOK_URL is not set (line 2)");
    }

    @Test
    void shouldNotEchoASecretPastedWhereTheVariableNameBelongs() {
        ConfigValues values = parse("db.name: x\nslack.webhook-url-env: https://hooks.slack.com/services/" + CANARY + "\n");
        assertThat(values.problems().all()).singleElement().asString()
                .startsWith("slack.webhook-url-env: must be the name of an environment variable").doesNotContain(CANARY);
    }

    @Test
    void shouldValidateASecretWithoutShowingIt() {
        ConfigValues values = parse("db.name: x\nslack.webhook-url-env: SLACK\n", Map.of("SLACK", CANARY));
        assertThat(values.problems().all())
                .containsExactly("slack.webhook-url: the value from env SLACK is not an http(s) URL (the value is not shown) (line 2)");
    }

    @Test
    void shouldSayWhatIsWrongWithAWebhookUrlTheHttpClientWouldRefuseWithoutShowingIt() {
        ConfigValues port = parse("db.name: x\nslack.webhook-url-env: SLACK\n",
                Map.of("SLACK", "http://127.0.0.1:99999/services/" + CANARY));
        assertThat(port.problems().all()).containsExactly("slack.webhook-url: the value from env SLACK has port 99999, "
                + "outside 1–65535 (the value is not shown) (line 2)");
        ConfigValues blank = parse("db.name: x\nslack.webhook-url-env: SLACK\n",
                Map.of("SLACK", "https://hooks.slack.com/services/ " + CANARY));
        assertThat(blank.problems().all()).singleElement().asString()
                .startsWith("slack.webhook-url: the value from env SLACK contains blanks").doesNotContain(CANARY);
        assertThat(parse("db.name: x\nslack.webhook-url-env: SLACK\n",
                Map.of("SLACK", "https://hooks.slack.com:443/services/" + CANARY)).problems().all()).isEmpty();
    }

    @Test
    void shouldReadSecretsFromFilesWithoutTheTrailingNewline(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("db-password"), CANARY + "\n");
        ConfigValues values = parse("db.name: x\ndb.password-file: " + file + "\n");
        assertThat(values.problems().all()).isEmpty();
        assertThat(values.get(PASSWORD).reveal()).isEqualTo(CANARY);
        assertThat(values.display(PASSWORD)).isEqualTo("<set from file " + file + ">");

        ConfigValues missing = parse("db.name: x\ndb.password-file: " + dir.resolve("nope") + "\n");
        assertThat(missing.problems().all()).containsExactly("db.password-file: " + ConfigProblems.SECRET_FILE_MISSING + " (line 2)");
        ConfigValues secretWhereItsFileBelongs = parse("db.name: x\ndb.password-file: " + CANARY + "\n");
        assertThat(String.join("\n", secretWhereItsFileBelongs.problems().all())).doesNotContain(CANARY).contains("does not exist");
        ConfigValues both = parse("db.name: x\ndb.password-file: " + file + "\ndb.password-env: X\n", Map.of("X", "y"));
        assertThat(both.problems().all()).containsExactly("db.password: give either db.password-env or db.password-file, not both (line 3)");
    }

    @Test
    void shouldReportInvalidYamlWithoutQuotingTheFile() {
        ConfigValues values = parse("db:\n  name: x\n  password: " + CANARY + "\n   port: [\n");
        assertThat(values.problems().all()).singleElement().asString()
                .startsWith("airlock.yml is not valid YAML (line ").doesNotContain(CANARY);
    }

    @Test
    void shouldReportAKeyGivenTwice() {
        assertThat(parse("db.name: x\ndb:\n  port: 1\n  port: 2\n").problems().all()).singleElement().asString()
                .contains("Duplicate field 'port'");
        assertThat(parse("db.name: x\ndb.port: 1\ndb:\n  port: 2\n").problems().all())
                .containsExactly("db.port: given twice (once nested, once as a dotted key); keep one");
    }

    @Test
    void shouldRefuseAnEmptyFileRatherThanRunWithTheDefaults() {
        for (String empty : List.of("", "# nothing\n", "---\n", "{}\n")) {
            ConfigSource source = ConfigSource.fromYaml(empty, "f", Map.of());
            assertThat(DEFINITION.parse(source).problems().all()).as("'%s'", empty).singleElement().asString()
                    .startsWith("the file is empty (or holds only comments)");
            assertThat(source.isReadable()).isFalse();
        }
        assertThat(parse("- a\n- b\n").problems().all()).first().asString()
                .isEqualTo("airlock.yml must be a mapping of settings (key: value lines), was a list");
    }

    @Test
    void shouldSayADirectoryIsADirectory(@TempDir Path dir) {
        assertThat(DEFINITION.parse(ConfigSource.fromFile(dir, Map.of())).problems().all())
                .containsExactly("the configuration file " + dir + " is a directory: give the file (airlock.yml)");
        assertThat(parse("db.name: x\ndb.password-file: " + dir + "\n").problems().all())
                .containsExactly("db.password-file: file " + dir + " is a directory: name the file holding the secret (line 2)");
    }

    @Test
    void shouldRefuseAnchorsAliasesAndMergeKeysInsteadOfMisreadingThem() {
        assertThat(parse("defaults: &d {window: 10m}\nrules: {AL-001: *d}\n").problems().all()).singleElement().asString()
                .isEqualTo("airlock.yml uses an anchor (&name) at line 1: YAML anchors, aliases and merge keys are not supported; "
                        + "write each value where it is used");
        assertThat(parse("db.name: x\nrules:\n  AL-001:\n    window: *w\n").problems().all()).singleElement().asString()
                .startsWith("airlock.yml uses an alias (*name) at line 4:");
        assertThat(parse("db.name: x\nrules:\n  AL-001:\n    <<: {window: 10m}\n").problems().all()).singleElement().asString()
                .startsWith("airlock.yml uses a merge key (<<) at line 4:");
        assertThat(parse("db: {name: \"<<\"}\n\"<<\": 1\n").problems().all()).as("quoted, it is text")
                .containsExactly("unknown key '<<' (line 2)");
    }

    @Test
    void shouldRefuseASecondDocumentRatherThanIgnoreItsSettings() {
        assertThat(parse("db:\n  name: x\n---\nrules:\n  AL-001:\n    window: banana\n").problems().all()).singleElement()
                .asString().isEqualTo("airlock.yml holds a second YAML document at line 3: Airlock reads one document, so "
                        + "its settings would be ignored; put every setting in one document");
        assertThat(parse("db.name: x\n---\n").problems().all()).as("an empty document after ---").singleElement().asString()
                .startsWith("airlock.yml holds a second YAML document at line 2:");
        assertThat(parse("---\ndb.name: x\n---\n# nothing\n").problems().all()).singleElement().asString()
                .startsWith("airlock.yml holds a second YAML document at line 3:");
        // it starts at its directive, a line before its ---: the message named that line as the ---'s
        assertThat(parse("db.name: x\n...\n%YAML 1.1\n---\nrules: {}\n").problems().all()).as("after ..., a directive")
                .singleElement().asString().startsWith("airlock.yml holds a second YAML document at line 3:");
        assertThat(parse("---\ndb.name: x\n").problems().all()).as("--- before the only document").isEmpty();
        assertThat(parse("db.name: x\n...\n").problems().all()).as("... ends the only document").isEmpty();
    }

    @Test
    void shouldRefuseABillionLaughsFileWithoutExpandingIt() {
        StringBuilder yaml = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            String prev = "*" + (char) (c - 1);
            yaml.append(c).append(": &").append(c).append(" [").append(String.join(",", java.util.Collections.nCopies(9, prev)))
                    .append("]\n");
        }
        assertThat(parse(yaml.toString()).problems().all()).singleElement().asString().contains("anchors, aliases and merge keys");
    }

    @Test
    void shouldRefuseAKeyWithNoValueRatherThanFallBackToTheDefault() {
        ConfigValues values = parse("""
                db: {name: x, port: , host: ~}
                slack: {webhook-url-env: }
                rules: {AL-001: }
                kafka:
                """);
        assertThat(values.problems().all()).containsExactly(
                "db.port: has no value; remove the key to use the default (5432) (line 1)",
                "db.host: has no value; remove the key to use the default (localhost) (line 1)",
                "slack.webhook-url-env: has no value; remove the key to leave slack.webhook-url not set: no Slack messages, "
                        + "or name an environment variable (line 2)",
                "rules.AL-001: has no value; remove the key to use the defaults of its settings, or give them under it (line 3)",
                "kafka: has no value; remove the key to use the defaults of its settings, or give them under it (line 4)");
        assertThat(parse("db.name: x\nunknown: \n").problems().all()).containsExactly("unknown key 'unknown' (line 2)");
    }

    @Test
    void shouldNoteReservedSettingsThatAreGiven() {
        ConfigValues values = parse("db.name: x\nrules.AL-002.threshold: 12\n");
        assertThat(values.problems().all()).isEmpty();
        assertThat(values.get(SPRAY)).isEqualTo(12);
        assertThat(values.notes()).containsExactly(
                "rules.AL-002.threshold: accepted, but it has no effect yet (AL-002 is not implemented yet)");
    }

    @Test
    void shouldReportAMissingFile(@TempDir Path dir) {
        ConfigValues values = DEFINITION.parse(ConfigSource.fromFile(dir.resolve("airlock.yml"), Map.of()));
        assertThat(values.problems().all()).first().asString()
                .isEqualTo("the configuration file " + dir.resolve("airlock.yml") + " does not exist");
    }

    @Test
    void shouldRefuseAnInvalidDefaultWhenTheDefinitionIsBuilt() {
        Setting<Integer> bad = Setting.of("x.port", ConfigTypes.integer()).defaultValue(0).validate(Validators.between(1, 2));
        assertThatThrownBy(() -> ConfigDefinition.of(ConfigDefinition.Group.of("X", "", bad)))
                .hasMessage("the default of x.port is invalid: must be 1..2, was 0");
    }

    @Test
    void shouldRenderTheReferenceFromTheDefinition() {
        String md = ConfigReference.markdown(DEFINITION, "# Reference");
        assertThat(md).startsWith("# Reference\n\n## Database\n\nThe database.\n\n| Key | Type | Default | Description |\n")
                .contains("| `db.port` | integer, 1..65535 | `5432` | Port. |")
                .contains("| `db.name` | string | **required** | Database. |")
                .contains("| `db.password-env`<br>`db.password-file` | secret | *not set* | Password. Secret:")
                .contains("| `slack.webhook-url-env`<br>`slack.webhook-url-file` | secret, http(s) URL | *not set: no Slack messages* |")
                .contains("| `rules.AL-002.threshold` | integer | `10` | **Reserved:** AL-002 is not implemented yet. Distinct users. |")
                .contains("| `kafka.bootstrap-servers` | list of host:port | `localhost:9092` | Brokers. |");
    }
}
