package io.remora.core.upstream;

import io.remora.core.lb.HashFunction;
import io.remora.core.lb.LoadBalancer;
import io.remora.core.upstream.HostSet.Level;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Picks a priority level by the levels' loads, then a host with that level's balancer. The draw is random per
 * request, except for {@code ring_hash}, where it comes from the request's key so that a key stays on one level
 * (and on one host of it) as long as the loads do not change.
 */
final class PriorityBalancer implements LoadBalancer {
    /** Decorrelates the level draw from the ring position, which uses the same hash. */
    private static final long SALT = 0x9e3779b97f4a7c15L;

    private final LoadBalancer[] balancers;
    /** Cumulative loads: a draw {@code r} in [0, 100) goes to the first level with {@code r < cumulative}. */
    private final int[] cumulative;
    private final RandomGenerator random;
    private final boolean hashed;

    PriorityBalancer(List<Level> loaded, RandomGenerator random, boolean hashed) {
        this.balancers = new LoadBalancer[loaded.size()];
        this.cumulative = new int[loaded.size()];
        int sum = 0;
        for (int i = 0; i < loaded.size(); i++) {
            balancers[i] = loaded.get(i).balancer();
            sum += loaded.get(i).loadPercent();
            cumulative[i] = sum;
        }
        this.random = random;
        this.hashed = hashed;
    }

    @Override
    public Host choose() {
        return choose(random.nextLong(), 0);
    }

    @Override
    public Host choose(long hash, int attempt) {
        int r = hashed ? (int) Long.remainderUnsigned(HashFunction.fmix64(hash ^ SALT), 100) : random.nextInt(100);
        for (int i = 0; i < cumulative.length; i++) {
            if (r < cumulative[i]) {
                return balancers[i].choose(hash, attempt);
            }
        }
        return balancers[balancers.length - 1].choose(hash, attempt);
    }
}
