package io.remora.core.http;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.Defaults;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.RouteConfig;
import io.remora.config.model.RouteMatch;
import io.remora.core.testing.Await;
import io.remora.core.testing.HttpWire;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawBackend;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawRequest;
import io.remora.core.testing.RawResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connections that stop being HTTP: an {@code Upgrade} (WebSocket) answered with 101, and {@code CONNECT}
 * answered with 2xx, become byte tunnels with half-close passed through.
 *
 * <p>Remora does not terminate {@code CONNECT} itself: it routes the request like any other (a CONNECT has no
 * path, so it is matched as {@code /} — a catch-all route takes it, host and header conditions still apply)
 * and forwards it to the route's cluster; the upstream's 2xx opens the tunnel. The backend here is therefore a
 * CONNECT-speaking echo server: it answers the CONNECT, then echoes.
 */
@Timeout(30)
class UpgradeAndConnectTest {
    private static final String FAREWELL = "<bye>";

    private static ProxyHarness proxy(RawBackend up, List<RouteConfig> routes) throws Exception {
        return ProxyHarness.start(List.of(httpListener("in", routes)),
                List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())));
    }

    /** Answers an upgrade (or CONNECT) with {@code accept}, then echoes until EOF and says goodbye. */
    private static RawBackend tunnelBackend(String accept, String greeting) throws Exception {
        return new RawBackend(conn -> {
            conn.readHead();
            conn.write(accept + greeting);
            conn.echoUntilEof();
            conn.write(FAREWELL);
        });
    }

    private static void assertEchoAndHalfClose(RawHttpClient c, String greeting) throws Exception {
        if (!greeting.isEmpty()) {
            assertEquals(greeting, HttpWire.ascii(c.readExactly(greeting.length())),
                    "bytes the upstream sent right behind its 101/200 are not lost");
        }
        c.send("ping-1");
        assertEquals("ping-1", HttpWire.ascii(c.readExactly(6)));
        byte[] blob = new byte[256 * 1024];
        ThreadLocalRandom.current().nextBytes(blob);
        Thread writer = new Thread(() -> {
            try {
                c.send(blob);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        assertArrayEquals(blob, c.readExactly(blob.length), "binary bytes echo intact both ways");
        writer.join();
        c.shutdownOutput(); // half-close: the upstream sees EOF, and can still answer
        assertEquals(FAREWELL, HttpWire.ascii(c.readUntilClosed()));
    }

    @Test
    void webSocketUpgradeBecomesATunnelWithHalfClose() throws Exception {
        try (RawBackend up = tunnelBackend("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n", "");
                ProxyHarness p = proxy(up, List.of(route("/", "c"))); RawHttpClient c = p.client("in")) {
            c.send("GET /chat HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            RawResponse r = c.readHead();
            assertEquals(101, r.status());
            assertEquals("websocket", r.header("upgrade"));
            assertEquals("upgrade", r.header("connection").toLowerCase(Locale.ROOT));
            assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", r.header("sec-websocket-accept"));
            RawRequest seen = up.requests().get(0);
            assertEquals("websocket", seen.header("upgrade"));
            assertTrue(seen.header("connection").toLowerCase(Locale.ROOT).contains("upgrade"));
            assertEquals("dGhlIHNhbXBsZSBub25jZQ==", seen.header("sec-websocket-key"));
            assertEchoAndHalfClose(c, "");
            Await.until("the tunnel to be torn down", () -> p.server().activeConnections() == 0);
        }
    }

    @Test
    void bytesRightBehindThe101AreRelayed() throws Exception {
        try (RawBackend up = tunnelBackend("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\n\r\n", "server-hello");
                ProxyHarness p = proxy(up, List.of(route("/", "c"))); RawHttpClient c = p.client("in")) {
            c.send("GET /chat HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            assertEquals(101, c.readHead().status());
            assertEchoAndHalfClose(c, "server-hello");
        }
    }

    @Test
    void declinedUpgradeIsAnOrdinaryResponse() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    while (conn.readRequest() != null) {
                        conn.respond("no upgrade for you");
                    }
                });
                ProxyHarness p = proxy(up, List.of(route("/", "c"))); RawHttpClient c = p.client("in")) {
            c.send("GET /chat HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            RawResponse r = c.readResponse();
            assertEquals(200, r.status());
            assertEquals("no upgrade for you", r.bodyText());
            assertEquals(200, c.get("/plain").status(), "the connection is still HTTP");
        }
    }

    @Test
    void upstreamClosingATunnelClosesTheClient() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    conn.readHead();
                    conn.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\nlast words");
                });
                ProxyHarness p = proxy(up, List.of(route("/", "c"))); RawHttpClient c = p.client("in")) {
            c.send("GET / HTTP/1.1\r\nHost: t\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n");
            assertEquals(101, c.readHead().status());
            assertEquals("last words", HttpWire.ascii(c.readUntilClosed()));
        }
    }

    @Test
    void connectThroughACatchAllRouteBecomesATunnel() throws Exception {
        try (RawBackend up = tunnelBackend("HTTP/1.1 200 Connection Established\r\n\r\n", "");
                ProxyHarness p = proxy(up, List.of(route("/", "c"))); RawHttpClient c = p.client("in")) {
            c.send("CONNECT db.internal:5432 HTTP/1.1\r\nHost: db.internal:5432\r\n\r\n");
            RawResponse r = c.readResponse("CONNECT");
            assertEquals(200, r.status(), r.toString());
            RawRequest seen = up.requests().get(0);
            assertEquals("CONNECT", seen.method());
            assertEquals("db.internal:5432", seen.uri());
            assertEchoAndHalfClose(c, "");
        }
    }

    @Test
    void connectIsRoutedByItsAuthority() throws Exception {
        RouteConfig dbOnly = new RouteConfig(new RouteMatch("/", null, "db.internal", Map.of()), "c",
                Defaults.ROUTE_TIMEOUT);
        try (RawBackend up = tunnelBackend("HTTP/1.1 200 Connection Established\r\n\r\n", "");
                ProxyHarness p = proxy(up, List.of(dbOnly)); RawHttpClient c = p.client("in")) {
            c.send("CONNECT other.internal:443 HTTP/1.1\r\nHost: other.internal:443\r\n\r\n");
            RawResponse r = c.readResponse();
            assertEquals(404, r.status());
            assertEquals("NR", r.flags());
            // a CONNECT that is not tunnelled ends its connection: the bytes after it were meant for a tunnel
            assertEquals("close", r.header("connection"));
            c.readUntilClosed();
            try (RawHttpClient c2 = p.client("in")) {
                c2.send("CONNECT other.internal:443 HTTP/1.1\r\nHost: db.internal\r\n\r\n");
                assertEquals(400, c2.readResponse().status(),
                        "a Host naming another host than the target is ambiguous: rejected, never routed by Host");
            }
            try (RawHttpClient c3 = p.client("in")) {
                c3.send("CONNECT db.internal:5432 HTTP/1.1\r\nHost: db.internal:5432\r\n\r\n");
                assertEquals(200, c3.readResponse("CONNECT").status());
                assertEchoAndHalfClose(c3, "");
            }
        }
    }

    @Test
    void connectOnlyMatchesCatchAllRoutes() throws Exception {
        try (RawBackend up = tunnelBackend("HTTP/1.1 200 Connection Established\r\n\r\n", "");
                ProxyHarness p = proxy(up, List.of(route("/api", "c"))); RawHttpClient c = p.client("in")) {
            c.send("CONNECT db.internal:5432 HTTP/1.1\r\nHost: db.internal:5432\r\n\r\n");
            RawResponse r = c.readResponse();
            assertEquals(404, r.status(), "a CONNECT has no path under /api");
            assertEquals(0, up.connections());
        }
    }

    @Test
    void refusedConnectIsRelayedAsAnOrdinaryResponse() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    while (conn.readRequest() != null) {
                        conn.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 7\r\n\r\nnot you");
                    }
                });
                ProxyHarness p = proxy(up, List.of(route("/", "c"))); RawHttpClient c = p.client("in")) {
            c.send("CONNECT db.internal:5432 HTTP/1.1\r\nHost: db.internal:5432\r\n\r\n");
            RawResponse r = c.readResponse("CONNECT");
            assertEquals(403, r.status());
            assertEquals("not you", r.bodyText());
            // the connection ends: bytes the client sent after its CONNECT were meant for a tunnel, never for HTTP
            assertEquals("close", r.header("connection"));
            c.readUntilClosed();
        }
    }
}
