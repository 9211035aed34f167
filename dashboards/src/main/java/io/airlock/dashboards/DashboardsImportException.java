package io.airlock.dashboards;

/** The saved objects could not be imported; the message says why in plain words and never contains a credential. */
public final class DashboardsImportException extends Exception {

    private static final long serialVersionUID = 1L;

    public DashboardsImportException(String message) {
        super(message);
    }

    public DashboardsImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
