package io.remora.core.route;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.remora.config.model.RouteConfig;
import io.remora.core.upstream.ClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** An HTTP listener's routes, in order: the first route whose conditions all hold takes the request. */
public final class Router {
    private final Route[] routes;

    /** Routes whose attempts are counted in a registry of their own (tests and tools). */
    public Router(List<RouteConfig> configs, ClusterManager clusters) {
        this(configs, clusters, new io.remora.core.metrics.MetricsRegistry());
    }

    public Router(List<RouteConfig> configs, ClusterManager clusters, io.remora.core.metrics.MetricsRegistry metrics) {
        this(configs, clusters::cluster, metrics);
    }

    /** @param clusters the running cluster of each name (a reload passes the clusters it is about to run) */
    public Router(List<RouteConfig> configs, java.util.function.Function<String, io.remora.core.upstream.Cluster> clusters,
            io.remora.core.metrics.MetricsRegistry metrics) {
        this(configs, clusters, metrics, io.remora.core.lb.LoadBalancer.threadLocalRandom(), System::nanoTime);
    }

    /**
     * @param clusters the running cluster of each name (a reload passes the clusters it is about to run)
     * @param random   the draws of fault injection (shared by event loops: thread-safe or thread-local)
     * @param clock    the clock of rate limits, monotonic nanoseconds
     */
    public Router(List<RouteConfig> configs, java.util.function.Function<String, io.remora.core.upstream.Cluster> clusters,
            io.remora.core.metrics.MetricsRegistry metrics, java.util.random.RandomGenerator random,
            java.util.function.LongSupplier clock) {
        List<Route> list = new ArrayList<>(configs.size());
        for (RouteConfig c : configs) {
            List<Route.Target> targets = new ArrayList<>();
            for (String name : c.clusters()) {
                targets.add(new Route.Target(name, clusters.apply(name), metrics.cluster(name)));
            }
            list.add(new Route(c, targets, random, clock));
        }
        this.routes = list.toArray(new Route[0]);
    }

    /**
     * Hands the rate limiters of {@code previous} (the router this one replaces in a reload) to the routes that
     * kept both their match and their {@code rate_limit}: their buckets carry over, so a reload is no way to get a
     * fresh burst. Call before this router is published.
     */
    public void inherit(Router previous) {
        if (previous == null) {
            return;
        }
        java.util.Set<Route> taken = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Route r : routes) {
            if (r.rateLimiter() == null) {
                continue;
            }
            for (Route old : previous.routes) {
                if (old.rateLimiter() != null && !taken.contains(old)
                        && old.config().match().equals(r.config().match())
                        && old.rateLimiter().config().equals(r.config().rateLimit())) {
                    r.rateLimiter(old.rateLimiter());
                    taken.add(old);
                    break;
                }
            }
        }
    }

    /** The routes, in order. */
    public List<Route> routes() {
        return List.of(routes);
    }

    /** The matching route, or {@code null} (404 {@code NR}). */
    public Route route(HttpRequest request) {
        // A CONNECT target is an authority, not a path. It is matched as "/" so that a catch-all route can take
        // it (configured prefixes all start with "/", so without this no route could); longer prefixes and exact
        // paths never match it, while host and header conditions still apply.
        String path = HttpMethod.CONNECT.equals(request.method()) ? "/" : pathOf(request.uri());
        String authority = authorityOf(request);
        for (Route r : routes) {
            if (r.matches(path, authority, request.headers())) {
                return r;
            }
        }
        return null;
    }

    /** The path of an origin-form or absolute-form request target, without query or fragment. */
    static String pathOf(String uri) {
        int start = 0;
        if (!uri.startsWith("/")) {
            int scheme = uri.indexOf("://");
            if (scheme < 0) {
                return uri; // asterisk-form or authority-form: matched as is
            }
            start = authorityEnd(uri, scheme + 3);
            if (start == uri.length() || uri.charAt(start) != '/') {
                return "/"; // no path, only a query or a fragment (whose '/' are not the path's)
            }
        }
        int end = uri.length();
        for (int i = start; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        return start == 0 && end == uri.length() ? uri : uri.substring(start, end);
    }

    /**
     * Host header (or the absolute-form or CONNECT authority) without port, lower-case; {@code null} if none.
     */
    static String authorityOf(HttpRequest request) {
        String uri = request.uri();
        int scheme = uri.startsWith("/") ? -1 : uri.indexOf("://");
        String host;
        if (scheme >= 0) {
            // absolute-form: the target's authority wins over the Host header (RFC 9112 section 3.2.2)
            int from = scheme + 3;
            int end = authorityEnd(uri, from);
            int userinfo = uri.lastIndexOf('@', end - 1);
            host = uri.substring(Math.max(from, userinfo + 1), end);
        } else if (HttpMethod.CONNECT.equals(request.method())) {
            // authority-form: the target is where the tunnel goes, so it is what a host condition must see; a
            // Host header that says otherwise must not let a CONNECT through a route meant for another host
            host = uri;
        } else {
            host = request.headers().get(HttpHeaderNames.HOST);
        }
        if (host == null || host.isEmpty()) {
            return null;
        }
        int end = host.length();
        if (host.charAt(0) == '[') {
            int close = host.indexOf(']');
            end = close < 0 ? end : close + 1;
        } else {
            int colon = host.lastIndexOf(':');
            if (colon >= 0) {
                end = colon;
            }
        }
        String h = host.substring(0, end);
        return h.toLowerCase(Locale.ROOT);
    }

    /** Where the authority that starts at {@code from} ends: the first '/', '?' or '#', or the end. */
    private static int authorityEnd(String uri, int from) {
        for (int i = from; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                return i;
            }
        }
        return uri.length();
    }
}
