package io.airlock.ingest;

/** The source cannot be captured as configured; the message says why in plain words, without secrets. */
public class CaptureConfigurationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CaptureConfigurationException(String message) {
        super(message);
    }
}
