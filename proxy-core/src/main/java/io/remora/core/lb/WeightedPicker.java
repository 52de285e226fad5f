package io.remora.core.lb;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Draws an index with probability proportional to its weight: a uniform draw when all weights are equal,
 * otherwise a binary search over cumulative weights. Shared by the random, least-request and peak-EWMA balancers.
 */
final class WeightedPicker {
    private final long[] cumulative;
    private final long total;
    private final boolean uniform;

    /** @param weights each >= 1 */
    WeightedPicker(int[] weights) {
        cumulative = new long[weights.length];
        long sum = 0;
        boolean same = true;
        for (int i = 0; i < weights.length; i++) {
            same &= weights[i] == weights[0];
            sum += weights[i];
            cumulative[i] = sum;
        }
        total = sum;
        uniform = same;
    }

    int next(RandomGenerator random) {
        if (uniform) {
            return random.nextInt(cumulative.length);
        }
        long r = random.nextLong(total);
        int i = Arrays.binarySearch(cumulative, r + 1);
        return i >= 0 ? i : -i - 1;
    }
}
