package io.airlock.embedded;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects the real components: a test (or constructor, or lifecycle method)
 * declaring a parameter of type {@link EmbeddedPostgres}, {@link EmbeddedKafka}, {@link EmbeddedOpenSearch}
 * or {@link WebhookReceiver} gets the one shared instance of this test JVM.
 *
 * <p>Each component starts on first use and lives in the root {@link ExtensionContext.Store}, which
 * closes it once when the test run ends (JUnit 5.13 closes stored {@link AutoCloseable} values). Tests
 * share instances, so they keep apart by name: see {@link #uniqueName(String)}.
 *
 * <pre>{@code
 * @ExtendWith(RealComponents.class)
 * class CaptureIT {
 *     @Test
 *     void shouldCaptureFailedLogins(EmbeddedPostgres postgres, EmbeddedKafka kafka) { ... }
 * }
 * }</pre>
 */
public final class RealComponents implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RealComponents.class);
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final int MAX_BASE_LENGTH = 40;

    private static final Map<Class<?>, Supplier<? extends AutoCloseable>> COMPONENTS = Map.of(
            EmbeddedPostgres.class, EmbeddedPostgres::start,
            EmbeddedKafka.class, EmbeddedKafka::start,
            EmbeddedOpenSearch.class, EmbeddedOpenSearch::start,
            WebhookReceiver.class, WebhookReceiver::start);

    /** Used by JUnit. */
    public RealComponents() {
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return COMPONENTS.containsKey(parameterContext.getParameter().getType());
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        ExtensionContext.Store store = extensionContext.getRoot().getStore(NAMESPACE);
        try {
            return store.getOrComputeIfAbsent(type, t -> (Object) COMPONENTS.get(t).get(), Object.class);
        } catch (RuntimeException e) {
            throw new ParameterResolutionException("cannot start " + type.getSimpleName(), e);
        }
    }

    /**
     * A name no other call in this JVM returns, usable as Kafka topic, OpenSearch index and PostgreSQL
     * database name: {@code base} in lower case with anything but letters, digits, {@code -} and {@code _}
     * replaced by {@code -}, then {@code -<counter>-<random>}, e.g. {@code failed-logins-7-k3x9}.
     */
    public static String uniqueName(String base) {
        String cleaned = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
        if (cleaned.isEmpty() || !Character.isLetter(cleaned.charAt(0))) {
            cleaned = "t" + cleaned;
        }
        if (cleaned.length() > MAX_BASE_LENGTH) {
            cleaned = cleaned.substring(0, MAX_BASE_LENGTH);
        }
        String random = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
        return cleaned + "-" + COUNTER.incrementAndGet() + "-" + random;
    }
}
