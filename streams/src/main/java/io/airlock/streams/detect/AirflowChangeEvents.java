package io.airlock.streams.detect;

import java.util.Locale;
import java.util.Set;

/**
 * Which Airflow audit-log {@code event} names change state (AL-010), for Airflow 2.10 and 3.x. A name matches a pattern
 * exactly, or by a {@code *} wildcard at either end. {@code api.} and {@code ui.} prefixes are stripped first. Worker and
 * read-only events ({@code cli_task_run}, page views, {@code get_*} endpoints) match nothing and are never changes.
 */
public final class AirflowChangeEvents {

    /** The default list, documented in docs/runbooks/AL-010-off-hours-change.md. */
    public static final Set<String> DEFAULTS = Set.of(
            // Airflow 2.x UI views
            "trigger", "paused", "delete", "clear", "failed", "success", "dagrun_clear", "dagrun_failed", "dagrun_success",
            "variable.create", "variable.edit", "variable.delete", "variable.varimport",
            "connection.create", "connection.edit", "connection.delete",
            // Flask-AppBuilder model views (users, roles, pools, …) in 2.x
            "add", "edit", "action_muldelete", "action_mulduplicate", "resetpasswords", "resetmypassword", "userinfoedit",
            // REST API functions (2.x with api. prefix, 3.x endpoint names): every mutating verb
            "post_*", "patch_*", "put_*", "delete_*", "bulk_*", "trigger_*", "clear_*", "update_*", "set_*",
            // CLI commands that change state
            "cli_dag_trigger", "cli_dag_pause", "cli_dag_unpause", "cli_dag_delete", "cli_dag_backfill", "cli_backfill",
            "cli_task_clear", "cli_tasks_clear", "cli_variables_*", "cli_connections_*", "cli_users_*", "cli_roles_*",
            "cli_pool_*", "cli_pools_*", "cli_db_*", "cli_config_*");

    /** CLI sub-commands inside the wildcard families above that only read. */
    private static final Set<String> READ_ONLY_CLI = Set.of("cli_variables_get", "cli_variables_list", "cli_variables_export",
            "cli_connections_get", "cli_connections_list", "cli_connections_export", "cli_users_list", "cli_users_export",
            "cli_roles_list", "cli_roles_export", "cli_pool_get", "cli_pool_list", "cli_pool_export", "cli_pools_list",
            "cli_db_check", "cli_db_check_migrations", "cli_config_get_value", "cli_config_list");

    private AirflowChangeEvents() {
    }

    /** True if {@code event} is a change under the given patterns. */
    public static boolean isChange(String event, Set<String> patterns) {
        if (event == null || event.isBlank()) {
            return false;
        }
        String name = event.strip().toLowerCase(Locale.ROOT);
        if (name.startsWith("api.") || name.startsWith("ui.")) {
            name = name.substring(name.indexOf('.') + 1);
        }
        if (READ_ONLY_CLI.contains(name)) {
            return false;
        }
        for (String pattern : patterns) {
            if (matches(name, pattern.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String name, String pattern) {
        if (pattern.endsWith("*")) {
            return name.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        if (pattern.startsWith("*")) {
            return name.endsWith(pattern.substring(1));
        }
        return name.equals(pattern);
    }
}
