package io.airlock.streams.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventCategoriesTest {

    @ParameterizedTest(name = "{0} (dag: {1}) -> {2}")
    @CsvSource({
        // Airflow 2.x UI and REST names
        "trigger, true, process", "paused, true, process", "delete, true, process", "clear, true, process",
        "failed, true, process", "success, true, process", "api.post_dag_run, true, process",
        "variable.create, false, configuration", "variable.edit, false, configuration", "connection.delete, false, configuration",
        "pool.edit, false, configuration", "api.patch_connection, false, configuration",
        "add, false, process", "edit, false, process", "delete, false, process", "action_muldelete, false, process",
        "resetpasswords, false, iam",
        "login, false, authentication", "logout, false, authentication",
        "graph, true, web", "log, true, web", "code, true, web",
        // Airflow 3.x endpoint names
        "patch_dag, true, process", "delete_dag, true, process", "trigger_dag_run, true, process", "patch_dag_run, true, process",
        "clear_dag_run, true, process", "post_clear_task_instances, true, process", "delete_dag_run, true, process",
        "post_variable, false, configuration", "bulk_variables, false, configuration", "delete_connection, false, configuration",
        "bulk_connections, false, configuration", "post_pool, false, configuration", "bulk_pools, false, configuration",
        "post_user, false, iam", "patch_user, false, iam", "delete_user, false, iam", "post_role, false, iam", "patch_role, false, iam",
        // CLI
        "cli_task_run, true, process", "cli_dags_trigger, true, process", "cli_scheduler, false, process",
        "cli_variables_set, false, configuration", "cli_connections_add, false, configuration", "cli_users_create, false, iam", "cli_user_reset_password, false, iam", "cli_users_manage_role, false, iam",
    })
    void shouldCategorizeAirflowEventNamesOfBothVersions(String event, boolean hasDag, String category) {
        assertThat(EventCategories.airflowLog(event, hasDag)).isEqualTo(category);
    }

    @ParameterizedTest(name = "{0} ({1}) -> {2}")
    @CsvSource({
        "auth/userpass/login/alice, userpass, authentication", "auth/approle/login, approle, authentication",
        "auth/oidc/oidc/callback, oidc, authentication", "auth/token/create, token, iam", "auth/userpass/users/bob, userpass, iam",
        "identity/entity/name/bob, identity, iam", "sys/policy/airflow, system, iam", "sys/policies/acl/airflow, system, iam",
        "sys/audit/file, system, configuration", "sys/mounts/airflow, system, configuration", "sys/capabilities-self, system, configuration",
        "airflow/data/connections/db, kv, api", "database/creds/readonly, database, api", "transit/encrypt/k, transit, api",
    })
    void shouldCategorizeVaultPaths(String path, String mountType, String category) {
        assertThat(EventCategories.vault(path, mountType)).isEqualTo(category);
    }
}
