package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.NormalizedEvent;
import io.airlock.streams.DetectionConfig;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VaultSecretReadsTest {

    private static NormalizedEvent.Builder response(String path, String kvPath) {
        return NormalizedEvent.builder(Instant.parse("2026-03-02T10:00:00Z"), "e1", NormalizedEvent.DATASET_VAULT)
                .vaultAuditType("response").vaultIdentity("ent").vaultOperation("read").vaultPath(path).vaultKvPath(kvPath)
                .outcome("success");
    }

    @Test
    void shouldTakeKvV2DataReadsAndKvV1ReadsForSecretReadsButNotMetadataOrSubkeys() {
        assertThat(VaultSecretReads.isSecretRead(response("airflow/data/connections/db", "airflow/connections/db").build())).isTrue();
        assertThat(VaultSecretReads.isSecretRead(response("team/kv/data/x", "team/kv/x").build())).isTrue();
        assertThat(VaultSecretReads.isSecretRead(response("kv1/app/db", "kv1/app/db").build())).isTrue();
        assertThat(VaultSecretReads.isSecretRead(response("airflow/metadata/connections/db", "airflow/connections/db").build())).isFalse();
        assertThat(VaultSecretReads.isSecretRead(response("airflow/subkeys/connections/db", "airflow/connections/db").build())).isFalse();
        assertThat(VaultSecretReads.isSecretRead(response("airflow/data/connections/db", "airflow/connections/db")
                .vaultAuditType("request").build())).isFalse();
        assertThat(VaultSecretReads.isSecretRead(response("airflow/metadata/connections/", "airflow/connections/")
                .vaultOperation("list").build())).isFalse();
    }

    @Test
    void shouldRecognisePermissionDeniedAndForbiddenFailures() {
        assertThat(VaultSecretReads.isPermissionDenied(response("secret/data/x", "secret/x").outcome("failure")
                .vaultError("1 error occurred:\n\t* permission denied\n\n").build())).isTrue();
        assertThat(VaultSecretReads.isPermissionDenied(response("sys/mounts", null).outcome("failure")
                .vaultError("Code: 403. Errors: forbidden").build())).isTrue();
        assertThat(VaultSecretReads.isPermissionDenied(response("secret/data/x", "secret/x").outcome("failure")
                .vaultError("no handler for route").build())).isFalse();
        assertThat(VaultSecretReads.isPermissionDenied(response("database/creds/report", null).outcome("failure")
                .vaultError("dial tcp 10.20.4.1:54031: connect: connection refused").build())).as("403 inside a port").isFalse();
        assertThat(VaultSecretReads.isPermissionDenied(response("secret/data/x", "secret/x").vaultAuditType("request")
                .outcome("failure").vaultError("permission denied").build())).isFalse();
        assertThat(VaultSecretReads.isPermissionDenied(response("secret/data/x", "secret/x").outcome("failure")
                .vaultError("permission denied").build())).isTrue();
        assertThat(VaultSecretReads.isPermissionDenied(response("secret/data/x", "secret/x").outcome("failure")
                .vaultError("2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n").build())).isTrue();
    }

    @Test
    void shouldNotTakeASecretsEnginesOwnBackendRefusingVaultForAClientsDenial() {
        // Vault's database user lacks a grant (PostgreSQL 15 took CREATE on public away): every client's request fails
        assertThat(VaultSecretReads.isPermissionDenied(response("database/creds/etl-readonly", null).outcome("failure")
                .vaultError("1 error occurred:\n\t* pq: permission denied for schema public\n\n").build())).isFalse();
        assertThat(VaultSecretReads.isPermissionDenied(response("aws/creds/deploy", null).outcome("failure")
                .vaultError("1 error occurred:\n\t* error creating IAM user: AccessDenied: User: arn:aws:iam::1:user/vault is not "
                        + "authorized to perform: iam:CreateUser\n\tstatus code: 403, request id: 5f1e\n\n").build())).isFalse();
    }

    @Test
    void shouldMatchATextEntryInsideDisplayNamesAndRoleNamesButNeverInsideEntityIds() {
        var config = DetectionConfig.defaults().withAirflow(new DetectionConfig.AirflowInVault(List.of("5cb4", "ent"),
                DetectionConfig.AirflowInVault.defaults().secretPathPrefixes()));
        var read = response("airflow/data/connections/pg", "airflow/connections/pg");

        assertThat(VaultSecretReads.isAirflowServiceIdentity(config, read.vaultIdentity("ent-5cb4-00ab").userName("userpass-bob")
                .relatedUsers(List.of("userpass-bob", "bob")).build())).as("text inside an entity id").isFalse();
        assertThat(VaultSecretReads.isAirflowServiceIdentity(config, read.vaultIdentity("ent-5cb4-00ab").userName("token-bob")
                .relatedUsers(List.of("token-bob")).build())).as("a token of the token method, with an entity").isFalse();
        assertThat(VaultSecretReads.isAirflowServiceIdentity(config, read.vaultIdentity("ent-1").userName("approle")
                .relatedUsers(List.of("approle", "etl-5cb4")).build())).as("an AppRole role name").isTrue();
        assertThat(VaultSecretReads.isAirflowServiceIdentity(config, read.vaultIdentity("ent-2").userName("kubernetes-5cb4")
                .relatedUsers(List.of("kubernetes-5cb4")).build())).as("a display name").isTrue();
    }

    @Test
    void shouldMatchTheServiceIdentityInAnyCase() {
        // OIDC/LDAP display names keep the provider's case; the default match is the lower-case "airflow"
        var oidc = response("airflow/data/connections/pg", "airflow/connections/pg").userName("oidc-Airflow-Workers").build();
        var person = response("airflow/data/connections/pg", "airflow/connections/pg").userName("oidc-alice").build();

        assertThat(VaultSecretReads.isAirflowServiceIdentity(DetectionConfig.defaults(), oidc)).isTrue();
        assertThat(VaultSecretReads.isAirflowServiceIdentity(DetectionConfig.defaults(), person)).isFalse();
    }

    @Test
    void shouldAllowAnIdentityListedByDisplayNameWhenTheTokenHasAnEntity() {
        var byDisplayName = DetectionConfig.defaults().withAllowList(new DetectionConfig.AllowList(Set.of(), Set.of("userpass-alice"), List.of()));
        var byEntity = DetectionConfig.defaults().withAllowList(new DetectionConfig.AllowList(Set.of(), Set.of("ent-alice"), List.of()));
        var alice = response("secret/data/x", "secret/x").vaultIdentity("ent-alice").userName("userpass-alice").build();

        assertThat(VaultSecretReads.isAllowed(byDisplayName, alice)).isTrue();
        assertThat(VaultSecretReads.isAllowed(byEntity, alice)).isTrue();
        assertThat(VaultSecretReads.isAllowed(DetectionConfig.defaults(), alice)).isFalse();
    }

    @Test
    void shouldNotAllowAnotherEntitysTokenThatTookAnAllowListedTokenDisplayName() {
        var backup = DetectionConfig.defaults().withAllowList(new DetectionConfig.AllowList(Set.of(), Set.of("token-backup"), List.of()));
        var mallorysChildToken = response("secret/data/x", "secret/x").vaultIdentity("ent-mallory").userName("token-backup").build();
        var orphanBackupToken = response("secret/data/x", "secret/x").vaultIdentity("token-backup").userName("token-backup").build();

        assertThat(VaultSecretReads.isAllowed(backup, mallorysChildToken)).isFalse();
        assertThat(VaultSecretReads.isAllowed(backup, orphanBackupToken)).isTrue();
    }

    @Test
    void shouldAllowPathsSegmentBySegment() {
        var health = DetectionConfig.defaults().withAllowList(new DetectionConfig.AllowList(Set.of(), Set.of(), List.of("secret/health")));
        var ent = response("secret/data/x", "secret/x").vaultIdentity("ent-1").userName("userpass-x");

        assertThat(VaultSecretReads.isAllowed(health, ent.vaultPath("secret/data/health").vaultKvPath("secret/health").build())).isTrue();
        assertThat(VaultSecretReads.isAllowed(health, ent.vaultPath("secret/data/health/db").vaultKvPath("secret/health/db").build()))
                .isTrue();
        assertThat(VaultSecretReads.isAllowed(health, ent.vaultPath("secret/data/healthcare/db").vaultKvPath("secret/healthcare/db")
                .build())).isFalse();
        assertThat(DetectionConfig.isUnder("airflow/connections/db", "airflow/connections/")).isTrue();
        assertThat(DetectionConfig.isUnder("airflow/connectionsX/db", "airflow/connections")).isFalse();
    }

    @Test
    void shouldNotTakeAPersonsTokenNamedLikeAirflowForAirflow() {
        var byEntity = DetectionConfig.defaults().withAirflow(new DetectionConfig.AirflowInVault("ent-5cb4",
                DetectionConfig.AirflowInVault.defaults().secretPathPrefixes()));
        var named = response("airflow/data/connections/db", "airflow/connections/db").vaultIdentity("ent-bob");

        assertThat(VaultSecretReads.isAirflowServiceIdentity(DetectionConfig.defaults(), named.userName("token-airflow")
                .relatedUsers(List.of("token-airflow")).build())).isFalse();
        assertThat(VaultSecretReads.isAirflowServiceIdentity(byEntity, named.userName("token-ent-5cb4")
                .relatedUsers(List.of("token-ent-5cb4")).build())).isFalse();
        assertThat(VaultSecretReads.isAirflowServiceIdentity(DetectionConfig.defaults(), named.vaultIdentity("ent-af")
                .userName("approle").relatedUsers(List.of("approle", "airflow-worker")).build())).isTrue();
    }

    @Test
    void shouldTakeAConfiguredEntityIdForThatEntityAloneWhateverNamesCarryIt() {
        String id = "5cb4aaaa-0000-4000-8000-00000000af01";
        var config = DetectionConfig.defaults().withAirflow(new DetectionConfig.AirflowInVault(id,
                DetectionConfig.AirflowInVault.defaults().secretPathPrefixes()));
        var read = response("airflow/data/connections/db", "airflow/connections/db");

        assertThat(VaultSecretReads.isAirflowServiceIdentity(config, read.vaultIdentity(id).userName("approle")
                .relatedUsers(List.of("approle", "airflow-worker")).build())).isTrue();
        assertThat(VaultSecretReads.isAirflowServiceIdentity(config, read.vaultIdentity("token-" + id).userName("token-" + id)
                .relatedUsers(List.of("token-" + id)).build())).as("an orphan token named after it").isFalse();
        assertThat(VaultSecretReads.isAirflowServiceIdentity(config, read.vaultIdentity("ent-eve").userName("oidc-" + id + "@corp")
                .relatedUsers(List.of("oidc-" + id + "@corp")).build())).isFalse();
        assertThat(VaultSecretReads.isAirflowServiceIdentity(config, read.vaultIdentity("ent-eve").userName("approle")
                .relatedUsers(List.of("approle", id)).build())).as("another AppRole role named after it").isFalse();
    }

    @Test
    void shouldTakeEveryConfiguredIdentityOfAirflowForAirflow() {
        String worker = "5cb4aaaa-0000-4000-8000-00000000af01";
        String scheduler = "5cb4aaaa-0000-4000-8000-00000000af02";
        var config = DetectionConfig.defaults().withAirflow(new DetectionConfig.AirflowInVault(List.of(worker, scheduler.toUpperCase()),
                DetectionConfig.AirflowInVault.defaults().secretPathPrefixes()));
        var read = response("airflow/data/connections/db", "airflow/connections/db");

        assertThat(VaultSecretReads.isAirflowServiceIdentity(config, read.vaultIdentity(worker)
                .userName("kubernetes-airflow-airflow-worker").relatedUsers(List.of("kubernetes-airflow-airflow-worker")).build()))
                .as("the workers' entity (Kubernetes auth)").isTrue();
        assertThat(VaultSecretReads.isAirflowServiceIdentity(config, read.vaultIdentity(scheduler).userName("approle")
                .relatedUsers(List.of("approle", "scheduler")).build())).as("the scheduler's entity (AppRole)").isTrue();
        assertThat(VaultSecretReads.isAirflowServiceIdentity(config, read.vaultIdentity("ent-bob").userName("userpass-airflow")
                .relatedUsers(List.of("userpass-airflow")).build())).as("entity ids only: no name matches").isFalse();

        var mixed = DetectionConfig.defaults().withAirflow(new DetectionConfig.AirflowInVault(List.of(worker, "airflow-scheduler"),
                DetectionConfig.AirflowInVault.defaults().secretPathPrefixes()));
        assertThat(VaultSecretReads.isAirflowServiceIdentity(mixed, read.vaultIdentity("ent-s").userName("approle")
                .relatedUsers(List.of("approle", "airflow-scheduler")).build())).as("a text entry beside an entity id").isTrue();
        assertThat(VaultSecretReads.isAirflowServiceIdentity(mixed, read.vaultIdentity("ent-bob").userName("userpass-bob")
                .relatedUsers(List.of("userpass-bob")).build())).isFalse();
    }

    @Test
    void shouldMatchAllowListedPathsOnTheKvPathNotTheApiPathOfKvV2() {
        var folderNamedData = DetectionConfig.defaults().withAllowList(new DetectionConfig.AllowList(Set.of(), Set.of(), List.of("kv/data")));
        var read = response("kv/data/payments/p1", "kv/payments/p1").vaultIdentity("ent-mallory").userName("userpass-mallory");

        assertThat(VaultSecretReads.isAllowed(folderNamedData, read.build())).isFalse();
        assertThat(VaultSecretReads.isAllowed(folderNamedData, read.vaultPath("kv/data/data/x").vaultKvPath("kv/data/x").build())).isTrue();
        var sys = DetectionConfig.defaults().withAllowList(new DetectionConfig.AllowList(Set.of(), Set.of(), List.of("sys/health")));
        assertThat(VaultSecretReads.isAllowed(sys, read.vaultPath("sys/health").vaultKvPath(null).build())).as("no KV path: the API path")
                .isTrue();
    }
}
