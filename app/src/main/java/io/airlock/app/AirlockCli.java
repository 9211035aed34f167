package io.airlock.app;

import io.airlock.core.config.ConfigTypes;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code airlock} command line. */
@Command(name = "airlock", mixinStandardHelpOptions = true, versionProvider = AirlockCli.Version.class,
        description = "Streaming security monitor for Apache Airflow and HashiCorp Vault.",
        footer = {"", "./airlock bench [--quick] --out FILE.json runs the benchmark suite (its own program: ./airlock bench --help)."},
        subcommands = {RunCommand.class, DemoCommand.class, BacktestCommand.class, CheckConfigCommand.class, DashboardsCommand.class, ReportCommand.class, CommandLine.HelpCommand.class})
public final class AirlockCli {

    public static void main(String[] args) {
        var logProblem = LogEnvironment.problem(System.getenv()); // before the first logger: logback reads these
        if (logProblem.isPresent()) {
            System.err.println("airlock: " + logProblem.get());
            System.exit(CommandLine.ExitCode.USAGE);
        }
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        int exitCode;
        try {
            exitCode = commandLine().execute(args);
        } catch (Throwable fatal) { // an Error (a class that fails to load, out of memory): other threads must not keep the JVM up
            System.err.println("airlock: fatal: " + fatal);
            exitCode = FATAL_EXIT_CODE;
        }
        System.exit(exitCode);
    }

    /**
     * The command line of {@link #main}: enum values (stages, formats) in any case, as the docs write them in lower case;
     * durations as {@code airlock.yml} takes them ({@code 30s}, {@code 5m}) or in ISO-8601 ({@code PT30S}).
     */
    static CommandLine commandLine() {
        return configured(new CommandLine(new AirlockCli()));
    }

    /** {@code command} with the conversions of {@link #commandLine()}: for a subcommand run on its own, as in tests. */
    static CommandLine configured(CommandLine command) {
        return command.setCaseInsensitiveEnumValuesAllowed(true)
                .registerConverter(java.time.Duration.class, text -> {
                    try {
                        return ConfigTypes.duration().parse(text);
                    } catch (IllegalArgumentException e) {
                        throw new CommandLine.TypeConversionException(e.getMessage());
                    }
                });
    }

    /** Exit code when the JVM itself failed ({@code EX_SOFTWARE} of sysexits.h). */
    static final int FATAL_EXIT_CODE = 70;

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = AirlockCli.class.getPackage().getImplementationVersion();
            return new String[] {"airlock " + (v == null ? "dev" : v)};
        }
    }
}
