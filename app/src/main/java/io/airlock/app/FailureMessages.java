package io.airlock.app;

import io.airlock.alerting.OpenSearchSettings;
import java.nio.file.FileSystemException;
import java.util.Locale;

/** One-line descriptions of what made a command fail, with its causes and, for the usual cases, what to check. */
final class FailureMessages {

    private FailureMessages() {
    }

    /**
     * The exception's message and those of its causes that add something ("Failed to create new KafkaAdminClient: No
     * resolvable bootstrap urls given in bootstrap.servers"), at most three.
     */
    static String withCauses(Throwable e) {
        StringBuilder text = new StringBuilder(message(e));
        int added = 0;
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause() && added < 3; cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && !message.isBlank() && text.indexOf(message) < 0) {
                text.append(": ").append(message);
                added++;
            }
        }
        return text.toString();
    }

    /**
     * What went wrong talking to OpenSearch or writing files: the message with its causes, and a hint for a refused login,
     * a node that does not answer and a file that cannot be written.
     */
    static String ofOpenSearchWork(Throwable e, OpenSearchSettings openSearch) {
        String text = withCauses(e);
        String lower = text.toLowerCase(Locale.ROOT);
        FileSystemException file = cause(e, FileSystemException.class);
        if (file != null) {
            return "cannot write " + file.getFile() + (file.getReason() == null ? "" : ": " + file.getReason())
                    + " (" + file.getClass().getSimpleName() + ")";
        }
        if (lower.contains("unauthorized") || lower.contains("forbidden")) {
            return text + " — OpenSearch at " + openSearch.shownUrls() + " refused "
                    + openSearch.username().map(u -> "user " + u).orElse("a request without credentials")
                    + ": check opensearch.username and opensearch.password-env (reading needs the airlock indices)";
        }
        if (unreachable(e)) {
            return text + " — OpenSearch at " + openSearch.shownUrls() + " cannot be reached: is opensearch.urls right, and "
                    + "OpenSearch up and reachable from here?";
        }
        if (cause(e, java.net.SocketTimeoutException.class) != null || cause(e, java.util.concurrent.TimeoutException.class) != null
                || text.matches(".*\\b\\d+ (MILLISECONDS|SECONDS)\\b.*")) {
            return "OpenSearch at " + openSearch.shownUrls() + " did not answer within " + openSearch.responseTimeout().toSeconds()
                    + " s (" + text + ")";
        }
        return text;
    }

    /**
     * What made {@code airlock run} fail: the message with its causes, and for a Kafka whose hosts do not resolve (Kafka's
     * own words: "No resolvable bootstrap urls given in bootstrap.servers") the hosts of {@code bootstrapServers} and the
     * setting that names them instead.
     */
    static String ofRun(Throwable e, String bootstrapServers) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("No resolvable bootstrap urls")) {
                String hosts = java.util.Arrays.stream(bootstrapServers.split(",")).map(String::strip)
                        .map(io.airlock.core.config.ConfigTypes::redacted).collect(java.util.stream.Collectors.joining(", "));
                return "no host of kafka.bootstrap-servers (" + hosts + ") resolves to an address: is kafka.bootstrap-servers "
                        + "right, and is each name known to this machine's DNS?";
            }
        }
        return withCauses(e);
    }

    /** Whether {@code e} says that no connection could be made: refused, no route, or a host name that does not resolve. */
    static boolean unreachable(Throwable e) {
        return cause(e, java.net.ConnectException.class) != null || cause(e, java.net.UnknownHostException.class) != null
                || cause(e, java.net.NoRouteToHostException.class) != null;
    }

    private static String message(Throwable e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
