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
 *
 * <p>{@link #stop()} and {@link #restart()} stop the server and start it again on the same data directory and port, to test
 * what clients (Debezium's replication connection) do while the database is away.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
    private static final String SUPERUSER = "postgres";
    private static final String HOST = "localhost";
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_\\-]{0,62}");

    private final Path dataDirectory;
    private final Map<String, String> overrides;
    private final int port;
    private volatile io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
    private volatile boolean closed;
    private final StopAtExit stopAtExit;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server, Path dataDirectory,
            Map<String, String> overrides) {
        this.server = server;
        this.dataDirectory = dataDirectory;
        this.overrides = Map.copyOf(overrides);
        this.port = server.getPort();
        // zonky's own hook would stop the server the moment the JVM exits, under a pipeline still stopping (Ctrl-C)
        this.stopAtExit = StopAtExit.register("airlock-postgres-shutdown-" + port, this::close);
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
            // initdb runs because the directory is empty; close() deletes it (zonky must not, or restart() would find nothing)
            var server = startServer(dataDirectory, overrides, 0);
            LOG.info("PostgreSQL started on {}:{} in {} ms", HOST, server.getPort(),
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
            try {
                return new EmbeddedPostgres(server, dataDirectory, overrides);
            } catch (RuntimeException e) { // the JVM began to exit meanwhile (no hook can be added): stop what just started
                server.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            RunDirectories.deleteQuietly(dataDirectory);
            throw new IllegalStateException("embedded PostgreSQL failed to start"
                    + (RootSupport.isRoot() ? " (running as root: PostgreSQL is started through 'unshare -U')" : ""), e);
        }
    }

    private static io.zonky.test.db.postgres.embedded.EmbeddedPostgres startServer(Path dataDirectory,
            Map<String, String> overrides, int port) throws IOException {
        var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setServerConfig("listen_addresses", HOST)
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "20")
                .setServerConfig("max_wal_senders", "20")
                .setServerConfig("timezone", "UTC")
                .setPGStartupWait(Duration.ofSeconds(60));
        if (port != 0) {
            builder.setPort(port);
        }
        overrides.forEach(builder::setServerConfig);
        return builder.start();
    }

    /**
     * Stops the server ({@code pg_ctl stop -m fast}: open connections are cut, committed data and replication slots are
     * kept) and keeps its data directory and port for {@link #restart()}. Does nothing when it is already stopped.
     */
    public synchronized void stop() {
        requireOpen();
        var running = server;
        if (running == null) {
            return;
        }
        server = null;
        try {
            running.close();
        } catch (IOException e) {
            throw new UncheckedIOException("PostgreSQL on port " + port + " did not stop cleanly", e);
        }
        LOG.info("PostgreSQL on port {} stopped (data kept for a restart)", port);
    }

    /**
     * Starts the server again on the same data directory and port (stopping it first if it runs): every committed row, every
     * database and every replication slot is still there.
     *
     * @throws IllegalStateException if it does not start (e.g. the port was taken meanwhile)
     */
    public synchronized void restart() {
        requireOpen();
        stop();
        long started = System.nanoTime();
        try {
            server = startServer(dataDirectory, overrides, port);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("embedded PostgreSQL did not start again on port " + port, e);
        }
        LOG.info("PostgreSQL restarted on {}:{} in {} ms", HOST, port, Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    /** Whether the server is running (false between {@link #stop()} and {@link #restart()}, and after {@link #close()}). */
    public boolean isRunning() {
        return !closed && server != null;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    /** Host name to connect to (loopback). */
    public String host() {
        return HOST;
    }

    /** TCP port of the server; the same across {@link #restart()}. */
    public int port() {
        return port;
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
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        var running = server;
        server = null;
        try {
            if (running != null) {
                running.close();
            }
        } catch (IOException e) {
            LOG.warn("PostgreSQL on port {} did not stop cleanly", port(), e);
        } finally {
            RunDirectories.deleteQuietly(dataDirectory);
            stopAtExit.closed();
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
