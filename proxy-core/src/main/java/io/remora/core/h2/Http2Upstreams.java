package io.remora.core.h2;

import io.remora.core.pool.UpstreamConnector;
import io.remora.core.upstream.Cluster;
import io.remora.core.upstream.Host;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTTP/2 upstream connections of one event loop, per host, the way {@link io.remora.core.pool.PoolRegistry}
 * keeps that loop's HTTP/1.1 connections (Envoy's model: nothing on the request path hops threads). A request
 * takes a stream on a connection that has room for one — up to the server's {@code MAX_CONCURRENT_STREAMS} and the
 * cluster's {@code max_requests_per_connection} — and another connection is opened only when every one to the
 * host is full (each counted against the cluster's {@code max_connections}). A connection that received GOAWAY
 * takes no new stream and closes when its last one ends; one idle for the cluster's {@code idle_timeout} closes.
 * Used from its event loop only: plain fields and collections.
 */
public final class Http2Upstreams {
    private final UpstreamConnector connector;
    private final Map<Host, HostConnections> hosts = new HashMap<>();

    public Http2Upstreams(UpstreamConnector connector) {
        this.connector = connector;
    }

    /**
     * Gets a stream to {@code host} of {@code cluster} for one request and tells {@code callback} (at once when a
     * connection has room, else once one is ready).
     */
    public void open(Cluster cluster, Host host, StreamCallback callback) {
        HostConnections h = hosts.get(host);
        if (h == null) {
            h = new HostConnections(host, connector);
            if (!host.isRemoved()) {
                hosts.put(host, h);
            }
        }
        h.open(cluster, callback);
    }

    /** The host left its cluster: its connections take no new stream and close once their streams end. */
    public void drop(Host host) {
        HostConnections h = hosts.remove(host);
        if (h != null) {
            h.drainAll();
        }
    }

    /** Open HTTP/2 connections of this loop (connecting ones included). */
    public int connectionCount() {
        int n = 0;
        for (HostConnections h : hosts.values()) {
            n += h.size();
        }
        return n;
    }

    /** Streams open now on this loop's connections. */
    public int activeStreams() {
        int n = 0;
        for (HostConnections h : hosts.values()) {
            n += h.activeStreams();
        }
        return n;
    }

    public void closeAll() {
        for (HostConnections h : new ArrayList<>(hosts.values())) {
            h.drainAll();
        }
        hosts.clear();
    }

    /** The connections to one host. */
    static final class HostConnections {
        final Host host;
        private final UpstreamConnector connector;
        private final List<UpstreamConnectionHandler> connections = new ArrayList<>(2);

        HostConnections(Host host, UpstreamConnector connector) {
            this.host = host;
            this.connector = connector;
        }

        void open(Cluster cluster, StreamCallback callback) {
            for (UpstreamConnectionHandler c : connections) {
                if (c.isReady() && c.hasRoom()) {
                    c.openStream(callback);
                    return;
                }
            }
            for (UpstreamConnectionHandler c : connections) {
                if (!c.isReady() && c.hasRoom()) {
                    c.await(callback); // connecting: it will take this request once the server's settings arrive
                    return;
                }
            }
            UpstreamConnectionHandler.connect(this, cluster, connector, callback);
        }

        void add(UpstreamConnectionHandler c) {
            connections.add(c);
        }

        void removed(UpstreamConnectionHandler c) {
            connections.remove(c);
        }

        void drainAll() {
            for (UpstreamConnectionHandler c : new ArrayList<>(connections)) {
                c.drain();
            }
        }

        int size() {
            return connections.size();
        }

        int activeStreams() {
            int n = 0;
            for (UpstreamConnectionHandler c : connections) {
                n += c.activeStreams();
            }
            return n;
        }
    }
}
