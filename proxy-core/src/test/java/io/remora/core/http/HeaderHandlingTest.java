package io.remora.core.http;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.LbPolicy;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawBackend;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawRequest;
import io.remora.core.testing.RawResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the proxy changes in messages it relays: hop-by-hop headers, forwarding headers, HTTP/1.0 clients,
 * {@code Expect: 100-continue}, and bodiless responses.
 */
@Timeout(30)
class HeaderHandlingTest {
    private static final Pattern UUID_V4 =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

    private static ProxyHarness proxy(String upstream) throws Exception {
        return ProxyHarness.start(List.of(httpListener("in", List.of(route("/", "c")))),
                List.of(cluster("c", LbPolicy.ROUND_ROBIN, upstream)));
    }

    /** Answers every request on the connection with {@code response}. */
    private static RawBackend backend(String response) throws Exception {
        return new RawBackend(conn -> {
            while (conn.readRequest() != null) {
                conn.write(response);
            }
        });
    }

    @Test
    void hopByHopRequestHeadersDoNotReachTheUpstream() throws Exception {
        try (RawBackend up = backend("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); ProxyHarness p = proxy(
                up.address()); RawHttpClient c = p.client("in")) {
            c.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: keep-alive, x-hop\r\nx-hop: secret\r\n"
                    + "Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\nUpgrade: foo/1\r\n"
                    + "x-end-to-end: kept\r\n\r\n");
            assertEquals(200, c.readResponse().status());
            RawRequest r = up.requests().get(0);
            for (String hop : List.of("x-hop", "keep-alive", "proxy-connection", "te", "upgrade")) {
                assertFalse(r.headers().has(hop), hop + " must not be forwarded: " + r.headers());
            }
            String conn = r.header("connection");
            assertTrue(conn == null || !conn.toLowerCase(java.util.Locale.ROOT).contains("upgrade"),
                    "an Upgrade without Connection: upgrade is no upgrade request: " + r.headers());
            assertEquals("kept", r.header("x-end-to-end"));
        }
    }

    @Test
    void hopByHopResponseHeadersDoNotReachTheClient() throws Exception {
        try (RawBackend up = backend("HTTP/1.1 200 OK\r\nConnection: x-hop\r\nx-hop: 1\r\nKeep-Alive: timeout=5\r\n"
                + "Proxy-Connection: keep-alive\r\nUpgrade: foo/1\r\nx-end-to-end: kept\r\nContent-Length: 2\r\n\r\nok");
                ProxyHarness p = proxy(up.address()); RawHttpClient c = p.client("in")) {
            RawResponse r = c.get("/");
            for (String hop : List.of("x-hop", "keep-alive", "proxy-connection", "upgrade", "connection")) {
                assertFalse(r.headers().has(hop), hop + " must not be relayed: " + r.headers());
            }
            assertEquals("kept", r.header("x-end-to-end"));
            assertEquals("ok", r.bodyText());
        }
    }

    @Test
    void forwardingHeadersAreSetAndARequestIdGenerated() throws Exception {
        try (RawBackend up = backend("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
                ProxyHarness p = proxy(up.address()); RawHttpClient c = p.client("in")) {
            c.get("/a");
            c.get("/b");
            RawRequest a = up.requests().get(0);
            RawRequest b = up.requests().get(1);
            assertEquals("127.0.0.1", a.header("x-forwarded-for"));
            assertEquals("http", a.header("x-forwarded-proto"));
            assertTrue(UUID_V4.matcher(a.header("x-request-id")).matches(), a.header("x-request-id"));
            assertNotEquals(a.header("x-request-id"), b.header("x-request-id"));
        }
    }

    @Test
    void forwardingHeadersFromTheClientAreExtendedOrKept() throws Exception {
        try (RawBackend up = backend("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
                ProxyHarness p = proxy(up.address()); RawHttpClient c = p.client("in")) {
            c.send("GET / HTTP/1.1\r\nHost: t\r\nx-forwarded-for: 10.1.2.3\r\nx-request-id: trace-me-42\r\n"
                    + "x-forwarded-proto: https\r\n\r\n");
            c.readResponse();
            RawRequest r = up.requests().get(0);
            assertEquals("10.1.2.3, 127.0.0.1", r.header("x-forwarded-for"));
            assertEquals(List.of("trace-me-42"), r.headers().all("x-request-id"));
            assertEquals(List.of("http"), r.headers().all("x-forwarded-proto"),
                    "the scheme of the hop the proxy received, not what the client claims");
        }
    }

    @Test
    void http10ClientWithoutKeepAliveGetsItsResponseThenAClose() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a"); ProxyHarness p = proxy(up.address());
                RawHttpClient c = p.client("in")) {
            c.send("GET /old HTTP/1.0\r\n\r\n");
            RawResponse r = c.readResponse();
            assertEquals(200, r.status());
            assertEquals("hello from a", r.bodyText());
            assertEquals("close", r.header("connection"));
            assertEquals(0, c.readUntilClosed().length);
            assertEquals(1, up.requests().size());
        }
    }

    @Test
    void http10RequestIsForwardedAsValidHttp11() throws Exception {
        try (RawBackend up = backend("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                ProxyHarness p = proxy(up.address()); RawHttpClient c = p.client("in")) {
            c.send("GET /old HTTP/1.0\r\n\r\n");
            assertEquals("ok", c.readResponse().bodyText());
            RawRequest r = up.requests().get(0);
            assertEquals("HTTP/1.1", r.version());
            assertTrue(r.headers().has("host"), "HTTP/1.1 requires a Host header: " + r.headers());
        }
    }

    @Test
    void http10ClientWithKeepAliveKeepsItsConnection() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a"); ProxyHarness p = proxy(up.address());
                RawHttpClient c = p.client("in")) {
            for (int i = 0; i < 3; i++) {
                c.send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                RawResponse r = c.readResponse();
                assertEquals(200, r.status());
                assertEquals("keep-alive", r.header("connection"));
                assertEquals("12", r.header("content-length"));
                assertFalse(r.chunked());
                assertEquals("hello from a", r.bodyText());
            }
            assertTrue(c.isOpenAfter(Duration.ofMillis(100)));
        }
    }

    @Test
    void http10ClientGetsAChunkedUpstreamResponseUnchunkedAndDelimitedByClose() throws Exception {
        try (RawBackend up = backend("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
                ProxyHarness p = proxy(up.address()); RawHttpClient c = p.client("in")) {
            c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawResponse r = c.readResponse(); // neither length nor chunked: read to EOF
            assertFalse(r.chunked(), "an HTTP/1.0 client does not know chunked coding");
            assertNull(r.header("transfer-encoding"));
            assertEquals("close", r.header("connection"));
            assertEquals("abcde", r.bodyText());
        }
    }

    @Test
    void expect100ContinueGetsA100ThenTheFinalResponse() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    RawRequest r;
                    while ((r = conn.readRequest()) != null) {
                        conn.respond("got " + r.bodyText());
                    }
                });
                ProxyHarness p = proxy(up.address()); RawHttpClient c = p.client("in")) {
            c.send("POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            RawResponse interim = c.readResponse();
            assertEquals(100, interim.status());
            c.send("hello");
            RawResponse r = c.readResponse();
            assertEquals(200, r.status());
            assertEquals("got hello", r.bodyText());
            assertFalse(up.requests().get(0).headers().has("expect"),
                    "answered by the proxy: the upstream must not send a second 100");
            assertEquals(200, c.get("/next").status());
        }
    }

    @Test
    void interimResponsesFromTheUpstreamAreNotRelayed() throws Exception {
        try (RawBackend up = backend("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal");
                ProxyHarness p = proxy(up.address()); RawHttpClient c = p.client("in")) {
            RawResponse r = c.get("/");
            assertEquals(200, r.status());
            assertEquals("final", r.bodyText());
            assertEquals(200, c.get("/").status(), "and the stream stays in step");
        }
    }

    @Test
    void headResponseCarriesNoBody() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a"); ProxyHarness p = proxy(up.address());
                RawHttpClient c = p.client("in")) {
            c.send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse r = c.readResponse("HEAD");
            assertEquals(200, r.status());
            assertEquals("12", r.header("content-length"), "the length of the body a GET would get");
            // if any body byte had been relayed, the next response would not parse
            RawResponse next = c.get("/");
            assertEquals("hello from a", next.bodyText());
        }
    }

    @Test
    void headResponseWithoutLengthIsNotRechunked() throws Exception {
        try (RawBackend up = backend("HTTP/1.1 200 OK\r\nx-kind: head\r\n\r\n");
                ProxyHarness p = proxy(up.address()); RawHttpClient c = p.client("in")) {
            c.send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse r = c.readResponse("HEAD");
            assertEquals("head", r.header("x-kind"));
            c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse next = c.readResponse("HEAD"); // the backend answers the same bodiless head
            assertEquals(200, next.status(), "no stray body bytes (such as a last chunk) between the two");
        }
    }
}
