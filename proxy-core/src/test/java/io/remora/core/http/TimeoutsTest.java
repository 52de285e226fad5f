package io.remora.core.http;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.ListenerConfig;
import io.remora.core.testing.Await;
import io.remora.core.testing.Configs;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.HttpWire;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawBackend;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The listener's idle and stream-idle timeouts and the cluster's pooled-connection idle timeout. */
@Timeout(30)
class TimeoutsTest {
    private static final Duration LONG = Duration.ofSeconds(60);

    private static ListenerConfig listener(Duration idle, Duration streamIdle, Duration routeTimeout) {
        return Configs.withTimeouts(httpListener("in", List.of(route("/", "c", routeTimeout))), idle, streamIdle,
                Duration.ofSeconds(10));
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void idleKeepAliveConnectionIsClosedAfterTheListenerIdleTimeout() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a");
                ProxyHarness p = ProxyHarness.start(List.of(listener(Duration.ofMillis(300), LONG, LONG)),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())));
                RawHttpClient c = p.client("in")) {
            assertEquals(200, c.get("/").status());
            long start = System.nanoTime();
            assertEquals(0, c.readUntilClosed().length, "closed without a byte");
            long took = millisSince(start);
            assertTrue(took >= 250 && took < 3000, "closed ~300 ms after the last response, took " + took + " ms");
        }
    }

    @Test
    void connectionThatNeverSendsARequestIsClosedAfterTheIdleTimeout() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a");
                ProxyHarness p = ProxyHarness.start(List.of(listener(Duration.ofMillis(300), LONG, LONG)),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())));
                RawHttpClient c = p.client("in")) {
            c.readUntilClosed();
            Await.until("the proxy to forget the connection", () -> p.server().activeConnections() == 0);
        }
    }

    @Test
    void idleTimeoutDoesNotCutARequestInFlight() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a");
                ProxyHarness p = ProxyHarness.start(List.of(listener(Duration.ofMillis(200), LONG, LONG)),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())));
                RawHttpClient c = p.client("in")) {
            up.holdResponses();
            c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            Await.until("the request to reach the upstream", () -> up.requests().size() == 1);
            assertTrue(c.isOpenAfter(Duration.ofMillis(600)), "a request in flight is not idle");
            up.releaseHeld();
            assertEquals(200, c.readResponse().status());
        }
    }

    @Test
    void stalledExchangeGets408AfterTheStreamIdleTimeout() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    conn.readRequest();
                    conn.awaitEof(); // never answers
                });
                ProxyHarness p = ProxyHarness.start(List.of(listener(LONG, Duration.ofMillis(300), Duration.ZERO)),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())));
                RawHttpClient c = p.client("in")) {
            long start = System.nanoTime();
            RawResponse r = c.get("/stall");
            long took = millisSince(start);
            assertEquals(408, r.status());
            assertTrue(took >= 290 && took < 3000, "408 ~300 ms after the last byte moved, took " + took + " ms");
            assertEquals("close", r.header("connection"));
            c.readUntilClosed();
            Await.until("the stalled upstream connection to close", () -> up.openConnections() == 0);
        }
    }

    @Test
    void clientStallingMidBodyGets408AndTheConnectionEnds() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    conn.readHead();
                    conn.awaitEof();
                });
                ProxyHarness p = ProxyHarness.start(List.of(listener(LONG, Duration.ofMillis(300), Duration.ZERO)),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())));
                RawHttpClient c = p.client("in")) {
            c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nonly ten b");
            long start = System.nanoTime();
            RawResponse r = c.readResponse();
            assertEquals(408, r.status());
            assertEquals("close", r.header("connection"));
            assertEquals(0, c.readUntilClosed().length, "a 408 that says close must be followed by the close");
            long took = millisSince(start);
            assertTrue(took < 3000, "408 and close ~300 ms after the client stalled, took " + took + " ms");
            Await.until("the upstream connection to close", () -> up.openConnections() == 0);
        }
    }

    @Test
    void streamIdleAfterTheResponseStartedCutsTheResponseOff() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    conn.readRequest();
                    conn.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part");
                    conn.awaitEof();
                });
                ProxyHarness p = ProxyHarness.start(List.of(listener(LONG, Duration.ofMillis(300), Duration.ZERO)),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())));
                RawHttpClient c = p.client("in")) {
            c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse head = c.readHead();
            assertEquals(200, head.status());
            long start = System.nanoTime();
            byte[] rest = c.readUntilClosed();
            assertEquals("only part", HttpWire.ascii(rest));
            long took = millisSince(start);
            assertTrue(took < 3000, "reset ~300 ms after the last byte, took " + took + " ms");
        }
    }

    @Test
    void streamIdleTimeoutIsNotTriggeredByASlowButMovingResponse() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    conn.readRequest();
                    conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
                    for (int i = 0; i < 30; i++) {
                        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                        conn.write("1\r\n" + (i % 10) + "\r\n");
                    }
                    conn.write("0\r\n\r\n");
                    conn.awaitEof();
                });
                ProxyHarness p = ProxyHarness.start(List.of(listener(LONG, Duration.ofMillis(600), Duration.ZERO)),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())));
                RawHttpClient c = p.client("in")) {
            RawResponse r = c.get("/");
            assertEquals("012345678901234567890123456789", r.bodyText(),
                    "1.5 s in total, but never 600 ms without a byte");
        }
    }

    @Test
    void pooledUpstreamConnectionsAreClosedAfterTheClusterIdleTimeout() throws Exception {
        ClusterConfig cc = Configs.withTimeouts(cluster("c", LbPolicy.ROUND_ROBIN, "127.0.0.1:1"),
                Duration.ofSeconds(1), Duration.ofMillis(300));
        try (FakeUpstream up = new FakeUpstream("a");
                ProxyHarness p = ProxyHarness.start(List.of(listener(LONG, LONG, LONG)), List.of(
                        Configs.withTimeouts(cluster("c", LbPolicy.ROUND_ROBIN, up.address()), cc.connectTimeout(),
                                cc.idleTimeout())));
                RawHttpClient c = p.client("in")) {
            assertEquals(200, c.get("/").status());
            assertEquals(1, up.openConnections());
            long start = System.nanoTime();
            Await.until("the idle pooled connection to be closed", () -> up.openConnections() == 0);
            long took = millisSince(start);
            assertTrue(took >= 200, "closed after ~300 ms idle, not at once: " + took + " ms");
            assertEquals(0, p.server().idleUpstreamConnections());
            assertEquals(200, c.get("/").status(), "the next request opens a new connection");
            assertEquals(2, up.connections());
        }
    }

    @Test
    void busyUpstreamConnectionIsNotClosedByTheClusterIdleTimeout() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a");
                ProxyHarness p = ProxyHarness.start(List.of(listener(LONG, LONG, LONG)), List.of(
                        Configs.withTimeouts(cluster("c", LbPolicy.ROUND_ROBIN, up.address()), Duration.ofSeconds(1),
                                Duration.ofMillis(500))));
                RawHttpClient c = p.client("in")) {
            assertEquals(200, c.get("/").status()); // pooled: its idle check is now scheduled
            up.holdResponses();
            c.send("GET /held HTTP/1.1\r\nHost: t\r\n\r\n"); // reuses it well within the 500 ms
            Await.until("the request to reach the upstream", () -> up.requests().size() == 2);
            assertTrue(c.isOpenAfter(Duration.ofMillis(1200)), "in flight past the idle timeout");
            assertEquals(1, up.openConnections(), "in use, so not idle");
            up.releaseHeld();
            assertEquals(200, c.readResponse().status());
            assertEquals(1, up.connections());
        }
    }
}
