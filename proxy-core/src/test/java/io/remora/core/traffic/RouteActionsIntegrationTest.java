package io.remora.core.traffic;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.traffic.Policies.listener;
import static io.remora.core.traffic.Policies.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.FullHttpRequest;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.RouteConfig;
import io.remora.config.model.WeightedCluster;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Route actions over loopback: header actions, prefix rewrite, direct responses, redirects, weighted split. */
@Timeout(30)
class RouteActionsIntegrationTest {

    private static ProxyHarness proxy(FakeUpstream up, RouteConfig... routes) throws Exception {
        return ProxyHarness.start(List.of(listener("in", routes)),
                List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())));
    }

    @Test
    void requestHeadersAreRemovedAndSetAndResponseHeadersSet() throws Exception {
        try (FakeUpstream up = new FakeUpstream("up");
                ProxyHarness p = proxy(up, route("/").cluster("c").addRequestHeader("x-env", "prod")
                        .removeRequestHeader("x-debug").removeRequestHeader("cookie")
                        .addResponseHeader("x-served-by", "remora").addResponseHeader("content-type", "text/x-test")
                        .build());
                RawHttpClient c = p.client("in")) {
            c.send("GET /a HTTP/1.1\r\nHost: test\r\nX-Env: spoofed\r\nx-debug: 1\r\nCookie: s=1\r\nx-keep: me\r\n\r\n");
            RawResponse r = c.readResponse();
            assertEquals(200, r.status());
            assertEquals("remora", r.header("x-served-by"));
            assertEquals(List.of("text/x-test"), r.headers().all("content-type"), "set, replacing the upstream's");
            FullHttpRequest seen = up.requests().get(0);
            assertEquals(List.of("prod"), seen.headers().getAll("x-env"));
            assertNull(seen.headers().get("x-debug"));
            assertNull(seen.headers().get("cookie"));
            assertEquals("me", seen.headers().get("x-keep"));
        }
    }

    @Test
    void prefixRewriteChangesWhatTheUpstreamSeesAndKeepsTheQuery() throws Exception {
        try (FakeUpstream up = new FakeUpstream("up");
                ProxyHarness p = proxy(up, route("/api/").cluster("c").prefixRewrite("/v2/").build(),
                        route("/").cluster("c").build());
                RawHttpClient c = p.client("in")) {
            assertEquals(200, c.get("/api/users?id=7").status());
            assertEquals(200, c.get("/other?x=1").status());
            assertEquals("/v2/users?id=7", up.requests().get(0).uri());
            assertEquals("/other?x=1", up.requests().get(1).uri(), "only the route with the rewrite rewrites");
        }
    }

    @Test
    void aDirectResponseNeedsNoUpstreamAndKeepsTheConnection() throws Exception {
        try (FakeUpstream up = new FakeUpstream("up");
                ProxyHarness p = proxy(up, route("/healthz").direct(200, "ok\n").addResponseHeader("x-a", "b")
                        .build(), route("/gone").direct(410, "").build(), route("/").cluster("c").build());
                RawHttpClient c = p.client("in")) {
            c.send("POST /healthz HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc");
            RawResponse r = c.readResponse();
            assertEquals(200, r.status());
            assertEquals("ok\n", r.bodyText());
            assertEquals("text/plain; charset=utf-8", r.header("content-type"));
            assertEquals("b", r.header("x-a"));
            assertNull(r.flags(), "a direct response is no failure");
            RawResponse gone = c.get("/gone");
            assertEquals(410, gone.status());
            assertEquals("0", gone.header("content-length"));
            assertEquals(200, c.get("/").status(), "the same connection goes on: the body was read and dropped");
            assertEquals(1, up.requests().size());
        }
    }

    @Test
    void redirects() throws Exception {
        try (FakeUpstream up = new FakeUpstream("up");
                ProxyHarness p = proxy(up, route("/secure").redirect(true, null, null, 301).build(),
                        route("/moved").redirect(false, "new.example.com:8443", "/landing", 302).build(),
                        route("/").cluster("c").build());
                RawHttpClient c = p.client("in")) {
            c.send("GET /secure/page?a=1&b=2 HTTP/1.1\r\nHost: shop.example.com:8080\r\n\r\n");
            RawResponse r = c.readResponse();
            assertEquals(301, r.status());
            assertEquals("https://shop.example.com/secure/page?a=1&b=2", r.header("location"),
                    "https drops the plaintext port, keeps path and query");
            assertEquals("0", r.header("content-length"));
            c.send("GET /moved/x?q=1 HTTP/1.1\r\nHost: shop.example.com\r\n\r\n");
            RawResponse moved = c.readResponse();
            assertEquals(302, moved.status());
            assertEquals("http://new.example.com:8443/landing?q=1", moved.header("location"));
            assertEquals(0, up.requests().size());
        }
    }

    /** Sequential requests on one route: the smooth schedule makes the split exact, here 90 : 10 of 100. */
    @Test
    void aWeightedSplitSendsEachClusterItsShare() throws Exception {
        try (FakeUpstream stable = new FakeUpstream("stable"); FakeUpstream canary = new FakeUpstream("canary");
                ProxyHarness p = ProxyHarness.start(
                        List.of(listener("in", route("/").split(new WeightedCluster("stable", 90),
                                new WeightedCluster("canary", 10)).build())),
                        List.of(cluster("stable", LbPolicy.ROUND_ROBIN, stable.address()),
                                cluster("canary", LbPolicy.ROUND_ROBIN, canary.address())));
                RawHttpClient c = p.client("in")) {
            for (int i = 0; i < 100; i++) {
                assertEquals(200, c.get("/").status());
            }
            assertEquals(90, stable.requests().size());
            assertEquals(10, canary.requests().size());
            assertTrue(p.server().metrics().prometheus().contains(
                    "remora_upstream_attempts_total{cluster=\"canary\"} 10"), "each cluster counts its own");
        }
    }
}
