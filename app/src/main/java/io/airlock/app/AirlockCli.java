package io.airlock.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code airlock} command line. */
@Command(name = "airlock", mixinStandardHelpOptions = true, versionProvider = AirlockCli.Version.class,
        description = "Streaming security monitor for Apache Airflow and HashiCorp Vault.",
        subcommands = {RunCommand.class, DemoCommand.class, BacktestCommand.class, CheckConfigCommand.class, DashboardsCommand.class, ReportCommand.class, CommandLine.HelpCommand.class})
public final class AirlockCli {

    public static void main(String[] args) {
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        System.exit(new CommandLine(new AirlockCli()).execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = AirlockCli.class.getPackage().getImplementationVersion();
            return new String[] {"airlock " + (v == null ? "dev" : v)};
        }
    }
}
