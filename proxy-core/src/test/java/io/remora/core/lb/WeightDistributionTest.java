package io.remora.core.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.remora.config.model.LbPolicy;
import io.remora.core.upstream.Host;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every policy, with no load, sends each host its weight's share of the picks. */
class WeightDistributionTest {
    /** Share of all picks, not relative error: 1 percentage point. */
    private static final double TOLERANCE = 0.01;

    static Stream<Arguments> policiesAndWeights() {
        int[][] weightSets = {{1, 3}, {1, 2, 7}, {1, 1, 1}, {4, 4, 4, 4}, {2, 6}};
        // ring_hash spreads keys, not picks: its balance depends on the ring's point count (RingHashBalancerTest)
        return Stream.of(LbPolicy.values()).filter(p -> p != LbPolicy.RING_HASH)
                .flatMap(p -> Arrays.stream(weightSets).map(w -> Arguments.of(p, w)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("policiesAndWeights")
    void picksFollowWeights(LbPolicy policy, int[] weights) {
        List<Host> hosts = Hosts.withWeights(weights);
        LoadBalancer lb = LoadBalancer.create(policy, hosts, Hosts.seeded());
        Map<Host, Integer> counts = Hosts.count(lb, Hosts.PICKS);

        long total = Arrays.stream(weights).sum();
        for (int i = 0; i < hosts.size(); i++) {
            double expected = weights[i] / (double) total;
            double actual = Hosts.share(counts, hosts.get(i), Hosts.PICKS);
            assertEquals(expected, actual, TOLERANCE,
                    policy + " weights " + Arrays.toString(weights) + ": share of host " + i);
        }
        assertEquals(hosts.size(), counts.size(), "only the given hosts are picked");
    }

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void emptyHostListChoosesNull(LbPolicy policy) {
        LoadBalancer lb = LoadBalancer.create(policy, List.of(), Hosts.seeded());
        assertNull(lb.choose());
        assertNull(lb.choose());
    }

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void singleHostIsAlwaysChosen(LbPolicy policy) {
        List<Host> hosts = Hosts.withWeights(5);
        hosts.get(0).requestStarted(); // load must not matter when there is no alternative
        LoadBalancer lb = LoadBalancer.create(policy, hosts, Hosts.seeded());
        for (int i = 0; i < 100; i++) {
            assertSame(hosts.get(0), lb.choose());
        }
    }

    @Test
    void threadLocalRandomAlsoFollowsWeights() {
        // the production generator: unseeded, so a looser bound (still ~15 standard deviations)
        List<Host> hosts = Hosts.withWeights(1, 3);
        LoadBalancer lb = LoadBalancer.create(LbPolicy.RANDOM, hosts, LoadBalancer.threadLocalRandom());
        Map<Host, Integer> counts = Hosts.count(lb, Hosts.PICKS);
        assertEquals(0.25, Hosts.share(counts, hosts.get(0), Hosts.PICKS), 0.02);
    }
}
