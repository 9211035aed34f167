package io.airlock.ingest;

import java.sql.SQLException;

/** Plain-words descriptions of a failed database connection. */
final class SqlFailures {

    private SqlFailures() {
    }

    /**
     * The driver's message and, in brackets, the root cause's class and first line when the driver's message hides it: the
     * PostgreSQL driver says only "The connection attempt failed." for a host that does not resolve
     * ({@code UnknownHostException: airflow-db.internal}), a refused connection or a TLS failure.
     */
    static String withRootCause(SQLException e) {
        String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root == e) {
            return message;
        }
        String rootMessage = root.getMessage() == null ? "" : root.getMessage().lines().findFirst().orElse("").strip();
        if (!rootMessage.isEmpty() && message.contains(rootMessage)) {
            return message;
        }
        return message + " (" + root.getClass().getSimpleName() + (rootMessage.isEmpty() ? "" : ": " + rootMessage) + ")";
    }

    /** The SQLSTATE of the first {@link SQLException} among {@code error} and its causes; null if none carries one. */
    static String sqlState(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}
