package io.airlock.alerting;

/**
 * Delivery to OpenSearch, Slack or PagerDuty failed for now (timeouts, connection refused, HTTP 429 or 5xx after the
 * retry budget): the record must stay uncommitted in Kafka and be tried again. The message never holds a secret.
 */
public class DeliveryException extends Exception {

    private static final long serialVersionUID = 1L;

    public DeliveryException(String message) {
        super(message);
    }

    public DeliveryException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True if trying again cannot help and the record belongs in the dead-letter topic. */
    public boolean isPermanent() {
        return false;
    }
}
