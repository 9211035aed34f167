package io.airlock.streams.normalize;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The one table that gives normalized events their ECS {@code event.category}; rules that reason about categories use it too.
 *
 * <h2>Airflow audit log ({@code log.event})</h2>
 * The event name is lower-cased, an {@code api.}/{@code ui.} prefix dropped, and split into words at {@code . _ -}. The first
 * matching row wins:
 * <table>
 * <caption>Airflow {@code log.event} to {@code event.category}</caption>
 * <tr><th>category</th><th>when</th><th>examples</th></tr>
 * <tr><td>{@code authentication}</td><td>a word {@code login}, {@code logout}</td><td>{@code login}, {@code logout}</td></tr>
 * <tr><td>{@code iam}</td><td>a word {@code user(s)}, {@code role(s)}, {@code permission(s)}, {@code password}; or one of
 * Flask-AppBuilder's generic view events {@code add}, {@code edit}, {@code delete}, {@code action_muldelete},
 * {@code userinfoedit}, {@code resetmypassword}, {@code resetpasswords} on a row without {@code dag_id} (2.x user/role
 * views)</td><td>{@code post_user}, {@code delete_role}, {@code cli_users_create}, {@code edit}</td></tr>
 * <tr><td>{@code configuration}</td><td>a word {@code variable(s)}, {@code connection(s)}, {@code pool(s)},
 * {@code config}, {@code provider(s)}</td><td>{@code variable.edit}, {@code connection.create}, {@code bulk_variables},
 * {@code post_pool}, {@code cli_connections_add}</td></tr>
 * <tr><td>{@code process}</td><td>a word about DAGs, runs, tasks and their state ({@code dag}, {@code run}, {@code task},
 * {@code trigger}, {@code clear}, {@code paused}, {@code backfill}, {@code failed}, {@code success}, …), any CLI command
 * ({@code cli_*}), or {@code delete} on a row with a {@code dag_id} (2.x DAG deletion)</td><td>{@code trigger},
 * {@code patch_dag}, {@code api.post_dag_run}, {@code post_clear_task_instances}, {@code cli_task_run}</td></tr>
 * <tr><td>{@code web}</td><td>anything else (mostly 2.x UI page views)</td><td>{@code graph}, {@code log}, {@code code}</td></tr>
 * </table>
 *
 * <h2>Airflow {@code dag_run}</h2> Always {@code process}.
 *
 * <h2>Vault audit ({@code request.path})</h2>
 * <table>
 * <caption>Vault request path to {@code event.category}</caption>
 * <tr><th>category</th><th>when</th></tr>
 * <tr><td>{@code authentication}</td><td>{@code auth/<mount>/…} with a path segment {@code login}, or an OIDC/JWT
 * {@code callback}: {@code auth/userpass/login/alice}, {@code auth/approle/login}, {@code auth/oidc/oidc/callback}</td></tr>
 * <tr><td>{@code iam}</td><td>other {@code auth/…} (tokens, users, roles of auth methods), {@code identity/…},
 * {@code sys/policy…}, {@code sys/policies…}</td></tr>
 * <tr><td>{@code configuration}</td><td>other {@code sys/…} (mounts, audit devices, auth methods, seal) and the
 * {@code system} mount</td></tr>
 * <tr><td>{@code api}</td><td>everything else: secrets engines ({@code kv}, {@code database}, {@code pki}, {@code transit},
 * …) — ECS has no "secret" category, and these are API calls on a secrets store</td></tr>
 * </table>
 */
public final class EventCategories {

    public static final String AUTHENTICATION = "authentication";
    public static final String IAM = "iam";
    public static final String CONFIGURATION = "configuration";
    public static final String PROCESS = "process";
    public static final String WEB = "web";
    public static final String API = "api";
    /** Changes to Airflow's own records that Airflow never makes ({@link AuditTrailChanges}). */
    public static final String DATABASE = "database";

    /** Flask-AppBuilder's own account views, should a deployment's auth manager log them (Airflow's FAB provider does not). */
    private static final Set<String> FAB_ACCOUNT_VIEW_EVENTS = Set.of("userinfoedit", "resetmypassword", "resetpasswords");
    /**
     * Bare names of Airflow's own model views without a DAG: bulk actions of the DAG run and task instance lists
     * ({@code action_muldelete}, 2.10) and the add/edit/delete of some 2.7–2.9 model views — never accounts or roles,
     * which Airflow's FAB auth manager does not audit-log at all (AL-012 sees them in {@code ab_user}).
     */
    private static final Set<String> MODEL_VIEW_EVENTS = Set.of("add", "edit", "delete", "action_muldelete");

    /** One row of the Airflow table: the category, and when it applies. */
    private record Row(String category, Predicate<AirflowEvent> applies) {
    }

    /** An Airflow event name prepared for matching. */
    private record AirflowEvent(String name, List<String> words, boolean hasDag) {

        boolean hasWord(Set<String> candidates) {
            return words.stream().anyMatch(candidates::contains);
        }
    }

    private static final List<Row> AIRFLOW_LOG = List.of(
            new Row(AUTHENTICATION, e -> e.hasWord(Set.of("login", "logout"))),
            new Row(IAM, e -> e.hasWord(Set.of("user", "users", "role", "roles", "permission", "permissions", "password"))
                    || (!e.hasDag() && FAB_ACCOUNT_VIEW_EVENTS.contains(e.name()))),
            new Row(CONFIGURATION, e -> e.hasWord(Set.of("variable", "variables", "connection", "connections", "pool", "pools",
                    "config", "provider", "providers"))),
            new Row(PROCESS, e -> e.name().startsWith("cli_") || MODEL_VIEW_EVENTS.contains(e.name())
                    || e.hasWord(Set.of("dag", "dags", "dagrun", "dagruns", "run", "runs", "task", "tasks", "instance", "instances",
                            "trigger", "clear", "paused", "pause", "unpause", "backfill", "backfills", "failed", "success", "running",
                            "queued", "skipped", "mark", "rerun", "asset", "assets", "dataset", "datasets", "xcom", "xcoms"))));

    private EventCategories() {
    }

    /**
     * The category of an Airflow audit log event.
     *
     * @param event  {@code log.event} as Airflow wrote it; null gives {@code web}
     * @param hasDag whether the row names a DAG
     */
    public static String airflowLog(String event, boolean hasDag) {
        if (event == null) {
            return WEB;
        }
        String key = (hasDag ? "d:" : "-:") + event;
        String known = AIRFLOW_LOG_SEEN.get(key);
        if (known != null) {
            return known;
        }
        String category = categorize(event, hasDag);
        if (AIRFLOW_LOG_SEEN.size() < AIRFLOW_LOG_SEEN_MAX) {
            AIRFLOW_LOG_SEEN.put(key, category);
        }
        return category;
    }

    /**
     * Categories of the event names seen so far: Airflow writes a few dozen names millions of times, and matching a name
     * against the table splits it with a regular expression. Bounded, so odd names cannot grow it without end.
     */
    private static final java.util.Map<String, String> AIRFLOW_LOG_SEEN = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int AIRFLOW_LOG_SEEN_MAX = 4_096;

    /**
     * An Airflow audit-log event name as rules compare it: trimmed, lower-cased, without the {@code api.}/{@code ui.}
     * prefix of 2.x REST calls; null when blank.
     */
    public static String canonicalName(String event) {
        if (event == null || event.isBlank()) {
            return null;
        }
        String name = event.strip().toLowerCase(Locale.ROOT);
        if (name.startsWith("api.") || name.startsWith("ui.")) {
            name = name.substring(name.indexOf('.') + 1);
        }
        return name;
    }

    private static String categorize(String event, boolean hasDag) {
        String name = canonicalName(event);
        if (name == null) {
            return WEB;
        }
        var prepared = new AirflowEvent(name, Arrays.asList(name.split("[._\\-\\s]+")), hasDag);
        return AIRFLOW_LOG.stream().filter(row -> row.applies().test(prepared)).map(Row::category).findFirst().orElse(WEB);
    }

    /** The category of every {@code dag_run} event. */
    public static String airflowDagRun() {
        return PROCESS;
    }

    /**
     * The category of a Vault request.
     *
     * @param path      {@code request.path}, relative to the namespace; null gives {@code api}
     * @param mountType {@code request.mount_type}, may be null
     */
    public static String vault(String path, String mountType) {
        if (path == null) {
            return API;
        }
        List<String> segments = Arrays.asList(path.split("/"));
        if (path.startsWith("auth/")) {
            boolean login = segments.contains("login") || segments.get(segments.size() - 1).equals("callback");
            return login ? AUTHENTICATION : IAM;
        }
        if (path.startsWith("identity/") || path.startsWith("sys/policy") || path.startsWith("sys/policies")) {
            return IAM;
        }
        if (path.startsWith("sys/") || "system".equals(mountType)) {
            return CONFIGURATION;
        }
        return API;
    }
}
