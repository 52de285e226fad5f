package io.remora.core.breaker;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A cluster's concurrency limits, shared by every event loop and exact across them: each limit is one atomic
 * counter that is only incremented by a compare-and-set that checks the limit first, so N loops can never
 * together exceed it. There is no open/closed state and no sleeping window: a request is refused exactly while
 * the count is at its limit (Envoy: "circuit open/closed is momentary").
 */
public final class CircuitBreaker {

    /** The four limits; overflow counters are kept per kind for metrics. */
    public enum Kind {
        CONNECTIONS("max_connections"),
        PENDING_REQUESTS("max_pending_requests"),
        REQUESTS("max_requests"),
        RETRIES("max_retries");

        private final String configName;

        Kind(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }

    private final Limit[] limits = new Limit[Kind.values().length];

    public CircuitBreaker(int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries) {
        limits[Kind.CONNECTIONS.ordinal()] = new Limit(Kind.CONNECTIONS, maxConnections);
        limits[Kind.PENDING_REQUESTS.ordinal()] = new Limit(Kind.PENDING_REQUESTS, maxPendingRequests);
        limits[Kind.REQUESTS.ordinal()] = new Limit(Kind.REQUESTS, maxRequests);
        limits[Kind.RETRIES.ordinal()] = new Limit(Kind.RETRIES, maxRetries);
    }

    /** Takes one unit of {@code kind}; false (and counted as an overflow) when at the limit. */
    public boolean tryAcquire(Kind kind) {
        return limits[kind.ordinal()].tryAcquire();
    }

    /**
     * Gives back a unit taken with {@link #tryAcquire}. A release without an acquire (a caller's bug) is ignored
     * rather than taking the count below zero, which would silently raise the limit for good.
     */
    public void release(Kind kind) {
        limits[kind.ordinal()].count.getAndUpdate(c -> c > 0 ? c - 1 : 0);
    }

    public int current(Kind kind) {
        return limits[kind.ordinal()].count.get();
    }

    public int max(Kind kind) {
        return limits[kind.ordinal()].max;
    }

    public long overflows(Kind kind) {
        return limits[kind.ordinal()].overflows.sum();
    }

    private static final class Limit {
        final int max;
        final AtomicInteger count = new AtomicInteger();
        final LongAdder overflows = new LongAdder();

        Limit(Kind kind, int max) {
            if (max < 0) {
                throw new IllegalArgumentException(kind.configName() + ": " + max + " (expected: >= 0)");
            }
            this.max = max;
        }

        boolean tryAcquire() {
            int c;
            do {
                c = count.get();
                if (c >= max) {
                    overflows.increment();
                    return false;
                }
            } while (!count.compareAndSet(c, c + 1));
            return true;
        }
    }
}
