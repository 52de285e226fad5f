package io.remora.config.load;

import static io.remora.config.load.Configs.API_CLUSTER;
import static io.remora.config.load.Configs.cluster;
import static io.remora.config.load.Configs.clusterErrors;
import static io.remora.config.load.Configs.errors;
import static io.remora.config.load.Configs.listenerErrors;
import static io.remora.config.load.Configs.route;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.Defaults;
import io.remora.config.model.Http2Config;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.RetryOn;
import io.remora.config.model.UpstreamProtocol;
import io.remora.config.validate.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The keys of issue 7: a listener's {@code http2} limits, a cluster's {@code protocol} and the gRPC conditions of
 * {@code retry_on}: defaults, values, each error with its path, and the old record constructors.
 */
class Http2ConfigTest {

    private static ListenerConfig listener(String extraLines) throws ConfigException {
        return ConfigLoader.parse("""
                listeners:
                  - name: ingress
                    address: 127.0.0.1:15001
                """ + extraLines.indent(4) + """
                    routes: [ { cluster: api } ]
                """ + API_CLUSTER, "test.yaml").listeners().get(0);
    }

    @Test
    void http2DefaultsFollowTheSchema() throws ConfigException {
        Http2Config h = listener("").http2();
        assertEquals(new Http2Config(100, 64 * 1024, 1024 * 1024, 16), h);
        assertEquals(Defaults.HTTP2, h);
        assertEquals(Defaults.HTTP2, listener("http2: {}").http2());
    }

    @Test
    void http2ValuesAreRead() throws ConfigException {
        Http2Config h = listener("""
                http2:
                  max_concurrent_streams: 250
                  initial_stream_window: 1MiB
                  initial_connection_window: 16MiB
                  max_header_list_kb: 32
                """).http2();
        assertEquals(new Http2Config(250, 1024 * 1024, 16 * 1024 * 1024, 32), h);
        assertEquals(65535, listener("http2: { initial_stream_window: 65535 }").http2().initialStreamWindow());
    }

    @Test
    void http2ErrorsHaveTheirPaths() {
        assertEquals(List.of("listeners[0].http2.max_concurrent_streams: 0: must be >= 1"),
                listenerErrors("http2: { max_concurrent_streams: 0 }"));
        assertEquals(List.of("listeners[0].http2.initial_stream_window: \"1KiB\": must be at least 65535 bytes"
                        + " (HTTP/2's own window; a smaller one would stall clients)"),
                listenerErrors("http2: { initial_stream_window: 1KiB }"));
        assertEquals(List.of("listeners[0].http2.max_header_list_kb: 2000: must be 1-1024"),
                listenerErrors("http2: { max_header_list_kb: 2000 }"));
        assertEquals(List.of("listeners[0].http2.max_concurent_streams: unknown key, did you mean"
                        + " \"max_concurrent_streams\"?"),
                listenerErrors("http2: { max_concurent_streams: 10 }"));
        assertEquals(1, listenerErrors("http2: { initial_connection_window: 3GiB }").size());
    }

    @Test
    void http2IsForHttpListenersOnly() {
        assertEquals(List.of("listeners[0].http2: only http listeners speak HTTP/2; a tcp listener's bytes are"
                + " opaque"), errors("""
                listeners:
                  - name: db
                    address: 127.0.0.1:15432
                    protocol: tcp
                    cluster: api
                    http2: { max_concurrent_streams: 10 }
                """ + API_CLUSTER));
    }

    @Test
    void clusterProtocolDefaultsToHttp1() throws ConfigException {
        assertEquals(UpstreamProtocol.HTTP1, cluster("name: api\nendpoints: [ { address: 127.0.0.1:1 } ]")
                .protocol());
        assertEquals(UpstreamProtocol.HTTP2, cluster("name: api\nendpoints: [ { address: 127.0.0.1:1 } ]\n"
                + "protocol: http2").protocol());
        assertEquals(UpstreamProtocol.HTTP1, cluster("name: api\nendpoints: [ { address: 127.0.0.1:1 } ]\n"
                + "protocol: http1").protocol());
    }

    @Test
    void clusterProtocolErrors() {
        assertEquals(List.of("clusters[0].protocol: \"h2\": expected one of: http1, http2, auto"),
                clusterErrors("name: api\nendpoints: [ { address: 127.0.0.1:1 } ]\nprotocol: h2"));
        assertEquals(List.of("clusters[0].protocol: \"auto\": needs tls: ALPN in the TLS handshake is what"
                        + " chooses; without TLS use http1 or http2 (cleartext HTTP/2 with prior knowledge)"),
                clusterErrors("name: api\nendpoints: [ { address: 127.0.0.1:1 } ]\nprotocol: auto"));
        assertEquals(List.of("clusters[0].health_check.http: HTTP health checks speak HTTP/1.1, which an http2"
                        + " cluster's endpoints may not; use tcp: {}"),
                clusterErrors("name: api\nendpoints: [ { address: 127.0.0.1:1 } ]\nprotocol: http2\n"
                        + "health_check: { http: { path: /healthz } }"));
    }

    @Test
    void grpcRetryConditionsAreRead() throws ConfigException {
        assertEquals(Set.of(RetryOn.UNAVAILABLE, RetryOn.CANCELLED, RetryOn.DEADLINE_EXCEEDED, RetryOn.INTERNAL,
                        RetryOn.RESOURCE_EXHAUSTED),
                route("cluster: api\nretry: { retry_on: [unavailable, cancelled, deadline-exceeded, internal,"
                        + " resource-exhausted] }").retry().retryOn());
    }

    @Test
    void recordsWrittenBeforeHttp2KeepTheirConstructors() {
        ClusterConfig c = new ClusterConfig("api", List.of(), Duration.ofSeconds(5), Defaults.DNS_FAMILY,
                Defaults.LB_POLICY, Duration.ofSeconds(1), Duration.ofSeconds(60), 0);
        assertEquals(UpstreamProtocol.HTTP1, c.protocol());
        ListenerConfig l = new ListenerConfig("in", null, Defaults.LISTENER_PROTOCOL, null, List.of(),
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), 64);
        assertEquals(Defaults.HTTP2, l.http2());
    }
}
