package io.remora.core.http;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.remora.config.model.LbPolicy;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawBackend;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawRequest;
import io.remora.core.testing.RawResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Upstream keep-alive: pooled connections are reused, and a pool the upstream went stale on never shows. */
@Timeout(30)
class ConnectionReuseTest {

    private static ProxyHarness proxy(String upstream) throws Exception {
        return ProxyHarness.start(List.of(httpListener("in", List.of(route("/", "c")))),
                List.of(cluster("c", LbPolicy.ROUND_ROBIN, upstream)));
    }

    @Test
    void sequentialRequestsOnOneClientConnectionUseOneUpstreamConnection() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a"); ProxyHarness p = proxy(up.address());
                RawHttpClient c = p.client("in")) {
            for (int i = 0; i < 20; i++) {
                RawResponse r = c.get("/r" + i);
                assertEquals(200, r.status());
                assertEquals("hello from a", r.bodyText());
            }
            assertEquals(1, up.connections());
            assertEquals(20, up.requests().size());
        }
    }

    @Test
    void sequentialClientConnectionsShareOnePooledUpstreamConnection() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a"); ProxyHarness p = proxy(up.address())) {
            for (int i = 0; i < 10; i++) {
                try (RawHttpClient c = p.client("in")) {
                    assertEquals(200, c.get("/r" + i).status());
                }
            }
            assertEquals(1, up.connections());
            Await.until("the upstream connection to be back in the pool",
                    () -> p.server().idleUpstreamConnections() == 1);
        }
    }

    @Test
    void upstreamClosingIdleConnectionsNeverSurfacesAsAnError() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a"); ProxyHarness p = proxy(up.address());
                RawHttpClient c = p.client("in")) {
            for (int i = 0; i < 10; i++) {
                RawResponse r = c.get("/r" + i);
                assertEquals(200, r.status(), "request " + i + ": " + r);
                assertNull(r.flags());
                up.closeOpenConnections(); // the backend's own keep-alive timeout, between requests
            }
            assertEquals(10, up.connections(), "each request needed a fresh connection");
            assertEquals(10, up.requests().size());
            Await.until("closed connections to leave the pool", () -> p.server().idleUpstreamConnections() == 0);
        }
    }

    /**
     * The race a pool cannot avoid: the request goes out on a pooled connection just as the upstream closes
     * it. The backend here reads the second request on its first connection and closes without answering; the
     * proxy must send it again on a fresh connection.
     */
    @Test
    void getOnAConnectionTheUpstreamClosesIsSentAgainOnAFreshOne() throws Exception {
        AtomicInteger conns = new AtomicInteger();
        try (RawBackend up = new RawBackend(conn -> {
                    int n = conns.incrementAndGet();
                    RawRequest first = conn.readRequest();
                    conn.respond("conn " + n + " " + first.uri());
                    if (n == 1) {
                        conn.readRequest(); // the next request arrives... and the connection is closed
                        return;
                    }
                    RawRequest r;
                    while ((r = conn.readRequest()) != null) {
                        conn.respond("conn " + n + " " + r.uri());
                    }
                });
                ProxyHarness p = proxy(up.address()); RawHttpClient c = p.client("in")) {
            assertEquals("conn 1 /one", c.get("/one").bodyText());
            RawResponse r = c.get("/two");
            assertEquals(200, r.status(), r.toString());
            assertEquals("conn 2 /two", r.bodyText());
            assertEquals(2, up.connections());
            assertEquals(List.of("/one", "/two", "/two"), up.requests().stream().map(RawRequest::uri).toList());
            assertEquals("conn 2 /three", c.get("/three").bodyText(), "the fresh connection is pooled");
        }
    }

    /** A POST may have had effects, so it is not sent twice: the client sees 502 UR (no retry policy). */
    @Test
    void postOnAConnectionTheUpstreamClosesIsNotResent() throws Exception {
        AtomicInteger conns = new AtomicInteger();
        try (RawBackend up = new RawBackend(conn -> {
                    int n = conns.incrementAndGet();
                    RawRequest first = conn.readRequest();
                    conn.respond("conn " + n + " " + first.uri());
                    if (n == 1) {
                        conn.readRequest();
                        return;
                    }
                    RawRequest r;
                    while ((r = conn.readRequest()) != null) {
                        conn.respond("conn " + n + " " + r.uri());
                    }
                });
                ProxyHarness p = proxy(up.address()); RawHttpClient c = p.client("in")) {
            assertEquals(200, c.get("/one").status());
            c.send("POST /pay HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc");
            RawResponse r = c.readResponse();
            assertEquals(502, r.status());
            assertEquals("UR", r.flags());
            assertEquals(1, up.requests().stream().filter(q -> q.uri().equals("/pay")).count());
            assertEquals(200, c.get("/after").status(), "the client connection is still usable");
        }
    }
}
