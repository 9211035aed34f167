package io.airlock.app.config;

import static io.airlock.core.config.ConfigTypes.integer;
import static io.airlock.core.config.ConfigTypes.oneOf;
import static io.airlock.core.config.ConfigTypes.path;
import static io.airlock.core.config.ConfigTypes.string;

import io.airlock.core.config.ConfigDefinition.Group;
import io.airlock.core.config.ConfigValues;
import io.airlock.core.config.SecretValue;
import io.airlock.core.config.Setting;
import io.airlock.core.config.Validators;
import io.airlock.ingest.AirflowDatabaseSettings;
import java.nio.file.Path;

/**
 * The Airflow metadata database Airlock captures changes from. Belongs to {@code ingest} (next to
 * {@link AirflowDatabaseSettings}) once modules read their own settings.
 */
public final class AirflowDatabaseFields {

    private static final String PG_NAME = "[a-z0-9_]{1,63}";
    private static final String PG_NAME_RULE = "lower case letters, digits and '_', at most 63";

    public static final Setting<String> HOST = Setting.of("airflow.database.host", string())
            .defaultValue("localhost")
            .validate(Validators.matches("\\S+", "no spaces"))
            .doc("Host name or address of the Airflow metadata database (PostgreSQL).");

    public static final Setting<Integer> PORT = Setting.of("airflow.database.port", integer())
            .defaultValue(5432)
            .validate(Validators.between(1, 65535))
            .doc("PostgreSQL port.");

    public static final Setting<String> NAME = Setting.of("airflow.database.name", string())
            .defaultValue("airflow")
            .validate(Validators.matches(".+", "not empty"))
            .doc("Name of Airflow's metadata database.");

    public static final Setting<String> USER = Setting.of("airflow.database.user", string())
            .defaultValue("airflow")
            .validate(Validators.matches(".+", "not empty"))
            .doc("Database user; needs the REPLICATION privilege (`ALTER ROLE <user> WITH REPLICATION`) and SELECT on "
                    + "`public.log`, `public.dag_run`, `public.ab_user` (where it exists), and either a publication of exactly "
                    + "these tables made by their owner or the right to make one (owner of the tables, CREATE on the database). "
                    + "`airlock check-config --connect` and the start of `airlock run` check this, and `wal_level`, the tables, a "
                    + "free replication slot and WAL sender, each with the statement that fixes it (docs/airflow-capture.md).");

    public static final Setting<SecretValue> PASSWORD = Setting.secret("airflow.database.password")
            .whenUnset("no password (trust or peer authentication)")
            .doc("Password of the database user.");

    public static final Setting<String> SSLMODE = Setting.of("airflow.database.sslmode",
                    oneOf("disable", "allow", "prefer", "require", "verify-ca", "verify-full"))
            .defaultValue("prefer")
            .doc("PostgreSQL `sslmode`; use `verify-full` across networks you do not control.");

    public static final Setting<Path> SSLROOTCERT = Setting.of("airflow.database.sslrootcert", path())
            .validate(Validators.pemCertificateFile())
            .whenUnset("the driver's default, `~/.postgresql/root.crt` of the user running Airlock")
            .doc("CA certificate (PEM) that `sslmode` `verify-ca` and `verify-full` check the database server's certificate "
                    + "against; `airlock check-config --connect` tries it.");

    public static final Setting<String> SLOT = Setting.of("airflow.database.slot", string())
            .defaultValue(AirflowDatabaseSettings.DEFAULT_SLOT)
            .validate(Validators.matches(PG_NAME, PG_NAME_RULE))
            .doc("Logical replication slot Airlock creates and reads. PostgreSQL keeps WAL for it while Airlock is down: "
                    + "drop it (`SELECT pg_drop_replication_slot('airlock')`) when uninstalling.");

    public static final Setting<String> PUBLICATION = Setting.of("airflow.database.publication", string())
            .defaultValue(AirflowDatabaseSettings.DEFAULT_PUBLICATION)
            .validate(Validators.matches(PG_NAME, PG_NAME_RULE))
            .doc("Publication of the captured tables (`log`, `dag_run`, `ab_user`). Airlock's user creates or updates it when "
                    + "it may; otherwise the DBA creates it, and adds `ab_user` if it appears later (docs/airflow-capture.md). "
                    + "Not one `FOR ALL TABLES`.");

    public static final Group GROUP = Group.of("Airflow database",
            "The Airflow metadata database (PostgreSQL with `wal_level=logical`), captured with Debezium through a logical "
                    + "replication slot. Airflow 2.10 and 3.x schemas are both supported.",
            HOST, PORT, NAME, USER, PASSWORD, SSLMODE, SSLROOTCERT, SLOT, PUBLICATION);

    private AirflowDatabaseFields() {
    }

    static AirflowDatabaseSettings settings(ConfigValues values) {
        String sslmode = values.get(SSLMODE);
        if (values.find(SSLROOTCERT).isPresent() && !sslmode.startsWith("verify-")) {
            throw new IllegalArgumentException("sslrootcert is used only with sslmode verify-ca or verify-full, and sslmode is "
                    + sslmode + ": set it to verify-full (or verify-ca)");
        }
        return new AirflowDatabaseSettings(values.get(HOST), values.get(PORT), values.get(NAME), values.get(USER),
                values.find(PASSWORD).map(SecretValue::reveal).orElse(""), sslmode, values.get(SLOT),
                values.get(PUBLICATION), values.find(SSLROOTCERT).orElse(null));
    }
}
