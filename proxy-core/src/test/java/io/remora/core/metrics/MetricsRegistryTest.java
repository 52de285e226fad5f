package io.remora.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.LbPolicy;
import io.remora.core.admin.JsonReader;
import io.remora.core.breaker.CircuitBreaker;
import io.remora.core.http.ResponseFlag;
import io.remora.core.outlier.Outcome;
import io.remora.core.testing.Configs;
import io.remora.core.upstream.Cluster;
import io.remora.core.upstream.Host;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MetricsRegistryTest {
    private static final long MS = 1_000_000L;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final MetricsRegistry registry = new MetricsRegistry(clock::get, 1_700_000_000_000L);

    /** A cluster of two hosts whose outlier detection ejects after two 5xx in a row, rebuilt inline. */
    private Cluster twoHostCluster() {
        Cluster c = new Cluster(Configs.withOutlierDetection(
                Configs.cluster("api", LbPolicy.ROUND_ROBIN, "127.0.0.1:8081"),
                Configs.consecutiveFailures(2, 0, Duration.ofSeconds(10), Duration.ofSeconds(30))),
                new SplittableRandom(1), h -> { });
        c.updateMembership(List.of(
                new Cluster.Member(new InetSocketAddress("127.0.0.1", 8081), "127.0.0.1:8081", 1),
                new Cluster.Member(new InetSocketAddress("127.0.0.1", 8082), "127.0.0.1:8082", 2)));
        return c;
    }

    @Test
    void statsAreCreatedOncePerName() {
        assertSame(registry.listener("in"), registry.listener("in"));
        assertSame(registry.cluster("api"), registry.cluster("api"));
    }

    @Test
    void listenerCountersAppearWithTheirLabels() {
        ListenerStats l = registry.listener("ingress");
        l.connectionOpened();
        l.connectionOpened();
        l.connectionClosed();
        l.request(200, 2 * MS, 10, 100);
        l.request(204, 3 * MS, 0, 0);
        l.request(503, 700 * MS, 5, 50);
        l.request(101, 1 * MS, 0, 0);
        l.rejected(431);
        l.rejected(408);
        l.rejected(408);
        l.rejected(418);
        l.responseFlags("UF,URX");
        l.responseFlags("UT");
        l.responseFlags("BOGUS,UT");
        l.responseFlags(null);
        l.responseFlag(ResponseFlag.NR);
        l.accessLogDropped();

        Exposition e = Exposition.parse(registry.prometheus());
        assertEquals(1, e.value("remora_downstream_connections_active", "listener", "ingress"));
        assertEquals(2, e.value("remora_downstream_connections_total", "listener", "ingress"));
        assertEquals(2, e.value("remora_downstream_requests_total", "listener", "ingress", "code_class", "2xx"));
        assertEquals(1, e.value("remora_downstream_requests_total", "listener", "ingress", "code_class", "5xx"));
        assertEquals(1, e.value("remora_downstream_requests_total", "listener", "ingress", "code_class", "1xx"));
        assertEquals(0, e.value("remora_downstream_requests_total", "listener", "ingress", "code_class", "4xx"));
        assertEquals(15, e.value("remora_downstream_received_bytes_total", "listener", "ingress"));
        assertEquals(150, e.value("remora_downstream_sent_bytes_total", "listener", "ingress"));
        assertEquals(1, e.value("remora_downstream_rejected_requests_total", "listener", "ingress", "reason",
                "headers_too_large"));
        assertEquals(2, e.value("remora_downstream_rejected_requests_total", "listener", "ingress", "reason",
                "request_timeout"));
        assertEquals(1, e.value("remora_downstream_rejected_requests_total", "listener", "ingress", "reason",
                "other"));
        assertEquals(1, e.value("remora_downstream_response_flags_total", "listener", "ingress", "flag", "UF"));
        assertEquals(1, e.value("remora_downstream_response_flags_total", "listener", "ingress", "flag", "URX"));
        assertEquals(2, e.value("remora_downstream_response_flags_total", "listener", "ingress", "flag", "UT"));
        assertEquals(1, e.value("remora_downstream_response_flags_total", "listener", "ingress", "flag", "NR"));
        assertEquals(1, e.value("remora_access_log_dropped_total", "listener", "ingress"));
        assertEquals(4, e.value("remora_downstream_request_duration_seconds_count", "listener", "ingress"));
        assertEquals(0.706, e.value("remora_downstream_request_duration_seconds_sum", "listener", "ingress"), 1e-12);
        assertEquals(1, e.value("remora_downstream_request_duration_seconds_bucket", "listener", "ingress", "le",
                "0.001"));
        assertEquals(3, e.value("remora_downstream_request_duration_seconds_bucket", "listener", "ingress", "le",
                "0.005"));
        assertEquals(4, e.value("remora_downstream_request_duration_seconds_bucket", "listener", "ingress", "le",
                "1"));
    }

    @Test
    void clusterCountersAndLiveGauges() {
        Cluster live = twoHostCluster();
        ClusterStats c = registry.cluster("api");
        c.bind(live);
        c.attempt();
        c.attempt();
        c.attempt();
        c.retry();
        c.retryDenied();
        c.timeout();
        c.connectFailure();
        c.upstreamResponse(200, 4 * MS);
        c.upstreamResponse(503, 30 * MS);
        live.breaker().tryAcquire(CircuitBreaker.Kind.PENDING_REQUESTS);
        live.breaker().tryAcquire(CircuitBreaker.Kind.CONNECTIONS);
        live.breaker().tryAcquire(CircuitBreaker.Kind.CONNECTIONS);
        Host h = live.hostSet().hosts().get(0);
        h.requestStarted();
        // two 5xx in a row eject the first host, inline: the detector tells the stats why
        live.recordOutcome(h, Outcome.SERVER_ERROR, MS);
        live.recordOutcome(h, Outcome.SERVER_ERROR, MS);
        live.recordOutcome(live.hostSet().hosts().get(1), Outcome.SUCCESS, MS);

        Exposition e = Exposition.parse(registry.prometheus());
        assertEquals(3, e.value("remora_upstream_attempts_total", "cluster", "api"));
        assertEquals(1, e.value("remora_upstream_retries_total", "cluster", "api"));
        assertEquals(1, e.value("remora_upstream_retries_denied_total", "cluster", "api"));
        assertEquals(1, e.value("remora_upstream_timeouts_total", "cluster", "api"));
        assertEquals(1, e.value("remora_upstream_connect_failures_total", "cluster", "api"));
        assertEquals(1, e.value("remora_upstream_requests_total", "cluster", "api", "code_class", "2xx"));
        assertEquals(1, e.value("remora_upstream_requests_total", "cluster", "api", "code_class", "5xx"));
        assertEquals(2, e.value("remora_upstream_request_duration_seconds_count", "cluster", "api"));
        assertEquals(0.034, e.value("remora_upstream_request_duration_seconds_sum", "cluster", "api"), 1e-12);
        assertEquals(1, e.value("remora_upstream_ejections_total", "cluster", "api", "reason", "consecutive_5xx"));
        assertEquals(0, e.value("remora_upstream_ejections_total", "cluster", "api", "reason", "success_rate"));
        assertEquals(1, e.value("remora_upstream_pending_requests", "cluster", "api"));
        assertEquals(2, e.value("remora_upstream_active_connections", "cluster", "api"));
        assertEquals(0, e.value("remora_circuit_breaker_overflows_total", "cluster", "api", "limit",
                "max_connections"));
        assertEquals(2, e.value("remora_upstream_hosts", "cluster", "api"));
        assertEquals(2, e.value("remora_upstream_healthy_hosts", "cluster", "api"));
        assertEquals(1, e.value("remora_upstream_ejected_hosts", "cluster", "api"));
        assertEquals(1, e.value("remora_upstream_available_hosts", "cluster", "api"));
        assertEquals(1, e.value("remora_upstream_host_ejected", "cluster", "api", "host", "127.0.0.1:8081"));
        assertEquals(0, e.value("remora_upstream_host_ejected", "cluster", "api", "host", "127.0.0.1:8082"));
        assertEquals(1, e.value("remora_upstream_host_active_requests", "cluster", "api", "host", "127.0.0.1:8081"));
        assertEquals(2, e.value("remora_upstream_host_attempts_total", "cluster", "api", "host", "127.0.0.1:8081",
                "result", "failure"));
        assertEquals(1, e.value("remora_upstream_host_attempts_total", "cluster", "api", "host", "127.0.0.1:8082",
                "result", "success"));
    }

    @Test
    void overflowsAreCountedPerLimit() {
        Cluster live = new Cluster(Configs.withCircuitBreakers(Configs.cluster("api", LbPolicy.ROUND_ROBIN,
                "127.0.0.1:1"), Configs.breakers(1, 1, 1, 0)), new SplittableRandom(1), h -> { });
        registry.cluster("api").bind(live);
        live.breaker().tryAcquire(CircuitBreaker.Kind.REQUESTS);
        live.breaker().tryAcquire(CircuitBreaker.Kind.REQUESTS);
        live.breaker().tryAcquire(CircuitBreaker.Kind.REQUESTS);
        live.breaker().tryAcquire(CircuitBreaker.Kind.RETRIES);
        Exposition e = Exposition.parse(registry.prometheus());
        assertEquals(2, e.value("remora_circuit_breaker_overflows_total", "cluster", "api", "limit",
                "max_requests"));
        assertEquals(1, e.value("remora_circuit_breaker_overflows_total", "cluster", "api", "limit",
                "max_retries"));
        assertEquals(1, e.value("remora_upstream_active_requests", "cluster", "api"));
    }

    @Test
    void processFigures() {
        registry.eventLoops(3);
        registry.configReload(true);
        registry.configReload(false);
        registry.configReload(false);
        clock.addAndGet(2_500_000_000L);
        Exposition e = Exposition.parse(registry.prometheus());
        assertEquals(2.5, e.value("remora_uptime_seconds"));
        assertEquals(1_700_000_000, e.value("remora_start_time_seconds"));
        assertEquals(3, e.value("remora_event_loops"));
        assertEquals(1, e.value("remora_config_reloads_total", "result", "success"));
        assertEquals(2, e.value("remora_config_reloads_total", "result", "failure"));
        assertTrue(e.value("remora_jvm_heap_used_bytes") > 0);
        assertTrue(e.value("remora_jvm_heap_committed_bytes") >= e.value("remora_jvm_heap_used_bytes"));
        assertTrue(e.value("remora_direct_memory_used_bytes") >= 0);
    }

    @Test
    void everyFamilyHasHelpAndTypeEvenWithoutSeries() {
        Exposition e = Exposition.parse(new MetricsRegistry().prometheus());
        assertEquals(e.types.keySet(), e.helps.keySet());
        assertTrue(e.types.containsKey("remora_downstream_request_duration_seconds"));
        assertTrue(e.types.containsKey("remora_upstream_request_duration_seconds"));
        assertEquals("histogram", e.types.get("remora_upstream_request_duration_seconds"));
        assertEquals("counter", e.types.get("remora_upstream_ejections_total"));
        assertEquals("gauge", e.types.get("remora_upstream_pending_requests"));
    }

    @Test
    void oddNamesAreEscapedAndReadBack() {
        registry.listener("we\"ird\\name\nx").request(200, MS, 0, 0);
        Exposition e = Exposition.parse(registry.prometheus());
        assertEquals(1, e.value("remora_downstream_requests_total", "listener", "we\"ird\\name\nx", "code_class",
                "2xx"));
    }

    @Test
    void aHostListedTwiceIsOneSeries() {
        Cluster live = new Cluster(Configs.cluster("api", LbPolicy.ROUND_ROBIN, "127.0.0.1:1"),
                new SplittableRandom(1), h -> { });
        Cluster.Member m = new Cluster.Member(new InetSocketAddress("127.0.0.1", 8081), "127.0.0.1:8081", 1);
        live.updateMembership(List.of(m, m));
        registry.cluster("api").bind(live);
        live.hostSet().hosts().get(0).requestStarted();
        live.hostSet().hosts().get(1).requestStarted();
        Exposition e = Exposition.parse(registry.prometheus()); // would fail on a duplicated series? it must not exist
        long series = e.samples.stream().filter(s -> s.name().equals("remora_upstream_host_active_requests"))
                .count();
        assertEquals(1, series);
        assertEquals(2, e.value("remora_upstream_host_active_requests", "cluster", "api", "host", "127.0.0.1:8081"));
    }

    @Test
    void jsonCarriesTheSameFiguresAndPercentiles() {
        ListenerStats l = registry.listener("ingress");
        for (int i = 1; i <= 100; i++) {
            l.request(200, i * MS, 1, 2);
        }
        l.rejected(400);
        ClusterStats c = registry.cluster("api");
        c.bind(twoHostCluster());
        c.upstreamResponse(502, 10 * MS);
        c.ejection("failure_percentage");
        c.ejection("made_up");

        Map<String, Object> json = JsonReader.parseObject(registry.json());
        @SuppressWarnings("unchecked")
        Map<String, Object> listener = ((List<Map<String, Object>>) json.get("listeners")).get(0);
        assertEquals("ingress", listener.get("name"));
        assertEquals(100L, get(listener, "requests", "2xx"));
        assertEquals(100L, get(listener, "requests", "total"));
        assertEquals(100L, listener.get("received_bytes"));
        assertEquals(1L, get(listener, "rejected", "bad_request"));
        assertEquals(100L, get(listener, "request_duration", "count"));
        assertEquals(5.05, ((Number) get(listener, "request_duration", "sum_seconds")).doubleValue(), 1e-9);
        assertEquals(50.0, ((Number) get(listener, "request_duration", "p50_ms")).doubleValue(), 1.0);
        assertEquals(99.0, ((Number) get(listener, "request_duration", "p99_ms")).doubleValue(), 1.0);
        assertEquals(100.0, ((Number) get(listener, "request_duration", "p999_ms")).doubleValue(), 1.0);
        assertEquals(10L, get(listener, "request_duration", "buckets", "0.01"));
        assertEquals(100L, get(listener, "request_duration", "buckets", "+Inf"));

        @SuppressWarnings("unchecked")
        Map<String, Object> cluster = ((List<Map<String, Object>>) json.get("clusters")).get(0);
        assertEquals(1L, get(cluster, "responses", "5xx"));
        assertEquals(1L, get(cluster, "ejections", "failure_percentage"));
        assertEquals(1L, get(cluster, "ejections", "other"));
        assertEquals(2L, get(cluster, "hosts", "total"));
        assertEquals(1024L, get(cluster, "circuit_breakers", "max_requests", "max"));
        assertTrue(((Number) get(json, "process", "uptime_seconds")).doubleValue() >= 0);
        assertEquals("2023-11-14T22:13:20Z", get(json, "process", "start_time"));
    }

    @SuppressWarnings("unchecked")
    private static Object get(Map<String, Object> m, String... path) {
        Object o = m;
        for (String p : path) {
            o = ((Map<String, Object>) o).get(p);
        }
        return o;
    }
}
