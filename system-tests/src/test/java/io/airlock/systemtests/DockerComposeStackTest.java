package io.airlock.systemtests;

import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import java.io.File;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The repository's {@code docker-compose.yml} with real images (Airflow 2.10, Vault, PostgreSQL, Kafka, OpenSearch) and the
 * Airlock image built from {@code deploy/airlock/Dockerfile}: wrong passwords typed into Airflow's login form and secret reads
 * through Vault's HTTP API come out as alerts in OpenSearch. Needs Docker with the compose plugin; skipped without Docker.
 */
@Testcontainers(disabledWithoutDocker = true)
class DockerComposeStackTest {

    private static final File COMPOSE_FILE = Path.of("..", "docker-compose.yml").toAbsolutePath().normalize().toFile();
    private static final String VAULT_ROOT_TOKEN = "root";
    private static final Pattern CSRF_TOKEN = Pattern.compile("id=\"csrf_token\"[^>]*value=\"([^\"]+)\"");

    @Container
    static final ComposeContainer STACK = new ComposeContainer(COMPOSE_FILE)
            .withBuild(true)
            .withRemoveVolumes(true)
            .withExposedService("airflow-webserver", 8080, Wait.forHttp("/health").forStatusCode(200).withStartupTimeout(ofMinutes(10)))
            .withExposedService("vault", 8200, Wait.forHttp("/v1/sys/health").forStatusCode(200).withStartupTimeout(ofMinutes(5)))
            .withExposedService("opensearch", 9200, Wait.forHttp("/_cluster/health").forStatusCode(200).withStartupTimeout(ofMinutes(5)))
            .withExposedService("airlock", 9404, Wait.forHttp("/health/ready").forStatusCode(200).withStartupTimeout(ofMinutes(15)))
            .withStartupTimeout(ofMinutes(20));

    private final HttpClient http = HttpClient.newBuilder()
            .cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(ofSeconds(10))
            .build();

    @Test
    void shouldRaiseAlertsForWrongPasswordsAtAirflowsLoginFormAndSecretReadsThroughVault() throws Exception {
        // AL-001: five wrong passwords for an existing user in the login form (a sixth in case one hits the rate limit).
        URI airflow = service("airflow-webserver", 8080);
        for (int attempt = 1; attempt <= 6; attempt++) {
            String loginPage = send(HttpRequest.newBuilder(airflow.resolve("/login/")).GET()).body();
            Matcher csrf = CSRF_TOKEN.matcher(loginPage);
            assertThat(csrf.find()).as("Airflow's login form has a CSRF token").isTrue();
            HttpResponse<String> login = send(HttpRequest.newBuilder(airflow.resolve("/login/"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form("csrf_token", csrf.group(1), "username", "alice",
                            "password", "wrong-password-" + attempt))));
            assertThat(login.statusCode()).as("a failed login redirects back to the form (or is rate limited)").isIn(302, 429);
        }

        // AL-021: one Vault identity (the root token) reads 25 distinct secrets; AL-024: a human reads Airflow's connections.
        URI vault = service("vault", 8200);
        for (int i = 1; i <= 25; i++) {
            assertThat(vaultRead(vault, "/v1/airlock/data/demo/service-" + i).statusCode()).isEqualTo(200);
        }
        assertThat(vaultRead(vault, "/v1/airflow/data/connections/postgres_warehouse").statusCode()).isEqualTo(200);

        URI openSearch = service("opensearch", 9200);
        await().atMost(ofMinutes(3)).pollInterval(ofSeconds(2)).untilAsserted(() -> {
            assertThat(alerts(openSearch, "rule.id:\"AL-001\" AND entity:\"alice\"")).isGreaterThanOrEqualTo(1);
            assertThat(alerts(openSearch, "rule.id:\"AL-021\"")).isGreaterThanOrEqualTo(1);
            assertThat(alerts(openSearch, "rule.id:\"AL-024\"")).isGreaterThanOrEqualTo(1);
        });
        // Vault HMACs secret values in its audit log, and nothing in the pipeline may undo that.
        assertThat(alerts(openSearch, "\"demo-password-1\"")).isZero();

        String metrics = send(HttpRequest.newBuilder(service("airlock", 9404).resolve("/metrics")).GET()).body();
        assertThat(metrics).contains("airlock_events_in_total{source=\"airflow\"}").contains("airlock_events_in_total{source=\"vault\"}")
                .contains("airlock_alerts_total{rule=\"AL-001\"");
    }

    private URI service(String name, int port) {
        return URI.create("http://" + STACK.getServiceHost(name, port) + ":" + STACK.getServicePort(name, port));
    }

    private HttpResponse<String> vaultRead(URI vault, String path) throws Exception {
        return send(HttpRequest.newBuilder(vault.resolve(path)).header("X-Vault-Token", VAULT_ROOT_TOKEN).GET());
    }

    private long alerts(URI openSearch, String query) throws Exception {
        send(HttpRequest.newBuilder(openSearch.resolve("/airlock-alerts/_refresh?ignore_unavailable=true"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        String q = URLEncoder.encode(query, StandardCharsets.UTF_8);
        HttpResponse<String> count = send(HttpRequest.newBuilder(
                openSearch.resolve("/airlock-alerts/_count?ignore_unavailable=true&allow_no_indices=true&q=" + q)).GET());
        JsonNode body = Json.tree(count.body());
        return body.path("count").asLong(0);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String form(String... pairs) {
        var out = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (out.length() > 0) {
                out.append('&');
            }
            out.append(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return out.toString();
    }
}
