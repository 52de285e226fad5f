package io.remora.core.ratelimit;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket of capacity {@code burst}, refilled at {@code rate} tokens a second and starting full, kept as the
 * Generic Cell Rate Algorithm does it (ATM's GCRA; Linkerd's local rate limit): instead of a token count and a
 * refill time, one "theoretical arrival time" (TAT) in one {@link AtomicLong}. A request at {@code now} is admitted
 * when {@code max(TAT, now) - now <= (burst - 1) × interval}, and then moves TAT to {@code max(TAT, now) + interval},
 * where {@code interval = 1 s / rate}. That is exactly a token bucket: the bucket is full when TAT is in the past,
 * and each admitted request borrows one interval of the future. So over any period T at most
 * {@code rate × T + burst} requests pass.
 *
 * <p>Lock-free and exact across threads: an admission is one compare-and-set on the one word, so two event loops
 * can never both take the last token. No background refill: time does it. The interval is rounded up to a whole
 * nanosecond, so the rate is never exceeded (by at most one part in a billion under it).
 */
public final class TokenBucket {
    /** The TAT of a bucket taken out of service by {@link #retireIfFull}; a holder must look the key up again. */
    static final long RETIRED = Long.MIN_VALUE;
    /** Intervals are capped so that {@code burst × interval} never overflows: about 38 minutes per request. */
    static final long MAX_INTERVAL_NANOS = Long.MAX_VALUE / 4 / 1_000_000;

    private final long interval;
    private final long tolerance;
    private final LongSupplier clock;
    private final AtomicLong tat;

    /**
     * @param requestsPerSecond the refill rate, > 0
     * @param burst             the capacity, 1 to 1 000 000
     * @param clock             monotonic nanoseconds (injected, so tests drive it)
     */
    public TokenBucket(double requestsPerSecond, int burst, LongSupplier clock) {
        if (!(requestsPerSecond > 0)) {
            throw new IllegalArgumentException("requests_per_second must be > 0: " + requestsPerSecond);
        }
        if (burst < 1 || burst > 1_000_000) {
            throw new IllegalArgumentException("burst must be 1-1000000: " + burst);
        }
        this.interval = (long) Math.min(MAX_INTERVAL_NANOS, Math.max(1, Math.ceil(1e9 / requestsPerSecond)));
        this.tolerance = (burst - 1) * interval;
        this.clock = clock;
        long now = clock.getAsLong();
        this.tat = new AtomicLong(now == RETIRED ? now + 1 : now); // full: TAT not after now
    }

    /**
     * Takes a token if there is one.
     *
     * @return 0 if the request is admitted; otherwise how many nanoseconds until a token will be there (> 0), for
     *         a {@code retry-after}
     */
    public long tryAcquire() {
        long r = acquire(clock.getAsLong());
        return r < 0 ? 0 : r; // a bucket in use outside a RateLimiter is never retired
    }

    /** As {@link #tryAcquire()}, at {@code now}; -1 if the bucket was retired (look the key up again). */
    long acquire(long now) {
        while (true) {
            long t = tat.get();
            if (t == RETIRED) {
                return -1;
            }
            long base = t - now > 0 ? t : now; // max(TAT, now), overflow-safe
            long ahead = base - now;
            if (ahead > tolerance) {
                return ahead - tolerance;
            }
            if (tat.compareAndSet(t, base + interval)) {
                return 0;
            }
        }
    }

    /** Whether the bucket holds all {@code burst} tokens at {@code now}: then it remembers nothing. */
    boolean isFull(long now) {
        long t = tat.get();
        return t != RETIRED && t - now <= 0;
    }

    /**
     * Takes a full bucket out of service, atomically, so that no request can take from it afterwards (it will find
     * it retired and look its key up again, finding a new, equally full bucket). Returns whether it did.
     */
    boolean retireIfFull(long now) {
        long t = tat.get();
        return t != RETIRED && t - now <= 0 && tat.compareAndSet(t, RETIRED);
    }

    /** Tokens available at {@code now}, 0 to burst (for tests and the admin page). */
    public long available(long now) {
        long t = tat.get();
        if (t == RETIRED) {
            return 0;
        }
        long ahead = Math.max(0, t - now);
        return ahead > tolerance ? 0 : (tolerance - ahead) / interval + 1;
    }

    /** Nanoseconds between tokens. */
    long intervalNanos() {
        return interval;
    }
}
