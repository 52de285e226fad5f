package io.remora.core.outlier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.OutlierDetectionConfig;
import io.remora.config.model.OutlierDetectionConfig.FailurePercentage;
import io.remora.config.model.OutlierDetectionConfig.SuccessRate;
import io.remora.core.upstream.Host;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Envoy's outlier detection on a fake clock: inline consecutive-failure ejection, the ejection timeline and its
 * multiplier, the max-ejection cap, and the periodic success-rate and failure-percentage detectors. Sweeps are
 * called by the test, as the cluster's control task would every {@code interval}.
 */
class OutlierDetectorTest {
    private static final long SECOND = 1_000_000_000L;
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final Duration BASE = Duration.ofSeconds(30);
    private static final Duration MAX = Duration.ofSeconds(300);

    private final long[] now = {0};
    private final LongSupplier clock = () -> now[0];
    private final AtomicInteger availabilityChanges = new AtomicInteger();
    private List<Host> members = List.of();

    private static OutlierDetectionConfig consecutive(int c5xx, int cGateway, int maxPercent) {
        return new OutlierDetectionConfig(c5xx, cGateway, INTERVAL, BASE, MAX, maxPercent, null, null);
    }

    private static List<Host> hosts(int n) {
        List<Host> hosts = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            String ip = "10.3.0." + i;
            hosts.add(new Host("c", new InetSocketAddress(ip, 80), ip + ":80", 1, 0));
        }
        return hosts;
    }

    private OutlierDetector detector(OutlierDetectionConfig config, List<Host> hosts) {
        members = hosts;
        return new OutlierDetector("c", config, () -> members, clock, availabilityChanges::incrementAndGet);
    }

    private static void fail(OutlierDetector d, Host h, Outcome outcome, int times) {
        for (int i = 0; i < times; i++) {
            d.record(h, outcome);
        }
    }

    private void sweepAt(OutlierDetector d, long nanos) {
        now[0] = nanos;
        d.sweep();
    }

    // ---- inline, consecutive failures ----

    @Test
    void ejectsExactlyAtConsecutive5xx() {
        List<Host> hosts = hosts(3);
        OutlierDetector d = detector(consecutive(5, 0, 10), hosts);
        Host h = hosts.get(0);
        fail(d, h, Outcome.SERVER_ERROR, 4);
        assertTrue(h.isAvailable(), "4 failures do not eject");
        assertEquals(0, d.ejectedCount());
        assertEquals(0, availabilityChanges.get());
        d.record(h, Outcome.SERVER_ERROR);
        assertFalse(h.isAvailable(), "the 5th does, inline");
        assertTrue(h.outlier().isEjected());
        assertEquals(1, d.ejectedCount());
        assertEquals(1, availabilityChanges.get());
        assertTrue(h.outlier().ejectionReason().contains("5 consecutive 5xx"), h.outlier().ejectionReason());
        assertEquals(0, h.outlier().consecutive5xx(), "counters restart at ejection");
    }

    @Test
    void gatewayErrorsAndLocalFailuresCountAs5xxToo() {
        List<Host> hosts = hosts(3);
        OutlierDetector d = detector(consecutive(5, 0, 10), hosts);
        Host h = hosts.get(0);
        d.record(h, Outcome.SERVER_ERROR);
        d.record(h, Outcome.GATEWAY_ERROR);
        d.record(h, Outcome.LOCAL_FAILURE);
        d.record(h, Outcome.SERVER_ERROR);
        assertTrue(h.isAvailable());
        d.record(h, Outcome.LOCAL_FAILURE);
        assertFalse(h.isAvailable());
    }

    @Test
    void aSuccessResetsTheCount() {
        List<Host> hosts = hosts(3);
        OutlierDetector d = detector(consecutive(5, 5, 10), hosts);
        Host h = hosts.get(0);
        fail(d, h, Outcome.SERVER_ERROR, 4);
        d.record(h, Outcome.SUCCESS);
        assertEquals(0, h.outlier().consecutive5xx());
        fail(d, h, Outcome.SERVER_ERROR, 4);
        assertTrue(h.isAvailable(), "4 + success + 4 is not 5 in a row");
        d.record(h, Outcome.SERVER_ERROR);
        assertFalse(h.isAvailable());
    }

    @Test
    void ejectsAtConsecutiveGatewayFailures() {
        List<Host> hosts = hosts(3);
        OutlierDetector d = detector(consecutive(10, 3, 10), hosts);
        Host h = hosts.get(0);
        d.record(h, Outcome.GATEWAY_ERROR);
        d.record(h, Outcome.LOCAL_FAILURE);
        assertTrue(h.isAvailable());
        d.record(h, Outcome.GATEWAY_ERROR);
        assertFalse(h.isAvailable(), "502/503/504 and local failures: 3 in a row");
        assertTrue(h.outlier().ejectionReason().contains("3 consecutive gateway failures"),
                h.outlier().ejectionReason());
    }

    @Test
    void aPlain5xxBreaksAGatewayFailureRunButNotA5xxRun() {
        List<Host> hosts = hosts(3);
        OutlierDetector d = detector(consecutive(10, 3, 10), hosts);
        Host h = hosts.get(0);
        fail(d, h, Outcome.GATEWAY_ERROR, 2);
        d.record(h, Outcome.SERVER_ERROR); // a 500 resets the gateway run
        fail(d, h, Outcome.LOCAL_FAILURE, 2);
        assertTrue(h.isAvailable());
        assertEquals(5, h.outlier().consecutive5xx());
        d.record(h, Outcome.LOCAL_FAILURE);
        assertFalse(h.isAvailable());
    }

    @Test
    void onlyLocalFailuresEjectWithConsecutive5xxDisabled() {
        List<Host> hosts = hosts(3);
        OutlierDetector d = detector(consecutive(0, 3, 10), hosts);
        Host h = hosts.get(0);
        fail(d, h, Outcome.SERVER_ERROR, 50);
        assertTrue(h.isAvailable(), "consecutive_5xx 0 disables it");
        fail(d, h, Outcome.LOCAL_FAILURE, 3);
        assertFalse(h.isAvailable());
    }

    @Test
    void bothDetectorsDisabledNeverEject() {
        List<Host> hosts = hosts(3);
        OutlierDetector d = detector(consecutive(0, 0, 100), hosts);
        fail(d, hosts.get(0), Outcome.GATEWAY_ERROR, 100);
        assertTrue(hosts.get(0).isAvailable());
    }

    // ---- the ejection timeline ----

    /** Ejects {@code h} now with 5 failures; returns how long the ejection lasts, found by sweeping. */
    private long ejectAndMeasure(OutlierDetector d, Host h) {
        long ejectedAt = now[0];
        fail(d, h, Outcome.SERVER_ERROR, 5);
        assertFalse(h.isAvailable());
        long duration = h.outlier().ejectedUntil() - ejectedAt;
        sweepAt(d, ejectedAt + duration - 1);
        assertFalse(h.isAvailable(), "a sweep before the ejection ends keeps it ejected");
        sweepAt(d, ejectedAt + duration);
        assertTrue(h.isAvailable(), "a sweep once it ended returns it");
        return duration;
    }

    @Test
    void ejectionLastsBaseTimesTheEjectionsInARow() {
        List<Host> hosts = hosts(3);
        OutlierDetector d = detector(consecutive(5, 0, 10), hosts);
        Host h = hosts.get(0);
        fail(d, h, Outcome.SERVER_ERROR, 5); // at t = 0
        for (long t = 10; t < 30; t += 10) {
            sweepAt(d, t * SECOND);
            assertFalse(h.isAvailable(), "still ejected at " + t + " s");
        }
        sweepAt(d, 30 * SECOND - 1);
        assertFalse(h.isAvailable());
        assertEquals(1, availabilityChanges.get());
        sweepAt(d, 30 * SECOND);
        assertTrue(h.isAvailable(), "first ejection: 30 s");
        assertEquals(0, d.ejectedCount());
        assertEquals(2, availabilityChanges.get(), "ejection and return");
        assertNull(h.outlier().ejectionReason());

        // it fails again before the next sweep: ejected for longer each time
        assertEquals(60 * SECOND, ejectAndMeasure(d, h));
        assertEquals(90 * SECOND, ejectAndMeasure(d, h));
        assertEquals(120 * SECOND, ejectAndMeasure(d, h));
        assertEquals(2 + 3 * 2, availabilityChanges.get());
    }

    @Test
    void ejectionTimeIsCappedAtMaxEjectionTime() {
        List<Host> hosts = hosts(3);
        OutlierDetector d = detector(new OutlierDetectionConfig(5, 0, INTERVAL, BASE, Duration.ofSeconds(100), 10,
                null, null), hosts);
        Host h = hosts.get(0);
        long[] expected = {30, 60, 90, 100, 100, 100};
        for (long seconds : expected) {
            assertEquals(seconds * SECOND, ejectAndMeasure(d, h));
        }
    }

    @Test
    void aMaxBelowTheBaseMeansTheBase() {
        List<Host> hosts = hosts(3);
        OutlierDetector d = detector(new OutlierDetectionConfig(5, 0, INTERVAL, BASE, Duration.ofSeconds(10), 10,
                null, null), hosts);
        Host h = hosts.get(0);
        assertEquals(30 * SECOND, ejectAndMeasure(d, h));
        assertEquals(30 * SECOND, ejectAndMeasure(d, h));
    }

    @Test
    void theMultiplierDecaysByOnePerCleanSweep() {
        for (int cleanSweeps = 0; cleanSweeps <= 4; cleanSweeps++) {
            now[0] = 0;
            List<Host> hosts = hosts(3);
            OutlierDetector d = detector(consecutive(5, 0, 10), hosts);
            Host h = hosts.get(0);
            assertEquals(30 * SECOND, ejectAndMeasure(d, h));
            assertEquals(60 * SECOND, ejectAndMeasure(d, h));
            assertEquals(90 * SECOND, ejectAndMeasure(d, h)); // 3 in a row
            for (int k = 0; k < cleanSweeps; k++) {
                sweepAt(d, now[0] + INTERVAL.toNanos());
            }
            long expected = Math.max(1, 4 - cleanSweeps) * 30 * SECOND;
            assertEquals(expected, ejectAndMeasure(d, h), "after " + cleanSweeps + " clean sweeps");
        }
    }

    @Test
    void theMultiplierStopsGrowingAtTheCapSoItDecaysPromptly() {
        // base 30 s, max 300 s: the multiplier needs to go no higher than 10
        List<Host> hosts = hosts(3);
        OutlierDetector d = detector(consecutive(5, 0, 10), hosts);
        Host h = hosts.get(0);
        for (int i = 1; i <= 15; i++) {
            assertEquals(Math.min(10, i) * 30 * SECOND, ejectAndMeasure(d, h), "ejection " + i);
        }
        // two clean sweeps: from 10 in a row down to 8, so the next ejection is the 9th: 270 s
        sweepAt(d, now[0] + INTERVAL.toNanos());
        sweepAt(d, now[0] + INTERVAL.toNanos());
        assertEquals(270 * SECOND, ejectAndMeasure(d, h));
    }

    // ---- the cap ----

    @Test
    void maxEjectionPercentCapsEjectedHosts() {
        List<Host> hosts = hosts(10);
        OutlierDetector d = detector(consecutive(5, 0, 20), hosts);
        for (Host h : hosts.subList(0, 5)) {
            fail(d, h, Outcome.SERVER_ERROR, 5);
        }
        assertEquals(2, d.ejectedCount(), "20% of 10");
        assertEquals(2, hosts.stream().filter(h -> !h.isAvailable()).count());
        assertEquals(2, availabilityChanges.get());
        assertFalse(hosts.get(0).isAvailable());
        assertFalse(hosts.get(1).isAvailable());

        sweepAt(d, 30 * SECOND); // both return
        assertEquals(0, d.ejectedCount());
        d.record(hosts.get(2), Outcome.SERVER_ERROR); // its count is still at 5: ejected on its next failure
        assertFalse(hosts.get(2).isAvailable());
        assertEquals(1, d.ejectedCount());
    }

    @Test
    void atLeastOneHostMayBeEjectedWhateverThePercent() {
        List<Host> hosts = hosts(3);
        OutlierDetector d = detector(consecutive(5, 0, 10), hosts); // 10% of 3 rounds down to 0
        fail(d, hosts.get(0), Outcome.SERVER_ERROR, 5);
        fail(d, hosts.get(1), Outcome.SERVER_ERROR, 5);
        assertFalse(hosts.get(0).isAvailable());
        assertTrue(hosts.get(1).isAvailable(), "but only one");
        assertEquals(1, d.ejectedCount());
    }

    @Test
    void aRemovedHostReleasesItsSlot() {
        List<Host> hosts = hosts(3);
        OutlierDetector d = detector(consecutive(5, 0, 10), hosts);
        Host a = hosts.get(0);
        Host b = hosts.get(1);
        fail(d, a, Outcome.SERVER_ERROR, 5);
        fail(d, b, Outcome.SERVER_ERROR, 5);
        assertTrue(b.isAvailable());

        members = List.of(hosts.get(1), hosts.get(2), hosts.get(0)); // unrelated reorder: nothing happens
        d.onHostRemoved(hosts.get(2)); // a host that was not ejected: the count is unchanged
        assertEquals(1, d.ejectedCount());

        members = List.of(b, hosts.get(2));
        d.onHostRemoved(a);
        assertEquals(0, d.ejectedCount());
        d.record(b, Outcome.SERVER_ERROR);
        assertFalse(b.isAvailable(), "the slot a held is free");
        assertEquals(1, d.ejectedCount());
        d.onHostRemoved(a); // twice: still counted once
        assertEquals(1, d.ejectedCount());
    }

    @Test
    @Timeout(10)
    void theCapIsExactUnderConcurrentEjection() throws Exception {
        for (int round = 0; round < 20; round++) {
            List<Host> hosts = hosts(10);
            availabilityChanges.set(0);
            OutlierDetector d = detector(consecutive(5, 0, 20), hosts);
            runConcurrently(4, t -> {
                for (int rep = 0; rep < 20; rep++) {
                    for (int i = 0; i < hosts.size(); i++) {
                        d.record(hosts.get((i + 3 * t) % hosts.size()), Outcome.SERVER_ERROR);
                    }
                }
            });
            assertEquals(2, d.ejectedCount(), "round " + round);
            assertEquals(2, hosts.stream().filter(h -> h.outlier().isEjected()).count(), "round " + round);
            assertEquals(2, availabilityChanges.get(), "round " + round);
        }
    }

    @Test
    @Timeout(10)
    void oneHostFailingOnFourThreadsIsEjectedOnce() throws Exception {
        for (int round = 0; round < 20; round++) {
            List<Host> hosts = hosts(10);
            availabilityChanges.set(0);
            OutlierDetector d = detector(consecutive(5, 5, 100), hosts);
            Host h = hosts.get(4);
            runConcurrently(4, t -> fail(d, h, t % 2 == 0 ? Outcome.GATEWAY_ERROR : Outcome.SERVER_ERROR, 100));
            assertTrue(h.outlier().isEjected());
            assertEquals(1, d.ejectedCount(), "round " + round);
            assertEquals(1, availabilityChanges.get(), "round " + round);
            assertEquals(1, h.outlier().ejections(), "round " + round);
        }
    }

    // ---- success rate ----

    private static SuccessRate successRate() {
        return new SuccessRate(5, 100, 1.9);
    }

    private static OutlierDetectionConfig successRateOnly(int maxPercent) {
        return new OutlierDetectionConfig(0, 0, INTERVAL, BASE, MAX, maxPercent, successRate(), null);
    }

    /** {@code total} outcomes of which {@code successes} succeed, interleaved so no run of failures builds up. */
    private static void traffic(OutlierDetector d, Host h, int total, int successes) {
        int failures = total - successes;
        for (int i = 0; i < total; i++) {
            // spread the failures evenly
            boolean fails = (long) (i + 1) * failures / total > (long) i * failures / total;
            d.record(h, fails ? Outcome.SERVER_ERROR : Outcome.SUCCESS);
        }
    }

    @Test
    void aHostWellBelowTheClusterSuccessRateIsEjectedAtTheSweep() {
        List<Host> hosts = hosts(5);
        OutlierDetector d = detector(successRateOnly(10), hosts);
        Host bad = hosts.get(2);
        for (Host h : hosts) {
            traffic(d, h, 100, h == bad ? 50 : 100);
        }
        assertEquals(0, d.ejectedCount(), "success rate is judged only at the sweep");

        // the maths, done here by hand: rates 50, 100, 100, 100, 100
        double[] rates = {100, 100, 50, 100, 100};
        double mean = 0;
        for (double r : rates) {
            mean += r / rates.length;
        }
        double variance = 0;
        for (double r : rates) {
            variance += (r - mean) * (r - mean) / rates.length;
        }
        double stdev = Math.sqrt(variance);
        assertEquals(90, mean, 1e-9);
        assertEquals(20, stdev, 1e-9);
        double threshold = mean - 1.9 * stdev; // 52
        assertTrue(50 < threshold);
        double[] ms = SuccessRateMath.meanAndStdev(rates);
        assertEquals(mean, ms[0], 1e-9);
        assertEquals(stdev, ms[1], 1e-9);

        sweepAt(d, INTERVAL.toNanos());
        assertFalse(bad.isAvailable());
        assertEquals(1, d.ejectedCount());
        assertEquals(1, availabilityChanges.get());
        assertTrue(bad.outlier().ejectionReason().contains("success rate"), bad.outlier().ejectionReason());
        for (Host h : hosts) {
            if (h != bad) {
                assertTrue(h.isAvailable(), h.toString());
                assertEquals(100.0, h.outlier().lastSuccessRate(), 1e-9);
            }
        }
        assertEquals(50.0, bad.outlier().lastSuccessRate(), 1e-9);
    }

    @Test
    void aHostJustAboveTheThresholdStays() {
        // one low host among four perfect ones always sits 2 stdevs under the mean (below 1.9); with two low
        // hosts, rates 50, 90, 100, 100, 100: mean 88, stdev 19.4, threshold 51.2 -> only 50 is an outlier
        List<Host> hosts = hosts(5);
        OutlierDetector d = detector(successRateOnly(100), hosts);
        int[] successes = {50, 90, 100, 100, 100};
        double[] rates = {50, 90, 100, 100, 100};
        double[] ms = SuccessRateMath.meanAndStdev(rates);
        double threshold = ms[0] - 1.9 * ms[1];
        assertTrue(50 < threshold && 90 > threshold, "threshold " + threshold);
        for (int i = 0; i < 5; i++) {
            traffic(d, hosts.get(i), 100, successes[i]);
        }
        sweepAt(d, INTERVAL.toNanos());
        assertFalse(hosts.get(0).isAvailable());
        assertTrue(hosts.get(1).isAvailable(), "90% is within the cluster's spread");
        assertEquals(1, d.ejectedCount());
    }

    @Test
    void successRateNeedsEnoughHostsWithEnoughVolume() {
        // only four hosts
        List<Host> four = hosts(4);
        OutlierDetector d = detector(successRateOnly(100), four);
        for (Host h : four) {
            traffic(d, h, 100, h == four.get(0) ? 0 : 100);
        }
        sweepAt(d, INTERVAL.toNanos());
        assertEquals(0, d.ejectedCount(), "below minimum_hosts");

        // five hosts, but the bad one sent 99 requests: four with volume
        List<Host> five = hosts(5);
        d = detector(successRateOnly(100), five);
        for (Host h : five) {
            traffic(d, h, h == five.get(0) ? 99 : 100, h == five.get(0) ? 0 : 100);
        }
        sweepAt(d, 2 * INTERVAL.toNanos());
        assertEquals(0, d.ejectedCount(), "below request_volume");

        // counts are per interval: 60 + 60 over two intervals is not 100 in one
        d = detector(successRateOnly(100), five);
        for (Host h : five) {
            traffic(d, h, 60, h == five.get(0) ? 0 : 60);
        }
        sweepAt(d, 3 * INTERVAL.toNanos());
        for (Host h : five) {
            traffic(d, h, 60, h == five.get(0) ? 0 : 60);
        }
        sweepAt(d, 4 * INTERVAL.toNanos());
        assertEquals(0, d.ejectedCount(), "volumes do not carry over between intervals");
    }

    @Test
    void anEjectedHostIsLeftOutOfTheStatistics() {
        // five hosts, one of them ejected: only four are judged, fewer than minimum_hosts, so nothing happens,
        // though counting the ejected one (100% in panic-mode traffic) would make 50% an outlier
        List<Host> hosts = hosts(5);
        OutlierDetector d = detector(new OutlierDetectionConfig(5, 0, INTERVAL, BASE, MAX, 100, successRate(), null),
                hosts);
        Host ejected = hosts.get(4);
        fail(d, ejected, Outcome.SERVER_ERROR, 5);
        assertFalse(ejected.isAvailable());
        traffic(d, ejected, 100, 100);
        Host bad = hosts.get(0);
        traffic(d, bad, 100, 50);
        for (Host h : hosts.subList(1, 4)) {
            traffic(d, h, 100, 100);
        }
        double[] ms = SuccessRateMath.meanAndStdev(new double[] {50, 100, 100, 100, 100});
        assertTrue(50 < ms[0] - 1.9 * ms[1], "it would be an outlier among five");
        sweepAt(d, INTERVAL.toNanos());
        assertTrue(bad.isAvailable());
        assertEquals(1, d.ejectedCount());
    }

    // ---- failure percentage ----

    private static OutlierDetectionConfig failurePercentageOnly(int minimumHosts, int requestVolume) {
        return new OutlierDetectionConfig(0, 0, INTERVAL, BASE, MAX, 100, null,
                new FailurePercentage(85, minimumHosts, requestVolume));
    }

    @Test
    void failurePercentageEjectsAtTheThreshold() {
        List<Host> hosts = hosts(5);
        OutlierDetector d = detector(failurePercentageOnly(5, 50), hosts);
        traffic(d, hosts.get(0), 100, 15); // 85% failures: ejected (>=)
        traffic(d, hosts.get(1), 100, 16); // 84%: stays
        for (Host h : hosts.subList(2, 5)) {
            traffic(d, h, 50, 50);
        }
        sweepAt(d, INTERVAL.toNanos());
        assertFalse(hosts.get(0).isAvailable());
        assertTrue(hosts.get(0).outlier().ejectionReason().contains("failure percentage"),
                hosts.get(0).outlier().ejectionReason());
        assertTrue(hosts.get(1).isAvailable());
        assertEquals(1, d.ejectedCount());
        assertEquals(1, availabilityChanges.get());
    }

    @Test
    void failurePercentageIsAbsoluteNotRelative() {
        // every host fails 90%: success rate would see no outlier, failure percentage ejects them all (cap 100%)
        List<Host> hosts = hosts(5);
        OutlierDetector d = detector(failurePercentageOnly(5, 50), hosts);
        for (Host h : hosts) {
            traffic(d, h, 100, 10);
        }
        sweepAt(d, INTERVAL.toNanos());
        assertEquals(5, d.ejectedCount());
    }

    @Test
    void failurePercentageNeedsEnoughHostsWithEnoughVolume() {
        List<Host> hosts = hosts(5);
        OutlierDetector d = detector(failurePercentageOnly(5, 50), hosts);
        traffic(d, hosts.get(0), 100, 0);
        traffic(d, hosts.get(1), 49, 49); // below request_volume: four hosts qualify
        for (Host h : hosts.subList(2, 5)) {
            traffic(d, h, 50, 50);
        }
        sweepAt(d, INTERVAL.toNanos());
        assertEquals(0, d.ejectedCount());

        d = detector(failurePercentageOnly(4, 50), hosts);
        traffic(d, hosts.get(0), 49, 0); // 100% failures but too few requests to judge; the four others are judged
        for (Host h : hosts.subList(1, 5)) {
            traffic(d, h, 50, 50);
        }
        sweepAt(d, 2 * INTERVAL.toNanos());
        assertTrue(hosts.get(0).isAvailable());
    }

    @Test
    void periodicEjectionsRespectTheCapToo() {
        List<Host> hosts = hosts(5);
        OutlierDetector d = detector(new OutlierDetectionConfig(0, 0, INTERVAL, BASE, MAX, 40, null,
                new FailurePercentage(85, 5, 50)), hosts);
        for (Host h : hosts) {
            traffic(d, h, 100, 0);
        }
        sweepAt(d, INTERVAL.toNanos());
        assertEquals(2, d.ejectedCount(), "40% of 5");
        assertEquals(2, availabilityChanges.get());
    }

    // ---- helpers ----

    private interface Body {
        void run(int thread);
    }

    private static void runConcurrently(int threads, Body body) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> ts = new ArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    body.run(id);
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
