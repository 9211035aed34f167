package io.airlock.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.app.CheckConfigCommand;
import io.airlock.embedded.AirflowSchema;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.embedded.RealComponents;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code check-config --connect} against a real PostgreSQL (with an Airflow schema), Kafka and OpenSearch. */
@ExtendWith(RealComponents.class)
class CheckConfigConnectIntegrationTest {

    @Test
    void shouldReachEveryComponentAndExitZero(EmbeddedPostgres postgres, EmbeddedKafka kafka, EmbeddedOpenSearch openSearch,
            @TempDir Path dir) throws Exception {
        String database = RealComponents.uniqueName("checkconfig");
        postgres.createDatabase(database);
        postgres.createAirflowSchema(database, AirflowSchema.V2_10);
        Path file = Files.writeString(dir.resolve("airlock.yml"), """
                kafka.bootstrap-servers: %s
                airflow.database: {host: %s, port: %d, name: %s, user: %s, sslmode: disable%s}
                opensearch.urls: ["%s"]
                """.formatted(kafka.bootstrapServers(), postgres.host(), postgres.port(), database, postgres.superuser(),
                postgres.password().isEmpty() ? "" : ", password-env: DB_PASSWORD", openSearch.httpUri()));
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();

        int exit = new CommandLine(new CheckConfigCommand(Map.of("DB_PASSWORD", postgres.password()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)))
                .execute("--config", file.toString(), "--connect");

        String stdout = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(stdout + err).isZero();
        assertThat(stdout).contains("ok      Airflow database " + postgres.superuser() + "@")
                .contains("reachable, wal_level=logical, REPLICATION privilege, tables log, dag_run, ab_user present and readable, "
                        + "publication airlock_publication to be created by Airlock, a free replication slot, a free WAL sender")
                .containsPattern("ok {6}Kafka .*: reachable, cluster \\S+, 1 broker\\(s\\)")
                .containsPattern("ok {6}OpenSearch .*: reachable, cluster \\S+, version 2\\.");
        if (!postgres.password().isEmpty()) {
            assertThat(stdout + err).doesNotContain(postgres.password());
        }
    }
}
