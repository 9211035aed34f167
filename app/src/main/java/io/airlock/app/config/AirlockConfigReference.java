package io.airlock.app.config;

import io.airlock.core.config.ConfigReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Generates {@code docs/configuration.md} from {@link AirlockConfig#DEFINITION}, so the reference cannot contradict the
 * code. Regenerate with {@code ./airlock check-config --print-reference > docs/configuration.md}, or run this class with
 * the target path as argument.
 */
public final class AirlockConfigReference {

    /** Where the generated reference lives, relative to the repository root. */
    public static final String DOCS_PATH = "docs/configuration.md";

    static final String INTRO = """
            # Configuration reference

            <!-- Generated from the setting definitions in app/src/main/java/io/airlock/app/config/ — do not edit by hand.
                 Regenerate: ./airlock check-config --print-reference > docs/configuration.md -->

            Airlock reads one YAML file, given with `--config airlock.yml`. A setting the
            file leaves out takes its default: every component on `localhost` at its standard port, no notifications
            (`airlock demo`, and `airlock run` without `--config`, run everything embedded instead). [`airlock.example.yml`](../airlock.example.yml) is a complete example for a
            production deployment.

            ```bash
            ./airlock check-config --config airlock.yml            # every bad setting at once, or the effective configuration
            ./airlock check-config --config airlock.yml --connect  # also reach the database, Kafka and OpenSearch
            ```

            **Keys.** Nest them or write them dotted; both mean the same:
            `airflow: {database: {port: 5432}}` is `airflow.database.port: 5432`. A key Airlock does not know is an
            error (with the closest known key suggested), so a typo never silently falls back to a default.
            So is a key with no value (`threshold:`, `time-zone: ~`, an empty section): remove the key to use the
            default. So is a section given a value or a list instead of its keys (`slack: https://…`, `rules: {AL-001: false}`):
            the message names the keys it takes, never the value (it may be a secret written in the wrong place).
            A problem with a key written in the file ends with its line: `airflow.database.port: must be 1..65535, was 70000 (line 3)`.
            An empty file (or one with only comments) is refused too. Without `--config`, `backtest`, `report` and `check-config` use the defaults (every component on localhost); `run` starts embedded components of its own instead ([operations](operations.md#without-a-configuration-file)).

            **Values.** Durations are a number and a unit, `500ms`, `30s`, `5m`, `24h`, `7d`, or ISO-8601 (`PT5M`), at most `3650d` (ten years);
            lists are YAML lists or one comma-separated string; time zones are IANA names (`Europe/Berlin`).
            YAML anchors (`&name`), aliases (`*name`) and merge keys (`<<`) are not supported: the file is refused, naming
            the line; write each value where it is used. So is a second YAML document (a `---` after the settings, even
            with nothing after it), since its settings would otherwise be ignored; a `---` before the only document is fine.
            Relative paths are relative to the working directory.

            **Secrets** (passwords, the Slack webhook URL, the PagerDuty routing key) are never written in the file.
            Give the name of an environment variable, `<key>-env: VARIABLE`, or of a file holding the value,
            `<key>-file: /run/secrets/name` (trailing line breaks are removed). Airlock never prints or logs a secret:
            summaries show only where it comes from (`<set from env SLACK_WEBHOOK_URL>`). Credentials written into an
            address (`user:password@` in `kafka.bootstrap-servers` or a URL) are refused, and the value is never repeated in
            the message. Wherever Airlock prints a URL (the effective configuration, log lines, messages), its query string and
            fragment are shown as `?****` and `#****`, since tokens go there (`?private_token=…`); links and requests keep them.

            **Which secrets a command reads.** Only those it uses; every other secret in the file is checked for form only
            (the `-env` key names a variable, the `-file` key a path) and its variable or file is never looked up, so the
            same production file serves every process. `airlock run` reads Kafka's (`kafka.sasl-password`) and those of the
            stages it runs: ingest `airflow.database.password`; streams nothing more; delivery `opensearch.password`,
            `slack.webhook-url`, `pagerduty.routing-key` and the receivers' of `notifications.receivers`. So `--only streams`
            needs neither the replication password nor a webhook ([deploy](deploy.md#scaling-out-detection)); an unset secret
            of a stage that runs is still an error. `backtest` reads none, `report` only `opensearch.password` and
            `report.signing-key`, `check-config` every one. Whatever a command reads, the whole file is checked: syntax,
            types, unknown keys.
            """;

    private AirlockConfigReference() {
    }

    /** The whole reference as Markdown. */
    public static String markdown() {
        return ConfigReference.markdown(AirlockConfig.DEFINITION, INTRO);
    }

    /** Writes the reference to the path given as argument (default {@value #DOCS_PATH}). */
    public static void main(String[] args) throws IOException {
        Path target = Path.of(args.length > 0 ? args[0] : DOCS_PATH);
        Files.writeString(target, markdown(), StandardCharsets.UTF_8);
        System.out.println("wrote " + target);
    }
}
