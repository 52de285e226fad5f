package io.remora.core.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Finagle/Linkerd budget arithmetic with the defaults (ratio 0.2, 10 retries/s, ttl 10 s): one deposit is worth
 * 1000 units, one retry costs 1000 / 0.2 = 5000, the reserve is 10 × 10 × 5000 = 500 000 units = 100 retries.
 * Time is a fake clock the test moves; the window's slots are ttl/10 = 1 s wide.
 */
class RetryBudgetTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long MILLI = 1_000_000L;
    private static final Duration TTL = Duration.ofSeconds(10);

    private final long[] now = {0};
    private final LongSupplier clock = () -> now[0];

    private RetryBudget budget(double ratio, int minPerSecond) {
        return new RetryBudget(ratio, minPerSecond, TTL, clock);
    }

    private static void deposit(RetryBudget b, int n) {
        for (int i = 0; i < n; i++) {
            b.deposit();
        }
    }

    /** Withdraws until refused; returns how many retries were allowed. */
    private static int drain(RetryBudget b) {
        int n = 0;
        while (b.tryWithdraw()) {
            n++;
            if (n > 10_000_000) {
                throw new AssertionError("budget never ran out");
            }
        }
        return n;
    }

    @Test
    void theReserveAloneAllowsExactlyOneHundredRetriesWithoutTraffic() {
        RetryBudget b = budget(0.2, 10);
        assertEquals(100, b.available());
        for (int i = 0; i < 100; i++) {
            assertTrue(b.tryWithdraw(), "retry " + (i + 1));
        }
        assertFalse(b.tryWithdraw(), "retry 101 exceeds the reserve");
        assertFalse(b.tryWithdraw(), "a refused withdrawal takes nothing, and stays refused");
        assertEquals(0, b.available());
    }

    @Test
    void aThousandOriginalRequestsAllowExactlyTwoHundredMoreRetries() {
        RetryBudget b = budget(0.2, 10);
        deposit(b, 1000);
        assertEquals(300, b.available());
        assertEquals(300, drain(b));
        assertEquals(0, b.available());
    }

    @Test
    void everyFifthRequestEarnsOneRetry() {
        RetryBudget b = budget(0.2, 0);
        deposit(b, 4);
        assertEquals(0, b.available());
        assertFalse(b.tryWithdraw());
        b.deposit();
        assertEquals(1, b.available());
        assertTrue(b.tryWithdraw());
        assertFalse(b.tryWithdraw());
    }

    @Test
    void depositsExpireAfterTheTtlLeavingOnlyTheReserve() {
        RetryBudget b = budget(0.2, 10);
        deposit(b, 1000);
        now[0] = 10 * SECOND - 1;
        assertEquals(300, b.available(), "still inside the window");
        now[0] = 10 * SECOND;
        assertEquals(100, b.available(), "deposits of the first slot have expired");
        now[0] = 3600 * SECOND;
        assertEquals(100, b.available(), "a long idle gap: still exactly the reserve");
        assertEquals(100, drain(b));
    }

    @Test
    void depositsExpireSlotBySlotAtTtlOverTenGranularity() {
        RetryBudget b = budget(0.2, 10);
        for (int s = 0; s < 10; s++) {
            now[0] = s * SECOND + 500 * MILLI; // the middle of slot s
            deposit(b, 100); // 100 requests: 20 retries
        }
        assertEquals(100 + 10 * 20, b.available());
        for (int s = 0; s < 10; s++) {
            now[0] = (10 + s) * SECOND - 1;
            assertEquals(100 + (10 - s) * 20, b.available(), "just before slot " + s + " expires");
            now[0] = (10 + s) * SECOND;
            assertEquals(100 + (9 - s) * 20, b.available(), "slot " + s + " expired");
        }
    }

    @Test
    void slotWidthFollowsTheTtl() {
        RetryBudget b = new RetryBudget(0.2, 0, Duration.ofSeconds(5), clock); // slots of 500 ms
        deposit(b, 50);
        assertEquals(10, b.available());
        now[0] = 5 * SECOND - 1;
        assertEquals(10, b.available());
        now[0] = 5 * SECOND;
        assertEquals(0, b.available());
    }

    @Test
    void ratioZeroAllowsTheReserveOnly() {
        RetryBudget b = budget(0, 10);
        assertEquals(100, b.available());
        deposit(b, 10_000);
        assertEquals(100, b.available(), "deposits earn nothing at ratio 0");
        assertEquals(100, drain(b));
        now[0] = 10 * SECOND;
        assertEquals(100, b.available(), "the reserve comes back once the withdrawals expire");
    }

    @Test
    void ratioZeroAndNoReserveAllowsNothing() {
        RetryBudget b = budget(0, 0);
        deposit(b, 1000);
        assertEquals(0, b.available());
        assertFalse(b.tryWithdraw());
    }

    @Test
    void ratiosAboveOneAllowSeveralRetriesPerRequest() {
        RetryBudget two = budget(2.0, 0);
        deposit(two, 10);
        assertEquals(20, two.available());
        assertEquals(20, drain(two));

        RetryBudget max = budget(1000, 0);
        max.deposit();
        assertEquals(1000, max.available());
        assertEquals(1000, drain(max));

        RetryBudget withReserve = budget(2.0, 10);
        deposit(withReserve, 10);
        assertEquals(100 + 20, withReserve.available());
    }

    @Test
    void fractionalRatiosRoundTheWithdrawalDown() {
        // 1000 / 0.3 = 3333.3 -> a retry costs 3333 units, so 10 deposits (10 000 units) buy 3 retries
        RetryBudget b = budget(0.3, 0);
        deposit(b, 10);
        assertEquals(3, b.available());
        assertEquals(3, drain(b));
    }

    @Test
    void withdrawalsExpireToo() {
        RetryBudget b = budget(0.2, 10);
        assertEquals(100, drain(b)); // the reserve is spent at t = 0
        now[0] = 10 * SECOND - 1;
        assertEquals(0, b.available(), "withdrawals of the last ttl still count");
        now[0] = 10 * SECOND;
        assertEquals(100, b.available(), "a withdrawal 10 s ago no longer counts");
    }

    @Test
    void depositsAndWithdrawalsExpireEachInTheirOwnSlot() {
        RetryBudget b = budget(0.2, 10);
        deposit(b, 1000); // t = 0
        now[0] = 5 * SECOND;
        assertEquals(300, drain(b)); // t = 5 s
        now[0] = 10 * SECOND;
        // the deposits are gone, the 300 withdrawals still count against the reserve
        assertEquals(0, b.available());
        assertFalse(b.tryWithdraw());
        now[0] = 15 * SECOND - 1;
        assertEquals(0, b.available());
        now[0] = 15 * SECOND;
        assertEquals(100, b.available());
    }

    @Test
    void worksWhenTheClockIsNegativeAndCrossesZero() {
        // System.nanoTime() may be negative: its origin is arbitrary
        now[0] = -5 * SECOND - 300 * MILLI;
        RetryBudget b = budget(0.2, 10);
        deposit(b, 1000);
        assertEquals(300, b.available());
        assertEquals(300, drain(b));
        now[0] = -1;
        b.deposit();
        now[0] = 0;
        b.deposit();
        now[0] = 4 * SECOND - 1;
        assertEquals(0, b.available(), "the withdrawals made at -5.3 s still count");
        now[0] = 5 * SECOND;
        // everything made at -5.3 s has expired; the two deposits of -1 ns and 0 remain (2000 units)
        assertEquals(100, b.available());
        deposit(b, 3);
        assertEquals(101, b.available());
    }

    @Test
    void aLargeClockStartsAnywhere() {
        now[0] = Long.MAX_VALUE / 2;
        RetryBudget b = budget(0.2, 10);
        deposit(b, 1000);
        assertEquals(300, b.available());
        now[0] += 10 * SECOND;
        assertEquals(100, b.available());
    }

    @Test
    void tinyRatiosStillHaveTheirReserve() {
        // 1000 / 1e-20 does not fit a long; the reserve must not overflow into nothing
        RetryBudget b = budget(1e-20, 10);
        deposit(b, 1000);
        assertEquals(100, b.available());
        assertEquals(100, drain(b));
    }

    @Test
    void aHugeReserveDoesNotOverflow() {
        RetryBudget b = new RetryBudget(1e-9, Integer.MAX_VALUE, Duration.ofSeconds(60), clock);
        assertTrue(b.available() > 0);
        assertTrue(b.tryWithdraw());
        b.deposit();
        assertTrue(b.available() > 0);
    }

    @Test
    void rejectsInvalidArguments() {
        assertThrows(IllegalArgumentException.class, () -> budget(-0.1, 10));
        assertThrows(IllegalArgumentException.class, () -> budget(1000.1, 10));
        assertThrows(IllegalArgumentException.class, () -> budget(Double.NaN, 10));
        assertThrows(IllegalArgumentException.class, () -> budget(Double.POSITIVE_INFINITY, 10));
        assertThrows(IllegalArgumentException.class, () -> budget(0.2, -1));
        assertThrows(IllegalArgumentException.class, () -> new RetryBudget(0.2, 10, Duration.ofMillis(999), clock));
        assertThrows(IllegalArgumentException.class, () -> new RetryBudget(0.2, 10, Duration.ofSeconds(61), clock));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> budget(2000, 10));
        assertTrue(e.getMessage().contains("retry_ratio") && e.getMessage().contains("2000"), e.getMessage());
        // the bounds themselves are valid
        budget(0, 0);
        budget(1000, 0);
        new RetryBudget(0.2, 10, Duration.ofSeconds(1), clock);
        new RetryBudget(0.2, 10, Duration.ofSeconds(60), clock);
    }

    @Test
    @Timeout(10)
    void fourThreadsNeverOverdrawTheBudget() throws Exception {
        for (int round = 0; round < 20; round++) {
            RetryBudget b = budget(0.2, 10);
            deposit(b, 1000); // exactly 300 retries
            AtomicInteger granted = new AtomicInteger();
            runConcurrently(4, () -> {
                for (int i = 0; i < 1000; i++) {
                    if (b.tryWithdraw()) {
                        granted.incrementAndGet();
                    }
                }
            });
            assertEquals(300, granted.get(), "round " + round);
            assertEquals(0, b.available());
        }
    }

    @Test
    @Timeout(10)
    void concurrentDepositsAndWithdrawalsAddUpExactly() throws Exception {
        RetryBudget b = budget(0.2, 10);
        AtomicInteger granted = new AtomicInteger();
        runConcurrently(4, () -> {
            for (int i = 0; i < 5000; i++) {
                b.deposit();
                if (b.tryWithdraw()) {
                    granted.incrementAndGet();
                }
            }
        });
        int drained = drain(b);
        // 20 000 deposits earn 4000 retries, plus the reserve of 100; nothing lost, nothing created
        assertEquals(4100, granted.get() + drained);
    }

    private static void runConcurrently(int threads, Runnable body) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> ts = new ArrayList<>();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
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
