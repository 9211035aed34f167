package io.airlock.alerting.internal;

import java.io.IOException;

/** A webhook answered with an error status. The message holds the status and a redacted excerpt of the body. */
public final class HttpStatusException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int status;

    public HttpStatusException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
