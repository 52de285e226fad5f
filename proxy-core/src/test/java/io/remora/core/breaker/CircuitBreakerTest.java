package io.remora.core.breaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.core.breaker.CircuitBreaker.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Momentary limits (no open state, no sleeping window), exact however many threads acquire at once. */
class CircuitBreakerTest {

    @Test
    void refusesExactlyAtTheLimitAndCountsTheOverflow() {
        CircuitBreaker b = new CircuitBreaker(10, 10, 3, 10);
        assertTrue(b.tryAcquire(Kind.REQUESTS));
        assertTrue(b.tryAcquire(Kind.REQUESTS));
        assertTrue(b.tryAcquire(Kind.REQUESTS));
        assertEquals(3, b.current(Kind.REQUESTS));
        assertFalse(b.tryAcquire(Kind.REQUESTS));
        assertFalse(b.tryAcquire(Kind.REQUESTS));
        assertEquals(3, b.current(Kind.REQUESTS), "a refusal takes nothing");
        assertEquals(2, b.overflows(Kind.REQUESTS));
        assertEquals(3, b.max(Kind.REQUESTS));
    }

    @Test
    void releaseMakesRoomForExactlyOneMore() {
        CircuitBreaker b = new CircuitBreaker(2, 2, 2, 2);
        assertTrue(b.tryAcquire(Kind.CONNECTIONS));
        assertTrue(b.tryAcquire(Kind.CONNECTIONS));
        assertFalse(b.tryAcquire(Kind.CONNECTIONS));
        b.release(Kind.CONNECTIONS);
        assertEquals(1, b.current(Kind.CONNECTIONS));
        assertTrue(b.tryAcquire(Kind.CONNECTIONS), "momentary: no sleeping window after an overflow");
        assertFalse(b.tryAcquire(Kind.CONNECTIONS));
        b.release(Kind.CONNECTIONS);
        b.release(Kind.CONNECTIONS);
        assertEquals(0, b.current(Kind.CONNECTIONS));
        assertEquals(2, b.overflows(Kind.CONNECTIONS), "overflows are a running total, not reset by release");
    }

    @Test
    void anUnmatchedReleaseDoesNotWidenTheLimit() {
        CircuitBreaker b = new CircuitBreaker(1, 1, 1, 1);
        b.release(Kind.RETRIES); // a caller bug: nothing was acquired
        assertEquals(0, b.current(Kind.RETRIES));
        assertTrue(b.tryAcquire(Kind.RETRIES));
        assertFalse(b.tryAcquire(Kind.RETRIES), "max_retries 1 still admits one");
    }

    @Test
    void eachKindHasItsOwnLimitAndOverflowCounter() {
        CircuitBreaker b = new CircuitBreaker(1, 2, 3, 4);
        int[] expected = {1, 2, 3, 4};
        for (Kind k : Kind.values()) {
            assertEquals(expected[k.ordinal()], b.max(k), k.configName());
            for (int i = 0; i < expected[k.ordinal()]; i++) {
                assertTrue(b.tryAcquire(k), k.configName());
            }
            for (int i = 0; i <= k.ordinal(); i++) {
                assertFalse(b.tryAcquire(k), k.configName());
            }
        }
        for (Kind k : Kind.values()) {
            assertEquals(expected[k.ordinal()], b.current(k), k.configName());
            assertEquals(k.ordinal() + 1, b.overflows(k), k.configName());
        }
        b.release(Kind.PENDING_REQUESTS);
        assertEquals(1, b.current(Kind.PENDING_REQUESTS));
        assertEquals(1, b.current(Kind.CONNECTIONS));
        assertEquals(3, b.current(Kind.REQUESTS));
        assertEquals(4, b.current(Kind.RETRIES));
    }

    @Test
    void configNamesMatchTheConfigFile() {
        assertEquals("max_connections", Kind.CONNECTIONS.configName());
        assertEquals("max_pending_requests", Kind.PENDING_REQUESTS.configName());
        assertEquals("max_requests", Kind.REQUESTS.configName());
        assertEquals("max_retries", Kind.RETRIES.configName());
    }

    @Test
    void aZeroLimitRefusesEverything() {
        CircuitBreaker b = new CircuitBreaker(0, 1, 1, 0);
        assertFalse(b.tryAcquire(Kind.CONNECTIONS));
        assertFalse(b.tryAcquire(Kind.RETRIES));
        assertEquals(1, b.overflows(Kind.CONNECTIONS));
        assertEquals(1, b.overflows(Kind.RETRIES));
        assertTrue(b.tryAcquire(Kind.REQUESTS));
    }

    @Test
    void aNegativeLimitIsRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CircuitBreaker(1, 1, -1, 1));
        assertTrue(e.getMessage().contains("max_requests") && e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    @Timeout(10)
    void fourThreadsNeverExceedTheLimit() throws Exception {
        for (int round = 0; round < 20; round++) {
            CircuitBreaker b = new CircuitBreaker(1024, 1024, 100, 3);
            AtomicInteger granted = new AtomicInteger();
            runConcurrently(4, () -> {
                for (int i = 0; i < 1000; i++) {
                    if (b.tryAcquire(Kind.REQUESTS)) {
                        granted.incrementAndGet();
                    }
                }
            });
            assertEquals(100, granted.get(), "round " + round);
            assertEquals(100, b.current(Kind.REQUESTS));
            assertEquals(4000 - 100, b.overflows(Kind.REQUESTS));
            assertEquals(0, b.overflows(Kind.RETRIES));
        }
    }

    @Test
    @Timeout(10)
    void fourThreadsAcquiringAndReleasingStayWithinTheLimit() throws Exception {
        CircuitBreaker b = new CircuitBreaker(1024, 1024, 1024, 3);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger granted = new AtomicInteger();
        runConcurrently(4, () -> {
            for (int i = 0; i < 50_000; i++) {
                if (b.tryAcquire(Kind.RETRIES)) {
                    granted.incrementAndGet();
                    int n = inside.incrementAndGet();
                    peak.accumulateAndGet(n, Math::max);
                    inside.decrementAndGet();
                    b.release(Kind.RETRIES);
                }
            }
        });
        assertTrue(peak.get() <= 3, "peak concurrency " + peak.get());
        assertEquals(0, b.current(Kind.RETRIES));
        assertEquals(4 * 50_000, granted.get() + b.overflows(Kind.RETRIES));
    }

    private static void runConcurrently(int threads, Runnable body) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> ts = new ArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    body.run();
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        if (!errors.isEmpty()) {
            throw new AssertionError("worker failed", errors.get(0));
        }
    }
}
