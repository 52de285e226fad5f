package io.remora.config.model;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A named group of upstream endpoints and how to reach them.
 *
 * @param dnsRefresh               how often host names among the endpoints are resolved again
 * @param connectTimeout           per connection attempt
 * @param idleTimeout              pooled upstream connections idle longer than this are closed
 * @param maxRequestsPerConnection recycle an upstream connection after this many requests; 0 = no limit
 * @param panicThreshold           percent (0-100): when fewer hosts than this are available, balance across all
 *                                 hosts rather than overload the few; 0 = never panic
 * @param hashOn                   the key {@link LbPolicy#RING_HASH} hashes; given if and only if the policy is
 *                                 ring_hash, {@code null} otherwise
 * @param healthCheck              active health checking; {@code null} = none
 * @param outlierDetection         passive health checking (ejection); {@code null} = none
 * @param circuitBreakers          never {@code null}: {@link CircuitBreakersConfig#DEFAULT} when not configured
 * @param retryBudget              never {@code null}: {@link RetryBudgetConfig#DEFAULT} when not configured
 * @param slowStart                hosts that join or come back ramp their weight up; {@code null} = no slow start
 * @param protocol                 what Remora speaks to the endpoints; never {@code null}:
 *                                 {@link Defaults#CLUSTER_PROTOCOL} when not configured
 */
public record ClusterConfig(
        String name,
        List<EndpointConfig> endpoints,
        Duration dnsRefresh,
        DnsFamily dnsFamily,
        LbPolicy lbPolicy,
        Duration connectTimeout,
        Duration idleTimeout,
        int maxRequestsPerConnection,
        int panicThreshold,
        HashOn hashOn,
        HealthCheckConfig healthCheck,
        OutlierDetectionConfig outlierDetection,
        CircuitBreakersConfig circuitBreakers,
        RetryBudgetConfig retryBudget,
        TlsConfig tls,
        SlowStartConfig slowStart,
        UpstreamProtocol protocol) {

    /** A {@code null} {@code circuitBreakers}, {@code retryBudget} or {@code protocol} stands for the defaults. */
    public ClusterConfig {
        endpoints = List.copyOf(endpoints);
        protocol = Objects.requireNonNullElse(protocol, Defaults.CLUSTER_PROTOCOL);
        circuitBreakers = Objects.requireNonNullElse(circuitBreakers, Defaults.CIRCUIT_BREAKERS);
        retryBudget = Objects.requireNonNullElse(retryBudget, Defaults.RETRY_BUDGET);
    }

    /**
     * A cluster without the fault-tolerance settings: panic threshold {@link Defaults#PANIC_THRESHOLD}, no hash
     * key, no health checks, no outlier detection, default circuit breakers and retry budget.
     */
    public ClusterConfig(String name, List<EndpointConfig> endpoints, Duration dnsRefresh, DnsFamily dnsFamily,
                         LbPolicy lbPolicy, Duration connectTimeout, Duration idleTimeout,
                         int maxRequestsPerConnection) {
        this(name, endpoints, dnsRefresh, dnsFamily, lbPolicy, connectTimeout, idleTimeout, maxRequestsPerConnection,
                Defaults.PANIC_THRESHOLD, null, null, null, Defaults.CIRCUIT_BREAKERS, Defaults.RETRY_BUDGET);
    }

    /** An HTTP/1.1 cluster (the constructor of code written before HTTP/2 upstreams existed). */
    public ClusterConfig(String name, List<EndpointConfig> endpoints, Duration dnsRefresh, DnsFamily dnsFamily,
            LbPolicy lbPolicy, Duration connectTimeout, Duration idleTimeout, int maxRequestsPerConnection,
            int panicThreshold, HashOn hashOn, HealthCheckConfig healthCheck, OutlierDetectionConfig outlierDetection,
            CircuitBreakersConfig circuitBreakers, RetryBudgetConfig retryBudget, TlsConfig tls,
            SlowStartConfig slowStart) {
        this(name, endpoints, dnsRefresh, dnsFamily, lbPolicy, connectTimeout, idleTimeout, maxRequestsPerConnection,
                panicThreshold, hashOn, healthCheck, outlierDetection, circuitBreakers, retryBudget, tls, slowStart,
                Defaults.CLUSTER_PROTOCOL);
    }

    /** A cluster without slow start (the constructor of code written before slow start existed). */
    public ClusterConfig(String name, List<EndpointConfig> endpoints, Duration dnsRefresh, DnsFamily dnsFamily,
            LbPolicy lbPolicy, Duration connectTimeout, Duration idleTimeout, int maxRequestsPerConnection,
            int panicThreshold, HashOn hashOn, HealthCheckConfig healthCheck, OutlierDetectionConfig outlierDetection,
            CircuitBreakersConfig circuitBreakers, RetryBudgetConfig retryBudget, TlsConfig tls) {
        this(name, endpoints, dnsRefresh, dnsFamily, lbPolicy, connectTimeout, idleTimeout, maxRequestsPerConnection,
                panicThreshold, hashOn, healthCheck, outlierDetection, circuitBreakers, retryBudget, tls, null);
    }

    /** A cluster without TLS to its upstreams (the constructor of code written before TLS existed). */
    public ClusterConfig(String name, List<EndpointConfig> endpoints, Duration dnsRefresh, DnsFamily dnsFamily,
            LbPolicy lbPolicy, Duration connectTimeout, Duration idleTimeout, int maxRequestsPerConnection,
            int panicThreshold, HashOn hashOn, HealthCheckConfig healthCheck, OutlierDetectionConfig outlierDetection,
            CircuitBreakersConfig circuitBreakers, RetryBudgetConfig retryBudget) {
        this(name, endpoints, dnsRefresh, dnsFamily, lbPolicy, connectTimeout, idleTimeout, maxRequestsPerConnection,
                panicThreshold, hashOn, healthCheck, outlierDetection, circuitBreakers, retryBudget, null, null);
    }
}
