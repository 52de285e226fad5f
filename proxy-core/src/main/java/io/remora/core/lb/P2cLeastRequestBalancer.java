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
    private final WeightedPicker picker;
    private final RandomGenerator random;

    P2cLeastRequestBalancer(List<Host> hosts, RandomGenerator random) {
        this.hosts = hosts.toArray(new Host[0]);
        this.picker = new WeightedPicker(hosts);
        this.random = random;
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
        // compare (active + 1) / weight without division: the +1 makes weight count even when both are idle
        long loadA = (long) (a.activeRequests() + 1) * b.weight();
        long loadB = (long) (b.activeRequests() + 1) * a.weight();
        if (loadA != loadB) {
            return loadA < loadB ? a : b;
        }
        return random.nextBoolean() ? a : b;
    }
}
