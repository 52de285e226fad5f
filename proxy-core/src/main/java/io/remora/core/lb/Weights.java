package io.remora.core.lb;

import io.remora.core.upstream.Host;
import java.util.List;

/** Hosts' configured weights as the array balancers take (which a slow start replaces with ramped ones). */
final class Weights {
    private Weights() {
    }

    static int[] of(List<Host> hosts) {
        int[] w = new int[hosts.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = hosts.get(i).weight();
        }
        return w;
    }
}
