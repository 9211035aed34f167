package io.airlock.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.airlock.dashboards.SavedObjects;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code airlock dashboards import} against a local HTTP receiver standing in for OpenSearch Dashboards. */
class DashboardsCommandTest {

    private static final String PASSWORD = "CANARY-dashboards-password";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<com.sun.net.httpserver.Headers> received = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void shouldImportIntoTheTenantWithBasicAuthenticationAndSayWhatItImported() throws IOException {
        String url = dashboards(200, "{\"success\":true,\"successCount\":" + SavedObjects.objects().size() + "}");

        int exit = run(Map.of("OSD_PASSWORD", PASSWORD), "import", "--url", url, "--tenant", "global", "--username", "admin",
                "--password-env", "OSD_PASSWORD");

        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(received).singleElement().satisfies(h -> {
            assertThat(h.getFirst("osd-xsrf")).isEqualTo("true");
            assertThat(h.getFirst("securitytenant")).isEqualTo("global");
            assertThat(h.getFirst("Authorization")).isEqualTo("Basic "
                    + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
            assertThat(h.getFirst("Content-Type")).startsWith("multipart/form-data; boundary=");
        });
        assertThat(bodies.get(0)).contains("name=\"file\"; filename=\"airlock-saved-objects.ndjson\"")
                .contains("\"title\":\"airlock-events-*\"");
        assertThat(stdout()).contains("Imported " + SavedObjects.objects().size() + " saved objects into OpenSearch Dashboards at "
                + url + " (tenant global)").contains("Airlock overview, Authentication, Airflow changes, Vault secret access");
        assertThat(stdout() + stderr()).doesNotContain(PASSWORD);
    }

    @Test
    void shouldUseTheIndexPrefixForTheIndexPatternTitles() throws IOException {
        String url = dashboards(200, "{\"success\":true,\"successCount\":40}");

        int exit = run(Map.of(), "import", "--url", url, "--index-prefix", "acme");

        assertThat(exit).isZero();
        assertThat(received.get(0).getFirst("securitytenant")).isNull();
        assertThat(received.get(0).getFirst("Authorization")).isNull();
        assertThat(bodies.get(0)).contains("\"title\":\"acme-events-*\"").contains("\"title\":\"acme-alerts\"");
    }

    @Test
    void shouldRefuseCredentialsInTheUrlWithoutPrintingThemAndNameAnUnknownHost() {
        int exit = run(Map.of(), "import", "--url", "http://admin:p%zz#CANARY-SECRET-DASH@127.0.0.1:9");

        assertThat(exit).as("a usage error").isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("must not contain credentials").doesNotContain("CANARY");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("CANARY");

        err.reset();
        assertThat(run(Map.of(), "import", "--url", "http://no-such-host.invalid:5601", "--timeout", "PT5S")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown host no-such-host.invalid");
    }

    @Test
    void shouldFailWithAClearMessageWhenDashboardsIsUnreachable() throws IOException {
        int port;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }

        int exit = run(Map.of(), "import", "--url", "http://127.0.0.1:" + port);

        assertThat(exit).isEqualTo(1);
        assertThat(stderr()).contains("OpenSearch Dashboards is not reachable at http://127.0.0.1:" + port + ": connection refused")
                .doesNotContain("Exception\n\tat");
    }

    @Test
    void shouldFailListingTheObjectsDashboardsRejected() throws IOException {
        String url = dashboards(200, "{\"success\":false,\"successCount\":1,\"errors\":[{\"id\":\"airlock-overview\",\"type\":\"dashboard\","
                + "\"title\":\"Airlock overview\",\"error\":{\"type\":\"conflict\"}}]}");

        int exit = run(Map.of(), "import", "--url", url);

        assertThat(exit).isEqualTo(1);
        assertThat(stderr()).contains("dashboard airlock-overview (\"Airlock overview\"): conflict");
    }

    @Test
    void shouldNeverPrintThePasswordWhenDashboardsRejectsIt() throws IOException {
        String url = dashboards(401, "{\"statusCode\":401,\"error\":\"Unauthorized\",\"message\":\"Unauthorized\"}");

        int exit = run(Map.of("OSD_PASSWORD", PASSWORD), "import", "--url", url, "--username", "admin", "--password-env", "OSD_PASSWORD");

        assertThat(exit).isEqualTo(1);
        assertThat(stderr()).contains("rejected the user name or password");
        assertThat(stdout() + stderr()).doesNotContain(PASSWORD);
    }

    @Test
    void shouldRequireThePasswordVariableToBeSetAndNotEmpty() {
        int exit = run(Map.of(), "import", "--username", "admin", "--password-env", "OSD_PASSWORD");

        assertThat(exit).isEqualTo(2);
        assertThat(stderr()).contains("--password-env: environment variable OSD_PASSWORD is not set");
        assertThat(run(Map.of("OSD_PASSWORD", ""), "import", "--username", "admin", "--password-env", "OSD_PASSWORD")).isEqualTo(2);
        assertThat(stderr()).contains("--password-env: environment variable OSD_PASSWORD is set but empty");
    }

    @Test
    void shouldNeverPrintAPasswordPastedInPlaceOfTheVariableName() {
        for (String pasted : List.of("OsdPw-SECRET2", "s3cr3t pass", "dGhpc2lzYXBhc3N3b3Jk")) {
            assertThat(run(Map.of(), "import", "--username", "admin", "--password-env", pasted)).as(pasted).isEqualTo(2);
            assertThat(stdout() + stderr()).as(pasted).doesNotContain(pasted);
        }
        assertThat(stderr()).contains("--password-env: must be the name of an environment variable (letters, digits and '_'), "
                + "not the secret itself (the value given is not shown)",
                "--password-env: the environment variable it names is not set (the name is not shown");
    }

    @Test
    void shouldRequireBothUsernameAndPasswordEnv() {
        assertThat(run(Map.of(), "import", "--username", "admin")).isEqualTo(2);
        assertThat(stderr()).contains("--username needs --password-env VAR");
    }

    @Test
    void shouldRejectAUrlWithoutScheme() {
        assertThat(run(Map.of(), "import", "--url", "localhost:5601")).isEqualTo(2);
        assertThat(stderr()).contains("Dashboards URL must be http(s)://host");
    }

    @Test
    void shouldExitTwoOnEveryBadOptionWithAMessageNamingIt() {
        assertThat(run(Map.of(), "import", "--timeout", "0s")).isEqualTo(2);
        assertThat(stderr()).contains("--timeout must be longer than 0, was 0").doesNotContain("PT0S");
        assertThat(run(Map.of(), "import", "--url", "htp:// bad")).isEqualTo(2);
        assertThat(stderr()).contains("--url 'htp:// bad' is not a URL (Illegal character in authority at character 7)");
        assertThat(run(Map.of(), "import", "--index-prefix", "-bad")).isEqualTo(2);
        assertThat(stderr()).contains("index prefix '-bad' cannot start with '-', '_' or '+'");
        assertThat(run(Map.of(), "import", "--index-prefix", "Bad")).isEqualTo(2);
        assertThat(stderr()).contains("index prefix 'Bad' must be lower case letters, digits, '_' or '-'");
    }

    @Test
    void shouldShowUsageWithoutASubcommand() {
        assertThat(run(Map.of())).isEqualTo(2);
        assertThat(stderr()).contains("import");
    }

    private int run(Map<String, String> env, String... args) {
        var utf8Out = new PrintStream(out, true, StandardCharsets.UTF_8);
        var utf8Err = new PrintStream(err, true, StandardCharsets.UTF_8);
        return AirlockCli.configured(new CommandLine(new DashboardsCommand(env, utf8Out, utf8Err))).setOut(new java.io.PrintWriter(utf8Out, true))
                .setErr(new java.io.PrintWriter(utf8Err, true)).execute(args);
    }

    private String dashboards(int status, String answer) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/saved_objects/_import", exchange -> {
            received.add(exchange.getRequestHeaders());
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
