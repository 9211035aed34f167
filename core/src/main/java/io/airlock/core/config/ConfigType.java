package io.airlock.core.config;

/**
 * How a setting's value is read from the YAML (a string, number, boolean or list) and written back for docs and summaries.
 * Standard types are in {@link ConfigTypes}.
 *
 * @param <T> the Java type of the value
 */
public interface ConfigType<T> {

    /** The type in words, for the reference ({@code duration}, {@code list of host:port}). */
    String name();

    /**
     * Reads one raw YAML value (never {@code null}).
     *
     * @throws IllegalArgumentException with a plain message without the key, e.g. {@code must be a whole number, was 'abc'}
     */
    T parse(Object raw);

    /** The value as a user would write it in the file. */
    default String format(T value) {
        return String.valueOf(value);
    }
}
