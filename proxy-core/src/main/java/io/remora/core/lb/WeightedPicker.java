package io.remora.core.lb;

import io.remora.core.upstream.Host;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Draws an index with probability proportional to its host's weight: a uniform draw when all weights are
 * equal, otherwise a binary search over cumulative weights. Shared by the random and least-request balancers.
 */
final class WeightedPicker {
    private final long[] cumulative;
    private final long total;
    private final boolean uniform;

    WeightedPicker(List<Host> hosts) {
        cumulative = new long[hosts.size()];
        long sum = 0;
        boolean same = true;
        int first = hosts.get(0).weight();
        for (int i = 0; i < hosts.size(); i++) {
            int w = hosts.get(i).weight();
            same &= w == first;
            sum += w;
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
