package io.remora.core.lb;

import io.remora.config.model.LbPolicy;
import io.remora.core.upstream.Host;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Picks the host for the next request (or TCP connection) from one immutable host list. Implementations are
 * thread-safe and lock-free; they are rebuilt, not mutated, when the host list changes.
 */
public interface LoadBalancer {

    /** The chosen host, or {@code null} when the list is empty. */
    Host choose();

    /** The balancer for {@code policy} over {@code hosts}. */
    static LoadBalancer create(LbPolicy policy, List<Host> hosts, RandomGenerator random) {
        if (hosts.isEmpty()) {
            return () -> null;
        }
        return switch (policy) {
            case ROUND_ROBIN -> new SmoothWeightedRoundRobinBalancer(hosts);
            case LEAST_REQUEST -> new P2cLeastRequestBalancer(hosts, random);
            case RANDOM -> new WeightedRandomBalancer(hosts, random);
        };
    }

    /**
     * A generator that draws from {@link java.util.concurrent.ThreadLocalRandom} of the calling thread, so one
     * instance can be shared by every event loop without contention.
     */
    static RandomGenerator threadLocalRandom() {
        return ThreadLocalRandomGenerator.INSTANCE;
    }
}
