package io.remora.config.load;

import io.remora.config.model.AccessLogConfig;
import io.remora.config.model.TlsConfig;
import io.remora.config.model.Defaults;
import io.remora.config.model.HeadersWithUnderscores;
import io.remora.config.model.HostPort;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.Protocol;
import io.remora.config.model.RateLimitConfig;
import io.remora.config.model.RouteConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one element of {@code listeners}. The protocol decides which keys belong: an http listener routes each
 * request ({@code routes}), a tcp listener forwards every connection to one {@code cluster}; giving the other
 * protocol's key is an error, because it would be silently ignored.
 */
final class ListenerReader {

    /** Stands for an element that is not a map at all, so that later elements keep their indices. */
    private static final ListenerConfig UNREADABLE =
            new ListenerConfig(null, null, null, null, List.of(), null, null, null, 0);

    private static final String ACCESS_LOG_FORM = "a map such as { path: /dev/stdout, format: json }";

    private ListenerReader() {
    }

    static ListenerConfig read(Object value, String path, ErrorList errors) {
        MapReader m = MapReader.openElement(value, path, ConfigKeys.LISTENER,
                "a map such as { name: ingress, address: 127.0.0.1:15001, routes: [...] }", errors);
        if (m == null) {
            return UNREADABLE;
        }
        String name = m.requiredString("name", "a unique listener name");
        HostPort address = m.hostPort("address", null);
        Protocol protocol = m.choice("protocol", Defaults.LISTENER_PROTOCOL, Protocol.values(),
                Protocol::configName, List.of());
        String cluster = null;
        List<RouteConfig> routes = List.of();
        if (protocol == Protocol.TCP) {
            cluster = m.requiredString("cluster", "the name of the cluster a tcp listener forwards to");
            if (m.has("routes")) {
                errors.add(m.path("routes"),
                        "only http listeners have routes; a tcp listener forwards every connection to its cluster");
            }
        } else {
            if (protocol == Protocol.HTTP && m.has("cluster")) {
                errors.add(m.path("cluster"),
                        "only tcp listeners have a cluster; an http listener picks one per route (routes[].cluster)");
            }
            // an invalid protocol still gets its routes read, for their errors, but not demanded
            routes = readRoutes(m, protocol == Protocol.HTTP);
        }
        Duration idleTimeout = m.duration("idle_timeout", Defaults.LISTENER_IDLE_TIMEOUT);
        Duration streamIdleTimeout = m.duration("stream_idle_timeout", Defaults.STREAM_IDLE_TIMEOUT);
        Duration requestHeadersTimeout = m.duration("request_headers_timeout", Defaults.REQUEST_HEADERS_TIMEOUT);
        int maxRequestHeadersKb = m.integer("max_request_headers_kb", Defaults.MAX_REQUEST_HEADERS_KB, 1, 1024);
        AccessLogConfig accessLog = readAccessLog(m, protocol);
        TlsConfig tls = TlsReader.readListener(m);
        // issue 10: HTTP/1.1 strictness and connection limits
        int maxHeadersCount = Defaults.MAX_HEADERS_COUNT;
        HeadersWithUnderscores underscores = Defaults.HEADERS_WITH_UNDERSCORES;
        boolean normalizePath = Defaults.NORMALIZE_PATH;
        boolean mergeSlashes = Defaults.MERGE_SLASHES;
        if (httpOnly(m, protocol, "max_headers_count")) {
            maxHeadersCount = m.integer("max_headers_count", Defaults.MAX_HEADERS_COUNT, 1, 1000);
        }
        if (httpOnly(m, protocol, "headers_with_underscores")) {
            HeadersWithUnderscores u = m.choice("headers_with_underscores", Defaults.HEADERS_WITH_UNDERSCORES,
                    HeadersWithUnderscores.values(), HeadersWithUnderscores::configName, List.of());
            underscores = u != null ? u : Defaults.HEADERS_WITH_UNDERSCORES;
        }
        if (httpOnly(m, protocol, "normalize_path")) {
            normalizePath = m.bool("normalize_path", Defaults.NORMALIZE_PATH);
        }
        if (httpOnly(m, protocol, "merge_slashes")) {
            mergeSlashes = m.bool("merge_slashes", Defaults.MERGE_SLASHES);
        }
        int maxConnections = m.integer("max_connections", Defaults.MAX_CONNECTIONS, 0, Integer.MAX_VALUE);
        RateLimitConfig rateLimit = null;
        if (protocol == Protocol.TCP && m.has("rate_limit")) {
            errors.add(m.path("rate_limit"), "only http listeners have a rate limit: it counts requests");
        } else {
            rateLimit = TrafficPolicyReader.rateLimit(m);
        }
        io.remora.config.model.Http2Config http2 = Http2Reader.listener(m, protocol); // issue 7
        return new ListenerConfig(name, address, protocol, cluster, routes, idleTimeout, streamIdleTimeout,
                requestHeadersTimeout, maxRequestHeadersKb, accessLog, tls, maxHeadersCount, underscores,
                maxConnections, normalizePath, mergeSlashes, rateLimit, http2);
    }

    /**
     * Whether {@code key} is present and may be read: keys about HTTP messages are an error on a tcp listener,
     * where they would be silently ignored.
     */
    private static boolean httpOnly(MapReader m, Protocol protocol, String key) {
        if (!m.has(key)) {
            return false;
        }
        if (protocol == Protocol.TCP) {
            m.errors().add(m.path(key), "only http listeners parse HTTP messages; a tcp listener forwards bytes");
            return false;
        }
        return true;
    }

    /**
     * {@code access_log: { path: /dev/stdout | FILE, format: json }}; {@code null} if absent or invalid. Only http
     * listeners log requests: on a tcp listener the key is an error rather than a log that never gets a line.
     */
    private static AccessLogConfig readAccessLog(MapReader listener, Protocol protocol) {
        if (!listener.has("access_log")) {
            return null;
        }
        if (protocol == Protocol.TCP) {
            listener.errors().add(listener.path("access_log"),
                    "only http listeners have an access log in this version of Remora");
            return null;
        }
        MapReader m = listener.section("access_log", ConfigKeys.ACCESS_LOG, ACCESS_LOG_FORM);
        if (m == null) {
            return null;
        }
        String path = null;
        if (!m.has("path")) {
            m.errors().missing(m.path("path"), "/dev/stdout, /dev/stderr or a file path");
        } else {
            path = m.string("path", "/dev/stdout, /dev/stderr or a file path");
            if (path != null && path.isBlank()) {
                m.errors().add(m.path("path"), path, "must not be empty");
                path = null;
            } else if (path != null && path.endsWith("/")) {
                m.errors().add(m.path("path"), path, "expected a file, not a directory");
                path = null;
            } else if (path != null && path.indexOf('\0') >= 0) {
                m.errors().add(m.path("path"), path, "must not contain a NUL character");
                path = null;
            }
        }
        String format = m.choice("format", Defaults.ACCESS_LOG_FORMAT, new String[] {AccessLogConfig.JSON},
                f -> f, List.of());
        return path == null || format == null ? null : new AccessLogConfig(path, format);
    }

    private static List<RouteConfig> readRoutes(MapReader m, boolean required) {
        List<Object> items = m.list("routes", "a list of routes such as [ { match: { prefix: / }, cluster: api } ]");
        if (items == null) {
            return List.of();
        }
        if (items.isEmpty() && required) {
            m.errors().add(m.path("routes"),
                    "an http listener needs at least one route, such as { match: { prefix: / }, cluster: api }");
        }
        List<RouteConfig> routes = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            routes.add(RouteReader.read(items.get(i), Paths.index(m.path("routes"), i), m.errors()));
        }
        return routes;
    }
}
