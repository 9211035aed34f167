package io.airlock.core;

/** A record that can never be processed (bad JSON, wrong types): it belongs in the dead-letter topic, with this message as the reason. */
public class MalformedRecordException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MalformedRecordException(String reason) {
        super(reason);
    }

    public MalformedRecordException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
