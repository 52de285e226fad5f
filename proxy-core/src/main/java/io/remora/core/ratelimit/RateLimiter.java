package io.remora.core.ratelimit;

import io.remora.config.model.RateLimitConfig;
import io.remora.core.lb.HashFunction;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A listener's or a route's local rate limit ({@code rate_limit}): one {@link TokenBucket} for every request, or,
 * with {@code key: { header: NAME }}, one per distinct value of that header. Over the limit a request is answered
 * 429 with {@code retry-after} and the flag {@code RL}; a gRPC call gets {@code RESOURCE_EXHAUSTED} instead, the
 * status gRPC clients read (the mapping of Remora's local replies to gRPC statuses comes with HTTP/2, issue 7).
 *
 * <p><b>Bounded keys.</b> At most {@link #MAX_KEYS} keyed buckets exist at once (plus, briefly, one per thread
 * inserting concurrently), and a key is at most {@link #MAX_KEY_LENGTH} characters (a longer header value is kept
 * as a prefix and a 64-bit hash of the whole): about 10 000 × 300 bytes ≈ 3 MB per keyed limit at worst, however
 * many distinct keys arrive. When the table is full:
 * <ul>
 *   <li>buckets that are full again are removed (at most every {@link #SWEEP_INTERVAL_NANOS}): a full bucket
 *       remembers nothing, so removing it changes no decision — the bucket is retired atomically first, so a
 *       request racing the removal takes from the bucket that replaces it, never from a lost one;</li>
 *   <li>if that frees nothing, a new key shares one <em>overflow</em> bucket (same rate and burst) until room
 *       appears. A flood of fresh keys therefore gets one key's worth of traffic, not a full burst per key; the
 *       cost is that legitimate new keys arriving during such a flood share that bucket too, and that a key that
 *       moves from the overflow bucket to its own may pass one burst more in that period.</li>
 * </ul>
 * Requests without the key header share one bucket of their own, so leaving the header out is no way around the
 * limit.
 */
public final class RateLimiter {
    /** Keyed buckets at most, per keyed limit. */
    public static final int MAX_KEYS = 10_000;
    /** Characters of a key kept as they are; longer keys become a prefix plus a hash. */
    static final int MAX_KEY_LENGTH = 128;
    /** A full table looks for full buckets to drop at most this often (the scan is linear in the table). */
    static final long SWEEP_INTERVAL_NANOS = 100_000_000L;

    private final RateLimitConfig config;
    private final LongSupplier clock;
    private final int maxKeys;
    /** Unkeyed: every request. Keyed: requests without the key header. */
    private final TokenBucket shared;
    private final TokenBucket overflow;
    private final ConcurrentHashMap<String, TokenBucket> buckets;
    private final AtomicLong lastSweep;

    public RateLimiter(RateLimitConfig config, LongSupplier clock) {
        this(config, clock, MAX_KEYS);
    }

    RateLimiter(RateLimitConfig config, LongSupplier clock, int maxKeys) {
        this.config = config;
        this.clock = clock;
        this.maxKeys = maxKeys;
        this.shared = newBucket();
        this.overflow = config.isKeyed() ? newBucket() : null;
        this.buckets = config.isKeyed() ? new ConcurrentHashMap<>() : null;
        this.lastSweep = new AtomicLong(clock.getAsLong() - SWEEP_INTERVAL_NANOS);
    }

    private TokenBucket newBucket() {
        return new TokenBucket(config.requestsPerSecond(), config.burst(), clock);
    }

    public RateLimitConfig config() {
        return config;
    }

    /** The header whose value is the key, or {@code null} for one bucket. */
    public String keyHeader() {
        return config.keyHeader();
    }

    /**
     * Takes a token for a request with {@code key} (the key header's value; ignored, and may be null, for an
     * unkeyed limit).
     *
     * @return 0 if admitted; otherwise nanoseconds until the request's bucket has a token again
     */
    public long tryAcquire(String key) {
        long now = clock.getAsLong();
        while (true) {
            long r = bucket(key, now).acquire(now);
            if (r >= 0) {
                return r;
            }
            // retired by a sweep between the lookup and the take: its replacement is as full as it was
        }
    }

    private TokenBucket bucket(String key, long now) {
        if (buckets == null || key == null) {
            return shared;
        }
        String k = key.length() <= MAX_KEY_LENGTH ? key
                : key.substring(0, MAX_KEY_LENGTH - 17) + "#" + Long.toHexString(HashFunction.hash(key));
        TokenBucket b = buckets.get(k);
        if (b != null) {
            return b;
        }
        if (buckets.mappingCount() >= maxKeys) {
            sweep(now);
            if (buckets.mappingCount() >= maxKeys) {
                return overflow;
            }
        }
        return buckets.computeIfAbsent(k, x -> newBucket());
    }

    /** Drops the buckets that are full again, if no other thread swept within the interval. */
    private void sweep(long now) {
        long last = lastSweep.get();
        if (now - last < SWEEP_INTERVAL_NANOS || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        for (Iterator<Map.Entry<String, TokenBucket>> it = buckets.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, TokenBucket> e = it.next();
            if (e.getValue().retireIfFull(now)) {
                buckets.remove(e.getKey(), e.getValue());
            }
        }
    }

    /** Keyed buckets held now (0 for an unkeyed limit). */
    public int keys() {
        return buckets == null ? 0 : buckets.size();
    }

    /** Tokens left now in the bucket of {@code key} (or the shared one), for tests and the admin page. */
    public long available(String key) {
        long now = clock.getAsLong();
        TokenBucket b = buckets == null || key == null ? shared : buckets.get(key);
        return b == null ? config.burst() : b.available(now);
    }
}
