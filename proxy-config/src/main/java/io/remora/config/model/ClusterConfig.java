package io.remora.config.model;

import java.time.Duration;
import java.util.List;

/**
 * A named group of upstream endpoints and how to reach them.
 *
 * @param dnsRefresh               how often host names among the endpoints are resolved again
 * @param connectTimeout           per connection attempt
 * @param idleTimeout              pooled upstream connections idle longer than this are closed
 * @param maxRequestsPerConnection recycle an upstream connection after this many requests; 0 = no limit
 */
public record ClusterConfig(
        String name,
        List<EndpointConfig> endpoints,
        Duration dnsRefresh,
        DnsFamily dnsFamily,
        LbPolicy lbPolicy,
        Duration connectTimeout,
        Duration idleTimeout,
        int maxRequestsPerConnection) {

    public ClusterConfig {
        endpoints = List.copyOf(endpoints);
    }
}
