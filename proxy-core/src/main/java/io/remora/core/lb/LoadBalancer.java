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
        return create(policy, hosts, Weights.of(hosts), random, nanoClock);
    }

    /**
     * As {@link #create(LbPolicy, List, RandomGenerator, LongSupplier)}, with the weights to balance by instead of
     * the hosts' own: a slow start's ramped weights ({@link SlowStart}). {@code ring_hash} ignores them, since a
     * host's points on the ring, and so its keys, must not move while its weight ramps.
     *
     * @param weights one per host, in the same order, each >= 1
     */
    static LoadBalancer create(LbPolicy policy, List<Host> hosts, int[] weights, RandomGenerator random,
            LongSupplier nanoClock) {
        if (hosts.isEmpty()) {
            return () -> null;
        }
        if (weights.length != hosts.size()) {
            throw new IllegalArgumentException(weights.length + " weights for " + hosts.size() + " hosts");
        }
        return switch (policy) {
            case ROUND_ROBIN -> new SmoothWeightedRoundRobinBalancer(hosts, weights);
            case LEAST_REQUEST -> new P2cLeastRequestBalancer(hosts, weights, random);
            case RANDOM -> new WeightedRandomBalancer(hosts, weights, random);
            case RING_HASH -> new RingHashBalancer(hosts);
            case PEAK_EWMA -> new PeakEwmaBalancer(hosts, weights, random, nanoClock);
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
