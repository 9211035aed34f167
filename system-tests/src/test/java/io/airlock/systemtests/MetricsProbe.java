package io.airlock.systemtests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Scrapes {@code /metrics} of {@code airlock run} (Prometheus text format). */
final class MetricsProbe {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})?\\s+(\\S+)");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI uri;

    MetricsProbe(int port) {
        this.uri = URI.create("http://127.0.0.1:" + port + "/metrics");
    }

    /** Every {@code airlock_} sample: {@code name{labels}} → value. */
    Map<String, Double> scrape() {
        try {
            String body = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Map<String, Double> samples = new LinkedHashMap<>();
            body.lines().filter(l -> l.startsWith("airlock_")).forEach(line -> {
                Matcher m = SAMPLE.matcher(line);
                if (m.find()) {
                    samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
                }
            });
            return samples;
        } catch (IOException e) {
            throw new IllegalStateException("cannot scrape " + uri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The sum of the samples of {@code name} whose labels contain every {@code key="value"} given. */
    static double sum(Map<String, Double> samples, String name, String... labels) {
        return samples.entrySet().stream().filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
                .filter(e -> {
                    for (String label : labels) {
                        if (!e.getKey().contains(label)) {
                            return false;
                        }
                    }
                    return true;
                }).mapToDouble(Map.Entry::getValue).sum();
    }
}
