package io.remora.core.testing;

import io.remora.config.model.AdminConfig;
import io.remora.config.model.ClusterConfig;
import io.remora.config.model.Defaults;
import io.remora.config.model.EndpointConfig;
import io.remora.config.model.HostPort;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.Protocol;
import io.remora.config.model.RemoraConfig;
import io.remora.config.model.RouteConfig;
import io.remora.config.model.RouteMatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds config records for tests without YAML: defaults everywhere, listeners on ephemeral ports. */
public final class Configs {
    private Configs() {
    }

    public static HostPort hp(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new HostPort(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    public static ListenerConfig httpListener(String name, List<RouteConfig> routes) {
        return new ListenerConfig(name, new HostPort("127.0.0.1", 0), Protocol.HTTP, null, routes,
                Defaults.LISTENER_IDLE_TIMEOUT, Defaults.STREAM_IDLE_TIMEOUT, Defaults.REQUEST_HEADERS_TIMEOUT,
                Defaults.MAX_REQUEST_HEADERS_KB);
    }

    public static ListenerConfig tcpListener(String name, String cluster) {
        return new ListenerConfig(name, new HostPort("127.0.0.1", 0), Protocol.TCP, cluster, List.of(),
                Defaults.LISTENER_IDLE_TIMEOUT, Defaults.STREAM_IDLE_TIMEOUT, Defaults.REQUEST_HEADERS_TIMEOUT,
                Defaults.MAX_REQUEST_HEADERS_KB);
    }

    public static RouteConfig route(String prefix, String cluster) {
        return new RouteConfig(new RouteMatch(prefix, null, null, Map.of()), cluster, Defaults.ROUTE_TIMEOUT);
    }

    public static ClusterConfig cluster(String name, LbPolicy policy, String... addresses) {
        List<EndpointConfig> eps = new ArrayList<>();
        for (String a : addresses) {
            eps.add(new EndpointConfig(hp(a), 1));
        }
        return new ClusterConfig(name, eps, Defaults.DNS_REFRESH, Defaults.DNS_FAMILY, policy,
                Defaults.CONNECT_TIMEOUT, Defaults.CLUSTER_IDLE_TIMEOUT, Defaults.MAX_REQUESTS_PER_CONNECTION);
    }

    public static RemoraConfig config(List<ListenerConfig> listeners, List<ClusterConfig> clusters) {
        return new RemoraConfig(AdminConfig.DEFAULT, Defaults.DRAIN_TIMEOUT, listeners, clusters);
    }

    public static ListenerConfig withTimeouts(ListenerConfig l, Duration idle, Duration streamIdle,
            Duration headers) {
        return new ListenerConfig(l.name(), l.address(), l.protocol(), l.cluster(), l.routes(), idle, streamIdle,
                headers, l.maxRequestHeadersKb());
    }

    public static ClusterConfig withTimeouts(ClusterConfig c, Duration connect, Duration idle) {
        return new ClusterConfig(c.name(), c.endpoints(), c.dnsRefresh(), c.dnsFamily(), c.lbPolicy(), connect,
                idle, c.maxRequestsPerConnection());
    }

    public static ListenerConfig withMaxRequestHeadersKb(ListenerConfig l, int kb) {
        return new ListenerConfig(l.name(), l.address(), l.protocol(), l.cluster(), l.routes(), l.idleTimeout(),
                l.streamIdleTimeout(), l.requestHeadersTimeout(), kb);
    }

    public static ClusterConfig withDnsRefresh(ClusterConfig c, Duration refresh) {
        return new ClusterConfig(c.name(), c.endpoints(), refresh, c.dnsFamily(), c.lbPolicy(), c.connectTimeout(),
                c.idleTimeout(), c.maxRequestsPerConnection());
    }

    public static RouteConfig route(String prefix, String cluster, Duration timeout) {
        return withTimeout(route(prefix, cluster), timeout);
    }

    public static RouteConfig withTimeout(RouteConfig r, Duration timeout) {
        return new RouteConfig(r.match(), r.cluster(), timeout);
    }
}
