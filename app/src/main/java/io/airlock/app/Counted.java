package io.airlock.app;

/** A count with its noun in the right number, for what the commands print: {@code 1 alert}, {@code 2 alerts}, {@code 0 alerts}. */
public final class Counted {

    private Counted() {
    }

    /** {@code count} and {@code noun} (a regular English plural in -s, such as "dead letter" or "record file"). */
    public static String of(long count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }
}
