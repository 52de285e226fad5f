package io.remora.config.load;

import io.remora.config.model.Defaults;
import io.remora.config.model.HealthCheckConfig;
import io.remora.config.model.Http2Config;
import io.remora.config.model.Protocol;
import io.remora.config.model.TlsConfig;
import io.remora.config.model.UpstreamProtocol;
import java.util.List;

/**
 * Reads the HTTP/2 keys (issue 7): a listener's {@code http2} limits and a cluster's {@code protocol}, with the
 * rules that tie them to other keys: only http listeners speak HTTP/2; {@code protocol: auto} needs {@code tls}
 * (ALPN is what decides); an {@code http2} cluster's health checks cannot be HTTP/1.1 probes.
 */
final class Http2Reader {
    private static final String FORM = "a map such as { max_concurrent_streams: 100, initial_stream_window: 64KiB,"
            + " initial_connection_window: 1MiB, max_header_list_kb: 16 }";
    static final int MAX_HEADER_LIST_KB = 1024;

    private Http2Reader() {
    }

    /** A listener's {@code http2}; the defaults when absent (or invalid: the errors are reported). */
    static Http2Config listener(MapReader listener, Protocol protocol) {
        if (!listener.has("http2")) {
            return Defaults.HTTP2;
        }
        if (protocol == Protocol.TCP) {
            listener.errors().add(listener.path("http2"),
                    "only http listeners speak HTTP/2; a tcp listener's bytes are opaque");
            return Defaults.HTTP2;
        }
        MapReader m = listener.section("http2", ConfigKeys.HTTP2, FORM);
        if (m == null) {
            return Defaults.HTTP2;
        }
        Http2Config d = Defaults.HTTP2;
        int streams = m.integer("max_concurrent_streams", d.maxConcurrentStreams(), 1, Integer.MAX_VALUE);
        int streamWindow = window(m, "initial_stream_window", d.initialStreamWindow());
        int connectionWindow = window(m, "initial_connection_window", d.initialConnectionWindow());
        int headerListKb = m.integer("max_header_list_kb", d.maxHeaderListKb(), 1, MAX_HEADER_LIST_KB);
        return new Http2Config(streams, streamWindow, connectionWindow, headerListKb);
    }

    /** A flow-control window: a size from HTTP/2's minimum (65,535 bytes) to its maximum (2^31 - 1). */
    private static int window(MapReader m, String key, int defaultValue) {
        int n = m.size(key, defaultValue, Http2Config.MAX_WINDOW);
        if (n < Http2Config.MIN_WINDOW) {
            m.errors().add(m.path(key), m.get(key), "must be at least " + Http2Config.MIN_WINDOW
                    + " bytes (HTTP/2's own window; a smaller one would stall clients)");
            return defaultValue;
        }
        return n;
    }

    /**
     * A cluster's {@code protocol}; the default when absent, {@code null} when invalid.
     *
     * @param tls         the cluster's {@code tls}, or null
     * @param healthCheck the cluster's health check, or null
     */
    static UpstreamProtocol cluster(MapReader cluster, TlsConfig tls, HealthCheckConfig healthCheck) {
        UpstreamProtocol p = cluster.choice("protocol", Defaults.CLUSTER_PROTOCOL, UpstreamProtocol.values(),
                UpstreamProtocol::configName, List.of());
        if (p == UpstreamProtocol.AUTO && tls == null && !cluster.has("tls")) {
            cluster.errors().add(cluster.path("protocol"), "auto",
                    "needs tls: ALPN in the TLS handshake is what chooses; without TLS use http1 or http2"
                            + " (cleartext HTTP/2 with prior knowledge)");
        }
        if (p == UpstreamProtocol.HTTP2 && healthCheck != null && healthCheck.httpPath() != null) {
            cluster.errors().add(Paths.child(cluster.path("health_check"), "http"),
                    "HTTP health checks speak HTTP/1.1, which an http2 cluster's endpoints may not; use tcp: {}");
        }
        return p;
    }
}
