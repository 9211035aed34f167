package io.airlock.alerting.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A first-in, first-out queue that holds at most one waiting item per key: adding an item whose key is already waiting
 * replaces the waiting one in its place, and the replaced item goes to {@code onSuperseded}. For versions of one thing
 * (an alert, a document) of which only the newest is worth sending: while a receiver is down, what waits for it is one
 * version per alert, not every update, and the records of the overtaken versions can settle.
 *
 * <p>Thread-safe; {@code onSuperseded} runs on the adding thread.
 */
public final class SupersedingQueue<T> {

    private final Function<T, String> key;
    private final Consumer<T> onSuperseded;
    private final LinkedHashMap<String, T> waiting = new LinkedHashMap<>();

    public SupersedingQueue(Function<T, String> key, Consumer<T> onSuperseded) {
        this.key = Objects.requireNonNull(key, "key");
        this.onSuperseded = Objects.requireNonNull(onSuperseded, "onSuperseded");
    }

    /** Queues the item, replacing the waiting item of the same key (which keeps its place in the queue). */
    public void add(T item) {
        T replaced;
        synchronized (this) {
            replaced = waiting.put(key.apply(item), item);
            notifyAll();
        }
        if (replaced != null) {
            onSuperseded.accept(replaced);
        }
    }

    /** The oldest waiting item, waiting up to {@code timeout} for one; null if none came. */
    public synchronized T poll(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (waiting.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        Iterator<T> oldest = waiting.values().iterator();
        T item = oldest.next();
        oldest.remove();
        return item;
    }

    /** Takes the waiting item of this key out of the queue, if there is one: a newer version of what is being sent. */
    public synchronized T remove(String itemKey) {
        return waiting.remove(itemKey);
    }

    /**
     * Moves waiting items, oldest first, into {@code batch} until it holds {@code max}; an item whose key is already in
     * the batch replaces that one in place (the replaced one goes to {@code onSuperseded}), so a batch being retried
     * carries the newest version of each key.
     */
    public void drainTo(List<T> batch, int max) {
        Map<String, Integer> positions = new HashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            positions.put(key.apply(batch.get(i)), i);
        }
        List<T> replaced = new ArrayList<>();
        synchronized (this) {
            for (Iterator<T> it = waiting.values().iterator(); it.hasNext(); ) {
                T item = it.next();
                Integer at = positions.get(key.apply(item));
                if (at != null) {
                    replaced.add(batch.set(at, item));
                } else if (batch.size() < max) {
                    positions.put(key.apply(item), batch.size());
                    batch.add(item);
                } else {
                    continue;
                }
                it.remove();
            }
        }
        replaced.forEach(onSuperseded);
    }

    public synchronized int size() {
        return waiting.size();
    }
}
