package io.remora.core.retry;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * A cluster's retry budget, with Finagle's {@code RetryBudget} / tower's {@code TpsBudget} accounting: every
 * original request deposits {@link #SCALE} units, a retry withdraws {@code floor(SCALE / retry_ratio)}, deposits
 * and withdrawals expire after {@code ttl} (a sliding window of ten slots, each {@code ttl/10} wide), and a
 * reserve of {@code min_retries_per_second × ttl} retries is always available. So over any {@code ttl},
 * retries stay at most {@code retry_ratio} of original requests plus the reserve.
 *
 * <p>One budget serves every event loop of a cluster and is exact: a withdrawal is one compare-and-set on the
 * running balance, so two loops can never both spend the last retry. Expiry is lazy: whichever caller first
 * notices that the window moved recycles the slots that fell out of it.
 */
public final class RetryBudget {
    /** Units per deposit; Finagle's scale factor, so ratios above 1 and fractional ones both work. */
    static final long SCALE = 1000;
    private static final int SLOTS = 10;

    private final LongSupplier nanoClock;
    private final long slotNanos;
    private final long depositAmount;
    private final long withdrawAmount;
    private final long reserve;
    /** Net units (deposits minus withdrawals) per slot of the window. */
    private final AtomicLongArray slots = new AtomicLongArray(SLOTS);
    /** Sum of the live slots: what can be spent beyond the reserve. */
    private final AtomicLong balance = new AtomicLong();
    /** Index of the newest window whose slot has been recycled. */
    private final AtomicLong window;

    /**
     * @param retryRatio         retries per original request, 0 to 1000 (0: the reserve only)
     * @param minRetriesPerSecond retries always allowed per second, on top of the ratio
     * @param ttl                how long a deposit counts, 1 s to 60 s
     * @param nanoClock          monotonic time in nanoseconds (injected so tests drive it)
     */
    public RetryBudget(double retryRatio, int minRetriesPerSecond, Duration ttl, LongSupplier nanoClock) {
        if (!(retryRatio >= 0 && retryRatio <= 1000)) { // also rejects NaN
            throw new IllegalArgumentException("retry_ratio must be 0..1000: " + retryRatio);
        }
        if (minRetriesPerSecond < 0) {
            throw new IllegalArgumentException("min_retries_per_second must be >= 0: " + minRetriesPerSecond);
        }
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("ttl must be 1s..60s: " + ttl);
        }
        this.nanoClock = nanoClock;
        this.slotNanos = ttl.toNanos() / SLOTS;
        if (retryRatio == 0) {
            this.depositAmount = 0;
            this.withdrawAmount = 1;
        } else {
            this.depositAmount = SCALE;
            // saturates like Finagle's toInt: a tiny ratio must not make the reserve overflow into nothing
            this.withdrawAmount = (long) Math.min(Integer.MAX_VALUE, Math.floor(SCALE / retryRatio));
        }
        this.reserve = saturatedReserve(minRetriesPerSecond, ttl.toSeconds(), withdrawAmount);
        this.window = new AtomicLong(windowOf(nanoClock.getAsLong()));
    }

    /** Records an original request (never a retry). */
    public void deposit() {
        if (depositAmount == 0) {
            return;
        }
        int slot = advance();
        slots.addAndGet(slot, depositAmount);
        balance.addAndGet(depositAmount);
    }

    /** Takes the cost of one retry from the budget; false (and nothing taken) when the budget is spent. */
    public boolean tryWithdraw() {
        int slot = advance();
        long b;
        do {
            b = balance.get();
            if (b + reserve < withdrawAmount) {
                return false;
            }
        } while (!balance.compareAndSet(b, b - withdrawAmount));
        slots.addAndGet(slot, -withdrawAmount);
        return true;
    }

    /** Retries the budget would allow right now (for metrics and the admin page). */
    public long available() {
        advance();
        return Math.max(0, (balance.get() + reserve) / withdrawAmount);
    }

    /** Moves the window to now, expiring slots that fell out of it; returns the current slot. */
    private int advance() {
        long now = windowOf(nanoClock.getAsLong());
        long w = window.get();
        while (now > w) {
            if (window.compareAndSet(w, now)) {
                // this caller owns windows w+1..now: their slots held the oldest units, which now expire
                long from = Math.max(w + 1, now - SLOTS + 1);
                for (long i = from; i <= now; i++) {
                    long expired = slots.getAndSet(Math.floorMod(i, SLOTS), 0);
                    if (expired != 0) {
                        balance.addAndGet(-expired);
                    }
                }
                break;
            }
            w = window.get();
        }
        return Math.floorMod(now, SLOTS);
    }

    /** Floor division: a monotonic clock may be negative ({@code System.nanoTime()}'s origin is arbitrary). */
    private long windowOf(long nanos) {
        return Math.floorDiv(nanos, slotNanos);
    }

    /** {@code perSecond × seconds × withdrawal}, capped well below overflow of {@code balance + reserve}. */
    private static long saturatedReserve(long perSecond, long seconds, long withdrawal) {
        long cap = Long.MAX_VALUE / 4;
        double exact = (double) perSecond * seconds * withdrawal;
        return exact >= cap ? cap : perSecond * seconds * withdrawal;
    }
}
