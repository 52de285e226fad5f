package io.remora.core.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.remora.config.model.Defaults;
import io.remora.config.model.DirectResponseConfig;
import io.remora.config.model.HeaderValue;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.RateLimitConfig;
import io.remora.config.model.RouteConfig;
import io.remora.config.model.RouteMatch;
import io.remora.config.model.WeightedCluster;
import io.remora.core.metrics.MetricsRegistry;
import io.remora.core.testing.Configs;
import io.remora.core.upstream.ClusterManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A route's actions on plain objects: the weighted split, header actions, prefix rewrite, limiter hand-over. */
class RouteActionsTest {
    private final ClusterManager clusters = new ClusterManager(
            List.of(Configs.cluster("stable", LbPolicy.ROUND_ROBIN, "10.0.0.1:80"),
                    Configs.cluster("canary", LbPolicy.ROUND_ROBIN, "10.0.0.2:80"),
                    Configs.cluster("dark", LbPolicy.ROUND_ROBIN, "10.0.0.3:80")),
            (host, family) -> fail("routing must not resolve " + host), new SplittableRandom(1), h -> { });

    @AfterEach
    void close() {
        clusters.close();
    }

    private static RouteConfig route(RouteMatch match, String cluster, List<WeightedCluster> split,
            List<HeaderValue> add, List<String> remove, List<HeaderValue> responseAdd, String rewrite,
            RateLimitConfig rateLimit) {
        return new RouteConfig(match, cluster, Defaults.ROUTE_TIMEOUT, null, split, rateLimit, null, null, add,
                remove, responseAdd, rewrite, null, null);
    }

    private static RouteMatch prefix(String p) {
        return new RouteMatch(p, null, null, Map.of());
    }

    private Route single(RouteConfig c) {
        return new Router(List.of(c), clusters).routes().get(0);
    }

    private Map<String, Integer> split(int picks, WeightedCluster... weights) {
        Route r = single(route(prefix("/"), null, List.of(weights), null, null, null, null, null));
        Map<String, Integer> n = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            Route.Target t = r.pickTarget();
            assertSame(clusters.cluster(t.name()), t.cluster());
            n.merge(t.name(), 1, Integer::sum);
        }
        return n;
    }

    /** The bound is 1% over 10k requests; the smooth schedule is exact over every full cycle. */
    @Test
    void aNinetyTenSplitHoldsExactly() {
        Map<String, Integer> n = split(10_000, new WeightedCluster("stable", 90), new WeightedCluster("canary", 10));
        assertEquals(9000, n.get("stable"));
        assertEquals(1000, n.get("canary"));
    }

    @Test
    void unevenWeightsHoldWithinOnePercentOverTenThousand() {
        Map<String, Integer> n = split(10_000, new WeightedCluster("stable", 7), new WeightedCluster("canary", 3),
                new WeightedCluster("dark", 1));
        assertEquals(10_000 * 7 / 11.0, n.get("stable"), 100);
        assertEquals(10_000 * 3 / 11.0, n.get("canary"), 100);
        assertEquals(10_000 * 1 / 11.0, n.get("dark"), 100);
    }

    @Test
    void theSplitIsSmoothNotBlocky() {
        Route r = single(route(prefix("/"), null, List.of(new WeightedCluster("stable", 3),
                new WeightedCluster("canary", 1)), null, null, null, null, null));
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            order.append(r.pickTarget().name().charAt(0));
        }
        assertEquals(2, order.chars().filter(c -> c == 'c').count(), order.toString());
        assertEquals(-1, order.indexOf("cc"), "canary requests are spread out: " + order);
    }

    @Test
    void aZeroWeightClusterGetsNothing() {
        Map<String, Integer> n = split(1000, new WeightedCluster("stable", 1), new WeightedCluster("dark", 0));
        assertEquals(1000, n.get("stable"));
        assertNull(n.get("dark"));
    }

    @Test
    void aDirectResponseRouteHasNoTarget() {
        RouteConfig c = new RouteConfig(prefix("/"), null, Defaults.ROUTE_TIMEOUT, null, List.of(), null, null, null,
                List.of(), List.of(), List.of(), null, new DirectResponseConfig(200, "ok"), null);
        assertNull(single(c).pickTarget());
    }

    @Test
    void headersAreRemovedThenSetReplacingAnyValueTheClientSent() {
        Route r = single(route(prefix("/"), "stable", null,
                List.of(new HeaderValue("x-env", "prod"), new HeaderValue("x-debug", "0")),
                List.of("cookie", "x-debug"), List.of(new HeaderValue("cache-control", "no-store")), null, null));
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("X-Env", "spoofed").add("x-env", "twice").add("Cookie", "a=b").add("x-debug", "1").add("keep", "me");
        r.applyRequestHeaders(h);
        assertEquals(List.of("prod"), h.getAll("x-env"));
        assertEquals(List.of("0"), h.getAll("x-debug"), "removed, then set: the route's value wins");
        assertNull(h.get("cookie"));
        assertEquals("me", h.get("keep"));
        HttpHeaders resp = new DefaultHttpHeaders().add("cache-control", "max-age=60");
        r.applyResponseHeaders(resp);
        assertEquals(List.of("no-store"), resp.getAll("cache-control"));
    }

    @ParameterizedTest
    @CsvSource({
        "/search,      /find,   /search/q?x=1,  /find/q?x=1",
        "/search/,     /,       /search/q?x=1,  /q?x=1",
        "/search,      /,       /search/q,      //q",        // literal, as Envoy's: pair slashes
        "/search,      /find,   /search,        /find",
        "/search,      /find,   /searching,     /finding",   // a prefix matches bytes, so it rewrites them
        "/,            /v2/,    /users?id=7,    /v2/users?id=7"})
    void prefixRewriteReplacesTheMatchedPrefixAndKeepsTheQuery(String prefix, String rewrite, String uri,
            String expected) {
        Route r = single(route(prefix(prefix), "stable", null, null, null, null, rewrite, null));
        assertEquals(expected, r.rewrite(uri));
    }

    @Test
    void prefixRewriteOfAnExactPathReplacesThePath() {
        Route r = single(route(new RouteMatch(null, "/old", null, Map.of()), "stable", null, null, null, null,
                "/new", null));
        assertEquals("/new?a=b", r.rewrite("/old?a=b"));
        assertEquals("/new", r.rewrite("/old"));
    }

    @Test
    void withoutARewriteTheTargetIsUntouched() {
        Route r = single(route(prefix("/"), "stable", null, null, null, null, null, null));
        String uri = "/a?b";
        assertSame(uri, r.rewrite(uri));
    }

    @Test
    void aReloadThatKeepsARouteAndItsLimitKeepsItsBuckets() {
        RateLimitConfig limit = new RateLimitConfig(10, 5, null);
        Router before = new Router(List.of(route(prefix("/a"), "stable", null, null, null, null, null, limit),
                route(prefix("/b"), "stable", null, null, null, null, null, limit)), clusters);
        Router after = new Router(List.of(route(prefix("/a"), "canary", null, null, null, null, null, limit),
                route(prefix("/b"), "stable", null, null, null, null, null, new RateLimitConfig(20, 5, null)),
                route(prefix("/c"), "stable", null, null, null, null, null, limit)), clusters::cluster,
                new MetricsRegistry());
        after.inherit(before);
        assertSame(before.routes().get(0).rateLimiter(), after.routes().get(0).rateLimiter(), "same match and limit");
        assertNotSame(before.routes().get(1).rateLimiter(), after.routes().get(1).rateLimiter(), "limit changed");
        assertNotSame(before.routes().get(0).rateLimiter(), after.routes().get(2).rateLimiter(), "another route");
    }
}
