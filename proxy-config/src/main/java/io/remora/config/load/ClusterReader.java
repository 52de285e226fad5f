package io.remora.config.load;

import io.remora.config.model.CircuitBreakersConfig;
import io.remora.config.model.ClusterConfig;
import io.remora.config.model.Defaults;
import io.remora.config.model.DnsFamily;
import io.remora.config.model.EndpointConfig;
import io.remora.config.model.HashOn;
import io.remora.config.model.HealthCheckConfig;
import io.remora.config.model.HostPort;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.OutlierDetectionConfig;
import io.remora.config.model.RetryBudgetConfig;
import io.remora.config.model.SlowStartConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads one element of {@code clusters}, with its endpoints and its fault-tolerance settings. */
final class ClusterReader {

    /** Endpoint weights are relative; the cap keeps weighted schedules small and sums far from overflow. */
    static final int MAX_WEIGHT = 10_000;

    /** The range of {@code retry_budget.ttl}, Finagle's: long enough to smooth bursts, short enough to react. */
    static final Duration MIN_BUDGET_TTL = Duration.ofSeconds(1);
    static final Duration MAX_BUDGET_TTL = Duration.ofSeconds(60);
    /** {@code retry_budget.retry_ratio} above this is no budget at all; the cap keeps the arithmetic exact. */
    static final double MAX_RETRY_RATIO = 1000;
    /** Priority levels 0 to this; few deployments have more than two (primary and backup). */
    static final int MAX_PRIORITY = 127;
    /** {@code slow_start.aggression} at most: beyond it the ramp is a step, better written as a short window. */
    static final double MAX_AGGRESSION = 100;
    /** The lb policies whose weights slow start can shape (ring_hash keeps keys on hosts; random has no state). */
    static final List<LbPolicy> SLOW_START_POLICIES = List.of(LbPolicy.ROUND_ROBIN, LbPolicy.LEAST_REQUEST,
            LbPolicy.PEAK_EWMA);

    private static final ClusterConfig UNREADABLE =
            new ClusterConfig(null, List.of(), null, null, null, null, null, 0);
    private static final EndpointConfig UNREADABLE_ENDPOINT = new EndpointConfig(null, Defaults.ENDPOINT_WEIGHT);
    private static final String ENDPOINT_FORM = "a map such as { address: 127.0.0.1:8080, weight: 1 }";
    private static final String HASH_ON_FORM = "a map such as { header: x-user-id }, { cookie: session }"
            + " or { source_ip: true }";

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
                List.of());
        HashOn hashOn = readHashOn(m, lbPolicy);
        Duration connectTimeout = m.positiveDuration("connect_timeout", Defaults.CONNECT_TIMEOUT);
        Duration idleTimeout = m.positiveDuration("idle_timeout", Defaults.CLUSTER_IDLE_TIMEOUT);
        int maxRequestsPerConnection = m.integer("max_requests_per_connection",
                Defaults.MAX_REQUESTS_PER_CONNECTION, 0, Integer.MAX_VALUE);
        int panicThreshold = m.integer("panic_threshold", Defaults.PANIC_THRESHOLD, 0, 100);
        HealthCheckConfig healthCheck = HealthCheckReader.read(m);
        OutlierDetectionConfig outlierDetection = OutlierDetectionReader.read(m);
        CircuitBreakersConfig circuitBreakers = readCircuitBreakers(m);
        RetryBudgetConfig retryBudget = readRetryBudget(m);
        SlowStartConfig slowStart = readSlowStart(m, lbPolicy);
        io.remora.config.model.TlsConfig tls = TlsReader.readCluster(m);
        io.remora.config.model.UpstreamProtocol protocol = Http2Reader.cluster(m, tls, healthCheck); // issue 7
        return new ClusterConfig(name, endpoints, dnsRefresh, dnsFamily, lbPolicy, connectTimeout, idleTimeout,
                maxRequestsPerConnection, panicThreshold, hashOn, healthCheck, outlierDetection, circuitBreakers,
                retryBudget, tls, slowStart, protocol);
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
        int priority = m.integer("priority", Defaults.ENDPOINT_PRIORITY, 0, MAX_PRIORITY);
        return new EndpointConfig(address, weight, priority);
    }

    /**
     * {@code slow_start: { window, aggression, min_weight_percent }}; {@code null} if absent or invalid.
     *
     * @param lbPolicy the cluster's policy, {@code null} if invalid (then the pairing is not checked)
     */
    private static SlowStartConfig readSlowStart(MapReader cluster, LbPolicy lbPolicy) {
        if (!cluster.has("slow_start")) {
            return null;
        }
        if (lbPolicy != null && !SLOW_START_POLICIES.contains(lbPolicy)) {
            cluster.errors().add(cluster.path("slow_start"), "only lb_policy round_robin, least_request and"
                    + " peak_ewma ramp weights up, and this cluster's lb_policy is " + lbPolicy.configName());
        }
        MapReader m = cluster.section("slow_start", ConfigKeys.SLOW_START,
                "a map such as { window: 30s, aggression: 1.0, min_weight_percent: 10 }");
        if (m == null) {
            return null;
        }
        int before = m.errors().size();
        Duration window = null;
        if (!m.has("window")) {
            m.errors().missing(m.path("window"), "a duration such as 30s (how long a host's weight ramps up)");
        } else {
            window = m.positiveDuration("window", null);
        }
        double aggression = m.positiveDecimal("aggression", Defaults.SLOW_START_AGGRESSION);
        if (aggression > MAX_AGGRESSION) {
            m.errors().add(m.path("aggression"), m.get("aggression"), "must be > 0 and <= 100");
        }
        double minWeightPercent = m.nonNegativeDecimal("min_weight_percent", Defaults.SLOW_START_MIN_WEIGHT_PERCENT,
                100);
        return m.errors().size() == before ? new SlowStartConfig(window, aggression, minWeightPercent) : null;
    }

    /**
     * {@code hash_on}, which {@code ring_hash} needs and no other policy uses: a ring without a key would send
     * everything to one host, and a key without the ring would promise an affinity nobody provides.
     *
     * @param lbPolicy the cluster's policy, {@code null} if invalid (then the pairing is not checked)
     */
    private static HashOn readHashOn(MapReader cluster, LbPolicy lbPolicy) {
        String path = cluster.path("hash_on");
        ErrorList errors = cluster.errors();
        if (!cluster.has("hash_on")) {
            if (lbPolicy == LbPolicy.RING_HASH) {
                errors.add(path, "missing, lb_policy ring_hash needs a key to hash, expected " + HASH_ON_FORM);
            }
            return null;
        }
        if (lbPolicy != null && lbPolicy != LbPolicy.RING_HASH) {
            errors.add(path, "only lb_policy ring_hash uses hash_on, and this cluster's lb_policy is "
                    + lbPolicy.configName() + (cluster.has("lb_policy") ? "" : " (the default)"));
        }
        MapReader m = cluster.section("hash_on", ConfigKeys.HASH_ON, HASH_ON_FORM);
        if (m == null) {
            return null;
        }
        int given = (m.has("header") ? 1 : 0) + (m.has("cookie") ? 1 : 0) + (m.has("source_ip") ? 1 : 0);
        if (given == 0) {
            errors.add(path, "needs one of header, cookie or source_ip, such as { header: x-user-id }");
            return null;
        }
        if (given > 1) {
            errors.add(path, "give only one of header, cookie or source_ip");
            return null;
        }
        if (m.has("header")) {
            String header = token(m, "header", "a header name such as x-user-id", "not a valid header name");
            return header == null ? null : new HashOn(header.toLowerCase(Locale.ROOT), null, false);
        }
        if (m.has("cookie")) {
            String cookie = token(m, "cookie", "a cookie name such as session", "not a valid cookie name");
            return cookie == null ? null : new HashOn(null, cookie, false);
        }
        Object sourceIp = m.get("source_ip");
        if (!Boolean.TRUE.equals(sourceIp)) {
            if (Boolean.FALSE.equals(sourceIp)) {
                errors.add(m.path("source_ip"), sourceIp, "must be true; to hash on something else give header"
                        + " or cookie instead");
            } else {
                errors.wrongType(m.path("source_ip"), sourceIp, "true");
            }
            return null;
        }
        return new HashOn(null, null, true);
    }

    /** An RFC 9110 token (the syntax of header and cookie names) at {@code key}; {@code null} if invalid. */
    private static String token(MapReader m, String key, String expected, String problem) {
        String s = m.string(key, expected);
        if (s == null) {
            return null;
        }
        if (!MatchReader.isToken(s)) {
            m.errors().add(m.path(key), s, problem);
            return null;
        }
        return s;
    }

    private static CircuitBreakersConfig readCircuitBreakers(MapReader cluster) {
        CircuitBreakersConfig d = Defaults.CIRCUIT_BREAKERS;
        MapReader m = cluster.section("circuit_breakers", ConfigKeys.CIRCUIT_BREAKERS,
                "a map such as { max_connections: 1024, max_pending_requests: 1024, max_requests: 1024,"
                        + " max_retries: 3 }");
        if (m == null) {
            return d;
        }
        return new CircuitBreakersConfig(
                m.integer("max_connections", d.maxConnections(), 1, Integer.MAX_VALUE),
                m.integer("max_pending_requests", d.maxPendingRequests(), 1, Integer.MAX_VALUE),
                m.integer("max_requests", d.maxRequests(), 1, Integer.MAX_VALUE),
                m.integer("max_retries", d.maxRetries(), 0, Integer.MAX_VALUE),
                m.positiveDuration("pending_timeout", d.pendingTimeout()));
    }

    private static RetryBudgetConfig readRetryBudget(MapReader cluster) {
        RetryBudgetConfig d = Defaults.RETRY_BUDGET;
        MapReader m = cluster.section("retry_budget", ConfigKeys.RETRY_BUDGET,
                "a map such as { retry_ratio: 0.2, min_retries_per_second: 10, ttl: 10s }");
        if (m == null) {
            return d;
        }
        double retryRatio = m.nonNegativeDecimal("retry_ratio", d.retryRatio(), MAX_RETRY_RATIO);
        int minRetriesPerSecond = m.integer("min_retries_per_second", d.minRetriesPerSecond(), 0,
                Integer.MAX_VALUE);
        Duration ttl = m.duration("ttl", d.ttl());
        if (ttl != null && (ttl.compareTo(MIN_BUDGET_TTL) < 0 || ttl.compareTo(MAX_BUDGET_TTL) > 0)) {
            m.errors().add(m.path("ttl"), m.get("ttl"), "must be " + MIN_BUDGET_TTL.toSeconds() + "s-"
                    + MAX_BUDGET_TTL.toSeconds() + "s");
            ttl = null;
        }
        return new RetryBudgetConfig(retryRatio, minRetriesPerSecond, ttl);
    }
}
