package io.airlock.app.config;

import static io.airlock.core.config.ConfigTypes.oneOf;

import io.airlock.core.config.ConfigDefinition.Group;
import io.airlock.core.config.ConfigValues;
import io.airlock.core.config.Setting;

/** Who captures the Airflow database: {@code airlock run} itself, or a Kafka Connect cluster (docs/deploy.md). */
public final class CaptureFields {

    public static final String EMBEDDED = "embedded";
    public static final String EXTERNAL = "external";

    public static final Setting<String> AIRFLOW_DATABASE = Setting.of("capture.airflow-database", oneOf(EMBEDDED, EXTERNAL))
            .defaultValue(EMBEDDED)
            .doc("`embedded`: the ingest stage of `airlock run` captures the Airflow database with its own Debezium engine. "
                    + "`external`: the Debezium PostgreSQL connector runs on a Kafka Connect cluster "
                    + "(deploy/connect/airflow-postgres-connector.json) and writes the same topics; the ingest stage then only "
                    + "captures the Vault audit log. Never both against one replication slot.");

    public static final Group GROUP = Group.of("Capture", "Where the change data capture of the Airflow database runs.",
            AIRFLOW_DATABASE);

    private CaptureFields() {
    }

    static boolean embeddedAirflowCapture(ConfigValues values) {
        return EMBEDDED.equals(values.get(AIRFLOW_DATABASE));
    }
}
