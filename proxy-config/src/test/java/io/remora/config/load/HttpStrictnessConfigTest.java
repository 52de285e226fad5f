package io.remora.config.load;

import static io.remora.config.load.Configs.API_CLUSTER;
import static io.remora.config.load.Configs.errors;
import static io.remora.config.load.Configs.listenerErrors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.Defaults;
import io.remora.config.model.HeadersWithUnderscores;
import io.remora.config.model.HostPort;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.Protocol;
import io.remora.config.validate.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The listener keys of issue 10: {@code max_headers_count}, {@code headers_with_underscores},
 * {@code max_connections}, {@code normalize_path} and {@code merge_slashes}: defaults, values, and each error
 * with its path.
 */
class HttpStrictnessConfigTest {

    private static ListenerConfig listener(String extraLines) throws ConfigException {
        return ConfigLoader.parse("""
                listeners:
                  - name: ingress
                    address: 127.0.0.1:15001
                """ + extraLines.indent(4) + """
                    routes: [ { cluster: api } ]
                """ + API_CLUSTER, "test.yaml").listeners().get(0);
    }

    private static List<String> tcpListenerErrors(String extraLines) {
        return errors("""
                listeners:
                  - name: db
                    address: 127.0.0.1:15432
                    protocol: tcp
                    cluster: api
                """ + extraLines.indent(4) + API_CLUSTER);
    }

    @Test
    void defaultsFollowTheSchema() throws ConfigException {
        ListenerConfig l = listener("");
        assertEquals(100, l.maxHeadersCount());
        assertEquals(HeadersWithUnderscores.DROP, l.headersWithUnderscores());
        assertEquals(0, l.maxConnections());
        assertTrue(l.normalizePath());
        assertFalse(l.mergeSlashes());
    }

    @Test
    void valuesAreRead() throws ConfigException {
        ListenerConfig l = listener("""
                max_headers_count: 1000
                headers_with_underscores: reject
                max_connections: 20000
                normalize_path: false
                merge_slashes: true
                """);
        assertEquals(1000, l.maxHeadersCount());
        assertEquals(HeadersWithUnderscores.REJECT, l.headersWithUnderscores());
        assertEquals(20000, l.maxConnections());
        assertFalse(l.normalizePath());
        assertTrue(l.mergeSlashes());
        assertEquals(HeadersWithUnderscores.ALLOW, listener("headers_with_underscores: allow")
                .headersWithUnderscores());
        assertEquals(1, listener("max_headers_count: 1").maxHeadersCount());
    }

    @Test
    void maxHeadersCountIsBounded() {
        assertEquals(List.of("listeners[0].max_headers_count: 0: must be 1-1000"),
                listenerErrors("max_headers_count: 0"));
        assertEquals(List.of("listeners[0].max_headers_count: 1001: must be 1-1000"),
                listenerErrors("max_headers_count: 1001"));
        assertEquals(List.of("listeners[0].max_headers_count: \"many\": expected an integer"),
                listenerErrors("max_headers_count: many"));
    }

    @Test
    void headersWithUnderscoresIsOneOfThree() {
        assertEquals(List.of("listeners[0].headers_with_underscores: \"keep\": expected one of: allow, drop, reject"),
                listenerErrors("headers_with_underscores: keep"));
        assertEquals(List.of("listeners[0].headers_with_underscores: true: expected one of: allow, drop, reject"),
                listenerErrors("headers_with_underscores: true"));
    }

    @Test
    void maxConnectionsIsZeroOrMore() throws ConfigException {
        assertEquals(List.of("listeners[0].max_connections: -1: must be >= 0"),
                listenerErrors("max_connections: -1"));
        assertEquals(List.of("listeners[0].max_connections: 1.5: expected an integer"),
                listenerErrors("max_connections: 1.5"));
        assertEquals(0, listener("max_connections: 0").maxConnections());
    }

    @Test
    void pathSettingsAreBooleans() {
        assertEquals(List.of("listeners[0].normalize_path: \"yes please\": expected true or false",
                        "listeners[0].merge_slashes: 1: expected true or false"),
                listenerErrors("normalize_path: yes please\nmerge_slashes: 1"));
    }

    @Test
    void tcpListenersTakeMaxConnectionsButNoHttpSettings() throws ConfigException {
        assertEquals(List.of(
                        "listeners[0].max_headers_count: only http listeners parse HTTP messages; a tcp listener"
                                + " forwards bytes",
                        "listeners[0].headers_with_underscores: only http listeners parse HTTP messages; a tcp"
                                + " listener forwards bytes",
                        "listeners[0].normalize_path: only http listeners parse HTTP messages; a tcp listener"
                                + " forwards bytes",
                        "listeners[0].merge_slashes: only http listeners parse HTTP messages; a tcp listener"
                                + " forwards bytes"),
                tcpListenerErrors("""
                        max_headers_count: 50
                        headers_with_underscores: allow
                        normalize_path: true
                        merge_slashes: false
                        max_connections: 10
                        """));
        ListenerConfig tcp = ConfigLoader.parse("""
                listeners:
                  - name: db
                    address: 127.0.0.1:15432
                    protocol: tcp
                    cluster: api
                    max_connections: 10
                """ + API_CLUSTER, "test.yaml").listeners().get(0);
        assertEquals(10, tcp.maxConnections());
    }

    @Test
    void theShorterConstructorsTakeTheDefaults() {
        ListenerConfig l = new ListenerConfig("in", new HostPort("127.0.0.1", 1), Protocol.HTTP, null, List.of(),
                Defaults.LISTENER_IDLE_TIMEOUT, Defaults.STREAM_IDLE_TIMEOUT, Defaults.REQUEST_HEADERS_TIMEOUT, 64);
        assertEquals(new ListenerConfig("in", new HostPort("127.0.0.1", 1), Protocol.HTTP, null, List.of(),
                Defaults.LISTENER_IDLE_TIMEOUT, Defaults.STREAM_IDLE_TIMEOUT, Defaults.REQUEST_HEADERS_TIMEOUT, 64,
                null, null, 100, HeadersWithUnderscores.DROP, 0, true, false), l);
    }
}
