package io.remora.config.model;

import java.time.Duration;
import java.util.List;

/**
 * One listening socket. The {@code name} is its identity across reloads.
 *
 * @param cluster               TCP listeners only: the upstream cluster ({@code null} for HTTP)
 * @param routes                HTTP listeners only: first match wins (empty for TCP)
 * @param idleTimeout           an HTTP connection with no request in flight and no bytes for this long is closed
 * @param streamIdleTimeout     a request/response, or a TCP session, with no bytes moving in either direction
 *                              for this long is ended (HTTP: 408 before the response started, reset after)
 * @param requestHeadersTimeout the whole request head must arrive within this from its first byte
 * @param maxRequestHeadersKb   request line plus headers, in KiB
 * @param tls                   TLS termination (and client-certificate checks), or {@code null} for plaintext
 * @param accessLog             HTTP listeners only: where and how requests are logged; {@code null} = none
 * @param maxHeadersCount       HTTP listeners only: header fields in a request head (and in its trailer section);
 *                              over → 431
 * @param headersWithUnderscores HTTP listeners only: what to do with request header names containing {@code _}
 * @param maxConnections        downstream connections open at once; accepted connections beyond it are closed at
 *                              once and counted; 0 = no limit
 * @param normalizePath         HTTP listeners only: decode percent-encoded unreserved characters and remove
 *                              dot-segments of the path before routing, and forward the normalized path
 * @param mergeSlashes          HTTP listeners only: also merge runs of {@code /} in the path into one
 * @param rateLimit             HTTP listeners only: a local rate limit over all of the listener's requests, or
 *                              {@code null}
 * @param http2                 HTTP listeners only: the limits of connections that speak HTTP/2; never
 *                              {@code null} ({@link Defaults#HTTP2} when not configured)
 */
public record ListenerConfig(
        String name,
        HostPort address,
        Protocol protocol,
        String cluster,
        List<RouteConfig> routes,
        Duration idleTimeout,
        Duration streamIdleTimeout,
        Duration requestHeadersTimeout,
        int maxRequestHeadersKb,
        AccessLogConfig accessLog,
        TlsConfig tls,
        int maxHeadersCount,
        HeadersWithUnderscores headersWithUnderscores,
        int maxConnections,
        boolean normalizePath,
        boolean mergeSlashes,
        RateLimitConfig rateLimit,
        Http2Config http2) {

    public ListenerConfig {
        routes = List.copyOf(routes);
        if (http2 == null) {
            http2 = Defaults.HTTP2;
        }
        if (headersWithUnderscores == null) {
            headersWithUnderscores = Defaults.HEADERS_WITH_UNDERSCORES;
        }
    }

    /** A listener with the default HTTP/2 limits (the constructor of code written before HTTP/2 existed). */
    public ListenerConfig(String name, HostPort address, Protocol protocol, String cluster, List<RouteConfig> routes,
            Duration idleTimeout, Duration streamIdleTimeout, Duration requestHeadersTimeout,
            int maxRequestHeadersKb, AccessLogConfig accessLog, TlsConfig tls, int maxHeadersCount,
            HeadersWithUnderscores headersWithUnderscores, int maxConnections, boolean normalizePath,
            boolean mergeSlashes, RateLimitConfig rateLimit) {
        this(name, address, protocol, cluster, routes, idleTimeout, streamIdleTimeout, requestHeadersTimeout,
                maxRequestHeadersKb, accessLog, tls, maxHeadersCount, headersWithUnderscores, maxConnections,
                normalizePath, mergeSlashes, rateLimit, Defaults.HTTP2);
    }

    /** A listener without a rate limit (the constructor of code written before rate limits existed). */
    public ListenerConfig(String name, HostPort address, Protocol protocol, String cluster, List<RouteConfig> routes,
            Duration idleTimeout, Duration streamIdleTimeout, Duration requestHeadersTimeout,
            int maxRequestHeadersKb, AccessLogConfig accessLog, TlsConfig tls, int maxHeadersCount,
            HeadersWithUnderscores headersWithUnderscores, int maxConnections, boolean normalizePath,
            boolean mergeSlashes) {
        this(name, address, protocol, cluster, routes, idleTimeout, streamIdleTimeout, requestHeadersTimeout,
                maxRequestHeadersKb, accessLog, tls, maxHeadersCount, headersWithUnderscores, maxConnections,
                normalizePath, mergeSlashes, null);
    }

    /** A listener with the defaults of the HTTP/1.1 strictness settings (code written before they existed). */
    public ListenerConfig(String name, HostPort address, Protocol protocol, String cluster, List<RouteConfig> routes,
            Duration idleTimeout, Duration streamIdleTimeout, Duration requestHeadersTimeout,
            int maxRequestHeadersKb, AccessLogConfig accessLog, TlsConfig tls) {
        this(name, address, protocol, cluster, routes, idleTimeout, streamIdleTimeout, requestHeadersTimeout,
                maxRequestHeadersKb, accessLog, tls, Defaults.MAX_HEADERS_COUNT, Defaults.HEADERS_WITH_UNDERSCORES,
                Defaults.MAX_CONNECTIONS, Defaults.NORMALIZE_PATH, Defaults.MERGE_SLASHES);
    }

    /** A listener without an access log (the constructor of code written before access logs existed). */
    public ListenerConfig(String name, HostPort address, Protocol protocol, String cluster, List<RouteConfig> routes,
            Duration idleTimeout, Duration streamIdleTimeout, Duration requestHeadersTimeout,
            int maxRequestHeadersKb) {
        this(name, address, protocol, cluster, routes, idleTimeout, streamIdleTimeout, requestHeadersTimeout,
                maxRequestHeadersKb, null, null);
    }

    /** A listener without TLS (the constructor of code written before TLS existed). */
    public ListenerConfig(String name, HostPort address, Protocol protocol, String cluster, List<RouteConfig> routes,
            Duration idleTimeout, Duration streamIdleTimeout, Duration requestHeadersTimeout,
            int maxRequestHeadersKb, AccessLogConfig accessLog) {
        this(name, address, protocol, cluster, routes, idleTimeout, streamIdleTimeout, requestHeadersTimeout,
                maxRequestHeadersKb, accessLog, null);
    }
}
