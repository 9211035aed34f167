package io.airlock.app;

import io.airlock.app.config.AirlockConfig;
import io.airlock.app.config.AirlockConfigReference;
import io.airlock.app.config.ConnectivityCheck;
import io.airlock.app.config.VaultAuditFields;
import io.airlock.core.config.ConfigException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code airlock check-config}: reads {@code airlock.yml} and prints every problem in plain words (exit 1), or the effective
 * configuration with secrets shown only as where they come from (exit 0). {@code --connect} also reaches the Airflow
 * database, Kafka and OpenSearch. Never prints a secret, never a stack trace.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = {"Check an Airlock configuration file and print every bad setting in it at once (checks between settings follow once each is valid).",
                "Exit 1 on a problem; exit 0 with the effective configuration, secrets shown only as where they come from."})
public final class CheckConfigCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE",
            description = "The configuration file (airlock.yml). Without it, the defaults are shown: every component on localhost "
                    + "at its standard port, no notifications.")
    Path config;

    @Option(names = "--connect", description = "Also reach the Airflow database (and check what capture needs), Kafka and OpenSearch.")
    boolean connect;

    @Option(names = "--print-reference", description = "Print the reference of every setting (docs/configuration.md), generated from the code.")
    boolean printReference;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    public CheckConfigCommand() {
        this(System.getenv(), System.out, System.err);
    }

    /** For tests: a given environment and output streams. */
    public CheckConfigCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = Map.copyOf(env);
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        if (printReference) {
            out.print(AirlockConfigReference.markdown());
            out.flush();
            return 0;
        }
        AirlockConfig cfg;
        try {
            cfg = AirlockConfig.load(config, env);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            err.println("See docs/configuration.md for every setting.");
            return 1;
        }
        var vaultFile = VaultAuditFields.fileProblem(cfg.values());
        if (vaultFile.isPresent()) {
            err.println(new ConfigException(cfg.origin(), List.of(vaultFile.get())).getMessage());
            return 1;
        }
        out.println(cfg.origin() + ": OK");
        for (String note : cfg.notes()) {
            out.println("note: " + note);
        }
        VaultAuditFields.fileNote(cfg.values()).ifPresent(note -> out.println("note: " + note));
        out.println();
        out.println("Effective configuration (secrets show only where they come from):");
        out.print(cfg.summary()); // secrets appear in it only as where they come from
        if (!connect) {
            return 0;
        }
        out.println();
        out.println("Connections:");
        List<ConnectivityCheck.Outcome> outcomes = new ConnectivityCheck(cfg).run();
        for (ConnectivityCheck.Outcome o : outcomes) {
            out.println("  " + (o.ok() ? "ok      " : "FAILED  ") + o.line());
        }
        boolean ok = outcomes.stream().allMatch(ConnectivityCheck.Outcome::ok);
        if (!ok) {
            err.println("Some components cannot be reached or are not ready; see the FAILED lines above.");
        }
        return ok ? 0 : 1;
    }
}
