package io.remora.core.resilience;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.remora.core.breaker.CircuitBreaker;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.upstream.Cluster;
import io.remora.core.upstream.Host;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Small lookups shared by the resilience tests: a backend's {@link Host}, what a backend saw. */
final class Resilience {
    private Resilience() {
    }

    static Cluster cluster(ProxyHarness p, String name) {
        return p.server().clusters().cluster(name);
    }

    /** The cluster member that stands for {@code up} (matched by port: every backend is on 127.0.0.1). */
    static Host host(ProxyHarness p, String cluster, FakeUpstream up) {
        for (Host h : cluster(p, cluster).hostSet().hosts()) {
            if (h.address().getPort() == up.port()) {
                return h;
            }
        }
        throw new AssertionError("no host for " + up.address() + " in cluster " + cluster);
    }

    /** Requests {@code up} received for the application (health-check probes excluded). */
    static long appRequests(FakeUpstream up) {
        return up.requests().stream().filter(r -> !r.uri().startsWith("/healthz")).count();
    }

    /** How many requests {@code up} received with each {@code x-remora-attempt} value. */
    static Map<String, Integer> attempts(FakeUpstream up) {
        Map<String, Integer> n = new TreeMap<>();
        for (FullHttpRequest r : up.requests()) {
            if (!r.uri().startsWith("/healthz")) {
                n.merge(String.valueOf(r.headers().get("x-remora-attempt")), 1, Integer::sum);
            }
        }
        return n;
    }

    /** Every backend's attempt counts, merged. */
    static Map<String, Integer> attempts(List<FakeUpstream> ups) {
        Map<String, Integer> n = new TreeMap<>();
        ups.forEach(u -> attempts(u).forEach((k, v) -> n.merge(k, v, Integer::sum)));
        return n;
    }

    /**
     * Waits until the cluster holds nothing for requests that are over: no request, pending-request or retry
     * slot, no active request on any host, and no connection slot beyond the idle pooled connections. Every
     * path that ends an attempt (answer, timeout, reset, retry, client gone) must give back what it took, or a
     * limit slowly closes for good.
     */
    static void assertNothingHeld(ProxyHarness p, String cluster) {
        Cluster c = cluster(p, cluster);
        CircuitBreaker b = c.breaker();
        Await.until("cluster " + cluster + " to hold nothing for finished requests", Duration.ofSeconds(5), () ->
                b.current(CircuitBreaker.Kind.REQUESTS) == 0
                        && b.current(CircuitBreaker.Kind.PENDING_REQUESTS) == 0
                        && b.current(CircuitBreaker.Kind.RETRIES) == 0
                        && c.hostSet().hosts().stream().allMatch(h -> h.activeRequests() == 0)
                        && b.current(CircuitBreaker.Kind.CONNECTIONS) == p.server().idleUpstreamConnections());
    }

    static FullHttpResponse status(int code) {
        return FakeUpstream.text(HttpResponseStatus.valueOf(code), "status " + code);
    }
}
