package io.remora.core.lb;

import io.remora.core.upstream.Host;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * {@code least_request}: power of two choices. Two hosts are drawn independently, each with probability
 * proportional to its weight, and the one with fewer active requests per unit of weight wins; a tie is broken
 * at random. With no load the result is therefore exactly weight-proportional, and under load it steers away
 * from busy hosts without the herding a full scan causes (Mitzenmacher; Envoy's and Linkerd's default).
 */
final class P2cLeastRequestBalancer implements LoadBalancer {
    private final Host[] hosts;
    private final int[] weights;
    private final WeightedPicker picker;
    private final RandomGenerator random;

    P2cLeastRequestBalancer(List<Host> hosts, RandomGenerator random) {
        this(hosts, Weights.of(hosts), random);
    }

    /** @param weights the weight of each host, in the same order (a slow start's ramped weights) */
    P2cLeastRequestBalancer(List<Host> hosts, int[] weights, RandomGenerator random) {
        this.hosts = hosts.toArray(new Host[0]);
        this.weights = weights.clone();
        this.picker = new WeightedPicker(this.weights);
        this.random = random;
    }

    @Override
    public Host choose() {
        if (hosts.length == 1) {
            return hosts[0];
        }
        int i = picker.next(random);
        int j = picker.next(random);
        Host a = hosts[i];
        Host b = hosts[j];
        if (a == b) {
            return a;
        }
        // compare active / weight without division. No "+ 1": that would make the heavier of two idle hosts
        // always win, so idle picks would go (1 - (1 - p)^2) instead of p; a tie must stay a coin toss, which
        // keeps two independently weight-drawn candidates exactly weight-proportional.
        long loadA = (long) a.activeRequests() * weights[j];
        long loadB = (long) b.activeRequests() * weights[i];
        if (loadA != loadB) {
            return loadA < loadB ? a : b;
        }
        return random.nextBoolean() ? a : b;
    }
}
