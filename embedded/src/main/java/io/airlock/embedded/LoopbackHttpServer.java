package io.airlock.embedded;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A JDK {@link HttpServer} on a free loopback port with its own daemon threads, not started yet, for the local stand-ins
 * of Slack and PagerDuty. Its sockets set TCP_NODELAY ({@code sun.net.httpserver.nodelay}, read when the JDK's server
 * configuration loads, so before the first server of the JVM): without it Nagle's algorithm and delayed ACKs add about
 * 40 ms to every answer on loopback, which would count as notification latency.
 */
public record LoopbackHttpServer(HttpServer server, ExecutorService executor) {

    public static LoopbackHttpServer create(String threadName, int threads) throws IOException {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        return new LoopbackHttpServer(server, executor);
    }
}
