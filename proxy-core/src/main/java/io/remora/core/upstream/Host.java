package io.remora.core.upstream;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One upstream address that requests can be sent to. Its identity is stable across membership refreshes (a
 * host that stays in a cluster is the same object), so per-host state such as pooled connections and the
 * active-request count survives a DNS refresh.
 */
public final class Host {
    private final String cluster;
    private final InetSocketAddress address;
    private final String endpoint;
    private final int weight;
    private final int priority;
    /**
     * Slow start: when the host's current weight ramp began, on the cluster clock, or {@link #NOT_RAMPING}. Written
     * by the snapshot builder only (the control loop, or the discovery thread for a new member).
     */
    private volatile long rampStart = NOT_RAMPING;
    /**
     * Whether becoming available starts a ramp: true for a host that joined a running cluster, and for any host
     * once it has been available (so it ramps when it returns); false for a cluster's first hosts until then, which
     * start at full weight, as HAProxy's {@code slowstart} does at process start.
     */
    private volatile boolean rampOnReturn;
    /** Requests in flight on this host across all event loops; exact, because least_request reads it. */
    private final AtomicInteger activeRequests = new AtomicInteger();
    private volatile boolean removed;

    // Active health: written by the health checker only.
    private volatile boolean healthy = true;
    private volatile String unhealthyReason;

    /** Passive health: outlier counters and ejection state. */
    private final HostOutlierState outlier = new HostOutlierState();
    /** Attempts that ended with a usable response / with a 5xx or a local failure, since the host joined. */
    private final java.util.concurrent.atomic.LongAdder successes = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder failures = new java.util.concurrent.atomic.LongAdder();
    private final io.remora.core.lb.PeakEwma ewma;

    /**
     * @param cluster  name of the cluster the host belongs to
     * @param address  resolved address
     * @param endpoint the endpoint as written in the config (a name when the address came from DNS)
     * @param weight   load-balancing weight, at least 1
     */
    public Host(String cluster, InetSocketAddress address, String endpoint, int weight) {
        this(cluster, address, endpoint, weight, System.nanoTime());
    }

    /** @param nowNanos the cluster clock's time now, which starts the host's latency estimate */
    public Host(String cluster, InetSocketAddress address, String endpoint, int weight, long nowNanos) {
        this(cluster, address, endpoint, weight, 0, nowNanos);
    }

    /** @param priority the host's priority level, 0 (preferred) and up */
    public Host(String cluster, InetSocketAddress address, String endpoint, int weight, int priority,
            long nowNanos) {
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be >= 1: " + weight);
        }
        if (priority < 0) {
            throw new IllegalArgumentException("priority must be >= 0: " + priority);
        }
        this.cluster = cluster;
        this.address = address;
        this.endpoint = endpoint;
        this.weight = weight;
        this.priority = priority;
        this.ewma = new io.remora.core.lb.PeakEwma(io.remora.core.lb.PeakEwma.DEFAULT_DECAY_NANOS,
                io.remora.core.lb.PeakEwma.DEFAULT_RTT_NANOS, nowNanos);
    }

    /** Round-trip-time estimate, fed by every response and read by {@code peak_ewma}. */
    public io.remora.core.lb.PeakEwma ewma() {
        return ewma;
    }

    public String cluster() {
        return cluster;
    }

    public InetSocketAddress address() {
        return address;
    }

    public String endpoint() {
        return endpoint;
    }

    public int weight() {
        return weight;
    }

    /** The priority level: 0 is preferred; a level takes traffic as the levels before it lose healthy hosts. */
    public int priority() {
        return priority;
    }

    /** {@link #rampStart()} of a host at full weight. */
    public static final long NOT_RAMPING = Long.MIN_VALUE;

    /** When the host's slow-start ramp began (cluster clock), or {@link #NOT_RAMPING}. */
    public long rampStart() {
        return rampStart;
    }

    void rampStart(long nanos) {
        this.rampStart = nanos;
    }

    boolean rampOnReturn() {
        return rampOnReturn;
    }

    void rampOnReturn(boolean ramp) {
        this.rampOnReturn = ramp;
    }

    public int activeRequests() {
        return activeRequests.get();
    }

    /** Called when a request is sent to this host; pair with {@link #requestFinished()}. */
    public void requestStarted() {
        activeRequests.incrementAndGet();
    }

    public void requestFinished() {
        activeRequests.decrementAndGet();
    }

    /** Not failing active health checks and not ejected: the balancer may pick it (outside panic). */
    public boolean isAvailable() {
        return healthy && !outlier.isEjected();
    }

    public boolean isHealthy() {
        return healthy;
    }

    /** Why the last health check failed, or null. */
    public String unhealthyReason() {
        return unhealthyReason;
    }

    /** Set by the health checker; returns true if the state changed. */
    public boolean setHealthy(boolean healthy, String reason) {
        boolean changed = this.healthy != healthy;
        this.unhealthyReason = healthy ? null : reason;
        this.healthy = healthy;
        return changed;
    }

    public HostOutlierState outlier() {
        return outlier;
    }

    /** Counts one finished attempt (for the admin page, metrics and the demo's table). */
    public void countAttempt(boolean success) {
        (success ? successes : failures).increment();
    }

    public long successes() {
        return successes.sum();
    }

    public long failures() {
        return failures.sum();
    }

    /** True once the host left its cluster: its pooled connections are closed instead of reused. */
    public boolean isRemoved() {
        return removed;
    }

    void markRemoved() {
        removed = true;
    }

    /** {@code ip:port}, with brackets for IPv6. */
    public String addressString() {
        String ip = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + address.getPort() : ip + ":" + address.getPort();
    }

    @Override
    public String toString() {
        return cluster + "/" + addressString();
    }
}
