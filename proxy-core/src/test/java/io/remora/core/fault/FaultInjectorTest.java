package io.remora.core.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.FaultConfig;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Fault decisions: percentages within statistical bounds, independence, and the header gate. */
class FaultInjectorTest {
    private static final int N = 10_000;

    /** A fixed seed: the draws are the same every run, so a bound that holds once always holds. */
    private static RandomGenerator seeded() {
        return new SplittableRandom(0xfa17L);
    }

    /** Five standard deviations of a binomial count: a correct injector fails this about once in 3.5 million. */
    private static void assertNear(double percent, int count, String what) {
        double p = percent / 100;
        double mean = N * p;
        double sigma = Math.sqrt(N * p * (1 - p));
        assertTrue(Math.abs(count - mean) <= 5 * sigma, what + ": " + count + " of " + N + ", expected " + mean
                + " ± " + 5 * sigma);
    }

    @Test
    void delaysAndAbortsHitTheirPercentagesIndependently() {
        FaultInjector f = new FaultInjector(new FaultConfig(new FaultConfig.Delay(Duration.ofSeconds(2), 10),
                new FaultConfig.Abort(503, 5), null), seeded());
        int delays = 0;
        int aborts = 0;
        int both = 0;
        for (int i = 0; i < N; i++) {
            FaultInjector.Decision d = f.decide(false);
            delays += d.delays() ? 1 : 0;
            aborts += d.aborts() ? 1 : 0;
            both += d.delays() && d.aborts() ? 1 : 0;
            if (d.delays()) {
                assertEquals(2_000_000_000L, d.delayNanos());
            }
            if (d.aborts()) {
                assertEquals(503, d.abortStatus());
            }
        }
        assertNear(10, delays, "delays");
        assertNear(5, aborts, "aborts");
        assertNear(0.5, both, "delayed and aborted (independent draws)");
    }

    @Test
    void fractionalPercentages() {
        FaultInjector f = new FaultInjector(new FaultConfig(null, new FaultConfig.Abort(500, 0.7), null), seeded());
        int aborts = 0;
        for (int i = 0; i < N; i++) {
            aborts += f.decide(false).aborts() ? 1 : 0;
        }
        assertNear(0.7, aborts, "aborts at 0.7%");
    }

    @Test
    void zeroNeverAndHundredAlways() {
        FaultInjector never = new FaultInjector(new FaultConfig(new FaultConfig.Delay(Duration.ofMillis(1), 0),
                new FaultConfig.Abort(503, 0), null), seeded());
        FaultInjector always = new FaultInjector(new FaultConfig(new FaultConfig.Delay(Duration.ofMillis(1), 100),
                new FaultConfig.Abort(503, 100), null), seeded());
        for (int i = 0; i < N; i++) {
            assertSame(FaultInjector.Decision.NONE, never.decide(false));
            FaultInjector.Decision d = always.decide(false);
            assertTrue(d.delays() && d.aborts());
        }
    }

    @Test
    void headerGatedFaultsNeverHitRequestsWithoutTheHeader() {
        FaultInjector f = new FaultInjector(new FaultConfig(new FaultConfig.Delay(Duration.ofMillis(5), 100),
                new FaultConfig.Abort(503, 50), "x-fault-inject"), seeded());
        int aborts = 0;
        for (int i = 0; i < N; i++) {
            assertSame(FaultInjector.Decision.NONE, f.decide(false), "request " + i + " had no header");
            FaultInjector.Decision d = f.decide(true);
            assertTrue(d.delays(), "every gated request is delayed at 100%");
            aborts += d.aborts() ? 1 : 0;
        }
        assertNear(50, aborts, "gated aborts at 50%");
    }
}
