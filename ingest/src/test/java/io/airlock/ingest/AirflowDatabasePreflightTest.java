package io.airlock.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.embedded.AirflowSchema;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.embedded.RealComponents;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the preflight finds about a database user that is not the owner of Airflow's tables (the usual deployment: a
 * separate user for Airlock, the publication made by the DBA), each with the statement that fixes it. Every one of these
 * passed the preflight before and left Debezium retrying forever.
 */
@ExtendWith(RealComponents.class)
class AirflowDatabasePreflightTest {

    private static final String ALL = "public.ab_user, public.dag_run, public.log";

    private final EmbeddedPostgres postgres;

    AirflowDatabasePreflightTest(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** A database with the Airflow tables (owned by the superuser) and a role with REPLICATION; {@code sql} runs as superuser. */
    private AirflowDatabaseSettings database(String... sql) throws SQLException {
        String name = RealComponents.uniqueName("preflight");
        postgres.createDatabase(name);
        postgres.createAirflowSchema(name, AirflowSchema.V2_10);
        String role = name.replace('-', '_');
        try (var c = postgres.connect(name); var st = c.createStatement()) {
            st.execute("CREATE ROLE " + role + " LOGIN REPLICATION");
            for (String statement : sql) {
                st.execute(statement.replace("{role}", role).replace("{pub}", role + "_pub"));
            }
        }
        return new AirflowDatabaseSettings(postgres.host(), postgres.port(), name, role, "", "disable", role + "_slot",
                role + "_pub");
    }

    @Test
    void shouldNameTheTablesTheUserCannotReadWithTheGrantToRun() throws Exception {
        var db = database("CREATE PUBLICATION {pub} FOR TABLE log, dag_run, ab_user", "GRANT SELECT ON dag_run TO {role}");

        List<String> problems = new AirflowDatabasePreflight(db).inspect().problems();

        assertThat(problems).containsExactly("user '" + db.user() + "' lacks SELECT on public.log, public.ab_user (the initial "
                + "snapshot reads them: GRANT SELECT ON public.log, public.ab_user TO " + db.user() + ")");
    }

    @Test
    void shouldAcceptAPublicationOfExactlyTheCapturedTablesThatTheUserDoesNotOwn() throws Exception {
        var db = database("CREATE PUBLICATION {pub} FOR TABLE log, dag_run, ab_user",
                "GRANT SELECT ON log, dag_run, ab_user TO {role}");

        var findings = new AirflowDatabasePreflight(db).inspect();

        assertThat(findings.problems()).isEmpty();
        assertThat(findings.passed()).containsExactly("wal_level=logical", "REPLICATION privilege",
                "tables log, dag_run, ab_user present and readable", "publication " + db.publicationName() + " publishes them",
                "a free replication slot", "a free WAL sender");
        assertThat(findings.slotExists()).isFalse();
    }

    /** The DBA followed the docs before ab_user existed, or left it out: Debezium would loop on "must be owner of publication". */
    @Test
    void shouldGiveTheAlterPublicationToRunWhenAPublicationTheUserDoesNotOwnLacksATable() throws Exception {
        var db = database("CREATE PUBLICATION {pub} FOR TABLE log, dag_run", "GRANT SELECT ON log, dag_run, ab_user TO {role}");

        List<String> problems = new AirflowDatabasePreflight(db).inspect().problems();

        assertThat(problems).singleElement().asString()
                .startsWith("publication " + db.publicationName() + " lacks public.ab_user, and user '" + db.user()
                        + "' cannot change it (it is owned by postgres")
                .endsWith("run ALTER PUBLICATION " + db.publicationName() + " ADD TABLE public.ab_user");
    }

    @Test
    void shouldSetTheTablesOfAPublicationThatAlsoPublishesOthers() throws Exception {
        var db = database("CREATE TABLE task_instance (id int PRIMARY KEY)",
                "CREATE PUBLICATION {pub} FOR TABLE log, dag_run, ab_user, task_instance",
                "GRANT SELECT ON log, dag_run, ab_user TO {role}");

        List<String> problems = new AirflowDatabasePreflight(db).inspect().problems();

        assertThat(problems).singleElement().asString().contains("also publishes public.task_instance")
                .endsWith("run ALTER PUBLICATION " + db.publicationName() + " SET TABLE " + ALL);
    }

    @Test
    void shouldGiveTheCreatePublicationToRunWhenTheUserCannotCreateIt() throws Exception {
        var db = database("GRANT SELECT ON log, dag_run, ab_user TO {role}");

        List<String> problems = new AirflowDatabasePreflight(db).inspect().problems();

        assertThat(problems).singleElement().asString()
                .isEqualTo("publication " + db.publicationName() + " does not exist and user '" + db.user() + "' cannot create it "
                        + "(it lacks CREATE on database " + db.database() + " and does not own public.log, public.dag_run, "
                        + "public.ab_user): as the owner of the tables (postgres) or a superuser, run CREATE PUBLICATION "
                        + db.publicationName() + " FOR TABLE public.log, public.dag_run, public.ab_user");
    }

    /** PostgreSQL's rule for FOR TABLE publications: CREATE on the database and ownership of each table. */
    @Test
    void shouldLetAnOwnerOfTheTablesWithCreateOnTheDatabaseLeaveThePublicationToAirlock() throws Exception {
        var db = database("ALTER TABLE log OWNER TO {role}", "ALTER TABLE dag_run OWNER TO {role}",
                "ALTER TABLE ab_user OWNER TO {role}");
        try (var c = postgres.connect(db.database()); var st = c.createStatement()) {
            st.execute("GRANT CREATE ON DATABASE \"" + db.database() + "\" TO " + db.user());
        }

        var findings = new AirflowDatabasePreflight(db).inspect();

        assertThat(findings.problems()).isEmpty();
        assertThat(findings.passed()).contains("publication " + db.publicationName() + " to be created by Airlock");
    }

    @Test
    void shouldRefuseAPublicationForAllTables() throws Exception {
        var db = database("GRANT SELECT ON log, dag_run, ab_user TO {role}", "CREATE PUBLICATION {pub} FOR ALL TABLES");

        List<String> problems = new AirflowDatabasePreflight(db).inspect().problems();

        assertThat(problems).singleElement().asString().contains("is FOR ALL TABLES")
                .contains("DROP PUBLICATION " + db.publicationName());
    }

    @Test
    void shouldSayWhenNoReplicationSlotAndNoWalSenderIsFree() throws Exception {
        try (var full = EmbeddedPostgres.start(Map.of("max_replication_slots", "1", "max_wal_senders", "0"))) {
            full.createDatabase("airflow");
            full.createAirflowSchema("airflow", AirflowSchema.V3);
            try (var c = full.connect("airflow"); var st = c.createStatement()) {
                st.execute("SELECT pg_create_logical_replication_slot('someone_elses', 'pgoutput')");
            }
            var db = new AirflowDatabaseSettings(full.host(), full.port(), "airflow", full.superuser(), full.password(), "disable",
                    "airlock", null);

            List<String> problems = new AirflowDatabasePreflight(db).inspect().problems();

            assertThat(problems).hasSize(2);
            assertThat(problems.get(0)).startsWith("all 1 replication slots are in use (max_replication_slots = 1) and slot airlock "
                    + "does not exist yet").contains("pg_drop_replication_slot");
            assertThat(problems.get(1)).startsWith("all 0 WAL senders are busy (max_wal_senders = 0");

            var own = new AirflowDatabaseSettings(full.host(), full.port(), "airflow", full.superuser(), full.password(), "disable",
                    "someone_elses", null);
            var findings = new AirflowDatabasePreflight(own).inspect();
            assertThat(findings.problems()).hasSize(1).allSatisfy(p -> assertThat(p).contains("WAL senders"));
            assertThat(findings.slotExists()).isTrue();
        }
    }

    /** An existing slot of Airlock's name that is no logical pgoutput slot of this database: Debezium fails at start. */
    @Test
    void shouldSayWhenAirlockSlotIsOfAnotherDatabaseAnotherPluginOrPhysical() throws Exception {
        var db = database("CREATE PUBLICATION {pub} FOR TABLE log, dag_run, ab_user", "GRANT SELECT ON log, dag_run, ab_user TO {role}");
        String other = RealComponents.uniqueName("preflight-other");
        postgres.createDatabase(other);
        String fix = "set airflow.database.slot to another name, or, when nothing uses it, drop it with SELECT "
                + "pg_drop_replication_slot('" + db.slotName() + "')";
        var preflight = new AirflowDatabasePreflight(db);

        try (var c = postgres.connect(other); var st = c.createStatement()) {
            st.execute("SELECT pg_create_logical_replication_slot('" + db.slotName() + "', 'pgoutput')");
        }
        var otherDatabase = preflight.inspect();
        dropSlot(db);
        try (var c = postgres.connect(db.database()); var st = c.createStatement()) {
            st.execute("SELECT pg_create_logical_replication_slot('" + db.slotName() + "', 'test_decoding')");
        }
        var otherPlugin = preflight.inspect();
        dropSlot(db);
        try (var c = postgres.connect(db.database()); var st = c.createStatement()) {
            st.execute("SELECT pg_create_physical_replication_slot('" + db.slotName() + "')");
        }
        var physical = preflight.inspect();
        dropSlot(db);

        assertThat(otherDatabase.problems()).containsExactly("replication slot " + db.slotName() + " belongs to database " + other
                + ", not " + db.database() + " (a logical slot decodes one database only): " + fix);
        assertThat(otherPlugin.problems()).containsExactly("replication slot " + db.slotName() + " uses output plugin test_decoding, "
                + "Debezium streams with pgoutput: " + fix);
        assertThat(physical.problems()).containsExactly("replication slot " + db.slotName() + " is a physical slot (for a standby or "
                + "a backup tool), Debezium needs a logical one: " + fix);
        assertThat(List.of(otherDatabase, otherPlugin, physical)).allSatisfy(f -> {
            assertThat(f.slotExists()).isTrue();
            assertThat(f.passed()).doesNotContain("replication slot " + db.slotName() + " exists");
        });
    }

    @Test
    void shouldAcceptAnIdleLogicalPgoutputSlotOfThisDatabase() throws Exception {
        var db = database("CREATE PUBLICATION {pub} FOR TABLE log, dag_run, ab_user", "GRANT SELECT ON log, dag_run, ab_user TO {role}",
                "SELECT pg_create_logical_replication_slot('{role}_slot', 'pgoutput')");
        try {
            var findings = new AirflowDatabasePreflight(db).inspect();

            assertThat(findings.problems()).isEmpty();
            assertThat(findings.passed()).contains("replication slot " + db.slotName() + " exists");
        } finally {
            dropSlot(db);
        }
    }

    private void dropSlot(AirflowDatabaseSettings db) throws SQLException {
        try (var c = postgres.connect(db.database()); var st = c.createStatement()) {
            st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + db.slotName()
                    + "'");
        }
    }
}
