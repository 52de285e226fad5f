package io.remora.core.lb;

import io.remora.config.model.LbPolicy;
import io.remora.core.upstream.Host;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Picks the host for the next request (or TCP connection) from one immutable host list. Implementations are
 * thread-safe and lock-free; they are rebuilt, not mutated, when the host list changes.
 */
public interface LoadBalancer {

    /** The chosen host, or {@code null} when the list is empty. */
    Host choose();

    /**
     * The host for a request whose key hashes to {@code hash} (ring_hash); {@code attempt} (0 for the first try)
     * lets a retry of the same key reach a different host. Balancers that do not hash ignore both.
     */
    default Host choose(long hash, int attempt) {
        return choose();
    }

    /** The balancer for {@code policy} over {@code hosts}. */
    static LoadBalancer create(LbPolicy policy, List<Host> hosts, RandomGenerator random) {
        return create(policy, hosts, random, System::nanoTime);
    }

    /** As {@link #create(LbPolicy, List, RandomGenerator)}, with the clock {@code peak_ewma} reads. */
    static LoadBalancer create(LbPolicy policy, List<Host> hosts, RandomGenerator random, LongSupplier nanoClock) {
        if (hosts.isEmpty()) {
            return () -> null;
        }
        return switch (policy) {
            case ROUND_ROBIN -> new SmoothWeightedRoundRobinBalancer(hosts);
            case LEAST_REQUEST -> new P2cLeastRequestBalancer(hosts, random);
            case RANDOM -> new WeightedRandomBalancer(hosts, random);
            case RING_HASH -> new RingHashBalancer(hosts);
            case PEAK_EWMA -> new PeakEwmaBalancer(hosts, random, nanoClock);
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
