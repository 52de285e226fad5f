package io.remora.core.http;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.LbPolicy;
import io.remora.core.testing.Await;
import io.remora.core.testing.Configs;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawBackend;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every status the proxy produces itself, with its {@code x-remora-flags}, over real sockets. */
@Timeout(30)
class ErrorResponsesTest {
    private static ProxyHarness proxy(String upstream) throws Exception {
        return ProxyHarness.start(List.of(httpListener("in", List.of(route("/", "c")))),
                List.of(cluster("c", LbPolicy.ROUND_ROBIN, upstream)));
    }

    @Test
    void noRouteIs404NrAndKeepsTheConnection() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a");
                ProxyHarness p = ProxyHarness.start(List.of(httpListener("in", List.of(route("/api", "c")))),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())));
                RawHttpClient c = p.client("in")) {
            RawResponse r = c.get("/other");
            assertEquals(404, r.status());
            assertEquals("NR", r.flags());
            r = c.get("/api/x"); // same connection: a local reply does not end it
            assertEquals(200, r.status());
            assertNull(r.flags(), "an upstream's own response carries no flag");
            assertEquals(1, up.requests().size());
        }
    }

    @Test
    void unresolvableHostIs503Uh() throws Exception {
        try (ProxyHarness p = ProxyHarness.start(List.of(httpListener("in", List.of(route("/", "c")))),
                List.of(cluster("c", LbPolicy.ROUND_ROBIN, "backend.invalid:8080")),
                (host, family) -> {
                    throw new UnknownHostException(host + ": NXDOMAIN (test resolver)");
                });
                RawHttpClient c = p.client("in")) {
            RawResponse r = c.get("/");
            assertEquals(503, r.status());
            assertEquals("UH", r.flags());
            assertTrue(r.bodyText().contains("no healthy upstream"), r.bodyText());
        }
    }

    @Test
    void connectRefusedIs503Uf() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (ProxyHarness p = proxy("127.0.0.1:" + closedPort); RawHttpClient c = p.client("in")) {
            RawResponse r = c.get("/");
            assertEquals(503, r.status());
            assertEquals("UF", r.flags());
            assertTrue(r.bodyText().contains("127.0.0.1:" + closedPort), r.bodyText());
            assertEquals(503, c.get("/again").status(), "the connection still serves requests");
        }
    }

    @Test
    void upstreamClosingBeforeRespondingIs502Ur() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    conn.readRequest(); // reads the whole request, then closes without a byte (a FIN)
                });
                ProxyHarness p = proxy(up.address()); RawHttpClient c = p.client("in")) {
            long start = System.nanoTime();
            RawResponse r = c.get("/");
            assertEquals(502, r.status(), r.toString());
            assertEquals("UR", r.flags());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5),
                    "an upstream close must be seen at once, not at the route timeout");
            assertEquals(1, up.connections(), "a fresh connection is not retried");
        }
    }

    @Test
    void upstreamResettingBeforeRespondingIs502Ur() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    conn.readRequest();
                    conn.reset(); // RST instead of FIN
                });
                ProxyHarness p = proxy(up.address()); RawHttpClient c = p.client("in")) {
            RawResponse r = c.get("/");
            assertEquals(502, r.status(), r.toString());
            assertEquals("UR", r.flags());
        }
    }

    @Test
    void routeTimeoutIs504Ut() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    conn.readRequest();
                    conn.awaitEof(); // never answers
                });
                ProxyHarness p = ProxyHarness.start(List.of(httpListener("in",
                        List.of(route("/", "c", Duration.ofMillis(200))))),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())));
                RawHttpClient c = p.client("in")) {
            long start = System.nanoTime();
            RawResponse r = c.get("/slow");
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(504, r.status());
            assertEquals("UT", r.flags());
            assertTrue(tookMs >= 190 && tookMs < 3000, "504 after the 200 ms route timeout, took " + tookMs + " ms");
            // the upstream connection that timed out is closed, not pooled: its response could still arrive
            Await.until("the timed-out upstream connection to close", () -> up.openConnections() == 0);
            assertEquals(0, p.server().idleUpstreamConnections());
        }
    }

    @Test
    void requestHeadersOverTheLimitAre431AndClose() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a");
                ProxyHarness p = ProxyHarness.start(List.of(Configs.withMaxRequestHeadersKb(
                        httpListener("in", List.of(route("/", "c"))), 1)),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())));
                RawHttpClient c = p.client("in")) {
            c.send("GET / HTTP/1.1\r\nHost: test\r\nx-big: " + "a".repeat(2048) + "\r\n\r\n");
            RawResponse r = c.readResponse();
            assertEquals(431, r.status());
            assertEquals("DPE", r.flags());
            assertEquals("close", r.header("connection"));
            c.readUntilClosed();
            assertEquals(0, up.connections(), "nothing reaches the upstream");
        }
    }

    @Test
    void overLongRequestLineIs414() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a");
                ProxyHarness p = ProxyHarness.start(List.of(Configs.withMaxRequestHeadersKb(
                        httpListener("in", List.of(route("/", "c"))), 1)),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())));
                RawHttpClient c = p.client("in")) {
            c.send("GET /" + "a".repeat(2048) + " HTTP/1.1\r\nHost: test\r\n\r\n");
            RawResponse r = c.readResponse();
            assertEquals(414, r.status());
            c.readUntilClosed();
            assertEquals(0, up.connections());
        }
    }

    @Test
    void malformedRequestIs400AndClosesTheConnection() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a"); ProxyHarness p = proxy(up.address());
                RawHttpClient c = p.client("in")) {
            c.send("GET / HTTP/1.1\r\nHost: test\r\nthis line has no colon\r\n\r\nGET / HTTP/1.1\r\nHost: test\r\n\r\n");
            RawResponse r = c.readResponse();
            assertEquals(400, r.status());
            assertEquals("close", r.header("connection"));
            assertEquals(0, c.readUntilClosed().length, "the pipelined request after it is not answered");
            assertEquals(0, up.connections());
        }
    }

    @Test
    void missingHostOnHttp11Is400() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a"); ProxyHarness p = proxy(up.address());
                RawHttpClient c = p.client("in")) {
            c.send("GET / HTTP/1.1\r\n\r\n");
            assertEquals(400, c.readResponse().status());
            c.readUntilClosed();
            assertEquals(0, up.connections());
        }
    }

    @Test
    void slowRequestHeadIs408ThenClose() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a");
                ProxyHarness p = ProxyHarness.start(List.of(Configs.withTimeouts(
                        httpListener("in", List.of(route("/", "c"))), Duration.ofSeconds(60), Duration.ofMinutes(5),
                        Duration.ofMillis(300))), List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())));
                RawHttpClient c = p.client("in")) {
            long start = System.nanoTime();
            c.send("GET / HTTP/1.1\r\nHost: test\r\n");
            // trickling more of the head does not extend the deadline, which counts from the first byte
            Thread trickler = new Thread(() -> {
                try {
                    for (int i = 0; i < 80; i++) { // 4 s of trickle, far past the 300 ms deadline
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                        c.send("x-h" + i + ": v\r\n");
                    }
                } catch (IOException e) {
                    // the proxy closed the connection: expected
                }
            });
            trickler.setDaemon(true);
            trickler.start();
            RawResponse r = c.readResponse();
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(408, r.status());
            assertEquals("close", r.header("connection"));
            assertTrue(tookMs >= 290 && tookMs < 2500, "408 at the 300 ms head timeout, not after the 4 s trickle,"
                    + " took " + tookMs + " ms");
            c.readUntilClosed();
            assertEquals(0, up.connections());
        }
    }

    @Test
    void contentLengthWithTransferEncodingIs400AndNothingReachesTheUpstream() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a"); ProxyHarness p = proxy(up.address());
                RawHttpClient c = p.client("in")) {
            c.send("POST /smuggle HTTP/1.1\r\nHost: test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "0\r\n\r\nGET /hidden HTTP/1.1\r\nHost: test\r\n\r\n");
            RawResponse r = c.readResponse();
            assertEquals(400, r.status());
            c.readUntilClosed();
            assertEquals(0, up.connections(), "the upstream must receive nothing");
            assertTrue(up.requests().isEmpty());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n",
            "HTTP/1.1 2x0 Bogus\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nnocolon\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            "SSH-2.0-OpenSSH_9.6\r\n\r\n"})
    void malformedUpstreamResponseIs502Upe(String bad) throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    conn.readRequest();
                    conn.write(bad);
                    conn.awaitEof();
                });
                ProxyHarness p = proxy(up.address()); RawHttpClient c = p.client("in")) {
            RawResponse r = c.get("/");
            assertEquals(502, r.status());
            assertEquals("UPE", r.flags());
            Await.until("the broken upstream connection to close", () -> up.openConnections() == 0);
        }
    }

    @Test
    void malformedChunkAfterTheResponseStartedCutsTheClientOff() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    conn.readRequest();
                    conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n");
                    conn.awaitEof();
                });
                ProxyHarness p = proxy(up.address()); RawHttpClient c = p.client("in")) {
            c.send("GET / HTTP/1.1\r\nHost: test\r\n\r\n");
            // the head was already relayed, so the only honest signal left is a truncated body and a close
            RawResponse head = c.readHead();
            assertEquals(200, head.status());
            String rest = new String(c.readUntilClosed(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(rest.startsWith("5\r\nhello\r\n"), rest);
            assertFalse(rest.contains("0\r\n\r\n"), "the client must not see a complete message: " + rest);
            Await.until("the broken upstream connection to close", () -> up.openConnections() == 0);
        }
    }

    @Test
    void upstreamClosingMidBodyCutsTheClientOff() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    conn.readRequest();
                    conn.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nten bytes!"); // then a FIN
                });
                ProxyHarness p = proxy(up.address()); RawHttpClient c = p.client("in")) {
            c.send("GET / HTTP/1.1\r\nHost: test\r\n\r\n");
            assertEquals("100", c.readHead().header("content-length"));
            long start = System.nanoTime();
            assertEquals("ten bytes!", new String(c.readUntilClosed(), java.nio.charset.StandardCharsets.US_ASCII),
                    "90 bytes short, so the client must see the connection end");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "at once, not at a timeout");
        }
    }

    @Test
    void upstreamErrorStatusesAreRelayedUntouched() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    while (conn.readRequest() != null) {
                        conn.write("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 4\r\n\r\nbusy");
                    }
                });
                ProxyHarness p = proxy(up.address()); RawHttpClient c = p.client("in")) {
            RawResponse r = c.get("/");
            assertEquals(503, r.status());
            assertEquals("busy", r.bodyText());
            assertEquals("1", r.header("retry-after"));
            assertNull(r.flags(), "the upstream's own answer, not the proxy's");
            assertEquals(1, up.requests().size(), "no retry without a retry policy");
        }
    }
}
