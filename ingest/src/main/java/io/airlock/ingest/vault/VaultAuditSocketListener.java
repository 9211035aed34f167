package io.airlock.ingest.vault;

import io.airlock.ingest.vault.internal.AuditRecordPublisher;
import io.airlock.ingest.vault.internal.LineAssembler;
import io.airlock.ingest.vault.internal.LineOrigin;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives Vault's {@code socket} audit device ({@code socket_type=tcp}): newline-delimited JSON on any number of concurrent
 * connections, one thread each, parsed and dead-lettered exactly like the file tailer. A connection is read as fast as Kafka
 * takes the lines: when the producer buffer is full, sending blocks, the connection is not read, TCP flow control holds Vault
 * back, and nothing is dropped. Dead letters name the connection ({@code vault-audit-socket:<peer>}) and the line number on it;
 * audit records carry the header {@code airlock.source = vault-socket:<peer>} (no position: a connection has none that
 * survives a reconnect).
 *
 * <p>{@link #close()} stops accepting, reads each open connection until it has been idle for one poll interval, waits for
 * Kafka to acknowledge what was read, then closes the connections and the producer. There is no acknowledgement towards
 * Vault: lines Vault wrote but this process had not read when it died are lost, as with any socket audit device.
 */
public final class VaultAuditSocketListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VaultAuditSocketListener.class);
    private static final int READ_BUFFER_BYTES = 64 * 1024;

    private final VaultAuditSettings settings;
    private final AuditRecordPublisher publisher;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionCounter = new AtomicInteger();
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "airlock-vault-socket-" + connectionCounter.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private ServerSocket server;
    private Thread acceptor;
    private volatile boolean closing;

    public VaultAuditSocketListener(VaultAuditSettings settings) {
        if (settings.bindAddress() == null) {
            throw new IllegalArgumentException("the socket listener needs settings with a bind address");
        }
        this.settings = settings;
        this.publisher = new AuditRecordPublisher(settings, "ingest:vault-socket", "airlock-vault-socket");
    }

    /** Binds the port and starts accepting connections. */
    public VaultAuditSocketListener start() {
        try {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(settings.bindAddress(), settings.port()), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + settings.bindAddress() + ":" + settings.port(), e);
        }
        acceptor = new Thread(this::accept, "airlock-vault-socket-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.info("Listening for Vault's socket audit device on {}", localAddress());
        return this;
    }

    /** The bound address (the real port if 0 was configured). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Lines Kafka acknowledged on the audit topic since start. */
    public long linesCaptured() {
        return publisher.captured();
    }

    /** Lines Kafka acknowledged on the dead-letter topic since start. */
    public long linesDeadLettered() {
        return publisher.deadLettered();
    }

    /** Connections open right now. */
    public int openConnections() {
        return connections.size();
    }

    /** The first permanent Kafka failure, if any. */
    public Throwable failure() {
        return publisher.failure();
    }

    private void accept() {
        while (!closing) {
            try {
                Socket socket = server.accept();
                if (closing) {
                    socket.close();
                    break;
                }
                connections.add(socket);
                workers.execute(() -> handle(socket));
            } catch (IOException e) {
                if (!closing) {
                    LOG.warn("Accepting a Vault audit connection failed", e);
                }
            }
        }
    }

    private void handle(Socket socket) {
        String peer = socket.getInetAddress().getHostAddress() + ":" + socket.getPort();
        String source = "vault-audit-socket:" + peer;
        LineOrigin origin = LineOrigin.socket(peer);
        LOG.info("Vault audit connection from {}", source);
        var longLines = publisher.compactor();
        var lines = new LineAssembler(settings.maxLineBytes(), 0, longLines);
        long[] lineNumber = {0};
        LineAssembler.LineHandler handler = (buf, off, len, fullLength, start) ->
                publisher.publish(buf, off, len, fullLength, longLines, source, ++lineNumber[0], origin, null);
        byte[] buffer = new byte[READ_BUFFER_BYTES];
        try (socket; InputStream in = socket.getInputStream()) {
            socket.setSoTimeout((int) Math.max(1, settings.pollInterval().toMillis()));
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException idle) {
                    publisher.resendRejected();
                    if (closing) {
                        break;
                    }
                    continue;
                }
                if (n < 0) {
                    lines.finishPartial(handler);
                    break;
                }
                lines.feed(buffer, 0, n, handler);
                publisher.resendRejected();
            }
        } catch (SocketException e) {
            if (!closing) {
                LOG.info("Vault audit connection {} ended: {}", source, e.getClass().getSimpleName());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Vault audit connection {} failed after {} lines", source, lineNumber[0], e);
        } finally {
            connections.remove(socket);
            LOG.info("Vault audit connection {} closed after {} lines", source, lineNumber[0]);
        }
    }

    /** Stops accepting, drains open connections until idle, waits for Kafka, then closes everything. */
    @Override
    public void close() {
        closing = true;
        try {
            if (server != null) {
                server.close();
            }
            if (acceptor != null) {
                acceptor.join(TimeUnit.SECONDS.toMillis(10));
            }
            workers.shutdown();
            if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("Vault audit connections still busy after 30 s; closing them");
                for (Socket s : connections) {
                    s.close();
                }
                workers.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            LOG.warn("Closing the Vault audit listener failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publisher.flush();
        publisher.resendRejected();
        publisher.flush();
        publisher.close();
        LOG.info("Vault audit listener stopped after {} lines ({} dead-lettered)", linesCaptured(), linesDeadLettered());
    }
}
