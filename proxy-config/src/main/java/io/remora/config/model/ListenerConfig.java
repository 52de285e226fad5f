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
        TlsConfig tls) {

    public ListenerConfig {
        routes = List.copyOf(routes);
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
