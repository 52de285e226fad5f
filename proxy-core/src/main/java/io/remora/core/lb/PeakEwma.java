package io.remora.core.lb;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A host's round-trip-time estimate for the {@code peak_ewma} balancer, as Finagle defined it and
 * Linkerd2-proxy (tower) uses it: a response slower than the estimate replaces it at once ("peak"), a faster
 * one is blended in with an exponentially weighted moving average whose weight depends on the time since the
 * last update ({@code decay}); reading the estimate also decays it toward zero, so a host that has not been
 * tried for a while is tried again. Until its first sample a host's estimate is the initial value, undecayed:
 * it is a prior, not a measurement, so hosts that joined at different times start equal.
 *
 * <p>Updated from whichever event loop served the request, with plain atomics: two loops racing may lose one
 * sample's blend, which moves a heuristic by a few percent and is not worth a lock.
 */
public final class PeakEwma {
    /** Linkerd's defaults: 10 s decay, 30 ms initial estimate. */
    public static final long DEFAULT_DECAY_NANOS = 10_000_000_000L;
    public static final long DEFAULT_RTT_NANOS = 30_000_000L;

    private final double decayNanos;
    private final AtomicLong estimateBits;
    private final AtomicLong stamp;
    private volatile boolean sampled;

    public PeakEwma(long decayNanos, long initialRttNanos, long nowNanos) {
        this.decayNanos = decayNanos;
        this.estimateBits = new AtomicLong(Double.doubleToRawLongBits(initialRttNanos));
        this.stamp = new AtomicLong(nowNanos);
    }

    /** Records a completed request's round-trip time. */
    public void observe(long rttNanos, long nowNanos) {
        double est = Double.longBitsToDouble(estimateBits.get());
        long elapsed = Math.max(0, nowNanos - stamp.get());
        double w = Math.exp(-elapsed / decayNanos);
        double next;
        if (rttNanos > est * w) {
            next = rttNanos; // slower than the estimate as it stands now: the peak replaces it
        } else {
            // the stored estimate, not the decayed one: its weight w already is the decay since the last update
            next = est * w + rttNanos * (1 - w);
        }
        estimateBits.set(Double.doubleToRawLongBits(next));
        stamp.set(nowNanos);
        sampled = true;
    }

    /** The estimate now, decayed since the last update (and stored, so the decay compounds correctly). */
    public double estimateNanos(long nowNanos) {
        if (!sampled) {
            return Double.longBitsToDouble(estimateBits.get());
        }
        double d = decayed(nowNanos);
        estimateBits.set(Double.doubleToRawLongBits(d));
        stamp.set(nowNanos);
        return d;
    }

    private double decayed(long nowNanos) {
        double est = Double.longBitsToDouble(estimateBits.get());
        if (!sampled) {
            return est;
        }
        long elapsed = nowNanos - stamp.get();
        if (elapsed <= 0) {
            return est;
        }
        return est * Math.exp(-elapsed / decayNanos);
    }

    /** Tower's load metric: estimate × (pending + 1). */
    public double cost(int pending, long nowNanos) {
        return estimateNanos(nowNanos) * (pending + 1);
    }
}
