package io.remora.core.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.SlowStartConfig;
import io.remora.core.lb.SlowStart;
import io.remora.core.testing.Configs;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Slow start: Envoy's weight curve, and when a host of a cluster starts ramping, on a fake clock. */
class SlowStartTest {
    private static final long SECOND = 1_000_000_000L;
    private static final SlowStartConfig LINEAR = new SlowStartConfig(Duration.ofSeconds(30), 1.0, 10);

    private final AtomicLong clock = new AtomicLong(1000 * SECOND);

    /** new_weight = weight × max(min_weight_percent, time_factor^(1/aggression)), time_factor = max(t, 1 s)/window. */
    @ParameterizedTest(name = "t={0}s aggression={1} min={2}% -> {3}")
    @CsvSource({
        "0, 1.0, 10, 0.1",
        "1, 1.0, 10, 0.1",
        "3, 1.0, 10, 0.1",
        "6, 1.0, 10, 0.2",
        "15, 1.0, 10, 0.5",
        "27, 1.0, 10, 0.9",
        "30, 1.0, 10, 1.0",
        "300, 1.0, 10, 1.0",
        "0, 1.0, 0, 0.0333333",   // the 1 s floor: 1/30
        "7.5, 2.0, 10, 0.5",      // (7.5/30)^(1/2)
        "15, 0.5, 10, 0.25",      // (15/30)^2
        "1.5, 0.5, 10, 0.1",      // (0.05)^2 = 0.0025, floored at 10%
        "10, 1.0, 50, 0.5"})
    void weightCurve(double seconds, double aggression, double minPercent, double expected) {
        SlowStartConfig c = new SlowStartConfig(Duration.ofSeconds(30), aggression, minPercent);
        assertEquals(expected, SlowStart.factor((long) (seconds * SECOND), c), 1e-6);
    }

    @Test
    void theCurveRisesMonotonicallyToFullWeight() {
        double last = 0;
        for (long t = 0; t <= 31 * SECOND; t += SECOND / 4) {
            double f = SlowStart.factor(t, new SlowStartConfig(Duration.ofSeconds(30), 1.7, 5));
            assertTrue(f >= last, "at " + t + ": " + f + " after " + last);
            last = f;
        }
        assertEquals(1.0, last);
    }

    @Test
    void stepsAreATenthOfTheWindowAndAtLeastFiftyMilliseconds() {
        assertEquals(3 * SECOND, SlowStart.stepNanos(LINEAR));
        assertEquals(50_000_000L, SlowStart.stepNanos(new SlowStartConfig(Duration.ofMillis(100), 1, 10)));
    }

    // ---- in a cluster ------------------------------------------------------------------------------------

    private static Cluster.Member member(String ip, int weight) {
        return new Cluster.Member(new InetSocketAddress(ip, 80), ip + ":80", weight);
    }

    private Cluster cluster(LbPolicy policy, boolean healthChecks) {
        ClusterConfig base = Configs.cluster("c", policy, "10.0.0.1:80");
        if (healthChecks) {
            base = Configs.withHealthCheck(base, Configs.tcpHealthCheck(Duration.ofSeconds(1), Duration.ofSeconds(1),
                    1, 1));
        }
        ClusterConfig c = new ClusterConfig(base.name(), base.endpoints(), base.dnsRefresh(), base.dnsFamily(),
                base.lbPolicy(), base.connectTimeout(), base.idleTimeout(), base.maxRequestsPerConnection(),
                base.panicThreshold(), base.hashOn(), base.healthCheck(), base.outlierDetection(),
                base.circuitBreakers(), base.retryBudget(), base.tls(), LINEAR);
        return new Cluster(c, new SplittableRandom(5), clock::get, h -> { }, Runnable::run);
    }

    private static Host host(Cluster c, String ip) {
        return c.hostSet().hosts().stream().filter(h -> h.address().getHostString().equals(ip)).findFirst()
                .orElseThrow();
    }

    /** The weight the snapshot balances {@code ip} with, as a share of its configured weight. */
    private static double share(Cluster c, String ip) {
        Host h = host(c, ip);
        HostSet s = c.hostSet();
        // while any host of the level ramps, every weight of the level is in units of SlowStart.SCALE
        boolean scaled = s.eligible().stream().anyMatch(x -> x.rampStart() != Host.NOT_RAMPING);
        return s.weightOf(h) / (double) (h.weight() * (scaled ? SlowStart.SCALE : 1));
    }

    private void advance(Cluster c, long nanos) {
        clock.addAndGet(nanos);
        c.refreshSlowStart();
    }

    @Test
    void aClustersFirstHostsStartAtFullWeight() {
        Cluster c = cluster(LbPolicy.ROUND_ROBIN, false);
        c.updateMembership(List.of(member("10.0.0.1", 1), member("10.0.0.2", 1)));
        for (Host h : c.hostSet().hosts()) {
            assertEquals(Host.NOT_RAMPING, h.rampStart());
            assertEquals(1, c.hostSet().weightOf(h));
        }
    }

    @Test
    void aHostThatJoinsRampsUpOverTheWindow() {
        Cluster c = cluster(LbPolicy.ROUND_ROBIN, false);
        c.updateMembership(List.of(member("10.0.0.1", 1), member("10.0.0.2", 1)));
        c.updateMembership(List.of(member("10.0.0.1", 1), member("10.0.0.2", 1), member("10.0.0.3", 1)));
        assertEquals(clock.get(), host(c, "10.0.0.3").rampStart());
        assertEquals(0.10, share(c, "10.0.0.3"), 1e-9);
        assertEquals(1.0, share(c, "10.0.0.1"), 1e-9);
        advance(c, 6 * SECOND);
        assertEquals(0.20, share(c, "10.0.0.3"), 1e-9);
        advance(c, 9 * SECOND);
        assertEquals(0.50, share(c, "10.0.0.3"), 1e-9);
        // round robin follows the weights: 100 : 100 : 50
        Map<Host, Integer> picks = count(c, 2500);
        assertEquals(500, picks.get(host(c, "10.0.0.3")));
        assertEquals(1000, picks.get(host(c, "10.0.0.1")));
        advance(c, 15 * SECOND);
        assertEquals(Host.NOT_RAMPING, host(c, "10.0.0.3").rampStart(), "the ramp is over");
        assertEquals(1, c.hostSet().weightOf(host(c, "10.0.0.3")), "plain weights again");
    }

    @Test
    void aHostThatReturnsFromFailingHealthChecksRamps() {
        Cluster c = cluster(LbPolicy.ROUND_ROBIN, true);
        c.updateMembership(List.of(member("10.0.0.1", 1), member("10.0.0.2", 1)));
        // the first verdicts: healthy. Pending → healthy is no return: full weight
        for (Host h : c.hostSet().hosts()) {
            h.setHealthy(true, null);
        }
        c.rebuild();
        assertEquals(Host.NOT_RAMPING, host(c, "10.0.0.1").rampStart());
        Host a = host(c, "10.0.0.1");
        a.setHealthy(false, "probe failed");
        c.rebuild();
        assertEquals(0, c.hostSet().weightOf(a));
        advance(c, 5 * SECOND);
        a.setHealthy(true, null);
        c.rebuild();
        assertEquals(clock.get(), a.rampStart());
        assertEquals(0.10, share(c, "10.0.0.1"), 1e-9);
    }

    @Test
    void aNewHostWithHealthChecksRampsFromItsFirstHealthyVerdict() {
        Cluster c = cluster(LbPolicy.ROUND_ROBIN, true);
        c.updateMembership(List.of(member("10.0.0.1", 1)));
        host(c, "10.0.0.1").setHealthy(true, null);
        c.rebuild();
        c.updateMembership(List.of(member("10.0.0.1", 1), member("10.0.0.2", 1)));
        Host b = host(c, "10.0.0.2");
        assertEquals(Host.NOT_RAMPING, b.rampStart(), "pending its first check: not available, not ramping");
        advance(c, 2 * SECOND);
        b.setHealthy(true, null);
        c.rebuild();
        assertEquals(clock.get(), b.rampStart());
    }

    @Test
    void aHostReturningFromEjectionRamps() {
        Cluster c = cluster(LbPolicy.LEAST_REQUEST, false);
        c.updateMembership(List.of(member("10.0.0.1", 1), member("10.0.0.2", 1)));
        Host a = host(c, "10.0.0.1");
        a.outlier().tryEject(clock.get() + SECOND, "test");
        c.rebuild();
        assertEquals(0, c.hostSet().weightOf(a));
        advance(c, SECOND);
        a.outlier().uneject();
        c.rebuild();
        assertEquals(0.10, share(c, "10.0.0.1"), 1e-9);
        // least_request draws candidates by the ramped weights: with idle hosts, picks follow them (10 : 100)
        Map<Host, Integer> picks = count(c, 11_000);
        assertEquals(1000, picks.getOrDefault(a, 0), 150);
    }

    @Test
    void heavierHostsRampTheirOwnWeight() {
        Cluster c = cluster(LbPolicy.PEAK_EWMA, false);
        c.updateMembership(List.of(member("10.0.0.1", 1)));
        c.updateMembership(List.of(member("10.0.0.1", 1), member("10.0.0.2", 4)));
        advance(c, 15 * SECOND);
        assertEquals(200, c.hostSet().weightOf(host(c, "10.0.0.2")), "4 × 100 × 0.5");
        assertEquals(100, c.hostSet().weightOf(host(c, "10.0.0.1")));
    }

    @Test
    void refreshingWithoutARampKeepsTheSnapshot() {
        Cluster c = cluster(LbPolicy.ROUND_ROBIN, false);
        c.updateMembership(List.of(member("10.0.0.1", 1)));
        HostSet before = c.hostSet();
        advance(c, 3 * SECOND);
        assertSame(before, c.hostSet());
    }

    @Test
    void adoptingHostsInAReloadStartsNoRamp() {
        Cluster c = cluster(LbPolicy.ROUND_ROBIN, false);
        c.updateMembership(List.of(member("10.0.0.1", 1), member("10.0.0.2", 1)));
        Cluster next = cluster(LbPolicy.ROUND_ROBIN, false);
        next.adopt(c.hostSet().hosts());
        for (Host h : next.hostSet().hosts()) {
            assertEquals(Host.NOT_RAMPING, h.rampStart());
        }
        next.stageMembership(List.of(member("10.0.0.1", 1), member("10.0.0.2", 1), member("10.0.0.3", 1)));
        assertEquals(clock.get(), host(next, "10.0.0.3").rampStart(), "a member a reload adds joins late");
    }

    private static Map<Host, Integer> count(Cluster c, int picks) {
        Map<Host, Integer> n = new IdentityHashMap<>();
        for (int i = 0; i < picks; i++) {
            n.merge(c.choose(), 1, Integer::sum);
        }
        return n;
    }
}
