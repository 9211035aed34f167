package io.airlock.alerting.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.alerting.DeliveryException;
import io.airlock.alerting.PermanentDeliveryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.opensearch.client.opensearch._types.ErrorResponse;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.transport.TransportException;
import org.junit.jupiter.api.Test;

class DeliveryFailuresTest {

    @Test
    void shouldRetryTooManyRequestsServerErrorsAndRequestTimeouts() {
        assertThat(DeliveryFailures.isRetriableStatus(429)).isTrue();
        assertThat(DeliveryFailures.isRetriableStatus(408)).isTrue();
        assertThat(DeliveryFailures.isRetriableStatus(500)).isTrue();
        assertThat(DeliveryFailures.isRetriableStatus(503)).isTrue();
    }

    @Test
    void shouldNotRetryOtherClientErrors() {
        assertThat(DeliveryFailures.isRetriableStatus(400)).isFalse();
        assertThat(DeliveryFailures.isRetriableStatus(403)).isFalse();
        assertThat(DeliveryFailures.isRetriableStatus(404)).isFalse();
        assertThat(DeliveryFailures.isRetriableStatus(409)).isFalse();
    }

    @Test
    void shouldRetryIoErrorsAndTimeoutsAnywhereInTheCauseChain() {
        assertThat(DeliveryFailures.isRetriable(new ConnectException("refused"))).isTrue();
        assertThat(DeliveryFailures.isRetriable(new HttpTimeoutException("timed out"))).isTrue();
        assertThat(DeliveryFailures.isRetriable(new ExecutionException(new TimeoutException()))).isTrue();
        assertThat(DeliveryFailures.isRetriable(new RuntimeException(new UncheckedIOException(new IOException("reset"))))).isTrue();
        assertThat(DeliveryFailures.isRetriable(new TransportException("node unreachable"))).isTrue();
    }

    @Test
    void shouldLetTheHttpStatusDecideInsideATransportWrapper() {
        assertThat(DeliveryFailures.isRetriable(new IOException("wrapped", new HttpStatusException(503, "busy")))).isTrue();
        assertThat(DeliveryFailures.isRetriable(new IOException("wrapped", new HttpStatusException(400, "bad")))).isFalse();
    }

    @Test
    void shouldClassifyOpenSearchErrorsByStatus() {
        assertThat(DeliveryFailures.isRetriable(openSearch(429, "es_rejected_execution_exception"))).isTrue();
        assertThat(DeliveryFailures.isRetriable(openSearch(503, "cluster_block_exception"))).isTrue();
        assertThat(DeliveryFailures.isRetriable(openSearch(400, "mapper_parsing_exception"))).isFalse();
        assertThat(DeliveryFailures.isRetriable(new RuntimeException(openSearch(502, "bad_gateway")))).isTrue();
    }

    @Test
    void shouldRespectOurOwnClassification() {
        assertThat(DeliveryFailures.isRetriable(new DeliveryException("down"))).isTrue();
        assertThat(DeliveryFailures.isRetriable(new PermanentDeliveryException("rejected"))).isFalse();
        assertThat(DeliveryFailures.isRetriable(new IllegalStateException(new PermanentDeliveryException("x")))).isFalse();
    }

    @Test
    void shouldTreatUnknownFailuresAsPermanent() {
        assertThat(DeliveryFailures.isRetriable(new IllegalArgumentException("bug"))).isFalse();
        assertThat(DeliveryFailures.isRetriable(new NullPointerException())).isFalse();
    }

    @Test
    void shouldRecogniseOpenSearchAccessDeniedAnywhereInTheCauseChain() {
        assertThat(DeliveryFailures.accessDeniedStatus(new TransportException("Forbidden access", new HttpStatusException(403, "x"))))
                .isEqualTo(403);
        assertThat(DeliveryFailures.accessDeniedStatus(openSearch(401, "security_exception"))).isEqualTo(401);
        assertThat(DeliveryFailures.accessDeniedStatus(openSearch(400, "mapper_parsing_exception"))).isNull();
        assertThat(DeliveryFailures.accessDeniedStatus(new java.net.ConnectException("refused"))).isNull();
        assertThat(DeliveryFailures.isAccessDenied(403)).isTrue();
        assertThat(DeliveryFailures.isAccessDenied(404)).isFalse();
    }

    private static OpenSearchException openSearch(int status, String type) {
        return new OpenSearchException(ErrorResponse.of(r -> r.status(status).error(e -> e.type(type).reason("r"))));
    }
}
