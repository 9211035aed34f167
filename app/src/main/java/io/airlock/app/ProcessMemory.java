package io.airlock.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Peak resident memory (VmHWM) of processes, from /proc, for the figures the demo prints. */
final class ProcessMemory {

    private ProcessMemory() {
    }

    /** Peak RSS in MiB of this JVM. */
    static long selfPeakMib() {
        return peakMib(ProcessHandle.current().pid()).orElse(-1L);
    }

    /** Peak RSS in MiB of the PostgreSQL server listening on {@code port} and its backends (it runs detached from this JVM). */
    static long postgresPeakMib(int port) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").matches(".*postgres.* -p " + port + "( .*)?"))
                .flatMap(p -> java.util.stream.Stream.concat(java.util.stream.Stream.of(p), p.children()))
                .mapToLong(p -> peakMib(p.pid()).orElse(0L))
                .sum();
    }

    /** Sum of peak RSS in MiB of this JVM's descendants whose command line contains {@code marker}. */
    static long descendantsPeakMib(String marker) {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse(p.info().command().orElse("")).contains(marker))
                .mapToLong(p -> peakMib(p.pid()).orElse(0L))
                .sum();
    }

    private static Optional<Long> peakMib(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(l -> l.startsWith("VmHWM:"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024)
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
