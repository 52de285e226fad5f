package io.remora.core.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.remora.config.model.Defaults;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.RouteConfig;
import io.remora.config.model.RouteMatch;
import io.remora.core.testing.Configs;
import io.remora.core.upstream.ClusterManager;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Route matching on plain request objects: no listener, no sockets, no DNS. */
class RouterTest {
    private final ClusterManager clusters = new ClusterManager(
            List.of(Configs.cluster("c1", LbPolicy.ROUND_ROBIN, "10.0.0.1:80"),
                    Configs.cluster("c2", LbPolicy.ROUND_ROBIN, "10.0.0.2:80"),
                    Configs.cluster("c3", LbPolicy.ROUND_ROBIN, "10.0.0.3:80")),
            (host, family) -> fail("routing must not resolve " + host), new SplittableRandom(1), h -> { });

    @AfterEach
    void close() {
        clusters.close();
    }

    private static RouteConfig route(String prefix, String path, String host, Map<String, String> headers,
            String cluster) {
        return new RouteConfig(new RouteMatch(prefix, path, host, headers), cluster, Defaults.ROUTE_TIMEOUT);
    }

    private static RouteConfig prefix(String prefix, String cluster) {
        return route(prefix, null, null, null, cluster);
    }

    private static RouteConfig path(String path, String cluster) {
        return route(null, path, null, null, cluster);
    }

    private static RouteConfig host(String host, String cluster) {
        return route(null, null, host, null, cluster);
    }

    private static HttpRequest get(String uri) {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    }

    private static HttpRequest get(String uri, String host) {
        HttpRequest r = get(uri);
        r.headers().set(HttpHeaderNames.HOST, host);
        return r;
    }

    private Router router(RouteConfig... routes) {
        return new Router(List.of(routes), clusters);
    }

    /** The cluster name of the route taken, or null if none. */
    private static String clusterOf(Router router, HttpRequest request) {
        Route r = router.route(request);
        return r == null ? null : r.cluster().name();
    }

    @Test
    void routeCarriesItsConfigAndRunningCluster() {
        RouteConfig c = prefix("/", "c2");
        Route r = router(c).route(get("/x", "h"));
        assertNotNull(r);
        assertSame(c, r.config());
        assertSame(clusters.cluster("c2"), r.cluster());
        assertEquals(Defaults.ROUTE_TIMEOUT.toNanos(), r.timeoutNanos());
    }

    @Test
    void prefixIsComparedByteForByte() {
        Router router = router(prefix("/api", "c1"));
        assertEquals("c1", clusterOf(router, get("/api", "h")));
        assertEquals("c1", clusterOf(router, get("/api/v1/users?id=3", "h")));
        assertEquals("c1", clusterOf(router, get("/apix", "h")));
        assertNull(clusterOf(router, get("/ap", "h")));
        assertNull(clusterOf(router, get("/API", "h")));
        assertNull(clusterOf(router, get("/", "h")));
    }

    @Test
    void noPrefixAndNoPathMeansEverything() {
        Router router = router(route(null, null, null, null, "c1"));
        assertEquals("c1", clusterOf(router, get("/", "h")));
        assertEquals("c1", clusterOf(router, get("/anything/at/all?x", "h")));
        assertEquals("c1", clusterOf(router, get("/y")));
    }

    @Test
    void exactPathIgnoresTheQueryString() {
        Router router = router(path("/health", "c1"));
        assertEquals("c1", clusterOf(router, get("/health", "h")));
        assertEquals("c1", clusterOf(router, get("/health?verbose=1", "h")));
        assertEquals("c1", clusterOf(router, get("/health?", "h")));
        assertEquals("c1", clusterOf(router, get("/health#top", "h")));
        assertNull(clusterOf(router, get("/health/", "h")));
        assertNull(clusterOf(router, get("/healthz", "h")));
        assertNull(clusterOf(router, get("/", "h")));
    }

    @Test
    void exactHostIgnoresPortAndCase() {
        Router router = router(host("api.example.com", "c1"));
        assertEquals("c1", clusterOf(router, get("/", "api.example.com")));
        assertEquals("c1", clusterOf(router, get("/", "api.example.com:8080")));
        assertEquals("c1", clusterOf(router, get("/", "API.Example.COM")));
        assertEquals("c1", clusterOf(router, get("/", "Api.Example.Com:443")));
        assertNull(clusterOf(router, get("/", "example.com")));
        assertNull(clusterOf(router, get("/", "x.api.example.com")));
        assertNull(clusterOf(router, get("/", "api.example.com.evil")));
        assertNull(clusterOf(router, get("/")), "no Host header");
        assertNull(clusterOf(router, get("/", "")), "empty Host header");
    }

    @Test
    void configuredHostIsCaseInsensitiveToo() {
        Router router = router(host("API.Example.com", "c1"), host("*.EXAMPLE.org", "c2"));
        assertEquals("c1", clusterOf(router, get("/", "api.example.com")));
        assertEquals("c2", clusterOf(router, get("/", "www.example.org")));
    }

    @Test
    void wildcardHostMatchesSubdomainsOnly() {
        Router router = router(host("*.example.com", "c1"));
        assertEquals("c1", clusterOf(router, get("/", "a.example.com")));
        assertEquals("c1", clusterOf(router, get("/", "a.b.example.com")));
        assertEquals("c1", clusterOf(router, get("/", "A.Example.Com:8443")));
        assertNull(clusterOf(router, get("/", "example.com")));
        assertNull(clusterOf(router, get("/", "example.com:80")));
        assertNull(clusterOf(router, get("/", "badexample.com")));
        assertNull(clusterOf(router, get("/", ".example.com")));
        assertNull(clusterOf(router, get("/", "a.example.com.evil")));
        assertNull(clusterOf(router, get("/")));
    }

    @Test
    void everyHeaderMustMatchExactly() {
        Router router = router(route("/", null, null, Map.of("x-env", "canary", "x-tenant", "t1"), "c1"));
        HttpRequest both = get("/", "h");
        both.headers().set("X-Env", "canary").set("x-tenant", "t1"); // header names are case-insensitive
        assertEquals("c1", clusterOf(router, both));

        HttpRequest one = get("/", "h");
        one.headers().set("x-env", "canary");
        assertNull(clusterOf(router, one), "x-tenant missing");

        HttpRequest wrongCase = get("/", "h");
        wrongCase.headers().set("x-env", "Canary").set("x-tenant", "t1");
        assertNull(clusterOf(router, wrongCase), "values are compared exactly");

        HttpRequest longer = get("/", "h");
        longer.headers().set("x-env", "canary-2").set("x-tenant", "t1");
        assertNull(clusterOf(router, longer), "no prefix match on values");
    }

    @Test
    void allConditionsOfARouteMustHold() {
        Router router = router(route("/api", null, "*.example.com", Map.of("x-env", "canary"), "c1"));
        HttpRequest ok = get("/api/x", "a.example.com");
        ok.headers().set("x-env", "canary");
        assertEquals("c1", clusterOf(router, ok));

        HttpRequest wrongPath = get("/web", "a.example.com");
        wrongPath.headers().set("x-env", "canary");
        assertNull(clusterOf(router, wrongPath));

        HttpRequest wrongHost = get("/api/x", "example.com");
        wrongHost.headers().set("x-env", "canary");
        assertNull(clusterOf(router, wrongHost));

        assertNull(clusterOf(router, get("/api/x", "a.example.com")), "header missing");
    }

    @Test
    void firstMatchWins() {
        HttpRequest canary = get("/api/users", "h");
        canary.headers().set("x-env", "canary");
        Router router = router(
                route("/api", null, null, Map.of("x-env", "canary"), "c3"),
                prefix("/api", "c1"),
                prefix("/api/users", "c2"), // shadowed by the route before it
                prefix("/", "c2"));
        assertEquals("c3", clusterOf(router, canary));
        assertEquals("c1", clusterOf(router, get("/api/users", "h")));
        assertEquals("c2", clusterOf(router, get("/web", "h")));

        Router reversed = router(prefix("/", "c2"), prefix("/api", "c1"));
        assertEquals("c2", clusterOf(reversed, get("/api/users", "h")));
    }

    @Test
    void noMatchIsNull() {
        assertNull(clusterOf(router(prefix("/api", "c1"), host("a.example.com", "c2")), get("/web", "b.example.com")));
        assertNull(router().route(get("/", "h")), "no routes at all");
    }

    @Test
    void absoluteFormMatchesOnItsPathAndAuthority() {
        Router router = router(route("/p", null, "h.example.com", null, "c1"), path("/", "c2"));
        // RFC 9112 3.2.2: with absolute-form the authority of the target wins over the Host header
        assertEquals("c1", clusterOf(router, get("http://h.example.com/p?q=1")));
        assertEquals("c1", clusterOf(router, get("http://H.Example.com:8080/p/x?q", "h.example.com:8080")));
        assertEquals("c1", clusterOf(router, get("http://h.example.com/p", "other.example.com")));
        assertEquals("c2", clusterOf(router, get("http://h.example.com")));
        assertEquals("c2", clusterOf(router, get("http://h.example.com?x=/p")));
        assertNull(clusterOf(router, get("http://other.example.com/p", "h.example.com")));
    }

    @Test
    void pathOf() {
        assertEquals("/", Router.pathOf("/"));
        assertEquals("/a/b", Router.pathOf("/a/b"));
        assertEquals("/a", Router.pathOf("/a?b=c"));
        assertEquals("/a", Router.pathOf("/a?"));
        assertEquals("/a", Router.pathOf("/a#frag"));
        assertEquals("/a", Router.pathOf("/a?b#c"));
        assertEquals("/", Router.pathOf("/?x=/y"));
        assertEquals("/a", Router.pathOf("/a?next=http://b/c"));
        assertEquals("/p", Router.pathOf("http://h/p?q"));
        assertEquals("/p", Router.pathOf("http://h:8080/p"));
        assertEquals("/p", Router.pathOf("https://user:pw@h/p#f"));
        assertEquals("/p", Router.pathOf("http://[::1]:8080/p?q"));
        assertEquals("/", Router.pathOf("http://h"));
        assertEquals("/", Router.pathOf("http://h/"));
        assertEquals("/", Router.pathOf("http://h?q=1"));
        assertEquals("/", Router.pathOf("http://h?next=/p"), "a slash in the query is not the path");
        assertEquals("/", Router.pathOf("http://h#/p"), "a slash in the fragment is not the path");
        assertEquals("*", Router.pathOf("*"), "asterisk-form");
        assertEquals("h:443", Router.pathOf("h:443"), "authority-form");
    }

    @Test
    void authorityOf() {
        assertEquals("example.com", Router.authorityOf(get("/", "example.com")));
        assertEquals("example.com", Router.authorityOf(get("/", "Example.COM:8080")));
        assertEquals("example.com", Router.authorityOf(get("/", "example.com:")));
        assertEquals("10.0.0.1", Router.authorityOf(get("/", "10.0.0.1:80")));
        assertEquals("[::1]", Router.authorityOf(get("/", "[::1]:8080")));
        assertEquals("[::1]", Router.authorityOf(get("/", "[::1]")));
        assertEquals("[2001:db8::a]", Router.authorityOf(get("/", "[2001:DB8::A]:443")));
        assertNull(Router.authorityOf(get("/")));
        assertNull(Router.authorityOf(get("/", "")));
    }

    @Test
    void authorityOfAbsoluteFormComesFromTheTarget() {
        assertEquals("h.example.com", Router.authorityOf(get("http://h.example.com/p")));
        assertEquals("h.example.com", Router.authorityOf(get("http://H.example.com:8080/p", "other")));
        assertEquals("h.example.com", Router.authorityOf(get("http://h.example.com?q")));
        assertEquals("h.example.com", Router.authorityOf(get("http://h.example.com#f")));
        assertEquals("h.example.com", Router.authorityOf(get("http://user:pw@h.example.com:80/")));
        assertEquals("[::1]", Router.authorityOf(get("http://[::1]:8080/p")));
        assertEquals("[::1]", Router.authorityOf(get("http://[::1]")));
        assertEquals("h", Router.authorityOf(get("HTTP://h/")));
        assertNull(Router.authorityOf(get("http:///p")), "empty authority");
    }
}
