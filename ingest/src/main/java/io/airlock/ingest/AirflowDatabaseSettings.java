package io.airlock.ingest;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How to reach the Airflow metadata database and what Airlock creates in it (a logical replication slot and a publication).
 * The password is never part of {@link #toString()}.
 *
 * @param sslmode     PostgreSQL sslmode: disable, prefer, require, verify-ca or verify-full
 * @param sslRootCert the CA certificate (PEM) that {@code verify-ca}/{@code verify-full} check the server against; null
 *                    for the driver's default, {@code ~/.postgresql/root.crt} of the user running Airlock
 */
public record AirflowDatabaseSettings(String host, int port, String database, String user, String password, String sslmode,
        String slotName, String publicationName, Path sslRootCert) {

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

    /** With the driver's default CA certificate. */
    public AirflowDatabaseSettings(String host, int port, String database, String user, String password, String sslmode,
            String slotName, String publicationName) {
        this(host, port, database, user, password, sslmode, slotName, publicationName, null);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database + "?sslmode=" + sslmode
                + (sslRootCert == null ? "" : "&sslrootcert=" + URLEncoder.encode(sslRootCert.toString(), StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "AirflowDatabaseSettings[" + user + "@" + host + ":" + port + "/" + database + ", sslmode=" + sslmode + ", slot=" + slotName
                + ", publication=" + publicationName + (sslRootCert == null ? "" : ", sslrootcert=" + sslRootCert) + ", password=" + (password.isEmpty() ? "<none>" : "<redacted>") + "]";
    }
}
