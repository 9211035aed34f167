package io.airlock.ingest;

import io.airlock.core.Topics;
import io.airlock.ingest.internal.DebeziumProperties;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Checks what logical replication of the Airflow tables needs, before Debezium starts, and fails with plain words instead of
 * a connector stack trace. {@code log} and {@code dag_run} are required; {@code ab_user} is captured when it exists: Airflow 3
 * without the FAB auth manager (SimpleAuthManager, Keycloak) has no such table, and then the login rules see nothing
 * ({@link #AB_USER_ABSENT}) while the rest is captured.
 */
public final class AirflowDatabasePreflight {

    /** The tables without which there is nothing to capture. */
    public static final List<String> REQUIRED_TABLES = List.of("log", "dag_run");

    /** Why a missing {@code ab_user} is no error, and what it costs; logged at start and shown by {@code check-config}. */
    public static final String AB_USER_ABSENT = "table public.ab_user does not exist (Airflow 3 without the FAB auth manager): "
            + "capturing log and dag_run only; the login rules AL-001, AL-002 and AL-003 and the ab_user account changes of "
            + "AL-012 see nothing without it";

    /**
     * What the check found: the problems that prevent capturing, the captured tables that exist, what passed (in plain words,
     * for {@code check-config --connect}) and whether Airlock's replication slot already existed.
     */
    public record Findings(List<String> problems, List<String> tables, List<String> passed, boolean slotExists) {

        public Findings {
            problems = List.copyOf(problems);
            tables = List.copyOf(tables);
            passed = List.copyOf(passed);
        }

        /** Nothing but problems (the database could not be inspected). */
        public Findings(List<String> problems, List<String> tables) {
            this(problems, tables, List.of(), false);
        }

        /** Whether {@code ab_user} is missing (and so not captured). */
        public boolean abUserAbsent() {
            return !tables.contains("ab_user");
        }
    }

    private final AirflowDatabaseSettings settings;

    public AirflowDatabasePreflight(AirflowDatabaseSettings settings) {
        this.settings = settings;
    }

    /**
     * @return what was found, without problems: {@link Findings#tables()} are the tables of {@link Topics#AIRFLOW_TABLES}
     *     that exist, in that order, to be captured
     * @throws CaptureConfigurationException listing every problem found
     */
    public Findings check() {
        Findings findings = inspect();
        List<String> problems = findings.problems();
        if (!problems.isEmpty()) {
            throw new CaptureConfigurationException("The Airflow database " + settings.database() + " at " + settings.host() + ":"
                    + settings.port() + " cannot be captured:\n  - " + String.join("\n  - ", problems));
        }
        return findings;
    }

    /** A plain JDBC connection as the configured user (the preflight's, and the capture's look at its slot). */
    static Connection connect(AirflowDatabaseSettings settings) throws SQLException {
        var props = new Properties();
        props.setProperty("user", settings.user());
        props.setProperty("password", settings.password());
        return DriverManager.getConnection(settings.jdbcUrl(), props);
    }

    /**
     * Connects once and checks everything Debezium will need, each problem with its fix: logical WAL, the REPLICATION
     * privilege, the tables and SELECT on them, a publication Debezium can use or create, a free replication slot and WAL
     * sender. A missing {@code ab_user} is no problem (see {@link #AB_USER_ABSENT}).
     */
    public Findings inspect() {
        var found = new Inspection();
        try (Connection c = connect(settings)) {
            String walLevel = single(c, "SHOW wal_level");
            if (!"logical".equals(walLevel)) {
                found.problems.add("wal_level is '" + walLevel + "', logical replication needs wal_level=logical "
                        + "(set it in postgresql.conf or with ALTER SYSTEM SET wal_level = logical, then restart PostgreSQL)");
            } else {
                found.passed.add("wal_level=logical");
            }
            boolean superuser = flag(c, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user");
            if (!flag(c, "SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user")) {
                found.problems.add("user '" + settings.user() + "' lacks the REPLICATION privilege (ALTER ROLE " + ident(settings.user())
                        + " WITH REPLICATION)");
            } else {
                found.passed.add("REPLICATION privilege");
            }
            List<Table> tables = tables(c, found);
            if (!tables.isEmpty()) {
                publication(c, tables, superuser, found);
            }
            found.slotExists = slot(c, found);
        } catch (SQLException e) {
            found.problems.add("cannot connect as '" + settings.user() + "': " + SqlFailures.withRootCause(e));
        }
        return new Findings(found.problems, found.tables, found.passed, found.slotExists);
    }

    /** What {@link #inspect()} has found so far. */
    private static final class Inspection {
        final List<String> problems = new ArrayList<>();
        final List<String> tables = new ArrayList<>();
        final List<String> passed = new ArrayList<>();
        boolean slotExists;
    }

    /** A captured table that exists: whether Airlock's user may read it and owns it (what adding it to a publication takes). */
    private record Table(String name, boolean selectable, boolean owned, String owner) {

        String qualified() {
            return DebeziumProperties.SCHEMA + "." + name;
        }
    }

    /** The captured tables that exist (adding them to {@code found.tables}), with a problem for each missing or unreadable. */
    private List<Table> tables(Connection c, Inspection found) throws SQLException {
        if (!flag(c, "SELECT has_schema_privilege('" + DebeziumProperties.SCHEMA + "', 'USAGE')")) {
            found.problems.add("user '" + settings.user() + "' lacks USAGE on schema " + DebeziumProperties.SCHEMA + " (GRANT USAGE ON "
                    + "SCHEMA " + DebeziumProperties.SCHEMA + " TO " + ident(settings.user()) + ")");
            return List.of();
        }
        List<Table> present = new ArrayList<>();
        for (String table : Topics.AIRFLOW_TABLES) {
            try (PreparedStatement s = c.prepareStatement("SELECT has_table_privilege(c.oid, 'SELECT'), "
                    + "pg_has_role(c.relowner, 'USAGE'), pg_get_userbyid(c.relowner) FROM pg_class c WHERE c.oid = to_regclass(?)")) {
                s.setString(1, DebeziumProperties.SCHEMA + "." + table);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        present.add(new Table(table, rs.getBoolean(1), rs.getBoolean(2), rs.getString(3)));
                        found.tables.add(table);
                    } else if (REQUIRED_TABLES.contains(table)) {
                        found.problems.add("table " + DebeziumProperties.SCHEMA + "." + table + " does not exist (is this the Airflow "
                                + "metadata database, and has `airflow db migrate` run? Airlock reads schema "
                                + DebeziumProperties.SCHEMA + " only: Airflow's [database] sql_alchemy_schema must be unset or "
                                + DebeziumProperties.SCHEMA + ")");
                    }
                }
            }
        }
        List<String> unreadable = present.stream().filter(t -> !t.selectable()).map(Table::qualified).toList();
        if (!unreadable.isEmpty()) {
            found.problems.add("user '" + settings.user() + "' lacks SELECT on " + String.join(", ", unreadable) + " (the initial "
                    + "snapshot reads them: GRANT SELECT ON " + String.join(", ", unreadable) + " TO " + ident(settings.user()) + ")");
        } else if (!present.isEmpty()) {
            found.passed.add("tables " + String.join(", ", found.tables) + " present and readable");
        }
        return present;
    }

    /**
     * Whether Debezium can use the publication: it keeps one of exactly the captured tables ({@code publication.autocreate.mode
     * = filtered}), creating it when missing and setting its tables when they differ. PostgreSQL lets only the owner of a
     * publication alter it, and only an owner of a table (or a superuser) add it to one, and creating one takes CREATE on the
     * database besides; a publication for all tables Debezium refuses in that mode.
     */
    private void publication(Connection c, List<Table> tables, boolean superuser, Inspection found) throws SQLException {
        String name = settings.publicationName();
        String wanted = tables.stream().map(Table::qualified).collect(Collectors.joining(", "));
        List<String> notOwned = tables.stream().filter(t -> !t.owned()).map(Table::qualified).toList();
        String tableOwners = tables.stream().map(Table::owner).distinct().collect(Collectors.joining(", "));
        boolean ownsTables = superuser || notOwned.isEmpty();
        try (PreparedStatement s = c.prepareStatement("SELECT puballtables, pg_has_role(pubowner, 'USAGE'), "
                + "pg_get_userbyid(pubowner) FROM pg_publication WHERE pubname = ?")) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    boolean mayCreate = flag(c, "SELECT has_database_privilege(current_database(), 'CREATE')");
                    if (superuser || (mayCreate && ownsTables)) {
                        found.passed.add("publication " + name + " to be created by Airlock");
                        return;
                    }
                    List<String> lacks = new ArrayList<>();
                    if (!mayCreate) {
                        lacks.add("lacks CREATE on database " + settings.database());
                    }
                    if (!ownsTables) {
                        lacks.add("does not own " + String.join(", ", notOwned));
                    }
                    found.problems.add("publication " + name + " does not exist and user '" + settings.user() + "' cannot create it "
                            + "(it " + String.join(" and ", lacks) + "): as the owner of the tables (" + tableOwners
                            + ") or a superuser, run CREATE PUBLICATION " + name + " FOR TABLE " + wanted);
                    return;
                }
                boolean allTables = rs.getBoolean(1);
                boolean ownsPublication = rs.getBoolean(2);
                String owner = rs.getString(3);
                if (allTables) {
                    found.problems.add("publication " + name + " is FOR ALL TABLES, which Debezium refuses to use for the tables it "
                            + "captures: as its owner (" + owner + ") run DROP PUBLICATION " + name + " and then CREATE PUBLICATION "
                            + name + " FOR TABLE " + wanted + ", or set airflow.database.publication to another name");
                    return;
                }
                compare(c, name, owner, tables, (superuser || ownsPublication) && ownsTables, ownsPublication, found);
            }
        }
    }

    private void compare(Connection c, String name, String owner, List<Table> tables, boolean mayAlter, boolean ownsPublication,
            Inspection found) throws SQLException {
        Set<String> published = new TreeSet<>();
        try (PreparedStatement s = c.prepareStatement("SELECT schemaname || '.' || tablename FROM pg_publication_tables "
                + "WHERE pubname = ?")) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    published.add(rs.getString(1));
                }
            }
        }
        Set<String> wanted = tables.stream().map(Table::qualified).collect(Collectors.toCollection(TreeSet::new));
        if (published.equals(wanted)) {
            found.passed.add("publication " + name + " publishes them");
            return;
        }
        if (mayAlter) {
            found.passed.add("publication " + name + " to be updated by Airlock");
            return;
        }
        Set<String> missing = new TreeSet<>(wanted);
        missing.removeAll(published);
        Set<String> extra = new TreeSet<>(published);
        extra.removeAll(wanted);
        String differs = (missing.isEmpty() ? "" : "lacks " + String.join(", ", missing))
                + (!missing.isEmpty() && !extra.isEmpty() ? " and " : "")
                + (extra.isEmpty() ? "" : "also publishes " + String.join(", ", extra));
        String fix = extra.isEmpty() ? "ALTER PUBLICATION " + name + " ADD TABLE " + String.join(", ", missing)
                : "ALTER PUBLICATION " + name + " SET TABLE " + String.join(", ", wanted);
        found.problems.add("publication " + name + " " + differs + ", and user '" + settings.user() + "' cannot change it ("
                + (ownsPublication ? "it does not own all the tables" : "it is owned by " + owner) + "; Debezium would retry "
                + "forever): as its owner, who must also own the tables, or a superuser, run " + fix);
    }

    /**
     * Whether Airlock's slot exists, with a problem for each way an existing one is unusable (Debezium would fail at start
     * with a stack trace); if it does not exist, a problem when no replication slot is free. Either way a problem when no WAL
     * sender is free: the capture streams through one.
     */
    private boolean slot(Connection c, Inspection found) throws SQLException {
        boolean exists;
        try (PreparedStatement s = c.prepareStatement("SELECT slot_type, plugin, database FROM pg_replication_slots "
                + "WHERE slot_name = ?")) {
            s.setString(1, settings.slotName());
            try (ResultSet rs = s.executeQuery()) {
                exists = rs.next();
                if (exists) {
                    int before = found.problems.size();
                    existingSlot(rs.getString(1), rs.getString(2), rs.getString(3), found);
                    if (found.problems.size() == before) {
                        found.passed.add("replication slot " + settings.slotName() + " exists");
                    }
                }
            }
        }
        if (!exists) {
            int max = Integer.parseInt(single(c, "SELECT current_setting('max_replication_slots')"));
            int used = Integer.parseInt(single(c, "SELECT count(*) FROM pg_replication_slots"));
            if (used >= max) {
                found.problems.add("all " + max + " replication slots are in use (max_replication_slots = " + max + ") and slot "
                        + settings.slotName() + " does not exist yet: drop one that is no longer used (SELECT slot_name, database, "
                        + "active FROM pg_replication_slots; SELECT pg_drop_replication_slot('<name>')) or raise max_replication_slots "
                        + "(a restart of PostgreSQL)");
            } else {
                found.passed.add("a free replication slot");
            }
        }
        int maxSenders = Integer.parseInt(single(c, "SELECT current_setting('max_wal_senders')"));
        int senders = Integer.parseInt(single(c, "SELECT count(*) FROM pg_stat_replication"));
        if (senders >= maxSenders) {
            found.problems.add("all " + maxSenders + " WAL senders are busy (max_wal_senders = " + maxSenders + "; pg_stat_replication "
                    + "lists them): stop a replication client that is no longer needed or raise max_wal_senders (a restart of "
                    + "PostgreSQL)");
        } else {
            found.passed.add("a free WAL sender");
        }
        return exists;
    }

    /**
     * The problems of an existing slot named like Airlock's: Debezium streams from it only if it is a logical slot of this
     * database made with {@link DebeziumProperties#PLUGIN}. A slot another process streams from is no problem here: after a
     * restart it is usually the previous instance's WAL sender letting go (up to {@code wal_sender_timeout}), and Debezium
     * retries until the slot is free. A slot of that name which
     * is not Airlock's is usually someone else's (a standby, another tool, an Airlock capturing another database), hence
     * another name first and dropping it only when nothing uses it.
     */
    private void existingSlot(String type, String plugin, String database, Inspection found) {
        String slot = settings.slotName();
        String fix = "set airflow.database.slot to another name, or, when nothing uses it, drop it with SELECT "
                + "pg_drop_replication_slot('" + slot + "')";
        if ("physical".equals(type)) {
            found.problems.add("replication slot " + slot + " is a physical slot (for a standby or a backup tool), Debezium needs "
                    + "a logical one: " + fix);
        } else {
            if (!settings.database().equals(database)) {
                found.problems.add("replication slot " + slot + " belongs to database " + database + ", not " + settings.database()
                        + " (a logical slot decodes one database only): " + fix);
            }
            if (!DebeziumProperties.PLUGIN.equals(plugin)) {
                found.problems.add("replication slot " + slot + " uses output plugin " + plugin + ", Debezium streams with "
                        + DebeziumProperties.PLUGIN + ": " + fix);
            }
        }
    }

    /** {@code name} as an SQL identifier, quoted when it is not a plain lower-case one. */
    static String ident(String name) {
        return name.matches("[a-z_][a-z0-9_$]*") ? name : "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** The boolean the query returns; false when it returns no row. */
    private static boolean flag(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }
}
