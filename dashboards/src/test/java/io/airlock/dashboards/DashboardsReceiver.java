package io.airlock.dashboards;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for OpenSearch Dashboards: records every request and answers with a scripted status and body (by
 * default what Dashboards answers to a successful import).
 */
public final class DashboardsReceiver implements AutoCloseable {

    /** One received request, with the multipart body taken apart. */
    public record Request(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> String.join(",", e.getValue())).orElse(null);
        }

        public String boundary() {
            Matcher m = Pattern.compile("^multipart/form-data; boundary=(\\S+)$").matcher(String.valueOf(header("Content-Type")));
            return m.matches() ? m.group(1) : null;
        }

        /** The parts of a multipart/form-data body: the headers of each part and its content. */
        public List<Part> parts() {
            String text = new String(body, StandardCharsets.UTF_8);
            String delimiter = "--" + boundary();
            if (!text.startsWith(delimiter + "\r\n") || !text.endsWith("\r\n" + delimiter + "--\r\n")) {
                throw new AssertionError("not a multipart body for boundary " + boundary());
            }
            String inner = text.substring(delimiter.length() + 2, text.length() - (delimiter.length() + 6));
            return java.util.Arrays.stream(inner.split("\r\n" + Pattern.quote(delimiter) + "\r\n")).map(p -> {
                int split = p.indexOf("\r\n\r\n");
                return new Part(p.substring(0, split), p.substring(split + 4));
            }).toList();
        }
    }

    /** One part of a multipart body. */
    public record Part(String headers, String content) {
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String answer = "{\"success\":true,\"successCount\":%d}";

    public DashboardsReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestURI().getQuery(), Map.copyOf(exchange.getRequestHeaders()), body);
            requests.add(request);
            String text = answer.contains("%d") ? String.format(answer, countObjects(request)) : answer;
            byte[] out = text.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                exchange.getResponseBody().write(out);
            }
            exchange.close();
        });
        server.start();
    }

    private static long countObjects(Request request) {
        try {
            return request.parts().get(0).content().lines().filter(l -> !l.isBlank()).count();
        } catch (RuntimeException | AssertionError e) {
            return 0;
        }
    }

    /** Answers every following request with this status and body. */
    public DashboardsReceiver answer(int status, String body) {
        this.status = status;
        this.answer = body;
        return this;
    }

    public URI url() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort());
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
