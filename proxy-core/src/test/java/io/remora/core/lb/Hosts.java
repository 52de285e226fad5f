package io.remora.core.lb;

import io.remora.core.upstream.Host;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/** Hosts and pick counting for balancer tests; addresses are IP literals, so nothing is resolved. */
final class Hosts {
    static final int PICKS = 100_000;

    private Hosts() {
    }

    /** One host per weight, at 10.0.0.1, 10.0.0.2, ... port 80. */
    static List<Host> withWeights(int... weights) {
        List<Host> hosts = new ArrayList<>(weights.length);
        for (int i = 0; i < weights.length; i++) {
            String ip = "10.0.0." + (i + 1);
            hosts.add(new Host("c", new InetSocketAddress(ip, 80), ip + ":80", weights[i]));
        }
        return hosts;
    }

    /** A fixed seed: every run draws the same sequence, so a statistical bound that holds once always holds. */
    static RandomGenerator seeded() {
        return new SplittableRandom(0x5eedL);
    }

    /** How often each host was chosen in {@code picks} picks. */
    static Map<Host, Integer> count(LoadBalancer lb, int picks) {
        Map<Host, Integer> counts = new IdentityHashMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(lb.choose(), 1, Integer::sum);
        }
        return counts;
    }

    static double share(Map<Host, Integer> counts, Host h, int picks) {
        return counts.getOrDefault(h, 0) / (double) picks;
    }
}
