package io.remora.core.traffic;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.consecutiveFailures;
import static io.remora.core.testing.Configs.withOutlierDetection;
import static io.remora.core.traffic.Policies.listener;
import static io.remora.core.traffic.Policies.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.LbPolicy;
import io.remora.config.model.RouteConfig;
import io.remora.core.server.ProxyServer;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import io.remora.core.upstream.Host;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Fault injection over loopback: aborts, delays, the header gate, and no effect on outlier detection. */
@Timeout(30)
class FaultInjectionIntegrationTest {

    private static ProxyHarness proxy(FakeUpstream up, RouteConfig route) throws Exception {
        return ProxyHarness.start(List.of(listener("in", route)),
                List.of(withOutlierDetection(cluster("c", LbPolicy.ROUND_ROBIN, up.address()),
                        consecutiveFailures(1, 1, Duration.ofMillis(100), Duration.ofSeconds(30)))),
                seeded(1));
    }

    /** One worker loop and a seeded (thread-safe) random, so the fault draws are the same every run. */
    static ProxyServer.Options seeded(int workers) {
        ProxyServer.Options d = ProxyServer.Options.defaults();
        return new ProxyServer.Options(workers, d.resolver(), new Random(0xfa17L), d.adminAddress());
    }

    private static RawResponse get(RawHttpClient c, String extraHeader) throws Exception {
        c.send("GET / HTTP/1.1\r\nHost: test\r\n" + (extraHeader == null ? "" : extraHeader + "\r\n") + "\r\n");
        return c.readResponse();
    }

    @Test
    void anAbortAnswersWithItsStatusAndNeverReachesTheUpstream() throws Exception {
        try (FakeUpstream up = new FakeUpstream("up");
                ProxyHarness p = proxy(up, route("/").cluster("c").abort(503, 100).build());
                RawHttpClient c = p.client("in")) {
            for (int i = 0; i < 5; i++) {
                RawResponse r = get(c, null);
                assertEquals(503, r.status());
                assertEquals("FI", r.flags());
            }
            assertEquals(0, up.requests().size());
            assertTrue(p.server().metrics().prometheus().contains(
                    "remora_faults_injected_total{listener=\"in\",reason=\"abort\"} 5"));
        }
    }

    /**
     * Injected aborts are not the host's failures: with consecutive_5xx of 1, one real 503 would eject it, yet a
     * hundred injected ones leave it in service. Half the requests are aborted (a seeded draw), within
     * statistical bounds.
     */
    @Test
    void injectedAbortsNeverEjectAHost() throws Exception {
        try (FakeUpstream up = new FakeUpstream("up");
                ProxyHarness p = proxy(up, route("/").cluster("c").abort(503, 50).build());
                RawHttpClient c = p.client("in")) {
            int aborted = 0;
            for (int i = 0; i < 400; i++) {
                RawResponse r = get(c, null);
                if (r.status() == 503) {
                    assertEquals("FI", r.flags());
                    aborted++;
                } else {
                    assertEquals(200, r.status());
                    assertNull(r.flags());
                }
            }
            assertTrue(Math.abs(aborted - 200) <= 5 * 10, "50% of 400 within 5σ: " + aborted);
            assertEquals(400 - aborted, up.requests().size());
            Host h = p.server().clusters().cluster("c").hostSet().hosts().get(0);
            assertFalse(h.outlier().isEjected());
            assertEquals(0, h.outlier().ejections());
            assertEquals(0, h.failures(), "no attempt failed: the aborts never made one");
        }
    }

    @Test
    void headerGatedFaultsNeverHitRequestsWithoutTheHeader() throws Exception {
        try (FakeUpstream up = new FakeUpstream("up");
                ProxyHarness p = proxy(up, route("/").cluster("c").abort(500, 100).onlyWithHeader("x-fault-inject")
                        .build());
                RawHttpClient c = p.client("in")) {
            for (int i = 0; i < 50; i++) {
                RawResponse r = get(c, null);
                assertEquals(200, r.status());
                assertNull(r.flags());
            }
            RawResponse faulted = get(c, "X-Fault-Inject: yes");
            assertEquals(500, faulted.status());
            assertEquals("FI", faulted.flags());
            assertEquals(50, up.requests().size());
        }
    }

    /**
     * A delay holds the request before it is forwarded and marks the response {@code FI}; the route timeout starts
     * after it (as Envoy's fault filter runs before its router), so a delay longer than the timeout still gets the
     * upstream's answer.
     */
    @Test
    void aDelayHoldsTheRequestAndTheRouteTimeoutStartsAfterIt() throws Exception {
        try (FakeUpstream up = new FakeUpstream("up");
                ProxyHarness p = proxy(up, route("/").cluster("c").timeout(Duration.ofMillis(150))
                        .delay(Duration.ofMillis(300), 100).build());
                RawHttpClient c = p.client("in")) {
            long start = System.nanoTime();
            c.send("POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello");
            RawResponse r = c.readResponse();
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, r.status());
            assertEquals("FI", r.flags());
            assertTrue(tookMillis >= 300, "delayed " + tookMillis + " ms");
            assertEquals(1, up.requests().size());
            assertEquals("hello", up.requests().get(0).content().toString(java.nio.charset.StandardCharsets.UTF_8),
                    "the body that arrived during the delay is forwarded after it");
            assertTrue(p.server().metrics().prometheus().contains(
                    "remora_faults_injected_total{listener=\"in\",reason=\"delay\"} 1"));
        }
    }

    @Test
    void aDelayedRequestWhoseClientLeavesIsNeverForwarded() throws Exception {
        try (FakeUpstream up = new FakeUpstream("up");
                ProxyHarness p = proxy(up, route("/").cluster("c").delay(Duration.ofMillis(200), 100).build())) {
            try (RawHttpClient c = p.client("in")) {
                c.send("GET / HTTP/1.1\r\nHost: test\r\n\r\n");
                c.reset();
            }
            try (RawHttpClient c = p.client("in")) {
                assertEquals(200, get(c, null).status(), "the next request is served after its own delay");
            }
            assertEquals(1, up.requests().size());
        }
    }
}
