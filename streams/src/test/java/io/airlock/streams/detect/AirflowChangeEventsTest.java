package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AirflowChangeEventsTest {

    @ParameterizedTest(name = "{0} is a change")
    @ValueSource(strings = {
        // Airflow 2.10 UI views and explicit events
        "trigger", "paused", "delete", "clear", "dagrun_clear", "dagrun_failed", "dagrun_success", "dagrun_queued",
        "variable.create", "variable.edit", "variable.delete", "variable.varimport", "variables.varimport", "varimport", "connection.create", "connection.edit",
        "connection.delete", "add", "edit", "action_muldelete", "action_mulduplicate", "action_clear", "action_set_failed",
        "resetpasswords", "resetmypassword", "userinfoedit",
        // Airflow 2.10 REST API: <resource>.<create|edit|delete> with api./ui. prefix
        "api.dag.edit", "api.dag.delete", "api.dag_run.create", "api.dag_run.edit", "ui.dag_run.edit", "api.task_instance.edit",
        "api.variable.create", "api.connection.delete", "api.pool.create", "api.dataset.create", "API.Variable.Edit",
        // 2.x REST function names and Airflow 3.x endpoint names
        "api.post_dag_run", "patch_dag", "patch_dags", "delete_dag", "trigger_dag_run", "patch_dag_run", "delete_dag_run",
        "clear_dag_run", "post_clear_task_instances", "patch_task_instance", "post_variable", "patch_variable", "delete_variable",
        "bulk_variables", "post_connection", "bulk_connections", "create_default_connections", "post_pool", "bulk_pools",
        "delete_pool", "post_user", "patch_user", "delete_user", "post_role", "patch_role", "delete_role", "create_backfill",
        "pause_backfill", "unpause_backfill", "cancel_backfill", "create_asset_event", "materialize_asset",
        "delete_asset_queued_events", "reparse_dag_file", "create_xcom_entry", "update_xcom_entry", "update_hitl_detail",
        "set_dag_run_note",
        // CLI, both versions
        "cli_dag_trigger", "cli_dag_pause", "cli_dag_unpause", "cli_dag_delete", "cli_dag_backfill", "cli_create_backfill",
        "cli_task_clear", "cli_variables_set", "cli_variables_delete", "cli_variables_import", "cli_connections_add",
        "cli_connections_delete", "cli_connections_import", "cli_users_create", "cli_users_delete", "cli_users_manage_role",
        "cli_user_reset_password", "cli_users_import", "cli_roles_create", "cli_roles_add_perms", "cli_pool_set", "cli_pool_delete", "cli_resetdb",
        "cli_migratedb", "cli_cleanup_tables", "cli_update_config", "cli_rotate_fernet_key", "cli_sync_perm",
    })
    void shouldTreatStateChangingEventsOfBothVersionsAsChanges(String event) {
        assertThat(AirflowChangeEvents.isChange(event, AirflowChangeEvents.DEFAULTS)).isTrue();
    }

    @ParameterizedTest(name = "{0} is not a change")
    @ValueSource(strings = {
        // worker and execution events
        "cli_task_run", "cli_scheduler", "cli_webserver", "cli_api_server", "cli_triggerer", "cli_dag_processor", "cli_task_test",
        "cli_dag_test", "running", "success", "failed", "up_for_retry",
        // page views and reads
        "graph", "grid", "log", "code", "tree", "dag_details", "confirm", "rendered_templates", "get_logs_with_metadata",
        "get_dag", "get_variable", "get_task_instances_batch", "get_dag_runs_batch", "login", "logout",
        "cli_variables_get", "cli_variables_list", "cli_variables_export", "cli_connections_list", "cli_connections_export",
        "cli_connections_test", "cli_users_list", "cli_users_export", "cli_roles_list", "cli_pool_list", "cli_pool_get",
        "action_varexport",
        // dry runs
        "patch_task_instance_dry_run", "create_backfill_dry_run",
        // nothing
        "", "  ",
    })
    void shouldNotTreatWorkerReadOnlyOrDryRunEventsAsChanges(String event) {
        assertThat(AirflowChangeEvents.isChange(event, AirflowChangeEvents.DEFAULTS)).isFalse();
    }

    @Test
    void shouldNotTreatANullEventAsAChange() {
        assertThat(AirflowChangeEvents.isChange(null, AirflowChangeEvents.DEFAULTS)).isFalse();
    }

    @Test
    void shouldMatchGlobsAnywhereInAName() {
        Set<String> patterns = Set.of("my_plugin_*", "*_secret", "team.*.approve");
        assertThat(AirflowChangeEvents.isChange("my_plugin_reset", patterns)).isTrue();
        assertThat(AirflowChangeEvents.isChange("rotate_secret", patterns)).isTrue();
        assertThat(AirflowChangeEvents.isChange("team.data.approve", patterns)).isTrue();
        assertThat(AirflowChangeEvents.isChange("team.data.reject", patterns)).isFalse();
        assertThat(AirflowChangeEvents.isChange("patch_dag", patterns)).isFalse();
    }

    @Test
    void shouldLetAnExactlyListedNameOverrideTheReadOnlyExclusions() {
        assertThat(AirflowChangeEvents.isChange("cli_variables_export", Set.of("cli_variables_*"))).isFalse();
        assertThat(AirflowChangeEvents.isChange("cli_variables_export", Set.of("cli_variables_export"))).isTrue();
        assertThat(AirflowChangeEvents.isChange("success", Set.of("success", "failed"))).isTrue();
    }

    @Test
    void shouldMatchAPatternWrittenWithItsApiOrUiPrefixAsTheRunbookShowsNames() {
        assertThat(AirflowChangeEvents.isChange("api.dag_run.create", Set.of("api.dag_run.create"))).isTrue();
        assertThat(AirflowChangeEvents.isChange("ui.dag_run.create", Set.of("API.dag_run.create"))).isTrue();
        assertThat(AirflowChangeEvents.isChange("api.variable.edit", Set.of("api.variable.*"))).isTrue();
        assertThat(AirflowChangeEvents.isChange("api.variable.edit", Set.of(" "))).isFalse();
    }
}
