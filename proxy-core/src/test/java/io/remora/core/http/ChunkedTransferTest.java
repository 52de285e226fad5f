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
import io.remora.core.testing.HttpWire;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawBackend;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawRequest;
import io.remora.core.testing.RawResponse;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Chunked transfer coding in both directions, and re-framing of bodies the client could not delimit. */
@Timeout(30)
class ChunkedTransferTest {

    private static ProxyHarness proxy(RawBackend up) throws Exception {
        return ProxyHarness.start(List.of(httpListener("in", List.of(route("/", "c")))),
                List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())));
    }

    /** Serves every request on the connection with {@code response}. */
    private static RawBackend backend(String response) throws Exception {
        return new RawBackend(conn -> {
            while (conn.readRequest() != null) {
                conn.write(response);
            }
        });
    }

    @Test
    void chunkedRequestBodyReachesTheUpstreamWhole() throws Exception {
        String body = "first chunk|" + "x".repeat(10_000) + "|last";
        try (RawBackend up = backend("HTTP/1.1 204 No Content\r\n\r\n"); ProxyHarness p = proxy(up);
                RawHttpClient c = p.client("in")) {
            c.send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + HttpWire.chunked(body, 4000));
            assertEquals(204, c.readResponse().status());
            RawRequest r = up.requests().get(0);
            assertTrue(r.chunked(), "a chunked body stays chunked: its length is not known in advance");
            assertNull(r.header("content-length"));
            assertEquals(body, r.bodyText());
        }
    }

    @Test
    void chunkedRequestBodyIsStreamedNotCollected() throws Exception {
        AtomicReference<String> firstChunk = new AtomicReference<>();
        CountDownLatch gotFirst = new CountDownLatch(1);
        try (RawBackend up = new RawBackend(conn -> {
                    conn.readHead();
                    String size = HttpWire.readLine(conn.in());
                    firstChunk.set(HttpWire.ascii(HttpWire.readFixed(conn.in(), Integer.parseInt(size, 16))));
                    gotFirst.countDown();
                    HttpWire.readLine(conn.in()); // CRLF after the chunk
                    String rest = HttpWire.ascii(HttpWire.readChunked(conn.in(), null, null));
                    conn.respond(firstChunk.get() + rest);
                });
                ProxyHarness p = proxy(up); RawHttpClient c = p.client("in")) {
            c.send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            assertTrue(gotFirst.await(5, TimeUnit.SECONDS), "the first chunk must reach the upstream before"
                    + " the client sends the rest");
            assertEquals("hello", firstChunk.get());
            c.send("6\r\n world\r\n0\r\n\r\n");
            assertEquals("hello world", c.readResponse().bodyText());
        }
    }

    @Test
    void chunkedResponseReachesTheClientIntactWithTrailers() throws Exception {
        try (RawBackend up = backend("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-checksum\r\n\r\n"
                + "5\r\nhello\r\n1;ext=1\r\n,\r\n6\r\n world\r\n0\r\nx-checksum: 42\r\n\r\n");
                ProxyHarness p = proxy(up); RawHttpClient c = p.client("in")) {
            RawResponse r = c.get("/");
            assertEquals(200, r.status());
            assertTrue(r.chunked());
            assertEquals("hello, world", r.bodyText());
            assertEquals("42", r.trailers().get("x-checksum"), "trailers are part of the message");
            assertEquals(200, c.get("/again").status(), "the connection stays usable after a chunked response");
            assertEquals(1, up.connections());
        }
    }

    @Test
    void chunkedResponseIsStreamedChunkByChunk() throws Exception {
        CountDownLatch clientGotFirst = new CountDownLatch(1);
        try (RawBackend up = new RawBackend(conn -> {
                    conn.readRequest();
                    conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
                    if (!clientGotFirst.await(5, TimeUnit.SECONDS)) {
                        throw new AssertionError("the client never saw the first chunk");
                    }
                    conn.write("6\r\n world\r\n0\r\n\r\n");
                });
                ProxyHarness p = proxy(up); RawHttpClient c = p.client("in")) {
            c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse head = c.readHead();
            assertTrue(head.chunked());
            assertEquals("5", HttpWire.readLine(c.in()));
            assertEquals("hello", HttpWire.ascii(c.readExactly(5)));
            clientGotFirst.countDown();
            assertEquals("", HttpWire.readLine(c.in()));
            assertEquals(" world", HttpWire.ascii(HttpWire.readChunked(c.in(), null, null)));
            Await.until("the backend script to finish", () -> up.openConnections() == 0 || up.failures().size() > 0);
            assertTrue(up.failures().isEmpty(), up.failures().toString());
        }
    }

    @Test
    void contentLengthResponseKeepsItsLength() throws Exception {
        try (RawBackend up = backend("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
                ProxyHarness p = proxy(up); RawHttpClient c = p.client("in")) {
            RawResponse r = c.get("/");
            assertFalse(r.chunked());
            assertEquals("5", r.header("content-length"));
            assertEquals("hello", r.bodyText());
        }
    }

    @Test
    void closeDelimitedResponseIsRechunkedForAnHttp11Client() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    conn.readRequest();
                    conn.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
                });
                ProxyHarness p = proxy(up); RawHttpClient c = p.client("in")) {
            RawResponse r = c.get("/");
            assertEquals(200, r.status());
            assertTrue(r.chunked(), "the proxy keeps the client connection, so it must frame the body");
            assertEquals("until the end", r.bodyText());
            assertNull(r.header("connection"));
            assertEquals(200, c.get("/again").status(), "the client connection outlives the upstream one");
            assertEquals(2, up.connections());
        }
    }
}
