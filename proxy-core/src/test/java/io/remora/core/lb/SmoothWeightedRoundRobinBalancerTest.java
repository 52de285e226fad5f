package io.remora.core.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.core.upstream.Host;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SmoothWeightedRoundRobinBalancerTest {

    private static List<Host> picks(LoadBalancer lb, List<Host> hosts, int n) {
        List<Host> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(lb.choose());
        }
        return out;
    }

    /** Picks as letters: host 0 is 'a', host 1 'b', ... */
    private static String letters(List<Host> hosts, List<Host> picked) {
        StringBuilder sb = new StringBuilder();
        for (Host h : picked) {
            sb.append((char) ('a' + hosts.indexOf(h)));
        }
        return sb.toString();
    }

    @Test
    void equalWeightsRotate() {
        List<Host> hosts = Hosts.withWeights(3, 3, 3);
        LoadBalancer lb = new SmoothWeightedRoundRobinBalancer(hosts);
        assertEquals("abcabcabc", letters(hosts, picks(lb, hosts, 9)));
        assertNull(SmoothWeightedRoundRobinBalancer.buildSchedule(hosts.toArray(new Host[0])),
                "equal weights need no schedule");
    }

    @Test
    void weightsOneAndThreeGiveOneAInEveryWindowOfFour() {
        List<Host> hosts = Hosts.withWeights(1, 3);
        LoadBalancer lb = new SmoothWeightedRoundRobinBalancer(hosts);
        String s = letters(hosts, picks(lb, hosts, 1_000));
        assertEquals("babb", s.substring(0, 4));
        for (int i = 0; i + 4 <= s.length(); i++) {
            String window = s.substring(i, i + 4);
            assertEquals(1, window.chars().filter(c -> c == 'a').count(), "window at " + i + ": " + window);
            assertEquals(3, window.chars().filter(c -> c == 'b').count(), "window at " + i + ": " + window);
        }
    }

    @Test
    void weightsFiveOneOneMatchNginx() {
        List<Host> hosts = Hosts.withWeights(5, 1, 1);
        LoadBalancer lb = new SmoothWeightedRoundRobinBalancer(hosts);
        String s = letters(hosts, picks(lb, hosts, 70));
        // nginx's smooth weighted round-robin (ngx_http_upstream_round_robin.c) gives { a, a, b, a, c, a, a }
        assertEquals("aabacaa".repeat(10), s);
        // Within one period no host runs three times. Across the period boundary "aa|aa" runs four: with a in 5
        // of every 7 slots a run of at least 3 is unavoidable in any schedule, so that is not asserted.
        for (int period = 0; period < 10; period++) {
            String p = s.substring(period * 7, period * 7 + 7);
            assertTrue(!p.contains("aaa") && !p.contains("bbb") && !p.contains("ccc"), p);
        }
    }

    @Test
    void everyPrefixStaysWithinOnePickOfItsShare() {
        // the "smooth" in smooth WRR: no host gets ahead of (or behind) its weight by a whole pick
        for (int[] weights : new int[][] {{1, 3}, {5, 1, 1}, {1, 2, 7}, {2, 3, 5, 7}}) {
            List<Host> hosts = Hosts.withWeights(weights);
            LoadBalancer lb = new SmoothWeightedRoundRobinBalancer(hosts);
            long total = Arrays.stream(weights).sum();
            int[] counts = new int[weights.length];
            for (int k = 1; k <= 2 * total; k++) {
                counts[hosts.indexOf(lb.choose())]++;
                for (int i = 0; i < weights.length; i++) {
                    double ideal = (double) k * weights[i] / total;
                    assertTrue(Math.abs(counts[i] - ideal) < 1.0, Arrays.toString(weights) + " after " + k
                            + " picks host " + i + " has " + counts[i] + ", ideal " + ideal);
                }
            }
        }
    }

    @Test
    void weightsAreReducedByTheirGcd() {
        Host[] hosts = Hosts.withWeights(20, 60).toArray(new Host[0]);
        int[] schedule = SmoothWeightedRoundRobinBalancer.buildSchedule(hosts);
        assertEquals(4, schedule.length);
        assertEquals("[1, 0, 1, 1]", Arrays.toString(schedule));
    }

    @Test
    void longSchedulesAreScaledAndKeepTheirRatios() {
        int[] weights = {100_000, 200_000, 300_001}; // gcd 1, sum 600,001 > MAX_SCHEDULE
        List<Host> hosts = Hosts.withWeights(weights);
        int[] schedule = SmoothWeightedRoundRobinBalancer.buildSchedule(hosts.toArray(new Host[0]));
        assertTrue(schedule.length <= SmoothWeightedRoundRobinBalancer.MAX_SCHEDULE + weights.length,
                "schedule length " + schedule.length);

        LoadBalancer lb = new SmoothWeightedRoundRobinBalancer(hosts);
        Map<Host, Integer> counts = Hosts.count(lb, Hosts.PICKS);
        long total = Arrays.stream(weights).sum();
        for (int i = 0; i < weights.length; i++) {
            assertEquals(weights[i] / (double) total, Hosts.share(counts, hosts.get(i), Hosts.PICKS), 0.01,
                    "host " + i);
        }
    }

    @Test
    void scalingKeepsATinyWeightInTheSchedule() {
        List<Host> hosts = Hosts.withWeights(1, 1_000_000);
        int[] schedule = SmoothWeightedRoundRobinBalancer.buildSchedule(hosts.toArray(new Host[0]));
        assertTrue(schedule.length <= SmoothWeightedRoundRobinBalancer.MAX_SCHEDULE + 2);
        assertEquals(1, Arrays.stream(schedule).filter(i -> i == 0).count(), "weight 1 keeps one slot");
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS)
    void picksAreExactAcrossThreads() throws Exception {
        List<Host> hosts = Hosts.withWeights(1, 2, 7); // schedule of 10: 100,000 picks are 10,000 periods
        LoadBalancer lb = new SmoothWeightedRoundRobinBalancer(hosts);
        int threads = 2;
        int perThread = 50_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Map<Host, Integer>> perThreadCounts = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Map<Host, Integer> counts = new IdentityHashMap<>();
            perThreadCounts.add(counts);
            Thread w = new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        counts.merge(lb.choose(), 1, Integer::sum);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "picker-" + t);
            workers.add(w);
            w.start();
        }
        go.countDown();
        for (Thread w : workers) {
            w.join();
        }
        assertNull(failure.get());
        int[] expected = {10_000, 20_000, 70_000};
        for (int i = 0; i < hosts.size(); i++) {
            int sum = 0;
            for (Map<Host, Integer> counts : perThreadCounts) {
                sum += counts.getOrDefault(hosts.get(i), 0);
            }
            assertEquals(expected[i], sum, "host " + i);
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS)
    void equalWeightRotationIsExactAcrossThreads() throws Exception {
        List<Host> hosts = Hosts.withWeights(1, 1, 1, 1);
        LoadBalancer lb = new SmoothWeightedRoundRobinBalancer(hosts);
        int[][] counts = new int[2][hosts.size()];
        Thread[] workers = new Thread[2];
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < 2; t++) {
            int[] mine = counts[t];
            workers[t] = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < 50_000; i++) {
                    mine[hosts.indexOf(lb.choose())]++;
                }
            });
            workers[t].start();
        }
        go.countDown();
        for (Thread w : workers) {
            w.join();
        }
        for (int i = 0; i < hosts.size(); i++) {
            assertEquals(25_000, counts[0][i] + counts[1][i], "host " + i);
        }
    }
}
