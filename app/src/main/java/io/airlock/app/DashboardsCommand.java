package io.airlock.app;

import io.airlock.core.IndexNames;
import io.airlock.core.PrintableText;
import io.airlock.core.config.ConfigProblems;
import io.airlock.core.config.ConfigTypes;
import io.airlock.dashboards.DashboardsImportException;
import io.airlock.dashboards.SavedObjects;
import io.airlock.dashboards.SavedObjectsImporter;
import io.airlock.dashboards.SavedObjectsImporter.Credentials;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code airlock dashboards import}: posts Airlock's OpenSearch Dashboards saved objects (index patterns, saved searches,
 * visualizations, the SOC dashboards) to the Dashboards saved-objects import API, overwriting earlier versions. Exit 0 when
 * every object was imported, 1 with a plain-words reason otherwise. Never prints the password.
 */
@Command(name = "dashboards", mixinStandardHelpOptions = true,
        description = "OpenSearch Dashboards saved objects for SOC analysts (see docs/dashboards.md).")
public final class DashboardsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    public DashboardsCommand() {
        this(System.getenv(), System.out, System.err);
    }

    /** For tests: a given environment and output streams. */
    public DashboardsCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = Map.copyOf(env);
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        err.print(spec.commandLine().getUsageMessage());
        return 2;
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Import the Airlock index patterns, saved searches, visualizations and dashboards into OpenSearch Dashboards",
                    "(saved-objects import API, existing objects overwritten).",
                    "Exit 0 when all were imported, 1 when the import failed, 2 on a usage error (a bad option)."})
    int importObjects(
            @Option(names = "--url", defaultValue = "http://localhost:5601", paramLabel = "URL",
                    description = "OpenSearch Dashboards, with its base path if it has one (default: ${DEFAULT-VALUE}).") String url,
            @Option(names = "--tenant", paramLabel = "TENANT",
                    description = "Security plugin tenant to import into (global, private or a custom tenant); sent as the securitytenant header.")
            String tenant,
            @Option(names = "--username", paramLabel = "USER", description = "User for HTTP basic authentication.") String username,
            @Option(names = "--password-env", paramLabel = "VAR",
                    description = "Environment variable that holds the password of --username.") String passwordEnv,
            @Option(names = "--index-prefix", defaultValue = "airlock", paramLabel = "PREFIX",
                    description = "opensearch.index-prefix of the deployment: the index patterns become PREFIX-events-* and PREFIX-alerts (default: ${DEFAULT-VALUE}).")
            String indexPrefix,
            @Option(names = "--timeout", defaultValue = "PT30S", paramLabel = "DURATION",
                    description = "Connect and answer timeout: 30s, 2m or ISO-8601 (default: ${DEFAULT-VALUE}).") Duration timeout) {
        Optional<Credentials> credentials;
        SavedObjectsImporter importer;
        IndexNames indices;
        try { // every problem here is with the command line: a usage error, exit 2
            credentials = credentials(username, passwordEnv);
            indices = new IndexNames(indexPrefix);
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("--timeout must be longer than 0, was " + ConfigTypes.formatDuration(timeout));
            }
            if (ConfigTypes.hasCredentials(url)) { // before URI.create, whose messages quote the URL
                throw new IllegalArgumentException("--url must not contain credentials (user:password@); use --username and "
                        + "--password-env");
            }
            URI base;
            try {
                base = new URI(url.strip());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("--url '" + PrintableText.of(url) + "' is not a URL (" + e.getReason()
                        + " at character " + (e.getIndex() + 1) + "); give http(s)://host[:port][/base-path]");
            }
            importer = new SavedObjectsImporter(base, Optional.ofNullable(tenant), credentials, timeout);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        String target = "OpenSearch Dashboards at " + ConfigTypes.redacted(url.strip()) + (tenant == null || tenant.isBlank() ? "" : " (tenant " + tenant + ")");
        try {
            SavedObjectsImporter.Result result = importer.importObjects(SavedObjects.ndjson(indices));
            out.println("Imported " + result.successCount() + " saved objects into " + target + ":");
            out.println("  index patterns " + indices.eventsPattern() + " and " + indices.alertsIndex() + " (time field @timestamp)");
            out.println("  dashboards: " + String.join(", ", SavedObjects.dashboardTitles()));
            out.println("  saved searches: one per rule, \"AL-… evidence: …\"");
            return 0;
        } catch (DashboardsImportException e) {
            err.println("Import into " + target + " failed: " + e.getMessage());
            return 1;
        }
    }

    private Optional<Credentials> credentials(String username, String passwordEnv) {
        if (username == null && passwordEnv == null) {
            return Optional.empty();
        }
        if (username == null || username.isBlank()) {
            throw new IllegalArgumentException("--password-env needs --username.");
        }
        if (passwordEnv == null || passwordEnv.isBlank()) {
            throw new IllegalArgumentException("--username needs --password-env VAR, the environment variable that holds the password.");
        }
        // as check-config does: never repeat a value that may be the password itself, pasted in place of a variable's name
        ConfigProblems.Lookup password = ConfigProblems.lookUpVariable(passwordEnv, env);
        if (!password.found()) {
            throw new IllegalArgumentException("--password-env: " + password.problem());
        }
        return Optional.of(new Credentials(username, password.value()));
    }
}
