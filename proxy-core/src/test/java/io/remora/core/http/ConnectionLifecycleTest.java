package io.remora.core.http;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.LbPolicy;
import io.remora.core.server.ProxyServer;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.HttpWire;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawBackend;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawRequest;
import io.remora.core.testing.RawResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Who closes what, and when: {@code Connection: close} either way, clients that leave early, upstreams that
 * answer before the request is over, request bodies nobody wants, many clients on several event loops.
 */
@Timeout(30)
class ConnectionLifecycleTest {

    private static ProxyHarness proxy(String upstream, List<String> prefixes) throws Exception {
        return ProxyHarness.start(List.of(httpListener("in", prefixes.stream().map(px -> route(px, "c")).toList())),
                List.of(cluster("c", LbPolicy.ROUND_ROBIN, upstream)));
    }

    private static ProxyHarness proxy(String upstream) throws Exception {
        return proxy(upstream, List.of("/"));
    }

    @Test
    void clientConnectionCloseIsHonouredAndLaterPipelinedRequestsIgnored() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a"); ProxyHarness p = proxy(up.address());
                RawHttpClient c = p.client("in")) {
            c.send("GET /last HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /ignored HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse r = c.readResponse();
            assertEquals(200, r.status());
            assertEquals("close", r.header("connection"));
            assertEquals(0, c.readUntilClosed().length, "nothing after the response to a Connection: close request");
            assertEquals(1, up.requests().size());
            Await.until("the upstream connection to be pooled", () -> p.server().idleUpstreamConnections() == 1);
        }
    }

    @Test
    void upstreamConnectionCloseIsNotPooledEvenIfTheUpstreamKeepsItOpen() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    RawRequest r;
                    while ((r = conn.readRequest()) != null) { // says close, but serves on (misbehaves)
                        conn.write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: " + r.uri().length()
                                + "\r\n\r\n" + r.uri());
                    }
                });
                ProxyHarness p = proxy(up.address()); RawHttpClient c = p.client("in")) {
            RawResponse r = c.get("/one");
            assertEquals("/one", r.bodyText());
            assertNull(r.header("connection"), "the upstream's close concerns the upstream hop only");
            assertEquals("/two", c.get("/two").bodyText());
            assertEquals(2, up.connections(), "a connection announced as closing is never reused");
        }
    }

    @Test
    void clientLeavingMidResponseClosesTheUpstreamConnection() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    conn.readRequest();
                    conn.write("HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n");
                    byte[] block = new byte[64 * 1024];
                    while (true) {
                        conn.write(block); // until the proxy closes this connection: then write fails
                    }
                });
                ProxyHarness p = proxy(up.address())) {
            try (RawHttpClient c = p.client("in")) {
                c.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n");
                assertEquals(200, c.readHead().status());
                c.readExactly(100_000);
            }
            Await.until("the upstream connection to be closed, not pooled mid-response",
                    () -> up.openConnections() == 0);
            assertEquals(0, p.server().idleUpstreamConnections());
            Await.until("the proxy to forget the client", () -> p.server().activeConnections() == 0);
        }
    }

    /**
     * A client FIN may be a half-close (RFC 9112 section 9.6 lets a client close its side and still read), so the
     * proxy does not cancel the request in flight for it: the response is relayed, or fails to be, and then the
     * connection closes. What must hold is that the late response goes nowhere else.
     */
    @Test
    void clientLeavingBeforeTheResponseNeverGetsItsResponseServedToAnother() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a")
                .handler(req -> FakeUpstream.text(io.netty.handler.codec.http.HttpResponseStatus.OK, req.uri()));
                ProxyHarness p = proxy(up.address())) {
            up.holdResponses();
            try (RawHttpClient c = p.client("in")) {
                c.send("GET /left HTTP/1.1\r\nHost: t\r\n\r\n");
                Await.until("the request to reach the upstream", () -> up.requests().size() == 1);
            }
            up.releaseHeld();
            Await.until("the proxy to close the connection of the client that left",
                    () -> p.server().activeConnections() == 0);
            try (RawHttpClient c = p.client("in")) {
                assertEquals("/next", c.get("/next").bodyText());
            }
        }
    }

    @Test
    void halfClosingClientStillGetsItsResponse() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a"); ProxyHarness p = proxy(up.address());
                RawHttpClient c = p.client("in")) {
            up.holdResponses();
            c.send("GET /half HTTP/1.1\r\nHost: t\r\n\r\n");
            c.shutdownOutput();
            Await.until("the request to reach the upstream", () -> up.requests().size() == 1);
            up.releaseHeld();
            RawResponse r = c.readResponse();
            assertEquals("hello from a", r.bodyText());
            assertEquals(0, c.readUntilClosed().length, "then the connection closes");
        }
    }

    @Test
    void earlyResponseWhileTheClientStillSendsItsBody() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    RawRequest head;
                    while ((head = conn.readHead()) != null) {
                        // answers at once, then reads the body it did not wait for
                        conn.respond("early " + head.uri());
                        HttpWire.readFixed(conn.in(), Long.parseLong(head.header("content-length")));
                    }
                });
                ProxyHarness p = proxy(up.address()); RawHttpClient c = p.client("in")) {
            c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10000\r\n\r\n" + "a".repeat(5000));
            RawResponse r = c.readResponse();
            assertEquals("early /upload", r.bodyText());
            c.send("b".repeat(5000)); // the rest of the body: read and dropped, the connection stays in step
            assertEquals("early /after", postAndRead(c, "/after"));
        }
    }

    private static String postAndRead(RawHttpClient c, String path) throws Exception {
        c.send("POST " + path + " HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nxyz");
        return c.readResponse().bodyText();
    }

    @Test
    void smallBodyOfAnUnroutedRequestIsDiscardedAndTheConnectionKept() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a"); ProxyHarness p = proxy(up.address(), List.of("/api"));
                RawHttpClient c = p.client("in")) {
            c.send("POST /nowhere HTTP/1.1\r\nHost: t\r\nContent-Length: 10000\r\n\r\n" + "x".repeat(10000));
            assertEquals(404, c.readResponse().status());
            assertEquals(200, c.get("/api").status());
        }
    }

    @Test
    void largeBodyOfAnUnroutedRequestEndsTheConnection() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a"); ProxyHarness p = proxy(up.address(), List.of("/api"));
                RawHttpClient c = p.client("in")) {
            c.send("POST /nowhere HTTP/1.1\r\nHost: t\r\nContent-Length: 100000000\r\n\r\n");
            assertEquals(404, c.readResponse().status(), "answered before the body");
            byte[] block = new byte[64 * 1024];
            boolean closed = false;
            for (int i = 0; i < 1600 && !closed; i++) { // 100 MB at most; the proxy gives up after 64 KiB
                try {
                    c.send(block);
                } catch (java.io.IOException e) {
                    closed = true;
                }
            }
            assertTrue(closed, "the proxy must not read a body nobody wants to its end");
        }
    }

    @Test
    void manyConcurrentClientsOnSeveralEventLoops() throws Exception {
        int clients = 32;
        int requests = 25;
        AtomicInteger ok = new AtomicInteger();
        try (FakeUpstream up = new FakeUpstream("a");
                ProxyHarness p = ProxyHarness.start(List.of(httpListener("in", List.of(route("/", "c")))),
                        List.of(cluster("c", LbPolicy.LEAST_REQUEST, up.address())),
                        ProxyServer.Options.defaults().withWorkerThreads(4))) {
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    int id = i;
                    done.add(pool.submit(() -> {
                        try (RawHttpClient c = p.client("in")) {
                            for (int j = 0; j < requests; j++) {
                                c.send("POST /c" + id + "/" + j + " HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\n"
                                        + "body");
                                RawResponse r = c.readResponse();
                                if (r.status() == 200 && r.bodyText().equals("hello from a")) {
                                    ok.incrementAndGet();
                                }
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(20, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(clients * requests, ok.get());
            assertEquals(clients * requests, up.requests().size());
            assertTrue(up.connections() <= clients, "at most one upstream connection per concurrent client: "
                    + up.connections());
            Await.until("every request to be finished on every host",
                    () -> p.server().clusters().cluster("c").hostSet().hosts().get(0).activeRequests() == 0);
        }
    }
}
