package io.airlock.core.config;

import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A check on a parsed value. Standard ones are in {@link Validators}.
 *
 * @param <T> the value's type
 */
public interface Validator<T> {

    /** The problem in plain words without the key ({@code must be 1..65535, was 70000}), or empty. */
    Optional<String> check(T value);

    /** The constraint for the reference ({@code 1..65535}); empty if it needs no mention. */
    String description();

    /**
     * Whether the check reads files the value names (a CA certificate): skipped where only the configuration file itself is
     * read ({@link ConfigSource#withoutSecrets()}, {@code airlock backtest} on a production file, on another machine).
     */
    default boolean readsFiles() {
        return false;
    }

    /** A validator from a condition and a message for values that fail it. */
    static <T> Validator<T> of(String description, Predicate<T> valid, Function<T, String> problem) {
        return new Validator<>() {
            @Override
            public Optional<String> check(T value) {
                return valid.test(value) ? Optional.empty() : Optional.of(problem.apply(value));
            }

            @Override
            public String description() {
                return description;
            }
        };
    }
}
