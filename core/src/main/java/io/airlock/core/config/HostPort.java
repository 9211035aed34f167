package io.airlock.core.config;

import java.util.Objects;

/**
 * A {@code host:port} address; IPv6 hosts are written in brackets ({@code [::1]:9092}).
 */
public record HostPort(String host, int port) {

    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, was " + port);
        }
    }

    /**
     * Parses {@code host:port} or {@code [v6-address]:port}.
     *
     * @throws IllegalArgumentException in plain words
     */
    public static HostPort parse(String text) {
        String s = text.strip();
        if (s.indexOf('@') >= 0) { // user:password@host:port: the value is not repeated, it holds a password
            throw new IllegalArgumentException("must be host:port without credentials (user:password@); Airlock takes them "
                    + "from their own settings (the value given is not shown)");
        }
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("must be host:port, was '" + text + "'");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("must be host:port (IPv6 addresses in brackets: [::1]:9092), was '" + text + "'");
        }
        if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("must be host:port, was '" + text + "'");
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port must be a number, was '" + text + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, was '" + text + "'");
        }
        return new HostPort(host, port);
    }

    /** {@code host:port}, with brackets around an IPv6 host. */
    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
