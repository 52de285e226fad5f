package io.remora.core.lb;

/**
 * nginx's smooth weighted round robin, computed once into a fixed schedule: each slot adds every weight to its
 * entry's credit and takes the entry with the most credit, which then pays the total. Weights hold over every
 * window of the schedule, not only in the long run: weights 1 and 3 give B A B B, never A B B B. A schedule is
 * then walked with one shared counter, so picks are exact across threads. Used for hosts ({@code round_robin})
 * and for a route's {@code weighted_clusters}.
 */
public final class SmoothSchedule {
    /** The longest schedule; longer ones are scaled down proportionally (every positive weight stays >= 1). */
    public static final int MAX_LENGTH = 1 << 16;

    private SmoothSchedule() {
    }

    /**
     * The schedule of entry indices for {@code weights} (each >= 0, at least one > 0), after dividing them by
     * their greatest common divisor and scaling a total above {@link #MAX_LENGTH} down; {@code null} when every
     * weight is equal, where plain rotation is the schedule. Entries of weight 0 never appear.
     */
    public static int[] build(long[] weights) {
        long gcd = 0;
        boolean equal = true;
        for (long w : weights) {
            gcd = gcd(gcd, w);
            equal &= w == weights[0];
        }
        if (equal) {
            return null;
        }
        long[] w = new long[weights.length];
        long total = 0;
        for (int i = 0; i < w.length; i++) {
            w[i] = weights[i] / gcd;
            total += w[i];
        }
        if (total > MAX_LENGTH) {
            double scale = (double) MAX_LENGTH / total;
            total = 0;
            for (int i = 0; i < w.length; i++) {
                w[i] = w[i] == 0 ? 0 : Math.max(1, Math.round(w[i] * scale));
                total += w[i];
            }
        }
        int[] schedule = new int[(int) total];
        long[] credit = new long[w.length];
        for (int slot = 0; slot < schedule.length; slot++) {
            int best = -1;
            for (int i = 0; i < w.length; i++) {
                if (w[i] == 0) {
                    continue;
                }
                credit[i] += w[i];
                if (best < 0 || credit[i] > credit[best]) {
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
