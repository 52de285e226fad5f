package io.remora.config.load;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.Defaults;
import io.remora.config.model.DnsFamily;
import io.remora.config.model.EndpointConfig;
import io.remora.config.model.HostPort;
import io.remora.config.model.LbPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads one element of {@code clusters}, with its endpoints. */
final class ClusterReader {

    /** Endpoint weights are relative; the cap keeps weighted schedules small and sums far from overflow. */
    static final int MAX_WEIGHT = 10_000;

    private static final ClusterConfig UNREADABLE =
            new ClusterConfig(null, List.of(), null, null, null, null, null, 0);
    private static final EndpointConfig UNREADABLE_ENDPOINT = new EndpointConfig(null, Defaults.ENDPOINT_WEIGHT);
    private static final String ENDPOINT_FORM = "a map such as { address: 127.0.0.1:8080, weight: 1 }";

    private ClusterReader() {
    }

    static ClusterConfig read(Object value, String path, ErrorList errors) {
        MapReader m = MapReader.openElement(value, path, ConfigKeys.CLUSTER,
                "a map such as { name: api, endpoints: [ { address: 127.0.0.1:8080 } ] }", errors);
        if (m == null) {
            return UNREADABLE;
        }
        String name = m.requiredString("name", "a unique cluster name");
        List<EndpointConfig> endpoints = readEndpoints(m);
        Duration dnsRefresh = m.positiveDuration("dns_refresh", Defaults.DNS_REFRESH);
        DnsFamily dnsFamily = m.choice("dns_family", Defaults.DNS_FAMILY, DnsFamily.values(),
                DnsFamily::configName, List.of());
        LbPolicy lbPolicy = m.choice("lb_policy", Defaults.LB_POLICY, LbPolicy.values(), LbPolicy::configName,
                ConfigKeys.LATER_LB_POLICIES);
        Duration connectTimeout = m.positiveDuration("connect_timeout", Defaults.CONNECT_TIMEOUT);
        Duration idleTimeout = m.positiveDuration("idle_timeout", Defaults.CLUSTER_IDLE_TIMEOUT);
        int maxRequestsPerConnection = m.integer("max_requests_per_connection",
                Defaults.MAX_REQUESTS_PER_CONNECTION, 0, Integer.MAX_VALUE);
        return new ClusterConfig(name, endpoints, dnsRefresh, dnsFamily, lbPolicy, connectTimeout, idleTimeout,
                maxRequestsPerConnection);
    }

    private static List<EndpointConfig> readEndpoints(MapReader m) {
        String form = "a non-empty list of endpoints such as [ { address: 127.0.0.1:8080 } ]";
        if (!m.has("endpoints")) {
            m.errors().missing(m.path("endpoints"), form);
            return List.of();
        }
        List<Object> items = m.list("endpoints", form);
        if (items == null) {
            return List.of();
        }
        if (items.isEmpty()) {
            m.errors().add(m.path("endpoints"), "empty, expected at least one endpoint such as"
                    + " { address: 127.0.0.1:8080 }");
        }
        List<EndpointConfig> endpoints = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            endpoints.add(readEndpoint(items.get(i), Paths.index(m.path("endpoints"), i), m.errors()));
        }
        return endpoints;
    }

    private static EndpointConfig readEndpoint(Object value, String path, ErrorList errors) {
        MapReader m = MapReader.openElement(value, path, ConfigKeys.ENDPOINT, ENDPOINT_FORM, errors);
        if (m == null) {
            return UNREADABLE_ENDPOINT;
        }
        HostPort address = m.hostPort("address", null);
        int weight = m.integer("weight", Defaults.ENDPOINT_WEIGHT, 1, MAX_WEIGHT);
        return new EndpointConfig(address, weight);
    }
}
