package io.airlock.app;

import io.airlock.app.backtest.Backtest;
import io.airlock.app.config.AirlockConfig;
import io.airlock.core.config.ConfigException;
import io.airlock.core.config.ConfigSource;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code airlock backtest}: replays captured files through the production topology, offline. */
@Command(name = "backtest", mixinStandardHelpOptions = true,
        description = {"Replay Debezium change events and Vault audit lines through the detection topology, offline.",
                "Records go through in event-time order; the final alerts are written one JSON per line. Same input, same alerts and "
                        + "alert ids.",
                "Exit 0 when replayed; 1 when every input line was rejected (no event, so no alert means nothing), on a bad "
                        + "--config, when it runs out of memory or when the replay fails (a bug: it names the line and the "
                        + "exception types, never the line's content); 2 on a usage error (a missing or unreadable input, an output "
                        + "that is an input or the other output)."})
final class BacktestCommand implements Callable<Integer> {

    @Option(names = "--cdc", paramLabel = "FILE", description = "Debezium change events, one JSON per line (table from source.table).")
    Path cdc;

    @Option(names = "--vault-audit", paramLabel = "FILE", description = "Vault audit-device lines, one JSON per line.")
    Path vaultAudit;

    @Option(names = "--vault-prefix", paramLabel = "TEXT",
            description = "The audit device's prefix option, stripped from each line (default: vault.audit.prefix of --config).")
    String vaultPrefix;

    @Option(names = "--config", paramLabel = "FILE", description = "airlock.yml whose detection settings (rules, time zone, …) to use.")
    Path config;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the final alerts (JSON lines).")
    Path out;

    @Option(names = "--events-out", paramLabel = "FILE", description = "Also write the normalized events (JSON lines).")
    Path eventsOut;

    @Override
    public Integer call() throws Exception {
        AirlockConfig loaded = AirlockConfig.defaults();
        if (config != null) {
            try {
                loaded = AirlockConfig.from(ConfigSource.fromFile(config, System.getenv()).withoutSecrets());
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                System.err.println("backtest: it uses only the detection (detection.*, rules.*) and vault.audit settings, and reads "
                        + "no secret, but the rest of the file must check out too");
                return 1;
            }
        }
        String prefix = vaultPrefix != null ? vaultPrefix : loaded.vaultAudit().prefix();
        try {
            return new Backtest(System.err, System.console() != null).run(cdc, vaultAudit, prefix, out, eventsOut,
                    loaded.detection(), loaded.vaultAudit().maxLineBytes());
        } catch (OutOfMemoryError e) {
            System.err.printf("%nbacktest: out of memory (a heap of %d MiB). It keeps about 70 bytes per input line, and the "
                    + "rules' state; give it more with AIRLOCK_JAVA_OPTS=-Xmx4g, or replay a shorter period%n",
                    Runtime.getRuntime().maxMemory() / (1024 * 1024));
            return 1;
        }
    }
}
