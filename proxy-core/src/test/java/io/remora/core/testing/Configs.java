package io.remora.core.testing;

import io.remora.config.model.AdminConfig;
import io.remora.config.model.CircuitBreakersConfig;
import io.remora.config.model.ClusterConfig;
import io.remora.config.model.Defaults;
import io.remora.config.model.EndpointConfig;
import io.remora.config.model.HashOn;
import io.remora.config.model.HealthCheckConfig;
import io.remora.config.model.HostPort;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.OutlierDetectionConfig;
import io.remora.config.model.Protocol;
import io.remora.config.model.RemoraConfig;
import io.remora.config.model.RetryBudgetConfig;
import io.remora.config.model.RetryOn;
import io.remora.config.model.RetryPolicyConfig;
import io.remora.config.model.RouteConfig;
import io.remora.config.model.RouteMatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
                idle, c.maxRequestsPerConnection(), c.panicThreshold(), c.hashOn(), c.healthCheck(),
                c.outlierDetection(), c.circuitBreakers(), c.retryBudget());
    }

    /** The HTTP/1.1 strictness settings of issue 10, every other setting of {@code l} kept. */
    public static ListenerConfig withStrictness(ListenerConfig l, int maxHeadersCount,
            io.remora.config.model.HeadersWithUnderscores headersWithUnderscores, int maxConnections,
            boolean normalizePath, boolean mergeSlashes) {
        return new ListenerConfig(l.name(), l.address(), l.protocol(), l.cluster(), l.routes(), l.idleTimeout(),
                l.streamIdleTimeout(), l.requestHeadersTimeout(), l.maxRequestHeadersKb(), l.accessLog(), l.tls(),
                maxHeadersCount, headersWithUnderscores, maxConnections, normalizePath, mergeSlashes);
    }

    /** {@code max_connections}, every other setting of {@code l} kept. */
    public static ListenerConfig withMaxConnections(ListenerConfig l, int maxConnections) {
        return withStrictness(l, l.maxHeadersCount(), l.headersWithUnderscores(), maxConnections, l.normalizePath(),
                l.mergeSlashes());
    }

    public static ListenerConfig withMaxRequestHeadersKb(ListenerConfig l, int kb) {
        return new ListenerConfig(l.name(), l.address(), l.protocol(), l.cluster(), l.routes(), l.idleTimeout(),
                l.streamIdleTimeout(), l.requestHeadersTimeout(), kb);
    }

    public static ClusterConfig withDnsRefresh(ClusterConfig c, Duration refresh) {
        return new ClusterConfig(c.name(), c.endpoints(), refresh, c.dnsFamily(), c.lbPolicy(), c.connectTimeout(),
                c.idleTimeout(), c.maxRequestsPerConnection(), c.panicThreshold(), c.hashOn(), c.healthCheck(),
                c.outlierDetection(), c.circuitBreakers(), c.retryBudget());
    }

    public static RouteConfig route(String prefix, String cluster, Duration timeout) {
        return withTimeout(route(prefix, cluster), timeout);
    }

    public static RouteConfig withTimeout(RouteConfig r, Duration timeout) {
        return new RouteConfig(r.match(), r.cluster(), timeout, r.retry());
    }

    // ---- fault tolerance (issue 3): each "with" keeps every other setting of the record it copies ----------

    public static ClusterConfig withPanicThreshold(ClusterConfig c, int percent) {
        return new ClusterConfig(c.name(), c.endpoints(), c.dnsRefresh(), c.dnsFamily(), c.lbPolicy(),
                c.connectTimeout(), c.idleTimeout(), c.maxRequestsPerConnection(), percent, c.hashOn(),
                c.healthCheck(), c.outlierDetection(), c.circuitBreakers(), c.retryBudget());
    }

    /** {@code lb_policy: ring_hash} with {@code hash_on: { header: NAME }}. */
    public static ClusterConfig withHashOnHeader(ClusterConfig c, String header) {
        return new ClusterConfig(c.name(), c.endpoints(), c.dnsRefresh(), c.dnsFamily(), LbPolicy.RING_HASH,
                c.connectTimeout(), c.idleTimeout(), c.maxRequestsPerConnection(), c.panicThreshold(),
                new HashOn(header, null, false), c.healthCheck(), c.outlierDetection(), c.circuitBreakers(),
                c.retryBudget());
    }

    public static ClusterConfig withHealthCheck(ClusterConfig c, HealthCheckConfig healthCheck) {
        return new ClusterConfig(c.name(), c.endpoints(), c.dnsRefresh(), c.dnsFamily(), c.lbPolicy(),
                c.connectTimeout(), c.idleTimeout(), c.maxRequestsPerConnection(), c.panicThreshold(), c.hashOn(),
                healthCheck, c.outlierDetection(), c.circuitBreakers(), c.retryBudget());
    }

    public static ClusterConfig withOutlierDetection(ClusterConfig c, OutlierDetectionConfig outlier) {
        return new ClusterConfig(c.name(), c.endpoints(), c.dnsRefresh(), c.dnsFamily(), c.lbPolicy(),
                c.connectTimeout(), c.idleTimeout(), c.maxRequestsPerConnection(), c.panicThreshold(), c.hashOn(),
                c.healthCheck(), outlier, c.circuitBreakers(), c.retryBudget());
    }

    public static ClusterConfig withCircuitBreakers(ClusterConfig c, CircuitBreakersConfig breakers) {
        return new ClusterConfig(c.name(), c.endpoints(), c.dnsRefresh(), c.dnsFamily(), c.lbPolicy(),
                c.connectTimeout(), c.idleTimeout(), c.maxRequestsPerConnection(), c.panicThreshold(), c.hashOn(),
                c.healthCheck(), c.outlierDetection(), breakers, c.retryBudget());
    }

    public static ClusterConfig withRetryBudget(ClusterConfig c, RetryBudgetConfig budget) {
        return new ClusterConfig(c.name(), c.endpoints(), c.dnsRefresh(), c.dnsFamily(), c.lbPolicy(),
                c.connectTimeout(), c.idleTimeout(), c.maxRequestsPerConnection(), c.panicThreshold(), c.hashOn(),
                c.healthCheck(), c.outlierDetection(), c.circuitBreakers(), budget);
    }

    /** {@code health_check: { interval, timeout, unhealthy_threshold, healthy_threshold, http: { path } }}. */
    public static HealthCheckConfig httpHealthCheck(Duration interval, Duration timeout, int unhealthyThreshold,
            int healthyThreshold, String path) {
        return new HealthCheckConfig(interval, timeout, unhealthyThreshold, healthyThreshold, path,
                Defaults.HEALTH_CHECK_EXPECTED_STATUSES);
    }

    /** {@code health_check: { ..., tcp: {} }}. */
    public static HealthCheckConfig tcpHealthCheck(Duration interval, Duration timeout, int unhealthyThreshold,
            int healthyThreshold) {
        return new HealthCheckConfig(interval, timeout, unhealthyThreshold, healthyThreshold, null,
                Defaults.HEALTH_CHECK_EXPECTED_STATUSES);
    }

    /**
     * Consecutive-failure detection only (success-rate and failure-percentage off), {@code max_ejection_time}
     * ten times the base, {@code max_ejection_percent} at its default (which still allows one host).
     *
     * @param consecutiveGatewayFailure 0 = off
     */
    public static OutlierDetectionConfig consecutiveFailures(int consecutive5xx, int consecutiveGatewayFailure,
            Duration interval, Duration baseEjectionTime) {
        return new OutlierDetectionConfig(consecutive5xx, consecutiveGatewayFailure, interval, baseEjectionTime,
                baseEjectionTime.multipliedBy(10), Defaults.OUTLIER_MAX_EJECTION_PERCENT, null, null);
    }

    /** {@code circuit_breakers} with the given limits and the default {@code pending_timeout}. */
    public static CircuitBreakersConfig breakers(int maxConnections, int maxPendingRequests, int maxRequests,
            int maxRetries) {
        return new CircuitBreakersConfig(maxConnections, maxPendingRequests, maxRequests, maxRetries,
                CircuitBreakersConfig.DEFAULT.pendingTimeout());
    }

    /**
     * {@code retry: { retry_on, num_retries }} with every other key at its default: no per-try timeout, backoff
     * 25 ms..250 ms, idempotent methods only, 64 KiB buffered body.
     */
    public static RetryPolicyConfig retry(int numRetries, RetryOn... on) {
        return new RetryPolicyConfig(Set.of(on), List.of(), numRetries, Defaults.RETRY_PER_TRY_TIMEOUT,
                Defaults.RETRY_BASE_INTERVAL, Defaults.RETRY_MAX_INTERVAL, Defaults.RETRY_NON_IDEMPOTENT,
                Defaults.RETRY_MAX_BUFFERED_BODY);
    }

    public static RetryPolicyConfig withPerTryTimeout(RetryPolicyConfig r, Duration perTry) {
        return new RetryPolicyConfig(r.retryOn(), r.retriableStatusCodes(), r.numRetries(), perTry, r.baseInterval(),
                r.maxInterval(), r.retryNonIdempotent(), r.maxBufferedBody());
    }

    public static RetryPolicyConfig withBackoff(RetryPolicyConfig r, Duration base, Duration max) {
        return new RetryPolicyConfig(r.retryOn(), r.retriableStatusCodes(), r.numRetries(), r.perTryTimeout(), base,
                max, r.retryNonIdempotent(), r.maxBufferedBody());
    }

    public static RetryPolicyConfig withRetryNonIdempotent(RetryPolicyConfig r, boolean allowed) {
        return new RetryPolicyConfig(r.retryOn(), r.retriableStatusCodes(), r.numRetries(), r.perTryTimeout(),
                r.baseInterval(), r.maxInterval(), allowed, r.maxBufferedBody());
    }

    public static RetryPolicyConfig withRetriableStatusCodes(RetryPolicyConfig r, Integer... codes) {
        return new RetryPolicyConfig(r.retryOn(), List.of(codes), r.numRetries(), r.perTryTimeout(),
                r.baseInterval(), r.maxInterval(), r.retryNonIdempotent(), r.maxBufferedBody());
    }

    public static RouteConfig withRetry(RouteConfig r, RetryPolicyConfig retry) {
        return new RouteConfig(r.match(), r.cluster(), r.timeout(), retry);
    }
}
