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
        TlsConfig tls) {

    /** A {@code null} {@code circuitBreakers} or {@code retryBudget} stands for the defaults. */
    public ClusterConfig {
        endpoints = List.copyOf(endpoints);
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

    /** A cluster without TLS to its upstreams (the constructor of code written before TLS existed). */
    public ClusterConfig(String name, List<EndpointConfig> endpoints, Duration dnsRefresh, DnsFamily dnsFamily,
            LbPolicy lbPolicy, Duration connectTimeout, Duration idleTimeout, int maxRequestsPerConnection,
            int panicThreshold, HashOn hashOn, HealthCheckConfig healthCheck, OutlierDetectionConfig outlierDetection,
            CircuitBreakersConfig circuitBreakers, RetryBudgetConfig retryBudget) {
        this(name, endpoints, dnsRefresh, dnsFamily, lbPolicy, connectTimeout, idleTimeout, maxRequestsPerConnection,
                panicThreshold, hashOn, healthCheck, outlierDetection, circuitBreakers, retryBudget, null);
    }
}
