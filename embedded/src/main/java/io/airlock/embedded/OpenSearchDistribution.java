package io.airlock.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Locates the OpenSearch distribution the build unpacked (or the one the environment points to). */
final class OpenSearchDistribution {

    static final String HOME_ENV = "AIRLOCK_OPENSEARCH_HOME";
    static final String HOME_PROPERTY = "airlock.opensearch.home";
    private static final String BUILD_PROPERTIES = "embedded.properties";

    private OpenSearchDistribution() {
    }

    /**
     * The distribution home: {@value #HOME_ENV}, else {@value #HOME_PROPERTY}, else the one unpacked in the checkout this
     * code was loaded from ({@code <repo>/embedded/target/opensearch/…}, found from the jar or class directory upwards, then from the working directory),
     * else the directory recorded by the build of the embedded module. The checkout comes before the recorded directory:
     * two clones share one {@code ~/.m2}, and a jar copied from there records the other clone's directory.
     *
     * @throws IllegalStateException if the directory does not hold an OpenSearch distribution
     */
    static Path home() {
        String env = System.getenv(HOME_ENV);
        String property = System.getProperty(HOME_PROPERTY);
        String source;
        String value;
        if (env != null && !env.isBlank()) {
            source = "environment variable " + HOME_ENV;
            value = env;
        } else if (property != null && !property.isBlank()) {
            source = "system property " + HOME_PROPERTY;
            value = property;
        } else {
            Path inCheckout = inOwnCheckout();
            source = inCheckout != null ? "the checkout this code was loaded from"
                    : BUILD_PROPERTIES + " (written by the build of airlock-embedded)";
            value = inCheckout != null ? inCheckout.toString() : buildProperties().getProperty("opensearch.home");
        }
        Path home = Path.of(value).toAbsolutePath().normalize();
        if (!isDistribution(home)) {
            throw new IllegalStateException("no OpenSearch distribution at " + home + " (from " + source + "). "
                    + "Run the build once to unpack it: cd <repo> && mvn -B install -pl embedded -DskipTests "
                    + "(the generate-resources phase unpacks org.opensearch.distribution.integ-test-zip:opensearch:"
                    + version() + ":zip), or set " + HOME_ENV + " to an unpacked OpenSearch distribution.");
        }
        return home;
    }

    private static boolean isDistribution(Path home) {
        return Files.isRegularFile(home.resolve("bin/opensearch")) && Files.isDirectory(home.resolve("lib"));
    }

    /**
     * {@code <dir>/embedded/target/opensearch/opensearch-<version>} of the nearest directory above this code's location,
     * else above the working directory (a module's tests run in the checkout even when this jar came from {@code ~/.m2}).
     */
    private static Path inOwnCheckout() {
        Path fromCode = null;
        try {
            var location = OpenSearchDistribution.class.getProtectionDomain().getCodeSource();
            fromCode = location == null ? null : nearestAbove(Path.of(location.getLocation().toURI()).toAbsolutePath());
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // no usable code location: try the working directory
        }
        return fromCode != null ? fromCode : nearestAbove(Path.of("").toAbsolutePath());
    }

    private static Path nearestAbove(Path dir) {
        String relative = "embedded/target/opensearch/opensearch-" + version();
        for (; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(relative);
            if (isDistribution(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    static String version() {
        return buildProperties().getProperty("opensearch.version", "unknown");
    }

    private static Properties buildProperties() {
        Properties p = new Properties();
        try (InputStream in = OpenSearchDistribution.class.getResourceAsStream(BUILD_PROPERTIES)) {
            if (in == null) {
                throw new IllegalStateException("missing resource io/airlock/embedded/" + BUILD_PROPERTIES
                        + "; build airlock-embedded with Maven");
            }
            p.load(in);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
