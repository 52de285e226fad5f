package io.remora.core.lb;

import io.remora.core.upstream.Host;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * {@code peak_ewma}: power of two choices scored by {@link PeakEwma} cost, round-trip estimate × (active
 * requests + 1); Linkerd2-proxy's default balancer. Weights shape which two hosts are drawn, as in
 * {@code least_request}, so equally fast idle hosts are picked in proportion to their weights. A slow host's estimate jumps at its
 * first slow response, so it loses almost every comparison until its estimate decays back.
 */
final class PeakEwmaBalancer implements LoadBalancer {
    private static final double TIE = 1e-6;

    private final Host[] hosts;
    private final WeightedPicker picker;
    private final RandomGenerator random;
    private final LongSupplier nanoClock;

    PeakEwmaBalancer(List<Host> hosts, RandomGenerator random, LongSupplier nanoClock) {
        this(hosts, Weights.of(hosts), random, nanoClock);
    }

    /** @param weights the weight of each host, in the same order (a slow start's ramped weights) */
    PeakEwmaBalancer(List<Host> hosts, int[] weights, RandomGenerator random, LongSupplier nanoClock) {
        this.hosts = hosts.toArray(new Host[0]);
        this.picker = new WeightedPicker(weights);
        this.random = random;
        this.nanoClock = nanoClock;
    }

    @Override
    public Host choose() {
        if (hosts.length == 1) {
            return hosts[0];
        }
        Host a = hosts[picker.next(random)];
        Host b = hosts[picker.next(random)];
        if (a == b) {
            return a;
        }
        long now = nanoClock.getAsLong();
        double costA = a.ewma().cost(a.activeRequests(), now);
        double costB = b.ewma().cost(b.activeRequests(), now);
        // equal histories decay to equal estimates, up to rounding: treat those as the tie they are, or the
        // rounding would pick the same host every time
        if (Math.abs(costA - costB) > TIE * Math.max(costA, costB)) {
            return costA < costB ? a : b;
        }
        return random.nextBoolean() ? a : b;
    }
}
