package io.airlock.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A broker stopped and started again keeps its port and its records; the same producer carries on. (Records produced while
 * it is down are covered end to end by the system tests.)
 */
class EmbeddedKafkaRestartTest {

    @Test
    void shouldKeepRecordsAndPortAcrossABrokerRestart() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            String bootstrap = kafka.bootstrapServers();
            kafka.createTopics(1, "restart");
            var props = Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000, ProducerConfig.MAX_BLOCK_MS_CONFIG, 120_000);
            try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("restart", "k", "before")).get();
                kafka.stopBroker();
                kafka.startBroker();
                producer.send(new ProducerRecord<>("restart", "k", "after")).get();
            }
            assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
            assertThat(kafka.readAll("restart")).extracting(r -> r.value()).containsExactly("before", "after");
        }
    }
}
