package io.remora.core.traffic;

import static io.remora.core.testing.Configs.breakers;
import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.retry;
import static io.remora.core.testing.Configs.withCircuitBreakers;
import static io.remora.core.traffic.Policies.listener;
import static io.remora.core.traffic.Policies.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.remora.config.model.ClusterConfig;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.RetryOn;
import io.remora.core.discovery.Resolver;
import io.remora.core.server.ProxyServer;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawBackend;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A route's static fallback replaces each failure reply Remora itself produces ({@code UH}, {@code UF},
 * {@code UO}, {@code UT}, {@code URX}, {@code UR}, {@code UPE}) and injected aborts ({@code FI}), adding
 * {@code FB}, and never an upstream's own response.
 */
@Timeout(30)
class FallbackIntegrationTest {
    private static final String DEGRADED = "{\"results\":[],\"degraded\":true}";

    private static Policies.Route degrading() {
        return route("/").cluster("c").fallback(200, "application/json", DEGRADED)
                .addResponseHeader("x-route", "search");
    }

    private static ProxyHarness proxy(Policies.Route route, ClusterConfig c) throws Exception {
        return ProxyHarness.start(List.of(listener("in", route.build())), List.of(c));
    }

    private static void assertFallback(RawResponse r, String flags) {
        assertEquals(200, r.status(), r.toString());
        assertEquals(DEGRADED, r.bodyText());
        assertEquals("application/json", r.header("content-type"));
        assertEquals(flags, r.flags());
        assertEquals("search", r.header("x-route"), "response_headers_to_add applies to the fallback too");
    }

    private static void assertCounted(ProxyHarness p, String flag) {
        assertTrue(p.server().metrics().prometheus().contains(
                "remora_fallback_responses_total{listener=\"in\",flag=\"" + flag + "\"} 1"), flag);
    }

    /** A loopback port nothing listens on: connections to it are refused. */
    private static String closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    @Test
    void noHealthyUpstream() throws Exception {
        Resolver nothing = (host, family) -> {
            throw new UnknownHostException(host);
        };
        try (ProxyHarness p = ProxyHarness.start(List.of(listener("in", degrading().build())),
                List.of(cluster("c", LbPolicy.ROUND_ROBIN, "nowhere.invalid:80")), nothing);
                RawHttpClient c = p.client("in")) {
            assertFallback(c.get("/"), "UH,FB");
            assertCounted(p, "UH");
        }
    }

    @Test
    void connectFailureAndRetriesExhausted() throws Exception {
        String down = closedPort();
        try (ProxyHarness p = proxy(degrading(), cluster("c", LbPolicy.ROUND_ROBIN, down));
                RawHttpClient c = p.client("in")) {
            assertFallback(c.get("/"), "UF,FB");
            assertCounted(p, "UF");
        }
        try (ProxyHarness p = proxy(degrading().retry(retry(1, RetryOn.CONNECT_FAILURE)),
                cluster("c", LbPolicy.ROUND_ROBIN, down));
                RawHttpClient c = p.client("in")) {
            assertFallback(c.get("/"), "UF,URX,FB");
        }
    }

    @Test
    void circuitBreakerOverflow() throws Exception {
        try (FakeUpstream up = new FakeUpstream("up");
                ProxyHarness p = proxy(degrading(), withCircuitBreakers(
                        cluster("c", LbPolicy.ROUND_ROBIN, up.address()), breakers(1024, 1024, 1, 3)));
                RawHttpClient first = p.client("in");
                RawHttpClient second = p.client("in")) {
            up.holdResponses();
            first.send("GET /held HTTP/1.1\r\nHost: test\r\n\r\n");
            Await.until("the first request to hold the only request slot", () -> up.requests().size() == 1);
            assertFallback(second.get("/"), "UO,FB");
            up.releaseHeld();
            RawResponse own = first.readResponse();
            assertEquals(200, own.status());
            assertNull(own.flags());
            assertCounted(p, "UO");
        }
    }

    @Test
    void upstreamTimeout() throws Exception {
        try (FakeUpstream up = new FakeUpstream("up").delayResponses(Duration.ofSeconds(3));
                ProxyHarness p = proxy(degrading().timeout(Duration.ofMillis(200)),
                        cluster("c", LbPolicy.ROUND_ROBIN, up.address()));
                RawHttpClient c = p.client("in")) {
            assertFallback(c.get("/"), "UT,FB");
            assertCounted(p, "UT");
        }
    }

    @Test
    void upstreamResetBeforeResponding() throws Exception {
        try (FakeUpstream up = new FakeUpstream("up").handler(req -> null);
                ProxyHarness p = proxy(degrading(), cluster("c", LbPolicy.ROUND_ROBIN, up.address()));
                RawHttpClient c = p.client("in")) {
            assertFallback(c.get("/"), "UR,FB");
            assertCounted(p, "UR");
        }
    }

    @Test
    void malformedUpstreamResponse() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
            conn.readRequest();
            conn.write("HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n");
            conn.awaitEof();
        });
                ProxyHarness p = proxy(degrading(), cluster("c", LbPolicy.ROUND_ROBIN, up.address()));
                RawHttpClient c = p.client("in")) {
            assertFallback(c.get("/"), "UPE,FB");
            assertCounted(p, "UPE");
        }
    }

    @Test
    void injectedAbort() throws Exception {
        try (FakeUpstream up = new FakeUpstream("up");
                ProxyHarness p = proxy(degrading().abort(503, 100), cluster("c", LbPolicy.ROUND_ROBIN,
                        up.address()));
                RawHttpClient c = p.client("in")) {
            assertFallback(c.get("/"), "FI,FB");
            assertCounted(p, "FI");
            assertEquals(0, up.requests().size());
        }
    }

    @Test
    void neverReplacesAnUpstreamsOwnResponseSuccessfulOrNot() throws Exception {
        try (FakeUpstream up = new FakeUpstream("up").handler(req -> req.uri().startsWith("/fail")
                ? FakeUpstream.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "own 503")
                : FakeUpstream.text(HttpResponseStatus.OK, "own 200"));
                ProxyHarness p = proxy(degrading(), cluster("c", LbPolicy.ROUND_ROBIN, up.address()));
                RawHttpClient c = p.client("in")) {
            RawResponse ok = c.get("/");
            assertEquals(200, ok.status());
            assertEquals("own 200", ok.bodyText());
            assertNull(ok.flags());
            assertEquals("search", ok.header("x-route"));
            RawResponse failed = c.get("/fail");
            assertEquals(503, failed.status());
            assertEquals("own 503", failed.bodyText());
            assertNull(failed.flags());
            assertTrue(p.server().metrics().prometheus().lines()
                    .filter(l -> l.startsWith("remora_fallback_responses_total{"))
                    .allMatch(l -> l.endsWith(" 0")));
        }
    }

    @Test
    void aRetriableUpstreamErrorWhoseRetryIsRefusedIsStillTheUpstreamsOwn() throws Exception {
        try (FakeUpstream up = new FakeUpstream("up").handler(req ->
                FakeUpstream.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "own 503"));
                ProxyHarness p = proxy(degrading().retry(retry(0, RetryOn.FIVE_XX)),
                        cluster("c", LbPolicy.ROUND_ROBIN, up.address()));
                RawHttpClient c = p.client("in")) {
            RawResponse r = c.get("/");
            assertEquals(503, r.status());
            assertEquals("own 503", r.bodyText());
            assertEquals("URX", r.flags(), "the retry was refused, but the response is the upstream's");
        }
    }

    @Test
    void withoutAFallbackTheErrorIsRemorasOwn() throws Exception {
        try (ProxyHarness p = ProxyHarness.start(List.of(listener("in", route("/").cluster("c").build())),
                List.of(cluster("c", LbPolicy.ROUND_ROBIN, closedPort())),
                ProxyServer.Options.defaults().withWorkerThreads(1));
                RawHttpClient c = p.client("in")) {
            RawResponse r = c.get("/");
            assertEquals(503, r.status());
            assertEquals("UF", r.flags());
        }
    }
}
