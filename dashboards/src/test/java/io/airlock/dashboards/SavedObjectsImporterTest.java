package io.airlock.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.IndexNames;
import io.airlock.dashboards.SavedObjectsImporter.Credentials;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The import request is what the Dashboards saved-objects import API expects, checked against a local HTTP receiver. */
class SavedObjectsImporterTest {

    private final DashboardsReceiver dashboards = new DashboardsReceiver();

    @AfterEach
    void stop() {
        dashboards.close();
    }

    @Test
    void shouldPostTheNdjsonAsMultipartFileWithXsrfHeaderAndOverwrite() throws Exception {
        String ndjson = SavedObjects.ndjson(IndexNames.defaults());

        var result = importer(dashboards.url(), Optional.empty(), Optional.empty()).importObjects(ndjson);

        assertThat(result.successCount()).isEqualTo(SavedObjects.objects().size());
        assertThat(dashboards.requests()).hasSize(1);
        var request = dashboards.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/api/saved_objects/_import");
        assertThat(request.query()).isEqualTo("overwrite=true");
        assertThat(request.header("osd-xsrf")).isEqualTo("true");
        assertThat(request.boundary()).isNotBlank();
        assertThat(request.header("securitytenant")).isNull();
        assertThat(request.header("Authorization")).isNull();
        assertThat(request.parts()).singleElement().satisfies(part -> {
            assertThat(part.headers()).contains("Content-Disposition: form-data; name=\"file\"; filename=\"airlock-saved-objects.ndjson\"");
            assertThat(part.content()).isEqualTo(ndjson);
        });
    }

    @Test
    void shouldSendTenantAndBasicAuthenticationWhenGiven() throws Exception {
        importer(dashboards.url(), Optional.of("global"), Optional.of(new Credentials("admin", "s3cret:pw")))
                .importObjects(SavedObjects.ndjson(IndexNames.defaults()));

        var request = dashboards.requests().get(0);
        assertThat(request.header("securitytenant")).isEqualTo("global");
        assertThat(request.header("Authorization"))
                .isEqualTo("Basic " + Base64.getEncoder().encodeToString("admin:s3cret:pw".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldKeepABasePathOfTheUrl() throws Exception {
        importer(URI.create(dashboards.url() + "/_dashboards/"), Optional.empty(), Optional.empty()).importObjects("{}\n");

        assertThat(dashboards.requests().get(0).path()).isEqualTo("/_dashboards/api/saved_objects/_import");
    }

    @Test
    void shouldListEveryObjectDashboardsCouldNotImport() {
        dashboards.answer(200, """
                {"success":false,"successCount":30,"errors":[
                 {"id":"airlock-vis-top-entities","type":"visualization","title":"Top entities",
                  "error":{"type":"missing_references","references":[{"type":"index-pattern","id":"airlock-alerts"}]}},
                 {"id":"airlock-overview","type":"dashboard","title":"Airlock overview","error":{"type":"unknown","message":"boom"}}]}
                """);

        assertThatThrownBy(() -> importer(dashboards.url(), Optional.empty(), Optional.empty()).importObjects("{}\n"))
                .isInstanceOf(DashboardsImportException.class)
                .hasMessageContaining("imported 30 saved objects but not these")
                .hasMessageContaining("visualization airlock-vis-top-entities (\"Top entities\"): missing_references index-pattern/airlock-alerts")
                .hasMessageContaining("dashboard airlock-overview (\"Airlock overview\"): unknown: boom");
    }

    @Test
    void shouldSayDashboardsIsUnreachableWhenNothingListens() throws Exception {
        URI closed;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }

        assertThatThrownBy(() -> importer(closed, Optional.empty(), Optional.empty()).importObjects("{}\n"))
                .isInstanceOf(DashboardsImportException.class)
                .hasMessageStartingWith("OpenSearch Dashboards is not reachable at " + closed + ": connection refused")
                .hasMessageContaining("--url");
    }

    @Test
    void shouldExplainRejectedCredentialsWithoutShowingThePassword() {
        dashboards.answer(401, "{\"statusCode\":401,\"error\":\"Unauthorized\",\"message\":\"Authentication Exception\"}");

        assertThatThrownBy(() -> importer(dashboards.url(), Optional.empty(), Optional.of(new Credentials("admin", "CANARY-pw")))
                .importObjects("{}\n"))
                .hasMessageContaining("HTTP 401").hasMessageContaining("rejected the user name or password")
                .hasMessageNotContaining("CANARY-pw");
        assertThat(new Credentials("admin", "CANARY-pw").toString()).doesNotContain("CANARY-pw");
    }

    @Test
    void shouldAskForCredentialsWhenDashboardsRequiresThem() {
        dashboards.answer(401, "");

        assertThatThrownBy(() -> importer(dashboards.url(), Optional.empty(), Optional.empty()).importObjects("{}\n"))
                .hasMessageContaining("requires authentication (HTTP 401); pass --username and --password-env");
    }

    @Test
    void shouldSuspectOpenSearchInsteadOfDashboardsOn404() {
        dashboards.answer(404, "{\"error\":\"no handler found for uri\"}");

        assertThatThrownBy(() -> importer(dashboards.url(), Optional.empty(), Optional.empty()).importObjects("{}\n"))
                .hasMessageContaining("HTTP 404").hasMessageContaining("rather than OpenSearch (port 9200)");
    }

    @Test
    void shouldSuspectOpenSearchInsteadOfDashboardsOnItsNoHandlerAnswer() {
        dashboards.answer(400, "{\"error\":\"no handler found for uri [/api/saved_objects/_import] and method [POST]\"}");

        assertThatThrownBy(() -> importer(dashboards.url(), Optional.empty(), Optional.empty()).importObjects("{}\n"))
                .hasMessageContaining("HTTP 400").hasMessageContaining("rather than OpenSearch (port 9200)");
    }

    @Test
    void shouldReportDashboardsErrorMessages() {
        dashboards.answer(400, "{\"statusCode\":400,\"error\":\"Bad Request\",\"message\":\"Invalid file extension .json\"}");

        assertThatThrownBy(() -> importer(dashboards.url(), Optional.empty(), Optional.empty()).importObjects("{}\n"))
                .hasMessageContaining("rejected the import (HTTP 400): Invalid file extension .json");
    }

    @Test
    void shouldReportForbiddenTenant() {
        dashboards.answer(403, "{\"statusCode\":403,\"error\":\"Forbidden\",\"message\":\"no permissions for tenant\"}");

        assertThatThrownBy(() -> importer(dashboards.url(), Optional.of("soc"), Optional.empty()).importObjects("{}\n"))
                .hasMessageContaining("HTTP 403").hasMessageContaining("no permissions for tenant").hasMessageContaining("tenant 'soc'");
    }

    @Test
    void shouldReportDashboardsNotReady() {
        dashboards.answer(503, "OpenSearch Dashboards server is not ready yet");

        assertThatThrownBy(() -> importer(dashboards.url(), Optional.empty(), Optional.empty()).importObjects("{}\n"))
                .hasMessageContaining("is not ready (HTTP 503)");
    }

    @Test
    void shouldRejectAnAnswerThatIsNotAnImportResult() {
        dashboards.answer(200, "<html>login</html>");

        assertThatThrownBy(() -> importer(dashboards.url(), Optional.empty(), Optional.empty()).importObjects("{}\n"))
                .hasMessageContaining("without an import result").hasMessageContaining("<html>login</html>");
    }

    @Test
    void shouldRefuseAUrlThatIsNotHttp() {
        assertThatThrownBy(() -> importer(URI.create("localhost:5601"), Optional.empty(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http(s)://host");
    }

    private static SavedObjectsImporter importer(URI url, Optional<String> tenant, Optional<Credentials> credentials) {
        return new SavedObjectsImporter(url, tenant, credentials, Duration.ofSeconds(5));
    }
}
