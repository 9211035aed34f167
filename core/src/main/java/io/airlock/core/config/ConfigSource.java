package io.airlock.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Raw configuration: a YAML file flattened to dotted keys (nested mappings become {@code a.b.c}; lists stay lists; a key
 * may also be written dotted, {@code kafka.bootstrap-servers: ...}), plus the environment secrets are read from. Reading
 * never throws: an unreadable file or invalid YAML becomes a {@link #problems() problem}, so it is reported with the rest.
 */
public final class ConfigSource {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final int MAX_DETAIL = 200;

    private final String origin;
    private final Map<String, Object> values;
    /** The line of each key written in the file (dotted, as in {@link #values}); empty when not read from YAML text. */
    private final Map<String, Integer> lines;
    private final Map<String, String> env;
    private final List<String> problems;
    private final boolean readable;
    /** The key prefixes whose secrets and files are read; null for all. */
    private final List<String> readPrefixes;

    private ConfigSource(String origin, Map<String, Object> values, Map<String, String> env, List<String> problems) {
        this(origin, values, Map.of(), env, problems, true, null);
    }

    private ConfigSource(String origin, Map<String, Object> values, Map<String, Integer> lines, Map<String, String> env,
            List<String> problems, boolean readable, List<String> readPrefixes) {
        this.readable = readable;
        this.lines = Map.copyOf(lines);
        this.readPrefixes = readPrefixes == null ? null : List.copyOf(readPrefixes);
        this.origin = origin;
        this.values = Collections.unmodifiableMap(values);
        this.env = Map.copyOf(env);
        this.problems = List.copyOf(problems);
    }

    /** What {@link #empty} is called: the defaults point at services on localhost (not the demo's embedded ones). */
    public static final String DEFAULTS_ORIGIN = "defaults, no file (every component on localhost)";

    /** No file: every setting takes its default. */
    public static ConfigSource empty(Map<String, String> env) {
        return new ConfigSource(DEFAULTS_ORIGIN, new LinkedHashMap<>(), env, List.of());
    }

    /** The YAML file {@code file}. */
    public static ConfigSource fromFile(Path file, Map<String, String> env) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            return failed(file.toString(), env, "the configuration file " + file + " does not exist");
        } catch (AccessDeniedException e) {
            return failed(file.toString(), env, "the configuration file " + file + " cannot be read (permission denied)");
        } catch (MalformedInputException e) {
            return failed(file.toString(), env, "the configuration file " + file + " is not UTF-8 text");
        } catch (IOException e) {
            return failed(file.toString(), env, "the configuration file " + file + (Files.isDirectory(file)
                    ? " is a directory: give the file (airlock.yml)" : " cannot be read (" + e.getClass().getSimpleName() + ")"));
        }
        return fromYaml(text, file.toString(), env);
    }

    /** YAML text; {@code origin} names it in problems. */
    public static ConfigSource fromYaml(String yaml, String origin, Map<String, String> env) {
        Optional<String> unsupported = anchorAliasOrSecondDocument(yaml, origin);
        if (unsupported.isPresent()) {
            return failed(origin, env, unsupported.get());
        }
        Object root;
        try (JsonParser parser = YAML.createParser(yaml)) {
            root = parser.nextToken() == null ? null : YAML.readValue(parser, Object.class);
        } catch (JsonProcessingException e) {
            return failed(origin, env, origin + " is not valid YAML" + where(e) + ": " + what(e));
        } catch (IOException e) {
            return failed(origin, env, origin + " cannot be read as YAML (" + e.getClass().getSimpleName() + ")");
        }
        if (root == null || root instanceof Map<?, ?> m && m.isEmpty()) {
            // without a file the defaults run everything on localhost: an empty one is more likely a mistake than that
            return failed(origin, env, "the file is empty (or holds only comments): write the settings in it, or leave out "
                    + "--config to run with the defaults (everything on localhost)");
        }
        if (!(root instanceof Map<?, ?> map)) {
            return failed(origin, env, origin + " must be a mapping of settings (key: value lines), was " + ConfigTypes.show(root));
        }
        ConfigSource source = fromMap(map, origin, env);
        return new ConfigSource(origin, source.values, lines(yaml), env, source.problems, true, null);
    }

    /**
     * The line of every key of a valid YAML mapping, by dotted key as {@link #flatten} names it; keys inside lists are
     * left out (lists are not flattened). A second pass over the tokens, so the values are read exactly as before.
     */
    private static Map<String, Integer> lines(String yaml) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = YAML.createParser(yaml)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token != JsonToken.FIELD_NAME) {
                    continue;
                }
                List<String> path = new ArrayList<>();
                boolean inList = false;
                for (JsonStreamContext c = parser.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
                    inList |= c.inArray();
                    path.add(0, String.valueOf(c.getCurrentName()).strip());
                }
                if (!inList) {
                    lines.putIfAbsent(String.join(".", path), parser.currentTokenLocation().getLineNr());
                }
            }
        } catch (IOException e) {
            // read once already; lines are only a help
        }
        return lines;
    }

    /**
     * The first anchor ({@code &name}), alias ({@code *name}), merge key ({@code <<}) or second document (after {@code ---}) of
     * the file, as a problem. Jackson does not resolve anchors: an alias would be read as the plain text of its name and a
     * merge key as an unknown key, both with a misleading message. (Never expanding them also keeps a "billion laughs"
     * file from blowing up in memory.) Jackson reads only the first document, so the settings of a second one would be
     * silently ignored; a {@code ---} before the only document is fine, an empty document after one is a second document.
     * Empty when there is none, or when the text is not valid YAML (that is reported by the parser itself).
     */
    private static Optional<String> anchorAliasOrSecondDocument(String yaml, String origin) {
        var options = new org.yaml.snakeyaml.LoaderOptions();
        options.setMaxAliasesForCollections(0);
        int documents = 0;
        try {
            for (org.yaml.snakeyaml.events.Event event : new org.yaml.snakeyaml.Yaml(options).parse(new java.io.StringReader(yaml))) {
                if (event instanceof org.yaml.snakeyaml.events.DocumentStartEvent && ++documents > 1) {
                    // where the document starts, which is not always its ---: a directive (%YAML 1.1) may come first
                    return Optional.of(origin + " holds a second YAML document at line " + (event.getStartMark().getLine() + 1)
                            + ": Airlock reads one document, so its settings would be ignored; put every setting in one "
                            + "document");
                }
                String what = null;
                if (event instanceof org.yaml.snakeyaml.events.AliasEvent) {
                    what = "an alias (*name)";
                } else if (event instanceof org.yaml.snakeyaml.events.NodeEvent node && node.getAnchor() != null) {
                    what = "an anchor (&name)";
                } else if (event instanceof org.yaml.snakeyaml.events.ScalarEvent scalar && "<<".equals(scalar.getValue())
                        && scalar.isPlain()) {
                    what = "a merge key (<<)";
                }
                if (what != null) {
                    return Optional.of(origin + " uses " + what + " at line " + (event.getStartMark().getLine() + 1) + ": YAML "
                            + "anchors, aliases and merge keys are not supported; write each value where it is used");
                }
            }
        } catch (org.yaml.snakeyaml.error.YAMLException e) {
            // not valid YAML: said by the parser below, with line and column
        }
        return Optional.empty();
    }

    /** Already-parsed nested maps (as from YAML). */
    public static ConfigSource fromMap(Map<?, ?> nested, String origin, Map<String, String> env) {
        Map<String, Object> flat = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        flatten("", nested, flat, problems);
        return new ConfigSource(origin, flat, env, problems);
    }

    private static ConfigSource failed(String origin, Map<String, String> env, String problem) {
        return new ConfigSource(origin, new LinkedHashMap<>(), Map.of(), env, List.of(problem), false, null);
    }

    private static void flatten(String prefix, Object node, Map<String, Object> out, List<String> problems) {
        if (node instanceof Map<?, ?> map && !(map.isEmpty() && prefix.isEmpty())) {
            if (map.isEmpty()) {
                put(prefix, null, out, problems);
            }
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(e.getKey()).strip();
                flatten(prefix.isEmpty() ? key : prefix + "." + key, e.getValue(), out, problems);
            }
        } else if (!prefix.isEmpty()) {
            put(prefix, node, out, problems);
        }
    }

    private static void put(String key, Object value, Map<String, Object> out, List<String> problems) {
        if (out.containsKey(key)) {
            problems.add(key + ": given twice (once nested, once as a dotted key); keep one");
        } else {
            out.put(key, value);
        }
    }

    /** Line and column of a YAML error. */
    private static String where(JsonProcessingException e) {
        var location = e.getLocation();
        return location == null || location.getLineNr() < 1 ? "" : " (line " + location.getLineNr() + ", column "
                + location.getColumnNr() + ")";
    }

    /**
     * The YAML problem without the quoted source snippet that parsers add to their messages: the snippet could hold a
     * secret someone pasted into the file.
     */
    private static String what(JsonProcessingException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblem() != null) {
                return shorten(m.getProblem());
            }
        }
        String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        int newline = message.indexOf('\n');
        return shorten(newline < 0 ? message : message.substring(0, newline));
    }

    private static String shorten(String s) {
        return s.length() > MAX_DETAIL ? s.substring(0, MAX_DETAIL) + "…" : s;
    }

    /**
     * The same settings, with secrets checked for form only and never read: no environment variable or file is looked
     * up, and each secret given stands as {@link SecretValue#unread unread}. For commands that use no secret
     * ({@code backtest}), so a production file can be used where its secrets are not.
     */
    public ConfigSource withoutSecrets() {
        return new ConfigSource(origin, values, lines, env, problems, readable, List.of());
    }

    /**
     * The same settings, reading the secrets and files only of the settings under {@code prefixes} (such as
     * {@code opensearch.}); every other secret is checked for form only, as by {@link #withoutSecrets()}. For commands that
     * use a part of the file ({@code report}, {@code run --only}), so a production file works where the other parts' secrets are not.
     */
    public ConfigSource withSecretsOnlyUnder(String... prefixes) {
        return new ConfigSource(origin, values, lines, env, problems, readable, List.of(prefixes));
    }

    /** False for {@link #withoutSecrets()}, and for {@link #withSecretsOnlyUnder} of some prefixes. */
    public boolean readsSecrets() {
        return readPrefixes == null;
    }

    /** Whether the secret or files of setting {@code key} are read (else they are checked for form only). */
    public boolean reads(String key) {
        return readPrefixes == null || readPrefixes.stream().anyMatch(key::startsWith);
    }

    /** What was read: the file name, or {@link #DEFAULTS_ORIGIN}. */
    public String origin() {
        return origin;
    }

    /** Flattened values by dotted key, in file order; a key with no value maps to {@code null}. */
    public Map<String, Object> values() {
        return values;
    }

    /** The line of the file where {@code key} is written (as nested or dotted key), if known. */
    public OptionalInt line(String key) {
        Integer line = lines.get(key);
        return line == null ? OptionalInt.empty() : OptionalInt.of(line);
    }

    /** Environment variable {@code name} as a secret, or why there is none ({@link ConfigProblems#lookUpVariable}). */
    public ConfigProblems.Lookup lookUpVariable(String name) {
        return ConfigProblems.lookUpVariable(name, env);
    }

    /** An environment variable, if set and not empty. */
    public Optional<String> env(String variable) {
        return Optional.ofNullable(env.get(variable)).filter(v -> !v.isEmpty());
    }

    /** False if the file could not be read or parsed at all; then no setting has a value. */
    public boolean isReadable() {
        return readable;
    }

    /** Problems found while reading: an unreadable file, invalid YAML, a key given twice. */
    public List<String> problems() {
        return problems;
    }
}
