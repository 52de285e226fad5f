package io.remora.core.lb;

import io.remora.core.upstream.Host;
import java.util.List;
import java.util.random.RandomGenerator;

/** {@code random}: each pick independent, with probability proportional to weight. */
final class WeightedRandomBalancer implements LoadBalancer {
    private final Host[] hosts;
    private final WeightedPicker picker;
    private final RandomGenerator random;

    WeightedRandomBalancer(List<Host> hosts, RandomGenerator random) {
        this(hosts, Weights.of(hosts), random);
    }

    WeightedRandomBalancer(List<Host> hosts, int[] weights, RandomGenerator random) {
        this.hosts = hosts.toArray(new Host[0]);
        this.picker = new WeightedPicker(weights);
        this.random = random;
    }

    @Override
    public Host choose() {
        return hosts[picker.next(random)];
    }
}
