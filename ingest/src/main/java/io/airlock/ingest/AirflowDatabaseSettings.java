package io.airlock.ingest;

import java.util.Objects;

/**
 * How to reach the Airflow metadata database and what Airlock creates in it (a logical replication slot and a publication).
 * The password is never part of {@link #toString()}.
 *
 * @param sslmode PostgreSQL sslmode: disable, prefer, require, verify-ca or verify-full
 */
public record AirflowDatabaseSettings(String host, int port, String database, String user, String password, String sslmode,
        String slotName, String publicationName) {

    public static final String DEFAULT_SLOT = "airlock";
    public static final String DEFAULT_PUBLICATION = "airlock_publication";

    public AirflowDatabaseSettings {
        Objects.requireNonNull(host, "database.host");
        Objects.requireNonNull(database, "database.name");
        Objects.requireNonNull(user, "database.user");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("database.port must be 1..65535, was " + port);
        }
        password = password == null ? "" : password;
        sslmode = sslmode == null ? "prefer" : sslmode;
        slotName = slotName == null ? DEFAULT_SLOT : slotName;
        publicationName = publicationName == null ? DEFAULT_PUBLICATION : publicationName;
        if (!slotName.matches("[a-z0-9_]{1,63}")) {
            throw new IllegalArgumentException("database.slot must be lower case letters, digits and '_' (PostgreSQL slot name), was " + slotName);
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database + "?sslmode=" + sslmode;
    }

    @Override
    public String toString() {
        return "AirflowDatabaseSettings[" + user + "@" + host + ":" + port + "/" + database + ", sslmode=" + sslmode + ", slot=" + slotName
                + ", publication=" + publicationName + ", password=" + (password.isEmpty() ? "<none>" : "<redacted>") + "]";
    }
}
