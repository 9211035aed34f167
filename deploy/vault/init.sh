#!/bin/sh
# One-shot setup of the demo Vault (dev mode, root token from VAULT_TOKEN): the file audit device Airlock tails, audited
# Airflow run headers, a KV mount `airlock` with demo secrets, a KV mount `airflow` with Airflow's connections and
# variables, and a token for Airflow's secrets backend whose display name contains "airflow" (Airlock's service identity).
# Idempotent: runs again harmlessly after a restart of the stack.
set -eu

until vault status >/dev/null 2>&1; do
  echo "waiting for Vault at $VAULT_ADDR"; sleep 1
done

# The audit log must be readable by Airlock (another container, another user): mode 0644.
vault audit list 2>/dev/null | grep -q '^file/' \
  || vault audit enable file file_path=/vault/logs/audit.log mode=0644

# Airflow run attribution (docs/vault-audit.md): keep these request headers in the audit log, not HMAC'd.
for header in X-Airflow-Dag-Id X-Airflow-Run-Id X-Airflow-Task-Id; do
  vault write "sys/config/auditing/request-headers/$header" hmac=false >/dev/null
done

vault secrets list | grep -q '^airlock/' || vault secrets enable -path=airlock -version=2 kv
vault secrets list | grep -q '^airflow/' || vault secrets enable -path=airflow -version=2 kv

i=1
while [ "$i" -le 30 ]; do
  vault kv put -mount=airlock "demo/service-$i" username="svc-$i" password="demo-password-$i" >/dev/null
  i=$((i + 1))
done
vault kv put -mount=airflow connections/postgres_warehouse \
  conn_uri="postgresql://warehouse:demo-warehouse-password@postgres:5432/airflow" >/dev/null
vault kv put -mount=airflow variables/report_bucket value="s3://demo-reports" >/dev/null

cat > /tmp/airflow-policy.hcl <<'HCL'
path "airflow/data/connections/*" { capabilities = ["read"] }
path "airflow/data/variables/*"   { capabilities = ["read"] }
path "airflow/metadata/*"         { capabilities = ["list"] }
HCL
vault policy write airflow /tmp/airflow-policy.hcl >/dev/null
vault token lookup "$AIRFLOW_VAULT_TOKEN" >/dev/null 2>&1 \
  || vault token create -id="$AIRFLOW_VAULT_TOKEN" -display-name=airflow -policy=airflow -orphan -period=768h >/dev/null

echo "Vault ready: audit device file/ at /vault/logs/audit.log, KV mounts airlock/ and airflow/"
