package io.remora.core.http;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.LbPolicy;
import io.remora.core.testing.Await;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawBackend;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawRequest;
import io.remora.core.testing.RawResponse;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 200 MiB bodies through the proxy, both ways, with the proxy in this JVM (surefire's -Xmx512m): the proxy must
 * stream, never collect a body. Each test proves it from the outside: the far side sees the first MiB before
 * the near side sends the rest, and a side that stops reading stalls the other after a bounded number of
 * bytes (socket buffers and a channel's write high-water mark, never the body).
 */
@Timeout(120)
class LargeBodyStreamingTest {
    private static final long TOTAL = 200L * 1024 * 1024;
    private static final int MIB = 1024 * 1024;
    /** What a stalled transfer may have buffered in between: kernel socket buffers (autotuned) plus channels. */
    private static final long STALL_BOUND = 64L * MIB;
    /** The body is byte i = i mod 251, so a lost, repeated or reordered block shows. */
    private static final int PERIOD = 251;
    private static final int BLOCK = PERIOD * 256;
    private static final byte[] PATTERN = new byte[2 * BLOCK];

    static {
        for (int i = 0; i < PATTERN.length; i++) {
            PATTERN[i] = (byte) (i % PERIOD);
        }
    }

    private static ProxyHarness proxy(RawBackend up) throws Exception {
        return ProxyHarness.start(List.of(httpListener("in", List.of(route("/", "c", Duration.ZERO)))),
                List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())));
    }

    /** Writes bytes [from, to) of the pattern body; {@code written} follows every block that went out. */
    private static void writeBody(OutputStream out, long from, long to, AtomicLong written) throws IOException {
        long off = from;
        while (off < to) {
            int start = (int) (off % PERIOD);
            int n = (int) Math.min(BLOCK, to - off);
            out.write(PATTERN, start, n);
            off += n;
            if (written != null) {
                written.set(off);
            }
        }
        out.flush();
    }

    /** Reads and checks bytes [from, to) of the pattern body; {@code read} follows progress. */
    private static void readBody(InputStream in, long from, long to, AtomicLong read) throws IOException {
        byte[] buf = new byte[BLOCK];
        long off = from;
        while (off < to) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, to - off));
            if (n < 0) {
                throw new EOFException("body ended after " + off + " of " + to + " bytes");
            }
            int start = (int) (off % PERIOD);
            if (!Arrays.equals(buf, 0, n, PATTERN, start, start + n)) {
                throw new AssertionError("body bytes differ at offset " + off + " (+" + Arrays.mismatch(
                        Arrays.copyOf(buf, n), Arrays.copyOfRange(PATTERN, start, start + n)) + ")");
            }
            off += n;
            if (read != null) {
                read.set(off);
            }
        }
    }

    @Test
    void uploadOf200MibIsStreamedToTheUpstream() throws Exception {
        AtomicLong received = new AtomicLong();
        try (RawBackend up = new RawBackend(conn -> {
                    RawRequest head = conn.readHead();
                    long length = Long.parseLong(head.header("content-length"));
                    readBody(conn.in(), 0, length, received);
                    conn.respond("received " + length);
                });
                ProxyHarness p = proxy(up); RawHttpClient c = p.client("in")) {
            c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + TOTAL + "\r\n\r\n");
            writeBody(c.out(), 0, MIB, null);
            Await.until("the upstream to get the first MiB before the client sends the rest",
                    Duration.ofSeconds(10), () -> received.get() >= MIB);
            writeBody(c.out(), MIB, TOTAL, null);
            RawResponse r = c.readResponse();
            assertEquals(200, r.status());
            assertEquals("received " + TOTAL, r.bodyText());
            assertTrue(up.failures().isEmpty(), up.failures().toString());
        }
    }

    @Test
    void downloadOf200MibIsStreamedToTheClient() throws Exception {
        CountDownLatch clientGotFirstMib = new CountDownLatch(1);
        try (RawBackend up = new RawBackend(conn -> {
                    conn.readRequest();
                    conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + TOTAL + "\r\n\r\n");
                    writeBody(conn.out(), 0, MIB, null);
                    if (!clientGotFirstMib.await(10, TimeUnit.SECONDS)) {
                        throw new AssertionError("the client did not get the first MiB before the rest was sent");
                    }
                    writeBody(conn.out(), MIB, TOTAL, null);
                });
                ProxyHarness p = proxy(up); RawHttpClient c = p.client("in")) {
            c.send("GET /download HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse head = c.readHead();
            assertEquals(String.valueOf(TOTAL), head.header("content-length"));
            readBody(c.in(), 0, MIB, null);
            clientGotFirstMib.countDown();
            readBody(c.in(), MIB, TOTAL, null);
            assertTrue(up.failures().isEmpty(), up.failures().toString());
        }
    }

    @Test
    void clientThatStopsReadingStallsTheUpstreamAfterABoundedAmount() throws Exception {
        AtomicLong written = new AtomicLong();
        try (RawBackend up = new RawBackend(conn -> {
                    conn.socket().setSendBufferSize(64 * 1024);
                    conn.readRequest();
                    conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + TOTAL + "\r\n\r\n");
                    writeBody(conn.out(), 0, TOTAL, written);
                });
                ProxyHarness p = proxy(up); RawHttpClient c = new RawHttpClient(p.port("in"), 64 * 1024)) {
            c.send("GET /download HTTP/1.1\r\nHost: t\r\n\r\n");
            c.readHead();
            readBody(c.in(), 0, MIB, null);
            // the client pauses: what the upstream managed to write must level off far below the body
            long stalledAt = Await.stable("the upstream's written bytes", Duration.ofMillis(500),
                    Duration.ofSeconds(20), written::get);
            assertTrue(stalledAt < STALL_BOUND, "the proxy kept reading from the upstream while the client did not"
                    + " read: " + stalledAt / MIB + " MiB written");
            readBody(c.in(), MIB, TOTAL, null); // and resumes: everything arrives, in order
            assertEquals(TOTAL, written.get());
        }
    }

    @Test
    void upstreamThatStopsReadingStallsTheClientAfterABoundedAmount() throws Exception {
        AtomicLong sent = new AtomicLong();
        CountDownLatch resume = new CountDownLatch(1);
        try (RawBackend up = new RawBackend(conn -> {
                    conn.socket().setReceiveBufferSize(64 * 1024);
                    RawRequest head = conn.readHead();
                    long length = Long.parseLong(head.header("content-length"));
                    readBody(conn.in(), 0, MIB, null);
                    if (!resume.await(30, TimeUnit.SECONDS)) {
                        throw new AssertionError("never resumed");
                    }
                    readBody(conn.in(), MIB, length, null);
                    conn.respond("received " + length);
                });
                ProxyHarness p = proxy(up); RawHttpClient c = p.client("in")) {
            c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + TOTAL + "\r\n\r\n");
            Thread writer = new Thread(() -> {
                try {
                    writeBody(c.out(), 0, TOTAL, sent);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "uploader");
            writer.setDaemon(true);
            writer.start();
            long stalledAt = Await.stable("the client's sent bytes", Duration.ofMillis(500), Duration.ofSeconds(20),
                    sent::get);
            assertTrue(stalledAt < STALL_BOUND, "the proxy kept reading the client while the upstream did not read: "
                    + stalledAt / MIB + " MiB sent");
            resume.countDown();
            RawResponse r = c.readResponse();
            assertEquals("received " + TOTAL, r.bodyText());
            writer.join(10_000);
            assertEquals(TOTAL, sent.get());
        }
    }
}
