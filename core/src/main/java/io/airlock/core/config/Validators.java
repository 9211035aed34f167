package io.airlock.core.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Consumer;

/** Standard {@link Validator}s; every message says what is allowed and what was given. */
public final class Validators {

    /** How much of a certificate file is searched for a PEM block. */
    private static final int MAX_PEM_BYTES = 1 << 20;

    private Validators() {
    }

    /** {@code min <= value <= max}. */
    public static Validator<Integer> between(int min, int max) {
        return Validator.of(min + ".." + max, v -> v >= min && v <= max, v -> "must be " + min + ".." + max + ", was " + v);
    }

    /** {@code value >= min}. */
    public static Validator<Integer> atLeast(int min) {
        return Validator.of("≥ " + min, v -> v >= min, v -> "must be at least " + min + ", was " + v);
    }

    /** A duration longer than zero. */
    public static Validator<Duration> positive() {
        return Validator.of("> 0", v -> !v.isNegative() && !v.isZero(),
                v -> "must be longer than 0, was " + ConfigTypes.formatDuration(v));
    }

    /** A duration of zero or longer. */
    public static Validator<Duration> notNegative() {
        return Validator.of("≥ 0", v -> !v.isNegative(), v -> "must not be negative, was " + ConfigTypes.formatDuration(v));
    }

    /** A string matching {@code regex}; {@code rule} says in words what that means. */
    public static Validator<String> matches(String regex, String rule) {
        return Validator.of(rule, v -> v.matches(regex), v -> "must be " + rule + ", was " + ConfigTypes.show(v));
    }

    /** A non-empty list or other collection. */
    public static <C extends Collection<?>> Validator<C> notEmpty() {
        return Validator.of("at least one", v -> !v.isEmpty(), v -> "must name at least one");
    }

    /**
     * Accepts what {@code check} accepts: {@code check} throws {@link IllegalArgumentException} with the problem (usually
     * the constructor of the record the value ends up in, so the rule is written once).
     */
    public static <T> Validator<T> accepts(String description, Consumer<T> check) {
        return new Validator<>() {
            @Override
            public Optional<String> check(T value) {
                try {
                    check.accept(value);
                    return Optional.empty();
                } catch (IllegalArgumentException e) {
                    return Optional.of(e.getMessage());
                }
            }

            @Override
            public String description() {
                return description;
            }
        };
    }

    /**
     * A readable file holding at least one PEM certificate ({@code -----BEGIN CERTIFICATE-----}), such as a CA bundle: the
     * TLS clients that take it would otherwise fail only when they connect, with a stack trace.
     */
    public static Validator<Path> pemCertificateFile() {
        Validator<Path> check = accepts("a readable PEM certificate file", file -> {
            if (!Files.exists(file)) {
                throw new IllegalArgumentException("no such file: " + file);
            }
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("is not a file: " + file);
            }
            try (var in = Files.newInputStream(file)) {
                String head = new String(in.readNBytes(MAX_PEM_BYTES), StandardCharsets.US_ASCII);
                if (!head.contains("-----BEGIN CERTIFICATE-----")) {
                    throw new IllegalArgumentException(file + " holds no PEM certificate (a '-----BEGIN CERTIFICATE-----' block)");
                }
            } catch (IOException e) {
                throw new IllegalArgumentException(file + " cannot be read (" + e.getClass().getSimpleName() + ")");
            }
        });
        return new Validator<>() {
            @Override
            public Optional<String> check(Path value) {
                return check.check(value);
            }

            @Override
            public String description() {
                return check.description();
            }

            @Override
            public boolean readsFiles() {
                return true;
            }
        };
    }

    /**
     * A secret that is an http(s) URL with a host and a port of 1–65535, if any ({@link ConfigTypes#httpUrlProblem}). The
     * message says what is wrong, never the value.
     */
    public static Validator<SecretValue> secretIsHttpUrl() {
        return Validator.of("http(s) URL", v -> ConfigTypes.httpUrlProblem(v.reveal()).isEmpty(),
                v -> "the value from " + v.origin() + " " + ConfigTypes.httpUrlProblem(v.reveal()).orElse("is not an http(s) URL")
                        + " (the value is not shown)");
    }
}
