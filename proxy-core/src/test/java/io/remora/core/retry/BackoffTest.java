package io.remora.core.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Envoy's fully jittered exponential backoff with its defaults: base 25 ms, max 250 ms. */
class BackoffTest {
    private static final long MS = 1_000_000L;
    private static final Backoff DEFAULT = new Backoff(Duration.ofMillis(25), Duration.ofMillis(250));

    private static RandomGenerator seeded() {
        return new SplittableRandom(0x5eedL);
    }

    @Test
    void ceilingsGrowAsTwoToTheNMinusOneTimesBaseThenCap() {
        assertEquals(25 * MS, DEFAULT.ceilingNanos(1));
        assertEquals(75 * MS, DEFAULT.ceilingNanos(2));
        assertEquals(175 * MS, DEFAULT.ceilingNanos(3));
        assertEquals(250 * MS, DEFAULT.ceilingNanos(4)); // 375 ms, capped
        assertEquals(250 * MS, DEFAULT.ceilingNanos(5));
        assertEquals(250 * MS, DEFAULT.ceilingNanos(30));
    }

    @Test
    void ceilingsNeverOverflow() {
        for (int n : new int[] {31, 32, 61, 62, 63, 64, 100, 1000, Integer.MAX_VALUE}) {
            assertEquals(250 * MS, DEFAULT.ceilingNanos(n), "n = " + n);
            long d = DEFAULT.delayNanos(n, seeded());
            assertTrue(d >= 0 && d <= 250 * MS, "n = " + n + ": " + d);
        }
        // a tiny base with an enormous cap: the exponential itself must not wrap around
        Backoff wide = new Backoff(Duration.ofNanos(1), Duration.ofNanos(Long.MAX_VALUE));
        long previous = 0;
        for (int n = 1; n <= 100; n++) {
            long c = wide.ceilingNanos(n);
            assertTrue(c >= previous, "ceilings never shrink: n = " + n + ": " + c + " < " + previous);
            previous = c;
        }
        assertEquals((1L << 61) - 1, wide.ceilingNanos(61));
        assertEquals(Long.MAX_VALUE, wide.ceilingNanos(63));
        assertEquals(Long.MAX_VALUE, wide.ceilingNanos(100));
        // a base near the limit: base × 3 does not fit a long
        Backoff huge = new Backoff(Duration.ofNanos(Long.MAX_VALUE / 2), Duration.ofNanos(Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE / 2, huge.ceilingNanos(1));
        assertEquals(Long.MAX_VALUE, huge.ceilingNanos(2));
    }

    @Test
    void delaysCanBeDrawnEvenWhenTheCeilingIsTheLargestLong() {
        Backoff wide = new Backoff(Duration.ofNanos(1), Duration.ofNanos(Long.MAX_VALUE));
        RandomGenerator r = seeded();
        for (int i = 0; i < 1000; i++) {
            assertTrue(wide.delayNanos(100, r) >= 0);
        }
    }

    @Test
    void everyDelayIsWithinZeroAndTheCeiling() {
        RandomGenerator r = seeded();
        for (int n = 1; n <= 8; n++) {
            long ceiling = DEFAULT.ceilingNanos(n);
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (int i = 0; i < 20_000; i++) {
                long d = DEFAULT.delayNanos(n, r);
                assertTrue(d >= 0 && d <= ceiling, "retry " + n + ": " + d + " outside [0, " + ceiling + "]");
                min = Math.min(min, d);
                max = Math.max(max, d);
            }
            // the whole range is used: full jitter starts at zero
            assertTrue(min < ceiling / 100, "retry " + n + " min " + min);
            assertTrue(max > ceiling - ceiling / 100, "retry " + n + " max " + max);
        }
    }

    @Test
    void delaysAreUniformOverTheRange() {
        RandomGenerator r = seeded();
        int draws = 100_000;
        for (int n = 1; n <= 4; n++) {
            long ceiling = DEFAULT.ceilingNanos(n);
            double sum = 0;
            int[] quarters = new int[4];
            for (int i = 0; i < draws; i++) {
                long d = DEFAULT.delayNanos(n, r);
                sum += d;
                quarters[(int) Math.min(3, d * 4 / (ceiling + 1))]++;
            }
            double mean = sum / draws;
            assertEquals(ceiling / 2.0, mean, ceiling / 2.0 * 0.05, "retry " + n + " mean");
            for (int q = 0; q < 4; q++) {
                assertEquals(0.25, quarters[q] / (double) draws, 0.01, "retry " + n + " quarter " + q);
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameDelays() {
        RandomGenerator a = seeded();
        RandomGenerator b = seeded();
        for (int i = 0; i < 100; i++) {
            assertEquals(DEFAULT.delayNanos(3, a), DEFAULT.delayNanos(3, b));
        }
    }

    @Test
    void baseEqualToMaxIsAFlatJitteredDelay() {
        Backoff flat = new Backoff(Duration.ofMillis(100), Duration.ofMillis(100));
        for (int n = 1; n < 70; n++) {
            assertEquals(100 * MS, flat.ceilingNanos(n));
        }
    }

    @Test
    void rejectsInvalidArguments() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> new Backoff(Duration.ZERO, Duration.ofMillis(250)));
        assertTrue(zero.getMessage().contains("base_interval"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofMillis(-1), Duration.ofMillis(250)));
        IllegalArgumentException below = assertThrows(IllegalArgumentException.class,
                () -> new Backoff(Duration.ofMillis(25), Duration.ofMillis(24)));
        assertTrue(below.getMessage().contains("max_interval"), below.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DEFAULT.ceilingNanos(0));
        assertThrows(IllegalArgumentException.class, () -> DEFAULT.ceilingNanos(-1));
        assertThrows(IllegalArgumentException.class, () -> DEFAULT.delayNanos(0, seeded()));
        assertThrows(IllegalArgumentException.class, () -> DEFAULT.delayNanos(Integer.MIN_VALUE, seeded()));
    }
}
