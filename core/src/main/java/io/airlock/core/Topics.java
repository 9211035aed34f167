package io.airlock.core;

import java.util.List;
import java.util.Objects;

/**
 * The Kafka topic names of DESIGN.md, derived from one configurable prefix (default {@code airlock}).
 *
 * @param prefix the topic prefix, e.g. {@code airlock}
 */
public record Topics(String prefix) {

    public static final String DEFAULT_PREFIX = "airlock";

    /** The Airflow tables Airlock captures. */
    public static final List<String> AIRFLOW_TABLES = List.of("log", "dag_run", "ab_user");

    public Topics {
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("topic prefix '" + prefix + "' may only contain letters, digits, '.', '_' and '-'");
        }
    }

    public static Topics defaults() {
        return new Topics(DEFAULT_PREFIX);
    }

    /** {@code <prefix>.cdc.airflow.<table>} for one of {@link #AIRFLOW_TABLES}. */
    public String cdc(String table) {
        if (!AIRFLOW_TABLES.contains(table)) {
            throw new IllegalArgumentException("not a captured Airflow table: " + table);
        }
        return prefix + ".cdc.airflow." + table;
    }

    public List<String> cdcTopics() {
        return AIRFLOW_TABLES.stream().map(this::cdc).toList();
    }

    /** The topics the capture writes and detection reads: the CDC tables, then the Vault audit log. */
    public List<String> inputs() {
        var inputs = new java.util.ArrayList<>(cdcTopics());
        inputs.add(vaultAudit());
        return List.copyOf(inputs);
    }

    public String vaultAudit() {
        return prefix + ".vault.audit";
    }

    public String events() {
        return prefix + ".events";
    }

    public String alerts() {
        return prefix + ".alerts";
    }

    public String dlq() {
        return prefix + ".dlq";
    }

    /** Every topic of the contract, for creating them up front. */
    public List<String> all() {
        var all = new java.util.ArrayList<>(inputs());
        all.addAll(List.of(events(), alerts(), dlq()));
        return List.copyOf(all);
    }
}
