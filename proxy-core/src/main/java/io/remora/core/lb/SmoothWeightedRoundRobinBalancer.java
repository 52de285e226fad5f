package io.remora.core.lb;

import io.remora.core.upstream.Host;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code round_robin}: weighted and smooth. The whole schedule is computed once per host list with nginx's
 * smooth weighted round-robin ({@link SmoothSchedule}), so weights hold over every window of the schedule, not
 * only in the long run: weights 1 and 3 give B A B B, never A B B B. Picks are then one shared
 * {@code getAndIncrement()}, exact across event loops.
 *
 * <p>Weights are divided by their greatest common divisor; a schedule longer than {@link #MAX_SCHEDULE} is
 * scaled down proportionally (every weight stays at least 1).
 */
final class SmoothWeightedRoundRobinBalancer implements LoadBalancer {
    static final int MAX_SCHEDULE = SmoothSchedule.MAX_LENGTH;

    private final Host[] hosts;
    /** Host index per slot; {@code null} when every weight is equal and plain rotation is the schedule. */
    private final int[] schedule;
    private final AtomicLong next = new AtomicLong();

    SmoothWeightedRoundRobinBalancer(List<Host> hosts) {
        this(hosts, Weights.of(hosts));
    }

    /** @param weights the weight of each host, in the same order (a slow start's ramped weights) */
    SmoothWeightedRoundRobinBalancer(List<Host> hosts, int[] weights) {
        this.hosts = hosts.toArray(new Host[0]);
        long[] w = new long[weights.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = weights[i];
        }
        this.schedule = SmoothSchedule.build(w);
    }

    @Override
    public Host choose() {
        long n = next.getAndIncrement();
        if (schedule == null) {
            return hosts[(int) Long.remainderUnsigned(n, hosts.length)];
        }
        return hosts[schedule[(int) Long.remainderUnsigned(n, schedule.length)]];
    }

    static int[] buildSchedule(Host[] hosts) {
        long[] weights = new long[hosts.length];
        for (int i = 0; i < hosts.length; i++) {
            weights[i] = hosts[i].weight();
        }
        return SmoothSchedule.build(weights);
    }
}
