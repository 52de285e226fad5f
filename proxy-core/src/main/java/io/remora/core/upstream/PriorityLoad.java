package io.remora.core.upstream;

import java.util.Arrays;

/**
 * How a cluster's traffic splits across its priority levels, with Envoy's arithmetic
 * ({@code load_balancing/priority.rst}, {@code LoadBalancerBase::recalculatePerPriorityState}):
 *
 * <ul>
 *   <li>a level's <em>health</em> is its available share of hosts times the overprovisioning factor 1.4, capped
 *       at 100%: a level with 72% of its hosts available still takes all the traffic meant for it;</li>
 *   <li>levels take load in order, each as much as its health, until 100% is placed: as level 0 loses hosts,
 *       the spill-over to level 1 grows in proportion, and flows back as they recover;</li>
 *   <li>when the levels' health adds up to less than 100% (the <em>normalized total health</em>), each level's
 *       share is scaled up so that the loads still add up to 100%;</li>
 *   <li>panic: while the normalized total health is below 100%, a level with fewer than {@code panic_threshold}%
 *       of its hosts available balances across all its hosts; if every level panics, the load follows the levels'
 *       host counts. A cluster with one level keeps the plain rule (panic below the threshold), which is the same
 *       except for thresholds above 71%.</li>
 * </ul>
 *
 * Loads are whole percents that add up to exactly 100 (the rounding remainder goes to the first level with any
 * health), or all 0 when no host may take traffic (every host unavailable and panic disabled).
 */
public final class PriorityLoad {
    /** Envoy's default overprovisioning factor, 1.4, in percent. */
    public static final int OVERPROVISIONING_PERCENT = 140;

    private final int[] loads;
    private final boolean[] panic;

    private PriorityLoad(int[] loads, boolean[] panic) {
        this.loads = loads;
        this.panic = panic;
    }

    /**
     * @param total          hosts per level, in priority order (each > 0)
     * @param available      available hosts per level (healthy and not ejected)
     * @param panicThreshold percent, 0 = never panic
     */
    public static PriorityLoad compute(int[] total, int[] available, int panicThreshold) {
        int n = total.length;
        int[] health = new int[n];
        long sum = 0;
        for (int i = 0; i < n; i++) {
            health[i] = total[i] == 0 ? 0
                    : (int) Math.min(100, (long) OVERPROVISIONING_PERCENT * available[i] / total[i]);
            sum += health[i];
        }
        int normalizedTotal = (int) Math.min(100, sum);
        boolean[] panic = new boolean[n];
        boolean allPanic = n > 0;
        for (int i = 0; i < n; i++) {
            boolean below = panicThreshold > 0 && (long) available[i] * 100 < (long) panicThreshold * total[i];
            panic[i] = below && (n == 1 || normalizedTotal < 100);
            allPanic &= panic[i];
        }
        int[] loads = new int[n];
        if (allPanic) {
            // every level is in panic: spread over all hosts, so by host count (Envoy's recalculateLoadInTotalPanic)
            long hosts = 0;
            for (int t : total) {
                hosts += t;
            }
            int left = 100;
            for (int i = 0; i < n; i++) {
                loads[i] = (int) (100L * total[i] / hosts);
                left -= loads[i];
            }
            loads[0] += left;
            return new PriorityLoad(loads, panic);
        }
        if (normalizedTotal == 0) {
            return new PriorityLoad(loads, panic); // nothing may take traffic
        }
        int left = 100;
        int firstHealthy = -1;
        for (int i = 0; i < n; i++) {
            if (firstHealthy < 0 && health[i] > 0) {
                firstHealthy = i;
            }
            loads[i] = Math.min(left, health[i] * 100 / normalizedTotal);
            left -= loads[i];
        }
        if (left > 0) {
            loads[firstHealthy] += left;
        }
        return new PriorityLoad(loads, panic);
    }

    /** Percent of requests level {@code i} takes. */
    public int load(int i) {
        return loads[i];
    }

    /** The loads of every level, in priority order. */
    public int[] loads() {
        return loads.clone();
    }

    /** Whether level {@code i} balances across all its hosts rather than its available ones. */
    public boolean panic(int i) {
        return panic[i];
    }

    @Override
    public String toString() {
        return "loads " + Arrays.toString(loads) + ", panic " + Arrays.toString(panic);
    }
}
