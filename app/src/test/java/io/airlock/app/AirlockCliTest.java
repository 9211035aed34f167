package io.airlock.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AirlockCliTest {

    @Test
    void shouldTakeStagesInLowerCaseAsTheDocsWriteThem() {
        var parsed = AirlockCli.commandLine().parseArgs("run", "--config", "airlock.yml", "--only", "streams,Delivery");

        RunCommand run = (RunCommand) parsed.subcommand().commandSpec().userObject();
        assertThat(run.only).containsExactly(Stage.STREAMS, Stage.DELIVERY);
        var repeated = AirlockCli.commandLine().parseArgs("run", "--config", "airlock.yml", "--only", "ingest", "--only", "streams");
        assertThat(((RunCommand) repeated.subcommand().commandSpec().userObject()).only).containsExactly(Stage.INGEST, Stage.STREAMS);
        assertThat(AirlockCli.commandLine().setErr(new java.io.PrintWriter(new java.io.StringWriter()))
                .execute("run", "--config", "airlock.yml", "--only", "stream")).as("an unknown stage").isEqualTo(RunCommand.EXIT_USAGE);
    }

    @Test
    void shouldRefuseAnEmptyStageInOnlyAsAUsageError() {
        for (String only : List.of("ingest,", ",streams", "ingest,,delivery", ",", "")) {
            var err = new java.io.StringWriter();
            int exitCode = AirlockCli.commandLine().setErr(new java.io.PrintWriter(err, true))
                    .execute("run", "--config", "does-not-exist.yml", "--only", only);

            assertThat(exitCode).as("--only '%s'", only).isEqualTo(RunCommand.EXIT_USAGE);
            assertThat(err.toString()).as("--only '%s'", only).contains("--only").contains("empty stage");
        }
    }

    @Test
    void shouldRefuseAnEmbeddedSchemaForARunAgainstAConfiguredDatabase() throws Exception {
        var parsed = AirlockCli.commandLine().parseArgs("run", "--config", "airlock.yml", "--airflow-schema", "V3");
        RunCommand run = (RunCommand) parsed.subcommand().commandSpec().userObject();
        var err = new java.io.ByteArrayOutputStream();
        run.err = new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8);

        assertThat(run.execute(new java.util.concurrent.CountDownLatch(0))).isEqualTo(2);
        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("--airflow-schema and --detection are for a run without --config");
        assertThat(((RunCommand) AirlockCli.commandLine().parseArgs("run").subcommand().commandSpec().userObject()).config)
                .as("run without --config is no usage error: it runs embedded").isNull();
    }

    @Test
    void shouldRefuseOnlyWithoutAConfigurationAndDetectionWithOne() throws Exception {
        for (String[] args : List.of(new String[] {"run", "--only", "streams"},
                new String[] {"run", "--config", "airlock.yml", "--detection", "rules.yml"})) {
            RunCommand run = (RunCommand) AirlockCli.commandLine().parseArgs(args).subcommand().commandSpec().userObject();
            var err = new java.io.ByteArrayOutputStream();
            run.err = new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8);

            assertThat(run.execute(new java.util.concurrent.CountDownLatch(0))).as(String.join(" ", args)).isEqualTo(2);
        }
    }

    @Test
    void shouldTakeDurationsAsTheConfigurationWritesThemOrInIso8601() {
        var parsed = AirlockCli.commandLine().parseArgs("dashboards", "import", "--timeout", "5s");
        var iso = AirlockCli.commandLine().parseArgs("demo", "--timeout", "PT2M");

        java.time.Duration timeout = parsed.subcommand().subcommand().matchedOptionValue("--timeout", null);
        assertThat(timeout).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(((DemoCommand) iso.subcommand().commandSpec().userObject()).timeout).isEqualTo(java.time.Duration.ofMinutes(2));
    }

    @Test
    void shouldNameTheDemosAirflowSchemaOptionAsRunDoesAndKeepItsOldName() {
        for (String option : List.of("--airflow-schema", "--schema")) {
            var parsed = AirlockCli.commandLine().parseArgs("demo", option, "v3");
            assertThat(((DemoCommand) parsed.subcommand().commandSpec().userObject()).schema).as(option)
                    .isEqualTo(io.airlock.embedded.AirflowSchema.V3);
        }
        String help = AirlockCli.commandLine().getSubcommands().get("demo").getUsageMessage(CommandLine.Help.Ansi.OFF)
                .replaceAll("\\s+", " "); // as printed, but unwrapped
        assertThat(help).contains("[--airflow-schema=VERSION]", "(default: V2_10; --schema works too)", "--timeout=DURATION",
                "(default: PT3M)").doesNotContain("[--schema");
    }

    @Test
    void shouldRefuseALogFormatLogbackHasNoFileForInsteadOfLoggingNothing() {
        assertThat(LogEnvironment.problem(Map.of("AIRLOCK_LOG_FORMAT", "JSON")))
                .contains("AIRLOCK_LOG_FORMAT must be text or json (lower case) or unset, not 'JSON'");
        assertThat(LogEnvironment.problem(Map.of("AIRLOCK_LOG_FORMAT", ""))).as("logback takes an empty value as it is").isPresent();
        assertThat(LogEnvironment.problem(Map.of("AIRLOCK_LOG_LEVEL", "verbose\n")))
                .contains("AIRLOCK_LOG_LEVEL must be one of ALL, TRACE, DEBUG, INFO, WARN, ERROR, OFF or unset, not 'verbose?'");
        assertThat(LogEnvironment.problem(Map.of("AIRLOCK_LOG_FORMAT", "json", "AIRLOCK_LOG_LEVEL", "debug"))).isEmpty();
        assertThat(LogEnvironment.problem(Map.of())).isEmpty();
    }
}
