package io.remora.core.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Polls a condition until it holds or a deadline passes. Tests wait for behaviour with this, never with a
 * fixed sleep: a fixed sleep is either too short on a loaded machine or wastes time on an idle one.
 */
public final class Await {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private Await() {
    }

    /** Waits until {@code condition} holds; fails naming {@code what} after {@code timeout}. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /** Same as {@link #until(String, Duration, BooleanSupplier)} with a 5 s deadline. */
    public static void until(String what, BooleanSupplier condition) {
        until(what, Duration.ofSeconds(5), condition);
    }

    /**
     * Waits until {@code value} has not changed for {@code quiet} and returns it: for "the transfer has
     * stalled" checks. Fails if it keeps changing until {@code timeout}.
     */
    public static long stable(String what, Duration quiet, Duration timeout, LongSupplier value) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = value.getAsLong();
        long since = System.nanoTime();
        while (true) {
            LockSupport.parkNanos(POLL_NANOS);
            long now = System.nanoTime();
            long v = value.getAsLong();
            if (v != last) {
                last = v;
                since = now;
            } else if (now - since >= quiet.toNanos()) {
                return v;
            }
            if (now - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + " to settle (still changing, last value " + last + ")");
            }
        }
    }
}
