package io.remora.core.retry;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Fully jittered exponential backoff (Envoy's, and AWS's "full jitter"): retry {@code n} (1-based) waits a
 * uniformly random time in {@code [0, min(max, base × (2^n − 1))]}. The jitter is the point: retries of many
 * callers that failed together must not arrive together.
 */
public final class Backoff {
    private final long baseNanos;
    private final long maxNanos;

    public Backoff(Duration base, Duration max) {
        if (base.isNegative() || base.isZero()) {
            throw new IllegalArgumentException("base_interval must be > 0: " + base);
        }
        if (max.compareTo(base) < 0) {
            throw new IllegalArgumentException("max_interval must be >= base_interval: " + max + " < " + base);
        }
        this.baseNanos = base.toNanos();
        this.maxNanos = max.toNanos();
    }

    /** Upper bound of the wait before retry {@code n} (1-based). */
    public long ceilingNanos(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("retry numbers start at 1: " + n);
        }
        if (n >= 62) {
            return maxNanos;
        }
        long factor = (1L << n) - 1;
        return factor > maxNanos / baseNanos ? maxNanos : Math.min(maxNanos, baseNanos * factor);
    }

    /** The wait before retry {@code n}, drawn from {@code random}. */
    public long delayNanos(int n, RandomGenerator random) {
        long ceiling = ceilingNanos(n);
        // ceiling + 1 would overflow for a ceiling of Long.MAX_VALUE (a max_interval of ~292 years)
        return ceiling == Long.MAX_VALUE ? random.nextLong() >>> 1 : random.nextLong(ceiling + 1);
    }
}
