package io.remora.core.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.LbPolicy;
import io.remora.core.upstream.Host;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * The peak-EWMA estimator (tower's {@code RttEstimate}: peak on slower samples, time-weighted blend of faster ones,
 * decay toward zero when read) and the power-of-two-choices balancer over its cost. All time is a fake clock.
 */
class PeakEwmaTest {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;
    private static final long DECAY = PeakEwma.DEFAULT_DECAY_NANOS;
    private static final int PICKS = 100_000;

    private final long[] now = {0};
    private final LongSupplier clock = () -> now[0];

    private static void assertNanos(double expected, double actual, String what) {
        assertEquals(expected, actual, Math.abs(expected) * 1e-9 + 1e-6, what);
    }

    // ---- the estimator ----

    @Test
    void startsAtTheInitialEstimate() {
        PeakEwma e = new PeakEwma(DECAY, PeakEwma.DEFAULT_RTT_NANOS, 0);
        assertNanos(30 * MS, e.estimateNanos(0), "Linkerd's default initial RTT");
        assertEquals(10 * SECOND, PeakEwma.DEFAULT_DECAY_NANOS);
    }

    @Test
    void aSlowerSampleReplacesTheEstimateAtOnce() {
        PeakEwma e = new PeakEwma(DECAY, 30 * MS, 0);
        e.observe(300 * MS, 1 * MS);
        assertNanos(300 * MS, e.estimateNanos(1 * MS), "peak");
        e.observe(301 * MS, 1 * MS);
        assertNanos(301 * MS, e.estimateNanos(1 * MS), "peak again, whatever the time since the last sample");
    }

    @Test
    void aFasterSampleBlendsWithWeightExpOfMinusElapsedOverDecay() {
        PeakEwma e = new PeakEwma(DECAY, 100 * MS, 0);
        e.observe(20 * MS, 1 * SECOND);
        double w = Math.exp(-1.0 / 10); // 1 s elapsed, 10 s decay
        double expected = 100 * MS * w + 20 * MS * (1 - w); // 92.39 ms
        assertNanos(expected, e.estimateNanos(1 * SECOND), "one blend, decayed once");

        e.observe(10 * MS, 3 * SECOND);
        double w2 = Math.exp(-2.0 / 10);
        double expected2 = expected * w2 + 10 * MS * (1 - w2);
        assertNanos(expected2, e.estimateNanos(3 * SECOND), "second blend from the first");
    }

    @Test
    void aFasterSampleLongAfterTheLastUpdateAlmostReplacesTheEstimate() {
        PeakEwma e = new PeakEwma(DECAY, 100 * MS, 0);
        e.observe(20 * MS, 60 * SECOND);
        double w = Math.exp(-6.0);
        // the old estimate has decayed below the sample, so the sample is a peak: it replaces it
        assertTrue(100 * MS * w < 20 * MS);
        assertNanos(20 * MS, e.estimateNanos(60 * SECOND), "peak over a decayed estimate");
    }

    /** An estimator whose first sample, at t = 0, was {@code rttNanos} (a peak over the 30 ms prior). */
    private static PeakEwma sampled(long rttNanos) {
        PeakEwma e = new PeakEwma(DECAY, PeakEwma.DEFAULT_RTT_NANOS, 0);
        e.observe(rttNanos, 0);
        return e;
    }

    @Test
    void readingDecaysTowardZero() {
        PeakEwma e = sampled(100 * MS);
        assertNanos(100 * MS * Math.exp(-1), e.estimateNanos(10 * SECOND), "after one decay period: e^-1");
        assertNanos(100 * MS * Math.exp(-2), e.estimateNanos(20 * SECOND), "reads compound correctly");
    }

    @Test
    void readsInBetweenDoNotChangeTheDecay() {
        PeakEwma once = sampled(100 * MS);
        PeakEwma often = sampled(100 * MS);
        for (long t = 1; t <= 10; t++) {
            often.estimateNanos(t * SECOND);
        }
        assertNanos(once.estimateNanos(10 * SECOND), often.estimateNanos(10 * SECOND), "same decay");
    }

    @Test
    void theInitialEstimateIsAPriorThatDoesNotDecayUntilTheFirstSample() {
        PeakEwma e = new PeakEwma(DECAY, 30 * MS, 0);
        assertNanos(30 * MS, e.estimateNanos(60 * SECOND), "hosts that joined at different times start equal");
        e.observe(10 * MS, 60 * SECOND);
        assertTrue(e.estimateNanos(60 * SECOND) < 30 * MS);
        assertNanos(e.estimateNanos(60 * SECOND) * Math.exp(-1), e.estimateNanos(70 * SECOND), "decays once sampled");
    }

    @Test
    void aClockThatStandsStillOrStepsBackDoesNotDecay() {
        PeakEwma e = new PeakEwma(DECAY, 100 * MS, 5 * SECOND);
        assertNanos(100 * MS, e.estimateNanos(5 * SECOND), "no time passed");
        assertNanos(100 * MS, e.estimateNanos(4 * SECOND), "time stepped back");
        e.observe(50 * MS, 4 * SECOND);
        assertTrue(e.estimateNanos(4 * SECOND) <= 100 * MS);
    }

    @Test
    void costIsEstimateTimesPendingPlusOne() {
        PeakEwma e = new PeakEwma(DECAY, 40 * MS, 0);
        assertNanos(40 * MS, e.cost(0, 0), "idle");
        assertNanos(160 * MS, e.cost(3, 0), "three in flight");
    }

    // ---- the balancer ----

    private List<Host> hosts(int... weights) {
        List<Host> hosts = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            String ip = "10.1.0." + (i + 1);
            hosts.add(new Host("c", new InetSocketAddress(ip, 80), ip + ":80", weights[i], now[0]));
        }
        return hosts;
    }

    private LoadBalancer balancer(List<Host> hosts) {
        return LoadBalancer.create(LbPolicy.PEAK_EWMA, hosts, new SplittableRandom(0x5eedL), clock);
    }

    private static Map<Host, Integer> count(LoadBalancer lb, int picks) {
        Map<Host, Integer> counts = new IdentityHashMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(lb.choose(), 1, Integer::sum);
        }
        return counts;
    }

    private static double share(Map<Host, Integer> counts, Host h) {
        return counts.getOrDefault(h, 0) / (double) PICKS;
    }

    @Test
    void aHostWhoseEstimateJumpedIsChosenOnlyWhenBothDrawsHitIt() {
        List<Host> hosts = hosts(1, 1, 1);
        Host slow = hosts.get(0);
        now[0] = 1 * MS;
        slow.ewma().observe(300 * MS, now[0]);
        Map<Host, Integer> counts = count(balancer(hosts), PICKS);
        // the slow host loses every comparison; it is chosen only when both draws land on it: (1/3)^2 = 1/9
        double slowShare = share(counts, slow);
        assertTrue(slowShare <= 1.0 / 9 + 0.01, "slow share " + slowShare);
        assertEquals(1.0 / 9, slowShare, 0.01);
        for (Host h : hosts.subList(1, 3)) {
            assertEquals(4.0 / 9, share(counts, h), 0.01, h.toString());
        }
    }

    @Test
    void activeRequestsMultiplyTheCost() {
        List<Host> hosts = hosts(1, 1);
        Host quickButBusy = hosts.get(0);
        Host slowButIdle = hosts.get(1);
        slowButIdle.ewma().observe(100 * MS, 0); // 100 ms × (0 + 1) = 100
        for (int i = 0; i < 9; i++) {
            quickButBusy.requestStarted(); // 30 ms × (9 + 1) = 300
        }
        Map<Host, Integer> counts = count(balancer(hosts), PICKS);
        // the busy host wins only when both draws are the busy host: (1/2)^2
        assertEquals(0.25, share(counts, quickButBusy), 0.01);

        for (int i = 0; i < 9; i++) {
            quickButBusy.requestFinished(); // now 30 < 100: the quick host wins every comparison
        }
        counts = count(balancer(hosts), PICKS);
        assertEquals(0.75, share(counts, quickButBusy), 0.01);
    }

    @Test
    void equallyFastHostsArePickedInProportionToTheirWeights() {
        List<Host> hosts = hosts(4, 1);
        Map<Host, Integer> counts = count(balancer(hosts), PICKS);
        // draws are weighted (4/5, 1/5); equal costs are a tie broken at random: 16/25 + (8/25) / 2 = 0.8
        assertEquals(0.8, share(counts, hosts.get(0)), 0.01);
    }

    @Test
    void weightOnlyShapesTheDrawsAFastLightHostStillWinsItsComparisons() {
        List<Host> hosts = hosts(4, 1);
        Host heavy = hosts.get(0);
        Host light = hosts.get(1);
        heavy.ewma().observe(80 * MS, 0); // slower than light's 30 ms
        Map<Host, Integer> counts = count(balancer(hosts), PICKS);
        // heavy is chosen only when both draws are heavy: (4/5)^2; light every other time
        assertEquals(0.64, share(counts, heavy), 0.01);
        assertEquals(0.36, share(counts, light), 0.01);
    }

    @Test
    void aSlowHostIsTriedAgainOnceItsEstimateDecaysBelowTheOthers() {
        List<Host> hosts = hosts(1, 1);
        Host slow = hosts.get(0);
        Host fast = hosts.get(1);
        slow.ewma().observe(300 * MS, 0);
        LoadBalancer lb = balancer(hosts);
        assertTrue(share(count(lb, PICKS), slow) < 0.26);
        // a minute later the fast host keeps answering in 30 ms, the slow one has had no traffic
        now[0] = 60 * SECOND;
        fast.ewma().observe(30 * MS, now[0]);
        // slow: 300 ms × e^-6 = 0.74 ms < 30 ms, so it is now the preferred one
        assertTrue(share(count(lb, PICKS), slow) > 0.74);
    }

    @Test
    void oneHostIsAlwaysChosenAndNoHostsGiveNull() {
        List<Host> one = hosts(1);
        LoadBalancer lb = balancer(one);
        for (int i = 0; i < 10; i++) {
            assertSame(one.get(0), lb.choose());
        }
        assertNull(balancer(List.of()).choose());
    }
}
