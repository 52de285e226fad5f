package io.remora.config.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The constructors kept for code written before the fault-tolerance settings, and their defaults. */
class ModelConstructorsTest {

    private static final List<EndpointConfig> ENDPOINTS =
            List.of(new EndpointConfig(new HostPort("127.0.0.1", 8081), 1));

    @Test
    void theEightArgumentClusterConstructorFillsTheDefaults() {
        ClusterConfig c = new ClusterConfig("api", ENDPOINTS, Defaults.DNS_REFRESH, Defaults.DNS_FAMILY,
                LbPolicy.PEAK_EWMA, Defaults.CONNECT_TIMEOUT, Defaults.CLUSTER_IDLE_TIMEOUT, 7);

        assertEquals(new ClusterConfig("api", ENDPOINTS, Defaults.DNS_REFRESH, Defaults.DNS_FAMILY,
                LbPolicy.PEAK_EWMA, Defaults.CONNECT_TIMEOUT, Defaults.CLUSTER_IDLE_TIMEOUT, 7, 50, null, null, null,
                CircuitBreakersConfig.DEFAULT, RetryBudgetConfig.DEFAULT), c);
        assertEquals(Defaults.PANIC_THRESHOLD, c.panicThreshold());
        assertNull(c.hashOn());
        assertNull(c.healthCheck());
        assertNull(c.outlierDetection());
    }

    @Test
    void circuitBreakersAndRetryBudgetAreNeverNull() {
        ClusterConfig c = new ClusterConfig("api", ENDPOINTS, Defaults.DNS_REFRESH, Defaults.DNS_FAMILY,
                LbPolicy.ROUND_ROBIN, Defaults.CONNECT_TIMEOUT, Defaults.CLUSTER_IDLE_TIMEOUT, 0, 50, null, null, null,
                null, null);

        assertEquals(CircuitBreakersConfig.DEFAULT, c.circuitBreakers());
        assertEquals(RetryBudgetConfig.DEFAULT, c.retryBudget());
    }

    @Test
    void theNineArgumentListenerConstructorMeansNoAccessLog() {
        ListenerConfig l = new ListenerConfig("in", new HostPort("127.0.0.1", 15001), Protocol.HTTP, null, List.of(),
                Defaults.LISTENER_IDLE_TIMEOUT, Defaults.STREAM_IDLE_TIMEOUT, Defaults.REQUEST_HEADERS_TIMEOUT, 64);

        assertNull(l.accessLog());
        assertEquals(new ListenerConfig("in", new HostPort("127.0.0.1", 15001), Protocol.HTTP, null, List.of(),
                Defaults.LISTENER_IDLE_TIMEOUT, Defaults.STREAM_IDLE_TIMEOUT, Defaults.REQUEST_HEADERS_TIMEOUT, 64,
                null), l);
    }

    @Test
    void theThreeArgumentRouteConstructorMeansNoRetries() {
        RouteMatch match = new RouteMatch("/", null, null, null);
        RouteConfig r = new RouteConfig(match, "api", Duration.ofSeconds(2));

        assertNull(r.retry());
        assertEquals(new RouteConfig(match, "api", Duration.ofSeconds(2), null), r);
    }

    @Test
    void constructorsFromBeforeTheTrafficPolicyMeanNone() {
        RouteConfig r = new RouteConfig(new RouteMatch("/", null, null, null), "api", Duration.ofSeconds(2), null);
        assertEquals(List.of(), r.weightedClusters());
        assertNull(r.rateLimit());
        assertNull(r.fault());
        assertNull(r.fallback());
        assertEquals(List.of(), r.requestHeadersToAdd());
        assertEquals(List.of(), r.requestHeadersToRemove());
        assertEquals(List.of(), r.responseHeadersToAdd());
        assertNull(r.prefixRewrite());
        assertNull(r.directResponse());
        assertNull(r.redirect());
        assertEquals(List.of("api"), r.clusters());
        assertEquals(0, new EndpointConfig(new HostPort("127.0.0.1", 8081), 2).priority());
        ClusterConfig c = new ClusterConfig("api", ENDPOINTS, Defaults.DNS_REFRESH, Defaults.DNS_FAMILY,
                LbPolicy.ROUND_ROBIN, Defaults.CONNECT_TIMEOUT, Defaults.CLUSTER_IDLE_TIMEOUT, 0);
        assertNull(c.slowStart());
        ListenerConfig l = new ListenerConfig("in", new HostPort("127.0.0.1", 15001), Protocol.HTTP, null, List.of(),
                Defaults.LISTENER_IDLE_TIMEOUT, Defaults.STREAM_IDLE_TIMEOUT, Defaults.REQUEST_HEADERS_TIMEOUT, 64);
        assertNull(l.rateLimit());
    }

    @Test
    void defaultsFollowTheSchema() {
        assertEquals(new CircuitBreakersConfig(1024, 1024, 1024, 3, Duration.ofSeconds(1)), Defaults.CIRCUIT_BREAKERS);
        assertEquals(new RetryBudgetConfig(0.2, 10, Duration.ofSeconds(10)), Defaults.RETRY_BUDGET);
        assertEquals(List.of(200), Defaults.HEALTH_CHECK_EXPECTED_STATUSES);
        assertEquals(Duration.ofMillis(250),
                Defaults.RETRY_BASE_INTERVAL.multipliedBy(Defaults.RETRY_MAX_INTERVAL_FACTOR));
        assertEquals(Defaults.RETRY_MAX_INTERVAL,
                Defaults.RETRY_BASE_INTERVAL.multipliedBy(Defaults.RETRY_MAX_INTERVAL_FACTOR));
        assertEquals(65536, Defaults.RETRY_MAX_BUFFERED_BODY);
        assertEquals(301, Defaults.REDIRECT_STATUS);
        assertEquals(1.0, Defaults.SLOW_START_AGGRESSION);
        assertEquals(10.0, Defaults.SLOW_START_MIN_WEIGHT_PERCENT);
        assertEquals(0, Defaults.ENDPOINT_PRIORITY);
    }
}
