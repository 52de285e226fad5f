package io.remora.core.route;

import io.netty.handler.codec.http.HttpHeaders;
import io.remora.config.model.RouteConfig;
import io.remora.config.model.RouteMatch;
import io.remora.core.upstream.Cluster;
import java.util.Map;

/** One compiled route: its match conditions, its config and the running cluster it sends to. */
public final class Route {
    private final RouteConfig config;
    private final Cluster cluster;
    private final String prefix;
    private final String path;
    /** Exact host, or the suffix (with its leading dot) of a {@code *.} wildcard. */
    private final String host;
    private final boolean wildcardHost;
    private final String[] headerNames;
    private final String[] headerValues;
    private final long timeoutNanos;
    private final io.remora.core.retry.RetryPolicy retryPolicy;

    private final io.remora.core.metrics.ClusterStats clusterStats;

    public Route(RouteConfig config, Cluster cluster, io.remora.core.metrics.ClusterStats clusterStats) {
        this.config = config;
        this.cluster = cluster;
        this.clusterStats = clusterStats;
        RouteMatch m = config.match();
        this.path = m.path();
        this.prefix = m.path() == null && m.prefix() == null ? "/" : m.prefix();
        String h = m.host() == null ? null : m.host().toLowerCase(java.util.Locale.ROOT);
        this.wildcardHost = h != null && h.startsWith("*.");
        this.host = wildcardHost ? h.substring(1) : h;
        this.headerNames = new String[m.headers().size()];
        this.headerValues = new String[m.headers().size()];
        int i = 0;
        for (Map.Entry<String, String> e : m.headers().entrySet()) {
            headerNames[i] = e.getKey();
            headerValues[i++] = e.getValue();
        }
        this.timeoutNanos = config.timeout().toNanos();
        this.retryPolicy = config.retry() == null ? null : new io.remora.core.retry.RetryPolicy(config.retry());
    }

    /** Where this route's upstream attempts are counted. */
    public io.remora.core.metrics.ClusterStats clusterStats() {
        return clusterStats;
    }

    /** The route's retry policy, or {@code null}: no retries. */
    public io.remora.core.retry.RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    public RouteConfig config() {
        return config;
    }

    public Cluster cluster() {
        return cluster;
    }

    /** Route timeout in nanoseconds; 0 = none. */
    public long timeoutNanos() {
        return timeoutNanos;
    }

    /**
     * @param path      request path without the query string
     * @param authority lower-case host without port, or {@code null} if the request had none
     */
    boolean matches(String path, String authority, HttpHeaders headers) {
        if (this.path != null && !this.path.equals(path)) {
            return false;
        }
        if (prefix != null && !path.startsWith(prefix)) {
            return false;
        }
        if (host != null) {
            if (authority == null) {
                return false;
            }
            if (wildcardHost ? !(authority.endsWith(host) && authority.length() > host.length())
                    : !host.equals(authority)) {
                return false;
            }
        }
        for (int i = 0; i < headerNames.length; i++) {
            if (!headers.contains(headerNames[i], headerValues[i], false)) {
                return false;
            }
        }
        return true;
    }
}
