package io.airlock.embedded;

/**
 * The Airflow metadata schema versions Airlock supports, each with the DDL of the tables it
 * captures ({@code log}, {@code dag_run}, {@code ab_user}, {@code ab_role}, {@code ab_user_role}).
 */
public enum AirflowSchema {

    /** Airflow 2.10: {@code execution_date}, {@code dag_run.external_trigger}. */
    V2_10("airflow-2.10.sql"),

    /** Airflow 3.x (3.1 columns): {@code logical_date}, {@code run_after}, {@code triggered_by}, {@code triggering_user_name}. */
    V3("airflow-3.x.sql");

    private final String resource;

    AirflowSchema(String resource) {
        this.resource = resource;
    }

    /** Classpath resource (relative to this package) holding the DDL. */
    public String resource() {
        return resource;
    }

    /** Name of the logical-date column in {@code log} and {@code dag_run}. */
    public String logicalDateColumn() {
        return this == V2_10 ? "execution_date" : "logical_date";
    }
}
