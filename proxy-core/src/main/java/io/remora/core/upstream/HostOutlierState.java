package io.remora.core.upstream;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A host's passive-health state. Counters are bumped on whichever event loop served a request (atomics and
 * adders, no locks); the ejection fields are written by the outlier detector and read by balancers through
 * {@link Host#isAvailable()}.
 */
public final class HostOutlierState {
    private final AtomicInteger consecutive5xx = new AtomicInteger();
    private final AtomicInteger consecutiveGatewayFailures = new AtomicInteger();
    private final LongAdder intervalSuccesses = new LongAdder();
    private final LongAdder intervalFailures = new LongAdder();
    /** Times ejected in a row; decays by one per detector interval while the host is not ejected. */
    private final AtomicInteger ejections = new AtomicInteger();
    /** 0 when not ejected; else the cluster-clock time the ejection ends. Guarded by CAS for one ejector. */
    private final java.util.concurrent.atomic.AtomicLong ejectedUntil = new java.util.concurrent.atomic.AtomicLong();
    private volatile String ejectionReason;
    /** Success rate of the last complete interval, in percent, or -1 when the volume was too low. */
    private volatile double lastSuccessRate = -1;

    /** A response that counts as success (anything but 5xx and local failures). */
    public void recordSuccess() {
        consecutive5xx.set(0);
        consecutiveGatewayFailures.set(0);
        intervalSuccesses.increment();
    }

    /** A failure; returns the updated consecutive counts as {@code [5xx, gateway]}. */
    public int record5xx(boolean gatewayFailure) {
        intervalFailures.increment();
        if (gatewayFailure) {
            consecutiveGatewayFailures.incrementAndGet();
        } else {
            consecutiveGatewayFailures.set(0);
        }
        return consecutive5xx.incrementAndGet();
    }

    public int consecutive5xx() {
        return consecutive5xx.get();
    }

    public int consecutiveGatewayFailures() {
        return consecutiveGatewayFailures.get();
    }

    /** Takes the interval's counts and starts a new interval: {@code [successes, failures]}. */
    public long[] drainInterval() {
        return new long[] {intervalSuccesses.sumThenReset(), intervalFailures.sumThenReset()};
    }

    public boolean isEjected() {
        return ejectedUntil.get() != 0;
    }

    public long ejectedUntil() {
        return ejectedUntil.get();
    }

    public String ejectionReason() {
        return ejectionReason;
    }

    public int ejections() {
        return ejections.get();
    }

    public double lastSuccessRate() {
        return lastSuccessRate;
    }

    public void lastSuccessRate(double rate) {
        this.lastSuccessRate = rate;
    }

    /**
     * Marks the host ejected until {@code until} unless it already is; returns false if another thread ejected it
     * first. Resets the consecutive counters and bumps the ejection multiplier.
     */
    public boolean tryEject(long until, String reason) {
        if (!ejectedUntil.compareAndSet(0, Math.max(1, until))) {
            return false;
        }
        ejectionReason = reason;
        consecutive5xx.set(0);
        consecutiveGatewayFailures.set(0);
        return true;
    }

    /** Times this host has been ejected in a row, after counting a new ejection; never above {@code max}. */
    public int incrementEjections(int max) {
        return ejections.updateAndGet(n -> Math.min(max, n + 1));
    }

    /** Ends the ejection; returns false if the host was not ejected. */
    public boolean uneject() {
        long until = ejectedUntil.get();
        if (until == 0 || !ejectedUntil.compareAndSet(until, 0)) {
            return false;
        }
        ejectionReason = null;
        return true;
    }

    /** One interval of good behaviour: the multiplier steps back toward 1. */
    public void decayEjections() {
        ejections.updateAndGet(n -> Math.max(0, n - 1));
    }
}
