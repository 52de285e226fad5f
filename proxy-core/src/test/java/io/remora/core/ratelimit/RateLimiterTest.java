package io.remora.core.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.RateLimitConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A listener's or route's limit: shared and per-key buckets, isolation, and the bound on the key table. */
class RateLimiterTest {
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong(5 * SECOND);

    private int admitted(RateLimiter l, String key, int tries) {
        int n = 0;
        for (int i = 0; i < tries; i++) {
            n += l.tryAcquire(key) == 0 ? 1 : 0;
        }
        return n;
    }

    @Test
    void withoutAKeyEveryRequestSharesOneBucket() {
        RateLimiter l = new RateLimiter(new RateLimitConfig(10, 3, null), clock::get);
        assertEquals(2, admitted(l, "a", 2));
        assertEquals(1, admitted(l, "b", 5), "the key is ignored: one bucket");
        assertEquals(0, l.keys());
    }

    @Test
    void keysAreIsolated() {
        RateLimiter l = new RateLimiter(new RateLimitConfig(10, 3, "x-api-key"), clock::get);
        assertEquals(3, admitted(l, "alice", 10));
        assertEquals(3, admitted(l, "bob", 10), "alice's flood leaves bob's bucket alone");
        assertEquals(3, admitted(l, null, 10), "requests without the key share a bucket of their own");
        assertEquals(0, admitted(l, "alice", 10));
        clock.addAndGet(SECOND / 10);
        assertEquals(1, admitted(l, "alice", 10));
        assertEquals(1, admitted(l, "bob", 10));
        assertEquals(2, l.keys());
    }

    @Test
    void leavingTheKeyOutIsNoWayAroundTheLimit() {
        RateLimiter l = new RateLimiter(new RateLimitConfig(1, 5, "x-api-key"), clock::get);
        assertEquals(5, admitted(l, null, 100));
    }

    /**
     * The bound: 100 000 distinct keys (a flood of made-up API keys) never hold more than
     * {@link RateLimiter#MAX_KEYS} buckets, and the keys that find the table full share one overflow bucket, so
     * the flood gets one key's worth of traffic rather than a burst per key.
     */
    @Test
    void theKeyTableStaysBoundedUnderOneHundredThousandDistinctKeys() {
        RateLimiter l = new RateLimiter(new RateLimitConfig(10, 2, "x-api-key"), clock::get);
        int admittedBeyondTheTable = 0;
        for (int i = 0; i < 100_000; i++) {
            long r = l.tryAcquire("key-" + i);
            if (i >= RateLimiter.MAX_KEYS && r == 0) {
                admittedBeyondTheTable++;
            }
            assertTrue(l.keys() <= RateLimiter.MAX_KEYS, "at key " + i + ": " + l.keys());
        }
        assertEquals(RateLimiter.MAX_KEYS, l.keys());
        assertEquals(2, admittedBeyondTheTable, "the overflow bucket: one burst for all the keys that did not fit");
        // a known key keeps its own bucket meanwhile
        assertEquals(1, admitted(l, "key-7", 5), "key-7 used one of its two tokens");

        // once buckets are full again they remember nothing and are dropped: new keys get buckets of their own
        clock.addAndGet(SECOND);
        assertEquals(2, admitted(l, "newcomer", 5));
        assertTrue(l.keys() <= 1, "every full bucket was swept: " + l.keys());
    }

    @Test
    void aSweepDropsOnlyFullBucketsSoNoDecisionChanges() {
        RateLimiter l = new RateLimiter(new RateLimitConfig(1, 3, "k"), clock::get, 2);
        assertEquals(3, admitted(l, "busy", 3)); // empty, refills in 3 s
        assertEquals(1, admitted(l, "idle", 1)); // full again after 1 s
        clock.addAndGet(2 * SECOND);
        assertEquals(3, admitted(l, "third", 3), "the sweep made room by dropping idle's full bucket");
        assertEquals(2, l.keys());
        assertEquals(2, admitted(l, "busy", 5), "busy kept its state: 2 tokens refilled in 2 s, not a fresh 3");
    }

    @Test
    void veryLongKeysAreStoredBounded() {
        RateLimiter l = new RateLimiter(new RateLimitConfig(1, 1, "k"), clock::get);
        String a = "a".repeat(60_000) + "1";
        String b = "a".repeat(60_000) + "2";
        assertEquals(1, admitted(l, a, 3));
        assertEquals(1, admitted(l, b, 3), "a different key, though they share their first 60 000 characters");
        assertEquals(0, admitted(l, a, 3));
        assertEquals(2, l.keys());
    }

    /**
     * Many threads, a small table and a moving clock, so that sweeps retire full buckets while other threads are
     * about to take from them: no key is ever given more than its limit, rate × elapsed + burst.
     */
    @Test
    @Timeout(30)
    void concurrentSweepsNeverHandOutExtraTokens() throws Exception {
        RateLimiter l = new RateLimiter(new RateLimitConfig(1, 3, "k"), clock::get, 16);
        long start = clock.get();
        int threads = 4;
        int keys = 8;
        LongAdder[] perKey = new LongAdder[keys];
        for (int i = 0; i < keys; i++) {
            perKey[i] = new LongAdder();
        }
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 50_000; i++) {
                    if (seed == 0 && i % 100 == 0) {
                        clock.addAndGet(SECOND / 20); // time passes: buckets fill up and become sweepable
                    }
                    int k = (i * 7 + seed) % keys;
                    if (l.tryAcquire("key-" + k) == 0) {
                        perKey[k].increment();
                    }
                    // fresh keys fill the table and force sweeps
                    l.tryAcquire("noise-" + seed + "-" + i);
                }
            });
            th.start();
            all.add(th);
        }
        go.countDown();
        for (Thread th : all) {
            th.join();
        }
        double elapsed = (clock.get() - start) / (double) SECOND;
        long total = 0;
        for (int k = 0; k < keys; k++) {
            assertTrue(perKey[k].sum() <= 1 * elapsed + 3, "key-" + k + " got " + perKey[k].sum() + " in "
                    + elapsed + " s");
            total += perKey[k].sum();
        }
        assertTrue(total >= elapsed, "the keys were served: " + total);
        assertTrue(l.keys() <= 16 + threads, "table: " + l.keys());
    }
}
