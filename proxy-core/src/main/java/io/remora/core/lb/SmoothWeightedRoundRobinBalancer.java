package io.remora.core.lb;

import io.remora.core.upstream.Host;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code round_robin}: weighted and smooth. The whole schedule is computed once per host list with nginx's
 * smooth weighted round-robin (each pick adds every weight to its host's credit and takes the host with the
 * most credit, which then pays the total), so weights hold over every window of the schedule, not only in
 * the long run: weights 1 and 3 give B A B B, never A B B B. Picks are then one shared
 * {@code getAndIncrement()}, exact across event loops.
 *
 * <p>Weights are divided by their greatest common divisor; a schedule longer than {@link #MAX_SCHEDULE} is
 * scaled down proportionally (every weight stays at least 1).
 */
final class SmoothWeightedRoundRobinBalancer implements LoadBalancer {
    static final int MAX_SCHEDULE = 1 << 16;

    private final Host[] hosts;
    /** Host index per slot; {@code null} when every weight is equal and plain rotation is the schedule. */
    private final int[] schedule;
    private final AtomicLong next = new AtomicLong();

    SmoothWeightedRoundRobinBalancer(List<Host> hosts) {
        this.hosts = hosts.toArray(new Host[0]);
        this.schedule = buildSchedule(this.hosts);
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
        long gcd = 0;
        boolean equal = true;
        for (int i = 0; i < hosts.length; i++) {
            weights[i] = hosts[i].weight();
            gcd = gcd(gcd, weights[i]);
            equal &= weights[i] == weights[0];
        }
        if (equal) {
            return null;
        }
        long total = 0;
        for (int i = 0; i < weights.length; i++) {
            weights[i] /= gcd;
            total += weights[i];
        }
        if (total > MAX_SCHEDULE) {
            double scale = (double) MAX_SCHEDULE / total;
            total = 0;
            for (int i = 0; i < weights.length; i++) {
                weights[i] = Math.max(1, Math.round(weights[i] * scale));
                total += weights[i];
            }
        }
        int[] schedule = new int[(int) total];
        long[] credit = new long[weights.length];
        for (int slot = 0; slot < schedule.length; slot++) {
            int best = 0;
            for (int i = 0; i < weights.length; i++) {
                credit[i] += weights[i];
                if (credit[i] > credit[best]) {
                    best = i;
                }
            }
            credit[best] -= total;
            schedule[slot] = best;
        }
        return schedule;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
