package io.airlock.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL 17 server started from the zonky binaries, configured for logical decoding
 * ({@code wal_level=logical}) so Debezium's pgoutput capture works, listening on loopback only on a
 * free port.
 *
 * <p>When the JVM runs as root, zonky 2.2.2 starts {@code initdb}, {@code pg_ctl} and {@code postgres}
 * through {@code unshare -U} (a user namespace in which they are not root); this class checks that
 * beforehand and fails with a clear message otherwise. Authentication is {@code trust}: the superuser
 * {@code postgres} has no password.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
    private static final String SUPERUSER = "postgres";
    private static final String HOST = "localhost";
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_\\-]{0,62}");

    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
    private final Path dataDirectory;
    private volatile boolean closed;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server, Path dataDirectory) {
        this.server = server;
        this.dataDirectory = dataDirectory;
    }

    /**
     * Starts a new server with a fresh data directory.
     *
     * @throws IllegalStateException if the server cannot start (as root: when {@code unshare -U} is unusable)
     */
    public static EmbeddedPostgres start() {
        return start(Map.of());
    }

    /**
     * A server with some settings changed (e.g. {@code wal_level=replica}, to test what Airlock says about a database
     * that cannot be captured).
     */
    public static EmbeddedPostgres start(Map<String, String> overrides) {
        RootSupport.requireUnshareWhenRoot();
        Path dataDirectory;
        try {
            dataDirectory = Files.createTempDirectory("airlock-pg-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the PostgreSQL data directory", e);
        }
        long started = System.nanoTime();
        try {
            var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(true)
                    .setServerConfig("listen_addresses", HOST)
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "20")
                    .setServerConfig("max_wal_senders", "20")
                    .setServerConfig("timezone", "UTC")
                    .setPGStartupWait(Duration.ofSeconds(60));
            overrides.forEach(builder::setServerConfig);
            var server = builder.start();
            LOG.info("PostgreSQL started on {}:{} in {} ms", HOST, server.getPort(),
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
            return new EmbeddedPostgres(server, dataDirectory);
        } catch (IOException | RuntimeException e) {
            RunDirectories.deleteQuietly(dataDirectory);
            throw new IllegalStateException("embedded PostgreSQL failed to start"
                    + (RootSupport.isRoot() ? " (running as root: PostgreSQL is started through 'unshare -U')" : ""), e);
        }
    }

    /** Host name to connect to (loopback). */
    public String host() {
        return HOST;
    }

    /** TCP port of the server. */
    public int port() {
        return server.getPort();
    }

    /** The superuser name. */
    public String superuser() {
        return SUPERUSER;
    }

    /** The superuser password: always empty, the server trusts loopback connections. */
    public String password() {
        return "";
    }

    /** JDBC URL of {@code database} for the superuser. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":" + port() + "/" + requireDatabaseName(database);
    }

    /**
     * Creates an empty database.
     *
     * @param name lower case letters, digits, {@code _} and {@code -} (see {@code RealComponents.uniqueName})
     */
    public void createDatabase(String name) {
        requireDatabaseName(name);
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE \"" + name + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        LOG.debug("created database {}", name);
    }

    /** Opens a new connection to {@code database} as the superuser; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), SUPERUSER, password());
    }

    /** Creates the Airflow tables Airlock captures, in the given schema version, in {@code database}. */
    public void createAirflowSchema(String database, AirflowSchema version) {
        String ddl = readResource(version.resource());
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            s.execute(ddl);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the Airflow " + version + " schema in " + database, e);
        }
        LOG.info("created Airflow {} schema in database {}", version, database);
    }

    /** Stops the server and deletes its data directory. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("PostgreSQL on port {} did not stop cleanly", port(), e);
        } finally {
            RunDirectories.deleteQuietly(dataDirectory);
        }
        LOG.info("PostgreSQL on port {} stopped", port());
    }

    @Override
    public String toString() {
        return "EmbeddedPostgres[" + HOST + ":" + port() + "]";
    }

    private static String requireDatabaseName(String name) {
        Objects.requireNonNull(name, "database");
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("database name must match " + DATABASE_NAME + ": " + name);
        }
        return name;
    }

    private static String readResource(String name) {
        try (InputStream in = EmbeddedPostgres.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
