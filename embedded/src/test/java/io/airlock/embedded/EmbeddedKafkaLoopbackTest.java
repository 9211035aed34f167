package io.airlock.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The embedded run says nothing leaves the machine: its Kafka, which takes clients without authentication, must not be
 * reachable from the network. Every socket listening on one of its ports (broker and controller) is bound to loopback.
 */
class EmbeddedKafkaLoopbackTest {

    @Test
    void shouldListenOnLoopbackOnlyWithTheBrokerAndTheController() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Set<Integer> ports = kafka.listenerPorts();
            assertThat(ports).as("the broker's and the controller's port").hasSize(2);

            List<InetAddress> bound = listeningAddresses(ports);

            assertThat(bound).as("addresses listening on %s", ports).isNotEmpty()
                    .allSatisfy(address -> assertThat(address.isLoopbackAddress()).as(address.getHostAddress()).isTrue());
        }
    }

    /** The local addresses of the listening TCP sockets on {@code ports}, from the kernel's table (Linux). */
    private static List<InetAddress> listeningAddresses(Set<Integer> ports) throws IOException {
        List<InetAddress> addresses = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.exists(file)) {
                continue;
            }
            try (Stream<String> lines = Files.lines(file)) {
                for (String line : lines.skip(1).toList()) {
                    String[] fields = line.strip().split("\\s+");
                    String[] local = fields[1].split(":");
                    boolean listening = fields[3].equals("0A");
                    if (listening && ports.contains(Integer.parseInt(local[1], 16))) {
                        addresses.add(address(local[0]));
                    }
                }
            }
        }
        return addresses;
    }

    /** An address as /proc/net/tcp writes it: 32-bit words in hex, each in host (little-endian) byte order. */
    private static InetAddress address(String hex) throws UnknownHostException {
        ByteBuffer bytes = ByteBuffer.allocate(hex.length() / 2);
        for (int i = 0; i < hex.length(); i += 8) {
            bytes.putInt(Integer.reverseBytes(Integer.parseUnsignedInt(hex.substring(i, i + 8), 16)));
        }
        return InetAddress.getByAddress(bytes.array());
    }
}
