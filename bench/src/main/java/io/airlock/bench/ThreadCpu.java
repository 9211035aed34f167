package io.airlock.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of this JVM's Java threads, grouped by role (stream threads, their producers' I/O threads, everything else: the
 * embedded broker and clients). JIT compiler and GC threads are not Java threads and are not counted, which makes the
 * difference of two snapshots a steadier measure of a round's work than its wall-clock time on a two-core machine where the
 * compiler competes for a core.
 */
final class ThreadCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ThreadCpu() {
    }

    /** Nanoseconds of CPU per role since each thread started. */
    static Map<String, Long> snapshot() {
        Map<String, Long> byRole = new TreeMap<>();
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = THREADS.getThreadCpuTime(info.getThreadId());
            if (cpu > 0) {
                byRole.merge(role(info.getThreadName()), cpu, Long::sum);
            }
        }
        return byRole;
    }

    /** Microseconds of CPU per role between two snapshots, divided by {@code units}. Threads that ended in between are lost. */
    static Map<String, Double> perUnitMicros(Map<String, Long> before, Map<String, Long> after, long units) {
        Map<String, Double> per = new TreeMap<>();
        after.forEach((role, nanos) -> per.put(role, Math.max(0, nanos - before.getOrDefault(role, 0L)) / 1e3 / units));
        per.put("total", per.values().stream().mapToDouble(Double::doubleValue).sum());
        return per;
    }

    private static String role(String threadName) {
        if (threadName.contains("producer-network-thread")) {
            return "producer-io";
        }
        if (threadName.contains("StreamThread")) {
            return "stream";
        }
        return "broker+other";
    }
}
