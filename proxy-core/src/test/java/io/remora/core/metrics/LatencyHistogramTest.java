package io.remora.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
    private static final long MS = 1_000_000L;

    @Test
    void aValueOnABoundCountsInThatBucket() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(500_000); // exactly 0.5 ms
        h.record(500_001); // just above: the next bucket
        h.record(10_000 * MS); // exactly 10 s: the last finite bucket
        h.record(10_000 * MS + 1); // above every bound: +Inf only

        long[] b = h.snapshot().cumulativeBuckets();
        assertEquals(15, b.length);
        assertEquals(1, b[0]); // le=0.0005
        assertEquals(2, b[1]); // le=0.001
        assertEquals(3, b[13]); // le=10
        assertEquals(4, b[14]); // +Inf
    }

    @Test
    void bucketsAreCumulativeAndSumAndCountExact() {
        LatencyHistogram h = new LatencyHistogram();
        long[] values = {200_000, 3 * MS, 3 * MS, 40 * MS, 700 * MS, 2_000 * MS, 30_000 * MS};
        long sum = 0;
        for (long v : values) {
            h.record(v);
            sum += v;
        }
        LatencyHistogram.Snapshot s = h.snapshot();
        //             0.0005 .001 .0025 .005 .01 .025 .05 .1 .25 .5 1  2.5 5  10 +Inf
        assertArrayEquals(new long[] {1, 1, 1, 3, 3, 3, 4, 4, 4, 4, 5, 6, 6, 6, 7}, s.cumulativeBuckets());
        assertEquals(7, s.count());
        assertEquals(sum, s.sumNanos());
    }

    @Test
    void negativeDurationsCountAsZero() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(-5);
        LatencyHistogram.Snapshot s = h.snapshot();
        assertEquals(1, s.cumulativeBuckets()[0]);
        assertEquals(0, s.sumNanos());
    }

    @Test
    void percentilesComeFromTheHdrHistogramAcrossSnapshots() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 1; i <= 500; i++) {
            h.record(i * MS);
        }
        h.snapshot(); // the first half is merged into the cumulative histogram here
        for (int i = 501; i <= 1000; i++) {
            h.record(i * MS);
        }
        LatencyHistogram.Snapshot s = h.snapshot();
        assertEquals(1000, s.count());
        assertWithin(500 * MS, s.p50Nanos(), 0.01);
        assertWithin(900 * MS, s.p90Nanos(), 0.01);
        assertWithin(990 * MS, s.p99Nanos(), 0.01);
        assertWithin(999 * MS, s.p999Nanos(), 0.01);
        assertWithin(1000 * MS, s.maxNanos(), 0.01);
    }

    @Test
    void anHourAndMoreIsClampedNotLost() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(5L * 3600 * 1_000_000_000L);
        LatencyHistogram.Snapshot s = h.snapshot();
        assertEquals(1, s.count());
        assertTrue(s.maxNanos() >= 3_500L * 1_000_000_000L, "max " + s.maxNanos());
    }

    @Test
    void emptyHasZeros() {
        LatencyHistogram.Snapshot s = new LatencyHistogram().snapshot();
        assertEquals(0, s.count());
        assertEquals(0, s.p99Nanos());
    }

    @Test
    void recordingFromManyThreadsLosesNothing() throws InterruptedException {
        LatencyHistogram h = new LatencyHistogram();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    h.record(i % 100 * MS);
                }
            });
            threads[t].start();
        }
        long seen = 0;
        for (int i = 0; i < 5; i++) {
            seen = Math.max(seen, h.snapshot().count()); // scrapes while writers write
        }
        for (Thread t : threads) {
            t.join();
        }
        LatencyHistogram.Snapshot s = h.snapshot();
        assertEquals(40_000, s.count());
        assertTrue(seen <= 40_000);
        long expectedSum = 0;
        for (int i = 0; i < 10_000; i++) {
            expectedSum += i % 100 * MS;
        }
        assertEquals(4 * expectedSum, s.sumNanos());
        assertWithin(49 * MS, s.p50Nanos(), 0.02);
    }

    private static void assertWithin(long expected, long actual, double fraction) {
        assertTrue(Math.abs(actual - expected) <= expected * fraction,
                "expected " + expected + " within " + fraction * 100 + "%, got " + actual);
    }
}
