package io.airlock.streams.detect;

import io.airlock.core.NormalizedEvent;
import io.airlock.streams.normalize.AuditLogNormalizer;
import io.airlock.streams.normalize.EventCategories;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which Airflow audit-log {@code event} names change state (AL-010, and AL-012 for the {@code iam} ones), for Airflow 2.10
 * and 3.x. Names are compared lower-cased, after an {@code api.} or {@code ui.} prefix (2.x REST calls) is stripped.
 *
 * <p>A pattern is a name, or a glob where {@code *} stands for any text ({@code post_*}, {@code *.edit},
 * {@code cli_variables_*}). Names in {@link #READ_ONLY} never match a <em>glob</em>: they are reads or dry runs that happen
 * to share a mutating prefix ({@code cli_variables_list}, {@code patch_task_instance_dry_run}). A name listed
 * <em>exactly</em> in the configured patterns always matches, so an operator can add any of them back on purpose.
 *
 * <p>Where the names come from (see docs/runbooks/AL-010-off-hours-change.md for the list and the reasons):
 * <ul>
 * <li>2.10 UI views: the view function name ({@code trigger}, {@code clear}, {@code paused}, …) or an explicit
 *     {@code variable.*}/{@code connection.*} event; Flask-AppBuilder model views log {@code add}, {@code edit},
 *     {@code delete} and {@code action_*}.</li>
 * <li>2.10 REST API ({@code api_connexion}): {@code <resource>.<create|edit|delete>} from
 *     {@code action_event_from_permission}, prefixed {@code api.} (or {@code ui.} when the UI itself calls it):
 *     {@code api.dag.edit}, {@code api.dag_run.create}, {@code api.variable.delete}.</li>
 * <li>3.x FastAPI routes: the endpoint function name ({@code patch_dag}, {@code trigger_dag_run}, {@code bulk_variables},
 *     {@code create_backfill}); the 3.0 Clear dialogs' previews share the clear's name.</li>
 * <li>CLI (both): {@code cli_<function>} of the command's Python function ({@code cli_dag_trigger},
 *     {@code cli_variables_set}, {@code cli_task_run}). The name is the wrapped function's, not the command's:
 *     {@code airflow users add-role} logs {@code cli_users_manage_role}, {@code airflow users reset-password}
 *     {@code cli_user_reset_password}.</li>
 * </ul>
 * Whatever the name, a row of a preview or dry run ({@code clear} before it is confirmed, a REST clear with
 * {@code dry_run}) is no change: the normalizer marks it ({@link AuditLogNormalizer#REASON_DRY_RUN}) and the rules skip it.
 *
 * <p>Deliberately <b>not</b> in the defaults: the bare 2.x names {@code success}, {@code failed} and {@code running}. Airflow 2.x
 * workers write exactly these names into {@code log} on every task state change, owned by the task's {@code owner}
 * (usually {@code airflow}); the UI's "mark success/failed" views use the same names, and the normalized event cannot tell
 * them apart. Listing them would raise an alert for every night-time task.
 */
public final class AirflowChangeEvents {

    /** The default list, documented in docs/runbooks/AL-010-off-hours-change.md. */
    public static final Set<String> DEFAULTS = Set.of(
            // Airflow 2.x UI views (function names) and their explicit events
            "trigger", "paused", "delete", "clear", "dagrun_clear", "dagrun_failed", "dagrun_success", "dagrun_queued",
            "*varimport", // variable.varimport, variables.varimport or the bare view name, depending on the 2.x release
            // Flask-AppBuilder model views in 2.x (users, roles, pools, DAG runs, task instances, …)
            "add", "edit", "action_*", "resetpasswords", "resetmypassword", "userinfoedit",
            // 2.x REST API and UI model views: <resource>.<create|edit|delete>
            "*.create", "*.edit", "*.delete",
            // 3.x endpoint names (and 2.x REST function names): every mutating verb
            "post_*", "patch_*", "put_*", "delete_*", "bulk_*", "trigger_*", "clear_*", "update_*", "set_*", "create_*",
            "cancel_*", "pause_*", "unpause_*", "materialize_*", "reparse_*",
            // CLI commands that change state (cli_<python function>), 2.10 and 3.x
            "cli_dag_trigger", "cli_dag_pause", "cli_dag_unpause", "cli_dag_delete", "cli_dag_backfill", "cli_create_backfill",
            "cli_task_clear", "cli_tasks_clear", "cli_variables_*", "cli_connections_*", "cli_users_*", "cli_roles_*",
            // `airflow users reset-password`: the one FAB user command whose function is singular (user_reset_password);
            // add-role/remove-role are partials of users_manage_role and log cli_users_manage_role
            "cli_user_reset_password", "cli_pool_*", "cli_pools_*",
            "cli_resetdb", "cli_initdb", "cli_upgradedb", "cli_migratedb", "cli_downgrade", "cli_cleanup_tables",
            "cli_drop_archived", "cli_update_config", "cli_rotate_fernet_key", "cli_sync_perm", "cli_dag_reserialize",
            "cli_asset_materialize",
            // `airflow db shell` (psql on the metadata database: any change, unlogged), the 2.x UI's "Run" of a task
            // instance, the 3.x variables import
            "cli_shell", "run", "import_variables");

    /** Names inside the glob families above that only read, export or simulate. */
    static final Set<String> READ_ONLY = Set.of(
            "cli_variables_get", "cli_variables_list", "cli_variables_export",
            "cli_connections_get", "cli_connections_list", "cli_connections_export", "cli_connections_test",
            "cli_users_list", "cli_users_export", "cli_roles_list", "cli_roles_export",
            "cli_pool_get", "cli_pool_list", "cli_pool_export", "cli_pools_list",
            "action_varexport", "action_export",
            "patch_task_instance_dry_run", "create_backfill_dry_run", "post_clear_task_instances_dry_run");

    private static final Map<String, Pattern> GLOBS = new ConcurrentHashMap<>();

    private AirflowChangeEvents() {
    }

    /** True if the audit-log event is a change under the given patterns: its name is one, and it is no dry run. */
    public static boolean isChangeEvent(NormalizedEvent event, Set<String> patterns) {
        return !AuditLogNormalizer.REASON_DRY_RUN.equals(event.reason())
                && isChange(event.action(), patterns);
    }

    /** True if {@code event} is a change under the given patterns. */
    public static boolean isChange(String event, Set<String> patterns) {
        String name = canonical(event);
        if (name == null) {
            return false;
        }
        boolean readOnly = READ_ONLY.contains(name) || name.endsWith("_dry_run");
        for (String pattern : patterns) {
            String p = canonical(pattern); // written as logged ("api.dag.edit") or as matched ("dag.edit"): the same
            if (p == null) {
                continue;
            }
            if (p.equals(name)) {
                return true;
            }
            if (!readOnly && p.contains("*") && glob(p).matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Refuses a pattern that would match every audit-log event (page views, worker events): {@code *}, {@code **},
     * {@code api.*} once its prefix is stripped, …
     *
     * @throws IllegalArgumentException naming the pattern
     */
    public static void requireSelective(String pattern) {
        String name = canonical(pattern);
        if (name != null && name.chars().allMatch(c -> c == '*')) {
            throw new IllegalArgumentException("'" + pattern + "' matches every audit-log event (page views and worker events "
                    + "too), since the api./ui. prefix is stripped before matching: name the change events");
        }
    }

    /** The name as matched ({@link EventCategories#canonicalName}). */
    static String canonical(String event) {
        return EventCategories.canonicalName(event);
    }

    private static Pattern glob(String pattern) {
        return GLOBS.computeIfAbsent(pattern, p -> Pattern.compile(
                Arrays.stream(p.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*"))));
    }
}
