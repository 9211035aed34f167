package io.airlock.bench;

/**
 * Optional async-profiler control around a measured round, for finding where a round's time goes. Off unless
 * {@code -Dairlock.bench.profile=<start command>} is set (e.g. {@code start,event=wall,interval=2ms,threads}) and
 * async-profiler's jar ({@code tools.profiler:async-profiler}) is on the class path; {@code -Dairlock.bench.profile.lib} may
 * name its native library. The profile is written as collapsed stacks to {@code <label>.collapsed} in the working directory.
 * Called reflectively, so the benchmark has no dependency on the profiler.
 */
final class ProfilerHook {

    private static final String COMMAND = System.getProperty("airlock.bench.profile");

    private ProfilerHook() {
    }

    static void start() {
        execute(COMMAND);
    }

    static void stop(String label) {
        if (COMMAND != null) {
            execute("stop,collapsed,file=" + label.replaceAll("[^A-Za-z0-9_.-]", "_") + ".collapsed");
            System.out.println("  profile written to " + label.replaceAll("[^A-Za-z0-9_.-]", "_") + ".collapsed");
        }
    }

    private static void execute(String command) {
        if (COMMAND == null) {
            return;
        }
        try {
            Class<?> type = Class.forName("one.profiler.AsyncProfiler");
            String lib = System.getProperty("airlock.bench.profile.lib");
            Object profiler = lib == null ? type.getMethod("getInstance").invoke(null)
                    : type.getMethod("getInstance", String.class).invoke(null, lib);
            type.getMethod("execute", String.class).invoke(profiler, command);
        } catch (ReflectiveOperationException | LinkageError e) {
            System.out.println("  profiler not available: " + e);
        }
    }
}
