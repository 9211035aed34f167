package io.airlock.core.config;

import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The value types settings are made of. Every parse failure is a plain sentence without the key. */
public final class ConfigTypes {

    private static final int MAX_SHOWN = 60;
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private ConfigTypes() {
    }

    /** Text; numbers and booleans are taken as written. */
    public static ConfigType<String> string() {
        return simple("string", raw -> {
            requireScalar(raw, "text");
            // YAML 1.1 turns unquoted yes/no/on/off into booleans and 012, 0x10, 1e3 into other numbers: the text is lost
            if (raw instanceof Boolean b) {
                throw new IllegalArgumentException("must be text, but YAML read it as " + b + " (yes, no, on, off, y, n are "
                        + "booleans to it): write the text in quotes");
            }
            if (raw instanceof Number n) {
                throw new IllegalArgumentException("must be text, but YAML read it as the number " + n + " (leading zeros, "
                        + "0x and exponents change it): write the text in quotes");
            }
            return String.valueOf(raw);
        }, s -> s.isEmpty() ? "\"\"" : s);
    }

    /** A whole number ({@code 5432}, also {@code "5432"}). */
    public static ConfigType<Integer> integer() {
        return simple("integer", raw -> {
            if (raw instanceof Integer i) {
                return i;
            }
            if (raw instanceof Long || raw instanceof BigInteger) {
                throw new IllegalArgumentException(raw.toString().startsWith("-")
                        ? "is too small (at least " + Integer.MIN_VALUE + "), was " + raw
                        : "is too large (at most " + Integer.MAX_VALUE + "), was " + raw);
            }
            if (raw instanceof String s && s.strip().matches("[-+]?\\d{1,10}")) {
                try {
                    return Integer.parseInt(s.strip());
                } catch (NumberFormatException tooLarge) {
                    // reported below
                }
            }
            throw new IllegalArgumentException("must be a whole number, was " + show(raw));
        }, String::valueOf);
    }

    /** {@code true} or {@code false}. */
    public static ConfigType<Boolean> bool() {
        return simple("boolean", raw -> {
            if (raw instanceof Boolean b) {
                return b;
            }
            if (raw instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
                return Boolean.parseBoolean(s);
            }
            throw new IllegalArgumentException("must be true or false, was " + show(raw));
        }, String::valueOf);
    }

    /**
     * A duration: a number with a unit, {@code 500ms}, {@code 30s}, {@code 5m}, {@code 24h}, {@code 7d}, or ISO-8601
     * ({@code PT5M}, {@code P7D}); {@code 0} alone is allowed.
     */
    public static ConfigType<Duration> duration() {
        return simple("duration", raw -> {
            Duration d = parseDuration(raw);
            if (d.compareTo(MAX_DURATION) > 0) {
                throw tooLong(raw);
            }
            return d;
        }, ConfigTypes::formatDuration);
    }

    /**
     * The longest duration any setting takes: ten years. Windows, grace and learning periods are added to event times;
     * a longer one would overflow {@link java.time.Instant} arithmetic instead of meaning anything.
     */
    public static final Duration MAX_DURATION = Duration.ofDays(3650);

    private static IllegalArgumentException tooLong(Object raw) {
        return new IllegalArgumentException("is too long a duration; at most " + formatDuration(MAX_DURATION) + ", was " + show(raw));
    }

    private static Duration parseDuration(Object raw) {
        if (raw instanceof Integer i && i == 0) {
            return Duration.ZERO;
        }
        if (raw instanceof String s) {
            String t = s.strip();
            if (t.equals("0")) {
                return Duration.ZERO;
            }
            Matcher m = SHORT_DURATION.matcher(t);
            if (m.matches()) {
                try {
                    long n = Long.parseLong(m.group(1));
                    return switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    };
                } catch (ArithmeticException | NumberFormatException tooLarge) {
                    throw tooLong(raw);
                }
            }
            if (t.length() > 1 && (t.charAt(0) == 'P' || t.charAt(0) == 'p')) {
                try {
                    return Duration.parse(t);
                } catch (DateTimeParseException e) {
                    if (e.getCause() instanceof ArithmeticException) {
                        throw tooLong(raw);
                    }
                    // reported below
                }
            }
        }
        if (raw instanceof Number) {
            throw new IllegalArgumentException("needs a unit (500ms, 30s, 5m, 24h, 7d), was " + raw);
        }
        throw new IllegalArgumentException("must be a duration like 500ms, 30s, 5m, 24h, 7d or PT5M, was " + show(raw));
    }

    /** The shortest exact way to write a duration: {@code 5m}, {@code 90s}, {@code 24h}, {@code 7d}, {@code 0}. */
    public static String formatDuration(Duration d) {
        if (d.isZero()) {
            return "0";
        }
        if (d.isNegative() || d.getNano() % 1_000_000 != 0 || d.getSeconds() > Long.MAX_VALUE / 1000 - 1) {
            return d.toString(); // toMillis would overflow
        }
        long ms = d.toMillis();
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms % sizes[i] == 0 && (i > 0 || ms / sizes[i] >= 2)) { // 24h reads better than 1d
                return ms / sizes[i] + units[i];
            }
        }
        return ms + "ms";
    }

    /**
     * Zone abbreviations people write, with the region they usually mean: the closest zone id by spelling would be wrong
     * (EST is closest to EET, seven hours away).
     */
    private static final Map<String, String> ZONE_ABBREVIATIONS = Map.ofEntries(
            Map.entry("EST", "America/New_York"), Map.entry("EDT", "America/New_York"),
            Map.entry("CST", "America/Chicago"), Map.entry("CDT", "America/Chicago"),
            Map.entry("MST", "America/Denver"), Map.entry("MDT", "America/Denver"),
            Map.entry("PST", "America/Los_Angeles"), Map.entry("PDT", "America/Los_Angeles"),
            Map.entry("AKST", "America/Anchorage"), Map.entry("HST", "Pacific/Honolulu"),
            Map.entry("BST", "Europe/London"), Map.entry("IST", "Asia/Kolkata or Europe/Dublin"),
            Map.entry("CEST", "Europe/Berlin"), Map.entry("EEST", "Europe/Athens"), Map.entry("WEST", "Europe/Lisbon"),
            Map.entry("JST", "Asia/Tokyo"), Map.entry("KST", "Asia/Seoul"), Map.entry("SGT", "Asia/Singapore"),
            Map.entry("AEST", "Australia/Sydney"), Map.entry("AEDT", "Australia/Sydney"), Map.entry("NZST", "Pacific/Auckland"));

    /** An IANA time zone ({@code Europe/Berlin}, {@code UTC}); fixed offsets are refused, they are not DST-correct. */
    public static ConfigType<ZoneId> timeZone() {
        return simple("time zone", raw -> {
            requireScalar(raw, "an IANA time zone");
            String s = String.valueOf(raw).strip();
            if (ZoneId.getAvailableZoneIds().contains(s)) {
                return ZoneId.of(s);
            }
            String abbreviated = ZONE_ABBREVIATIONS.get(s.toUpperCase(Locale.ROOT));
            if (abbreviated != null) {
                throw new IllegalArgumentException("must be an IANA time zone such as Europe/Berlin or UTC, was " + show(raw)
                        + ", an abbreviation without daylight saving time: write the region, e.g. " + abbreviated);
            }
            throw new IllegalArgumentException("must be an IANA time zone such as Europe/Berlin or UTC, was " + show(raw)
                    + Suggestions.didYouMean(s, ZoneId.getAvailableZoneIds()));
        }, ZoneId::getId);
    }

    /** An absolute URI. */
    public static ConfigType<URI> uri() {
        return simple("URI", raw -> {
            requireScalar(raw, "a URI");
            try {
                URI uri = new URI(String.valueOf(raw).strip());
                if (!uri.isAbsolute()) {
                    throw new IllegalArgumentException("must be an absolute URI (with a scheme), was " + showUri(raw));
                }
                return uri;
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("is not a valid URI: " + e.getReason() + ", was " + showUri(raw));
            }
        }, ConfigTypes::redacted);
    }

    /**
     * A URL as it may be printed (the effective configuration, log lines, messages): its user info shown as {@code ****@},
     * and its query string and fragment as {@code ?****} and {@code #****}, where tokens go ({@code ?private_token=…}).
     * What is sent (links, requests) keeps the URL as configured.
     */
    public static String redacted(URI uri) {
        return redacted(uri.toString());
    }

    /**
     * {@link #redacted(URI)} for a URL as written, which may not even parse. The user info goes first, over the whole URL,
     * since a password may hold {@code ?}, {@code #} and {@code @}: it ends at the last {@code @} before the first {@code /}
     * after the scheme's {@code //}. Without one there (a password with a {@code /} in it) the {@code @} is looked for
     * before the query string and fragment, as {@link #withoutUserInfo} does.
     */
    public static String redacted(String url) {
        int authority = url.indexOf("//");
        if (authority >= 0) {
            int path = url.indexOf('/', authority + 2);
            int at = url.lastIndexOf('@', path < 0 ? url.length() - 1 : path - 1);
            if (at > authority) {
                String rest = url.substring(at);
                int cut = queryOrFragment(rest);
                return url.substring(0, authority + 2) + "****" + (cut < 0 ? rest : rest.substring(0, cut) + rest.charAt(cut) + "****");
            }
        }
        int cut = queryOrFragment(url);
        String head = cut < 0 ? url : url.substring(0, cut);
        return withoutUserInfo(head) + (cut < 0 ? "" : url.charAt(cut) + "****");
    }

    /** Where the query string or fragment of {@code url} begins, or -1. */
    private static int queryOrFragment(String url) {
        int query = url.indexOf('?');
        int fragment = url.indexOf('#');
        return query < 0 ? fragment : fragment < 0 ? query : Math.min(query, fragment);
    }

    /** A URI as given, for a message: credentials in it ({@code //user:password@}, up to the last {@code @}) shown as {@code ****}. */
    private static String showUri(Object raw) {
        return show(String.valueOf(raw).replaceAll("(?<=//).*@", "****@"));
    }

    /**
     * Whether a URL as given has an {@code @} after its {@code //}: user info, also where a password with {@code /}, {@code #}
     * or {@code ?} in it keeps {@link URI} from seeing it as such. An {@code @} elsewhere in an http URL is rare enough to refuse.
     */
    public static boolean hasCredentials(Object raw) {
        String text = String.valueOf(raw);
        int authority = text.indexOf("//");
        return authority >= 0 && text.indexOf('@', authority) >= 0;
    }

    /**
     * Whether {@code uri} is an {@code http://} or {@code https://} URL (in any case: {@code HTTPS://}) with a host and, if
     * it names one, a port of 1–65535: {@link URI} takes {@code :99999}, the JDK's HTTP client refuses it on every request.
     */
    public static boolean isHttpUrl(URI uri) {
        return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme())) && uri.getHost() != null
                && (uri.getPort() == -1 || uri.getPort() >= 1 && uri.getPort() <= 65535);
    }

    /**
     * What keeps a URL given as text (a webhook URL, whose path is the credential) from being sent to, in words that never
     * quote it: blanks, not a URI, no http(s) scheme, no host, a port outside 1–65535. Empty if it is a usable URL.
     */
    public static Optional<String> httpUrlProblem(String url) {
        if (url.chars().anyMatch(Character::isWhitespace)) {
            return Optional.of("contains blanks or line breaks");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("is not a valid URL (" + e.getReason() + " at index " + e.getIndex() + ")");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            return Optional.of("is not an http(s) URL");
        }
        if (uri.getHost() == null) {
            return Optional.of("has no host (or a port that is no number of 1–65535)");
        }
        if (!isHttpUrl(uri)) {
            return Optional.of("has port " + uri.getPort() + ", outside 1–65535");
        }
        return Optional.empty();
    }

    /**
     * An {@code http://} or {@code https://} URL with a host, without credentials: they do not belong in it (it is printed
     * and put in links).
     */
    public static ConfigType<URI> httpUrl() {
        return httpUrl("credentials do not belong in this URL: it is printed in messages and put in links");
    }

    /**
     * An {@code http://} or {@code https://} URL with a host, without credentials: Airlock takes them from
     * {@code credentialSettings} (such as {@code opensearch.username, opensearch.password-env}), named in the message.
     */
    public static ConfigType<URI> httpUrlWithCredentialsIn(String credentialSettings) {
        return httpUrl("Airlock takes them from their own settings (" + credentialSettings + ")");
    }

    private static ConfigType<URI> httpUrl(String whereCredentialsGo) {
        ConfigType<URI> uri = uri();
        return simple("URL", raw -> {
            if (hasCredentials(raw)) { // printed in messages and links, sent to Slack: never the place for a password
                throw new IllegalArgumentException("must not contain credentials (user:password@); " + whereCredentialsGo);
            }
            URI u = uri.parse(raw);
            if (!isHttpUrl(u)) {
                throw new IllegalArgumentException("must be an http:// or https:// URL with a host (and a port of 1–65535, if "
                        + "any), was " + showUri(raw));
            }
            return u;
        }, ConfigTypes::redacted);
    }

    /** {@code host:port} ({@code [::1]:9092} for IPv6). */
    public static ConfigType<HostPort> hostPort() {
        return simple("host:port", raw -> {
            requireScalar(raw, "host:port");
            try {
                return HostPort.parse(String.valueOf(raw));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        }, HostPort::toString);
    }

    /** A file system path; relative paths are relative to the working directory. */
    public static ConfigType<Path> path() {
        return simple("path", raw -> {
            requireScalar(raw, "a path");
            String s = String.valueOf(raw);
            if (s.isBlank()) {
                throw new IllegalArgumentException("must be a path, was empty");
            }
            try {
                return Path.of(s);
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("is not a valid path: " + e.getReason() + ", was " + show(raw));
            }
        }, Path::toString);
    }

    /**
     * A time of day, {@code HH:MM[:SS[.fraction]]} ({@link LocalTime#parse}: seconds and up to nine fraction digits are
     * taken, so that an end of business hours can be {@code 23:59:59.999999999}). Unquoted {@code 08:00} and {@code 17:00} arrive as text: the YAML reader (Jackson's) has
     * no base-60 numbers, which YAML 1.1 parsers such as PyYAML make of {@code 17:00} (1020).
     */
    public static ConfigType<LocalTime> timeOfDay() {
        return simple("time of day", raw -> {
            if (raw instanceof String s) {
                try {
                    return LocalTime.parse(s.strip());
                } catch (DateTimeParseException e) {
                    // reported below
                }
            }
            throw new IllegalArgumentException("must be a time of day, HH:MM[:SS[.fraction]] like 08:00, was " + show(raw));
        }, LocalTime::toString);
    }

    /** A calendar date, {@code YYYY-MM-DD}. */
    public static ConfigType<LocalDate> date() {
        return simple("date", raw -> {
            if (raw instanceof String s) {
                try {
                    return LocalDate.parse(s.strip());
                } catch (DateTimeParseException e) {
                    // reported below
                }
            }
            throw new IllegalArgumentException("must be a date like 2025-12-25, was " + show(raw));
        }, LocalDate::toString);
    }

    /** One of a fixed set of words, exactly as written here. */
    public static ConfigType<String> oneOf(String... choices) {
        List<String> allowed = List.of(choices);
        return simple("one of " + String.join(", ", allowed), raw -> {
            requireScalar(raw, "one of " + String.join(", ", allowed));
            String s = String.valueOf(raw).strip();
            if (allowed.contains(s)) {
                return s;
            }
            throw new IllegalArgumentException("must be one of " + String.join(", ", allowed) + ", was " + show(raw)
                    + Suggestions.didYouMean(s, allowed));
        }, s -> s);
    }

    /** A constant of {@code type}, written as its name in any case ({@code monday}, {@code MONDAY}). */
    public static <E extends Enum<E>> ConfigType<E> enumOf(Class<E> type, String name) {
        List<String> names = Arrays.stream(type.getEnumConstants()).map(Enum::name).toList();
        return simple(name, raw -> {
            requireScalar(raw, name);
            String s = String.valueOf(raw).strip().toUpperCase(Locale.ROOT).replace('-', '_');
            if (names.contains(s)) {
                return Enum.valueOf(type, s);
            }
            throw new IllegalArgumentException("must be one of " + String.join(", ", names) + ", was " + show(raw));
        }, Enum::name);
    }

    /**
     * A list: a YAML sequence, or one string with comma-separated items ({@code a:9092,b:9092}); an empty string is an
     * empty list.
     */
    public static <E> ConfigType<List<E>> listOf(ConfigType<E> element) {
        return simple("list of " + element.name(), raw -> {
            List<?> items;
            if (raw instanceof List<?> list) {
                items = list;
            } else if (raw instanceof String s) {
                items = s.isBlank() ? List.of() : Arrays.stream(s.split(",")).map(String::strip).toList();
            } else if (raw instanceof Map) {
                throw new IllegalArgumentException("must be a list of " + element.name() + ", was a mapping");
            } else {
                items = List.of(raw);
            }
            List<E> out = new ArrayList<>();
            List<String> bad = new ArrayList<>(); // every bad item, not just the first
            for (int i = 0; i < items.size(); i++) {
                Object item = items.get(i);
                if (item == null || item instanceof String text && text.isBlank()) {
                    bad.add("item " + (i + 1) + " is empty");
                    continue;
                }
                try {
                    out.add(element.parse(item));
                } catch (IllegalArgumentException e) {
                    bad.add(items.size() == 1 ? e.getMessage() : "item " + (i + 1) + " " + e.getMessage());
                }
            }
            if (!bad.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", bad));
            }
            return List.copyOf(out);
        }, list -> list.isEmpty() ? "[]" : list.stream().map(element::format).collect(Collectors.joining(", ")));
    }

    /**
     * A raw value as it may appear in a problem: strings quoted, long ones shortened, lists and maps only named, and
     * credentials ({@code user:password@}) shown as {@code ****}.
     */
    static String show(Object raw) {
        if (raw instanceof List) {
            return "a list";
        }
        if (raw instanceof Map) {
            return "a mapping";
        }
        if (raw instanceof String s) {
            String shown = withoutUserInfo(s);
            return "'" + (shown.length() > MAX_SHOWN ? shown.substring(0, MAX_SHOWN) + "…" : shown) + "'";
        }
        return String.valueOf(raw);
    }

    /**
     * {@code text} with what looks like credentials replaced by {@code ****} up to the last {@code @} (a password may hold
     * {@code @} and {@code /} too): whatever comes between a URL's {@code //} and an {@code @} (a token alone is a
     * credential too), or a {@code user:password@} without {@code //}. An e-mail address stays.
     */
    static String withoutUserInfo(String text) {
        int at = text.lastIndexOf('@');
        if (at < 0) {
            return text;
        }
        int authority = text.indexOf("//");
        if (authority >= 0 && authority < at) {
            return text.substring(0, authority + 2) + "****" + text.substring(at);
        }
        return text.substring(0, at).indexOf(':') >= 0 ? "****" + text.substring(at) : text;
    }

    private static void requireScalar(Object raw, String expected) {
        if (raw instanceof List || raw instanceof Map) {
            throw new IllegalArgumentException("must be " + expected + ", was " + show(raw));
        }
    }

    private static <T> ConfigType<T> simple(String name, java.util.function.Function<Object, T> parse,
            java.util.function.Function<T, String> format) {
        return new ConfigType<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public T parse(Object raw) {
                return parse.apply(raw);
            }

            @Override
            public String format(T value) {
                return format.apply(value);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
