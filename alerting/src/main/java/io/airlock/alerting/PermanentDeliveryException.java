package io.airlock.alerting;

/**
 * Delivery was rejected for good (HTTP 4xx other than 429, a mapping error): retrying cannot help, the record goes to
 * the dead-letter topic with this message as the reason. The message never holds a secret.
 */
public class PermanentDeliveryException extends DeliveryException {

    private static final long serialVersionUID = 1L;

    public PermanentDeliveryException(String message) {
        super(message);
    }

    public PermanentDeliveryException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isPermanent() {
        return true;
    }
}
