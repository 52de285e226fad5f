package io.remora.core.lb;

import io.remora.config.model.SlowStartConfig;

/**
 * Slow start, with Envoy's formula: a host that (re)joined {@code t} ago balances with
 * {@code weight × max(min_weight_percent / 100, time_factor^(1 / aggression))}, where
 * {@code time_factor = max(t, 1 s) / window}, until {@code t} reaches the window. The 1 s floor keeps a host that
 * just came back from starting at exactly nothing (with {@code min_weight_percent: 0}).
 *
 * <p>Balancers are immutable snapshots, so a ramp is a staircase: the cluster rebuilds its snapshot every
 * {@link #stepNanos} while a host ramps (see {@code Cluster}). Ramped weights are whole numbers scaled by
 * {@link #SCALE}, so 10% of a weight of 1 is still representable.
 */
public final class SlowStart {
    /** Ramped weights are the configured ones times this, times the factor: 1% resolution. */
    public static final int SCALE = 100;
    /** Envoy's floor on the time since the host started: a ramp never starts below one second's worth. */
    static final long MIN_ELAPSED_NANOS = 1_000_000_000L;
    /** Snapshots are rebuilt at most this often during a ramp, however short the window. */
    static final long MIN_STEP_NANOS = 50_000_000L;
    /** A ramp is rebuilt in this many steps over its window. */
    static final int STEPS = 10;

    private SlowStart() {
    }

    /** The share, in (0, 1], of its weight a host takes {@code elapsedNanos} after its ramp started. */
    public static double factor(long elapsedNanos, SlowStartConfig config) {
        long window = config.window().toNanos();
        if (elapsedNanos >= window) {
            return 1.0;
        }
        double timeFactor = (double) Math.max(elapsedNanos, MIN_ELAPSED_NANOS) / window;
        double ramp = Math.pow(timeFactor, 1.0 / config.aggression());
        double f = Math.max(config.minWeightPercent() / 100.0, ramp);
        // a floor of 0% with the 1 s floor on the time still leaves a positive factor; keep every host pickable
        return Math.min(1.0, Math.max(f, 1e-6));
    }

    /** {@code weight × SCALE × factor}, rounded, at least 1. */
    public static int scaledWeight(int weight, double factor) {
        return (int) Math.max(1, Math.round((double) weight * SCALE * factor));
    }

    /** How often a cluster rebuilds its snapshot while a host ramps: a tenth of the window, at least 50 ms. */
    public static long stepNanos(SlowStartConfig config) {
        return Math.max(MIN_STEP_NANOS, config.window().toNanos() / STEPS);
    }
}
