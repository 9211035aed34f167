package io.airlock.alerting.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SupersedingQueueTest {

    /** One version of a thing: key "alert-1", version 3 → "alert-1#3". */
    private static String v(String key, int version) {
        return key + "#" + version;
    }

    private final List<String> superseded = new CopyOnWriteArrayList<>();
    private final SupersedingQueue<String> queue = new SupersedingQueue<>(v -> v.substring(0, v.indexOf('#')), superseded::add);

    @Test
    void shouldHandOutInArrivalOrderWithANewerVersionInThePlaceOfTheWaitingOne() throws Exception {
        queue.add(v("a", 1));
        queue.add(v("b", 1));
        queue.add(v("a", 2));
        queue.add(v("c", 1));
        queue.add(v("a", 3));

        assertThat(superseded).containsExactly(v("a", 1), v("a", 2));
        assertThat(queue.size()).isEqualTo(3);
        assertThat(List.of(queue.poll(1, TimeUnit.SECONDS), queue.poll(1, TimeUnit.SECONDS), queue.poll(1, TimeUnit.SECONDS)))
                .containsExactly(v("a", 3), v("b", 1), v("c", 1));
        assertThat(queue.poll(10, TimeUnit.MILLISECONDS)).as("empty: null after the timeout").isNull();
    }

    @Test
    void shouldQueueAVersionThatArrivesAfterTheOlderOneWasTaken() throws Exception {
        queue.add(v("a", 1));
        assertThat(queue.poll(1, TimeUnit.SECONDS)).isEqualTo(v("a", 1));
        queue.add(v("a", 2));

        assertThat(superseded).as("the taken version is the sender's to settle").isEmpty();
        assertThat(queue.remove("b")).isNull();
        assertThat(queue.remove("a")).as("the sender may take the newer version out while it retries").isEqualTo(v("a", 2));
        assertThat(queue.size()).isZero();
    }

    @Test
    void shouldDrainNewerVersionsIntoTheirPlaceInABatchAndRespectItsSize() {
        List<String> batch = new ArrayList<>(List.of(v("a", 1), v("b", 1)));
        queue.add(v("c", 1));
        queue.add(v("a", 2));
        queue.add(v("d", 1));
        queue.add(v("e", 1));

        queue.drainTo(batch, 4);

        assertThat(batch).containsExactly(v("a", 2), v("b", 1), v("c", 1), v("d", 1));
        assertThat(superseded).containsExactly(v("a", 1));
        assertThat(queue.size()).as("no room for e in this batch").isEqualTo(1);
    }

    @Test
    void shouldWakeAWaitingTaker() throws Exception {
        var taken = new CopyOnWriteArrayList<String>();
        Thread taker = new Thread(() -> {
            try {
                taken.add(queue.poll(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        taker.start();
        queue.add(v("a", 1));
        taker.join(10_000);
        assertThat(taken).containsExactly(v("a", 1));
    }
}
