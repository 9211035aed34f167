package io.airlock.alerting.internal;

import io.airlock.alerting.DeliveryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeoutException;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.transport.httpclient5.ResponseException;

/**
 * Sorts delivery failures into retriable and permanent by walking the cause chain (as Debezium's
 * {@code PostgresErrorHandler} does): HTTP 429 and 5xx, I/O errors and timeouts are retriable; any other HTTP 4xx is
 * permanent; anything unknown is treated as permanent, so a bug cannot block a partition forever.
 */
public final class DeliveryFailures {

    /** HTTP 408 Request Timeout is the server giving up waiting, so it is worth another try, as 429 is. */
    private static final int REQUEST_TIMEOUT = 408;
    private static final int TOO_MANY_REQUESTS = 429;

    private DeliveryFailures() {
    }

    /**
     * Whether OpenSearch refused the request for lack of credentials (401) or privileges (403), including the 403 of a
     * read-only index block (disk flood stage). That is the cluster's configuration, not the document's fault: the
     * delivery loops keep the records in Kafka and raise an alarm instead of dead-lettering them.
     */
    public static boolean isAccessDenied(int status) {
        return status == 401 || status == 403;
    }

    /** The 401/403 status somewhere in the cause chain, if any; see {@link #isAccessDenied(int)}. */
    public static Integer accessDeniedStatus(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
            Integer status = statusOf(t);
            if (status != null) {
                return isAccessDenied(status) ? status : null;
            }
        }
        return null;
    }

    /** Whether an HTTP status (of a whole response or of one bulk item) is worth retrying. */
    public static boolean isRetriableStatus(int status) {
        return status == TOO_MANY_REQUESTS || status == REQUEST_TIMEOUT || status >= 500;
    }

    /** Whether a failure is worth retrying; the first link of the cause chain that says something decides. */
    public static boolean isRetriable(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof DeliveryException de) {
                return !de.isPermanent();
            }
            Integer status = statusOf(t);
            if (status != null) {
                return isRetriableStatus(status);
            }
            if (t instanceof IOException || t instanceof TimeoutException || t instanceof UncheckedIOException) {
                if (t.getCause() != null && statusOf(t.getCause()) != null) {
                    continue; // a transport wrapper around an HTTP error: let the status decide
                }
                return true;
            }
        }
        return false;
    }

    /** The HTTP status an exception carries, or null. */
    static Integer statusOf(Throwable t) {
        if (t instanceof OpenSearchException ose) {
            return ose.status();
        }
        if (t instanceof ResponseException re) {
            return re.status();
        }
        if (t instanceof HttpStatusException hse) {
            return hse.status();
        }
        return null;
    }
}
