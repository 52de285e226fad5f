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
    /** Requests in flight on this host across all event loops; exact, because least_request reads it. */
    private final AtomicInteger activeRequests = new AtomicInteger();
    private volatile boolean removed;

    /**
     * @param cluster  name of the cluster the host belongs to
     * @param address  resolved address
     * @param endpoint the endpoint as written in the config (a name when the address came from DNS)
     * @param weight   load-balancing weight, at least 1
     */
    public Host(String cluster, InetSocketAddress address, String endpoint, int weight) {
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be >= 1: " + weight);
        }
        this.cluster = cluster;
        this.address = address;
        this.endpoint = endpoint;
        this.weight = weight;
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
