package io.airlock.core.config;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** "Did you mean …?": the closest known word by edit distance, for keys, choices, time zones and names given in values. */
public final class Suggestions {

    private Suggestions() {
    }

    /**
     * The candidate closest to {@code given} (case-insensitive Levenshtein distance), if it is close enough to be a typo:
     * at most 2 edits, or a quarter of the word's length for long words. A candidate that ends with {@code .given} (the
     * right key at the wrong nesting level) is suggested too.
     */
    public static Optional<String> closest(String given, Collection<String> candidates) {
        String g = given.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            String c = candidate.toLowerCase(Locale.ROOT);
            int d = c.endsWith("." + g) ? 1 : distance(g, c);
            if (d < bestDistance || d == bestDistance && best != null && candidate.compareTo(best) < 0) {
                best = candidate;
                bestDistance = d;
            }
        }
        int allowed = Math.max(2, given.length() / 4);
        return best != null && bestDistance <= allowed && !best.equals(given) ? Optional.of(best) : Optional.empty();
    }

    /** {@code " (did you mean 'slack'?)"} for the {@link #closest} candidate, or empty when none is close. */
    public static String didYouMean(String given, Collection<String> candidates) {
        return closest(given, candidates).map(c -> " (did you mean '" + c + "'?)").orElse("");
    }

    /**
     * The hint after "unknown key": the closest key that is a typo away, looked for among the keys of the same block first
     * ({@code rules.AL-020.window} is not {@code rules.AL-010.window}), else the keys that block takes, else the closest key
     * anywhere; empty when nothing is close.
     */
    static String forUnknownKey(String key, Collection<String> accepted) {
        int dot = key.lastIndexOf('.');
        if (dot > 0) {
            String block = key.substring(0, dot + 1);
            List<String> siblings = accepted.stream().filter(k -> k.startsWith(block) && k.indexOf('.', block.length()) < 0)
                    .sorted().toList();
            if (!siblings.isEmpty()) {
                return closest(key, siblings).map(c -> " (did you mean '" + c + "'?)").orElseGet(() -> " ('"
                        + key.substring(0, dot) + "' takes " + siblings.stream().map(k -> k.substring(block.length()))
                                .collect(Collectors.joining(", ")) + ")");
            }
        }
        return closest(key, accepted).map(c -> " (did you mean '" + c + "'?)").orElse("");
    }

    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
