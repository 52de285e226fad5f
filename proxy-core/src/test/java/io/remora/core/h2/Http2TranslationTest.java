package io.remora.core.h2;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.ReferenceCountUtil;
import io.remora.config.model.ClusterConfig;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.UpstreamProtocol;
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
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HTTP/1.1 ↔ HTTP/2 through Remora, both ways: an HTTP/2 client to an HTTP/1.1 upstream and an HTTP/1.1 client to
 * an HTTP/2 upstream, with 100 MiB bodies streamed each way, flow control honoured end to end (a receiver that
 * stops reading stalls the sender after a bounded number of bytes: windows, watermarks and socket buffers, never
 * the body), trailers carried, and no HTTP/2 conversion header leaking.
 */
@Timeout(60)
class Http2TranslationTest {
    private static final long TOTAL = 100L * 1024 * 1024;
    private static final int MIB = 1024 * 1024;
    /** What a stalled transfer may have buffered in between: socket buffers, windows and channel buffers. */
    private static final long STALL_BOUND = 32L * MIB;
    /** The body is byte i = i mod 251, so a lost, repeated or reordered block shows. */
    private static final int PERIOD = 251;
    private static final int BLOCK = PERIOD * 256;
    private static final byte[] PATTERN = new byte[2 * BLOCK];

    static {
        for (int i = 0; i < PATTERN.length; i++) {
            PATTERN[i] = (byte) (i % PERIOD);
        }
    }

    private static void fill(long offset, byte[] chunk) {
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) ((offset + i) % PERIOD);
        }
    }

    /**
     * Checks body bytes as they arrive: {@code at} is the offset of the first. Copied out in one call: under
     * paranoid leak detection every access to a buffer records a stack trace, so byte-by-byte reads would crawl.
     */
    private static void check(ByteBuf b, AtomicLong at) {
        byte[] bytes = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), bytes);
        long off = at.get();
        for (int i = 0; i < bytes.length; i++, off++) {
            if (bytes[i] != (byte) (off % PERIOD)) {
                throw new AssertionError("body byte " + off + " differs");
            }
        }
        at.set(off);
    }

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

    private static void readBody(InputStream in, long from, long to, AtomicLong read) throws IOException {
        byte[] buf = new byte[BLOCK];
        long off = from;
        while (off < to) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, to - off));
            if (n < 0) {
                throw new EOFException("body ended after " + off + " of " + to + " bytes");
            }
            int start = (int) (off % PERIOD);
            for (int i = 0; i < n; i++) {
                if (buf[i] != PATTERN[start + i]) {
                    throw new AssertionError("body byte " + (off + i) + " differs");
                }
            }
            off += n;
            if (read != null) {
                read.set(off);
            }
        }
    }

    private static ProxyHarness proxy(ClusterConfig c) throws Exception {
        return ProxyHarness.start(List.of(httpListener("in", List.of(route("/", "c", Duration.ZERO)))), List.of(c));
    }

    private static ClusterConfig h1(String address) {
        return cluster("c", LbPolicy.ROUND_ROBIN, address);
    }

    private static ClusterConfig h2(String address) {
        return H2Configs.withProtocol(cluster("c", LbPolicy.ROUND_ROBIN, address), UpstreamProtocol.HTTP2);
    }

    // ---- HTTP/2 client, HTTP/1.1 upstream --------------------------------------------------------------------

    @Test
    void h2ClientDownloads100MibFromAnH1UpstreamAndAPausedClientStallsIt() throws Exception {
        AtomicLong written = new AtomicLong();
        try (RawBackend up = new RawBackend(conn -> {
                    conn.socket().setSendBufferSize(64 * 1024);
                    conn.readRequest();
                    conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + TOTAL + "\r\n\r\n");
                    writeBody(conn.out(), 0, TOTAL, written);
                });
                ProxyHarness p = proxy(h1(up.address()));
                H2TestClient client = new H2TestClient(p.port("in"))) {
            H2TestClient.Stream s = client.get("/download");
            AtomicLong checked = new AtomicLong();
            s.onBody = b -> check(b, checked);
            assertEquals(200, s.status());
            Await.until("the first MiB", Duration.ofSeconds(10), () -> s.received.get() >= MIB);
            s.pause();
            long stalledAt = Await.stable("the upstream's written bytes", Duration.ofMillis(500),
                    Duration.ofSeconds(20), written::get);
            assertTrue(stalledAt < STALL_BOUND, "Remora kept reading the upstream while the HTTP/2 client did not"
                    + " read: " + stalledAt / MIB + " MiB written");
            s.resume();
            s.end.get(30, TimeUnit.SECONDS);
            assertEquals(TOTAL, s.received.get());
            assertEquals(TOTAL, checked.get());
            assertTrue(up.failures().isEmpty(), up.failures().toString());
        }
    }

    @Test
    void h2ClientUploads100MibToAnH1Upstream() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    RawRequest head = conn.readHead();
                    assertEquals("chunked", head.header("transfer-encoding"), "no length: chunked on HTTP/1.1");
                    // the chunked body, checked on the fly
                    AtomicLong at = new AtomicLong();
                    long n = readChunked(conn.in(), at);
                    conn.respond("received " + n);
                });
                ProxyHarness p = proxy(h1(up.address()));
                H2TestClient client = new H2TestClient(p.port("in"))) {
            DefaultHttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload");
            req.headers().set("host", "test");
            H2TestClient.Stream s = client.open(req, false);
            s.send(TOTAL, Http2TranslationTest::fill, new AtomicLong());
            s.end.get(30, TimeUnit.SECONDS);
            assertEquals(200, s.status());
            assertEquals("received " + TOTAL, s.bodyText());
            assertTrue(up.failures().isEmpty(), up.failures().toString());
        }
    }

    /** Reads a chunked body, checking the pattern; returns its length. */
    private static long readChunked(InputStream in, AtomicLong at) throws IOException {
        byte[] buf = new byte[BLOCK];
        while (true) {
            String line = io.remora.core.testing.HttpWire.readLine(in);
            int semi = line.indexOf(';');
            long size = Long.parseLong((semi < 0 ? line : line.substring(0, semi)).trim(), 16);
            if (size == 0) {
                while (!io.remora.core.testing.HttpWire.readLine(in).isEmpty()) {
                    // trailers
                }
                return at.get();
            }
            long left = size;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new EOFException("chunk cut short");
                }
                long off = at.get();
                for (int i = 0; i < n; i++) {
                    if (buf[i] != (byte) ((off + i) % PERIOD)) {
                        throw new AssertionError("body byte " + (off + i) + " differs");
                    }
                }
                at.addAndGet(n);
                left -= n;
            }
            io.remora.core.testing.HttpWire.readLine(in); // CRLF after the chunk
        }
    }

    @Test
    void trailersFromAnH1UpstreamReachAnH2Client() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    conn.readRequest();
                    conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-checksum\r\n\r\n"
                            + "5\r\nhello\r\n0\r\nx-checksum: abc123\r\n\r\n");
                });
                ProxyHarness p = proxy(h1(up.address()));
                H2TestClient client = new H2TestClient(p.port("in"))) {
            H2TestClient.Stream s = client.get("/t");
            assertEquals("abc123", s.end.get(10, TimeUnit.SECONDS).get("x-checksum"));
            assertEquals("hello", s.bodyText());
        }
    }

    @Test
    void h2RequestsReachAnH1UpstreamAsPlainHttp11() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    while (true) {
                        RawRequest r = conn.readRequest();
                        if (r == null) {
                            return;
                        }
                        conn.respond(r.method() + " " + r.uri() + " host=" + r.header("host") + " proto="
                                + r.header("x-forwarded-proto") + " leak=" + (r.header("x-http2-stream-id") != null
                                || r.header("x-http2-scheme") != null));
                    }
                });
                ProxyHarness p = proxy(h1(up.address()));
                H2TestClient client = new H2TestClient(p.port("in"))) {
            for (int i = 0; i < 5; i++) {
                H2TestClient.Stream s = client.get("/a?i=" + i);
                s.end.get(10, TimeUnit.SECONDS);
                assertEquals("GET /a?i=" + i + " host=test proto=http leak=false", s.bodyText());
            }
            assertEquals(1, up.connections(), "one pooled HTTP/1.1 connection serves the streams in turn");
        }
    }

    // ---- HTTP/1.1 client, HTTP/2 upstream --------------------------------------------------------------------

    @Test
    void h1ClientUploads100MibToAnH2UpstreamAndAPausedUpstreamStallsIt() throws Exception {
        CountDownLatch resume = new CountDownLatch(1);
        AtomicReference<Channel> upstreamStream = new AtomicReference<>();
        AtomicLong received = new AtomicLong();
        try (H2TestServer up = new H2TestServer(Http2Settings.defaultSettings(), () -> new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof HttpContent c) {
                            long n = received.addAndGet(c.content().readableBytes());
                            if (n >= MIB && resume.getCount() > 0) {
                                // stop reading: no window goes back to Remora until the test says so
                                upstreamStream.set(ctx.channel());
                                ctx.channel().config().setAutoRead(false);
                            }
                            if (msg instanceof LastHttpContent) {
                                byte[] b = ("received " + received.get()).getBytes();
                                DefaultHttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
                                        HttpResponseStatus.OK);
                                r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, b.length);
                                ctx.write(r);
                                ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(b)));
                            }
                        }
                        ReferenceCountUtil.release(msg);
                    }
                });
                ProxyHarness p = proxy(h2(up.address()));
                RawHttpClient c = p.client("in")) {
            c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + TOTAL + "\r\n\r\n");
            AtomicLong sent = new AtomicLong();
            Thread writer = new Thread(() -> {
                try {
                    writeBody(c.out(), 0, TOTAL, sent);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "uploader");
            writer.setDaemon(true);
            writer.start();
            Await.until("the upstream to stop reading", Duration.ofSeconds(10), () -> upstreamStream.get() != null);
            long stalledAt = Await.stable("the client's sent bytes", Duration.ofMillis(500), Duration.ofSeconds(20),
                    sent::get);
            assertTrue(stalledAt < STALL_BOUND, "Remora kept reading the client while the HTTP/2 upstream did not"
                    + " read: " + stalledAt / MIB + " MiB sent");
            resume.countDown();
            Channel ch = upstreamStream.get();
            ch.eventLoop().execute(() -> ch.config().setAutoRead(true));
            RawResponse r = c.readResponse();
            assertEquals(200, r.status());
            assertEquals("received " + TOTAL, r.bodyText());
            writer.join(10_000);
            assertEquals(TOTAL, sent.get());
        }
    }

    @Test
    void h1ClientDownloads100MibFromAnH2Upstream() throws Exception {
        try (H2TestServer up = new H2TestServer(Http2Settings.defaultSettings(), Http2TranslationTest::streamer);
                ProxyHarness p = proxy(h2(up.address()));
                RawHttpClient c = p.client("in")) {
            c.send("GET /download HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse head = c.readHead();
            assertEquals(200, head.status());
            assertEquals(String.valueOf(TOTAL), head.header("content-length"));
            readBody(c.in(), 0, TOTAL, null);
        }
    }

    /** A stream handler that answers any request with the 100 MiB pattern body, as fast as the stream takes it. */
    private static ChannelInboundHandlerAdapter streamer() {
        return new ChannelInboundHandlerAdapter() {
            long off = -1;

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                boolean last = msg instanceof LastHttpContent;
                ReferenceCountUtil.release(msg);
                if (last && off < 0) {
                    DefaultHttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, TOTAL);
                    ctx.write(r);
                    off = 0;
                    pump(ctx);
                }
            }

            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                if (off >= 0 && ctx.channel().isWritable()) {
                    pump(ctx);
                }
            }

            private void pump(ChannelHandlerContext ctx) {
                while (off < TOTAL && ctx.channel().isWritable()) {
                    int n = (int) Math.min(64 * 1024, TOTAL - off);
                    byte[] chunk = new byte[n];
                    fill(off, chunk);
                    off += n;
                    ctx.write(off == TOTAL ? new DefaultLastHttpContent(Unpooled.wrappedBuffer(chunk))
                            : new DefaultHttpContent(Unpooled.wrappedBuffer(chunk)));
                }
                ctx.flush();
            }
        };
    }

    @Test
    void trailersFromAnH2UpstreamReachAnH1Client() throws Exception {
        try (H2TestServer up = new H2TestServer(Http2Settings.defaultSettings(), () -> new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        boolean last = msg instanceof LastHttpContent;
                        // (this server's own codec adds x-http2-* to what it hands us; Remora's must not reach it)
                        boolean leak = msg instanceof HttpRequest r && (r.headers().contains("connection")
                                || r.headers().contains("keep-alive"));
                        ReferenceCountUtil.release(msg);
                        if (leak) {
                            ctx.close();
                        } else if (last) {
                            ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
                            ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer("hello".getBytes())));
                            DefaultLastHttpContent end = new DefaultLastHttpContent();
                            end.trailingHeaders().set("grpc-status", "0").set("x-checksum", "abc123");
                            ctx.writeAndFlush(end);
                        }
                    }
                });
                ProxyHarness p = proxy(h2(up.address()));
                RawHttpClient c = p.client("in")) {
            c.send("GET /t HTTP/1.1\r\nHost: t\r\nConnection: keep-alive\r\n\r\n");
            RawResponse r = c.readResponse();
            assertEquals(200, r.status());
            assertTrue(r.chunked(), "no length from HTTP/2: chunked, so the trailers can follow");
            assertEquals("hello", r.bodyText());
            assertEquals("abc123", r.trailers().get("x-checksum"));
            assertEquals("0", r.trailers().get("grpc-status"));
            assertFalse(r.headers().has("x-http2-stream-id"));
        }
    }

    @Test
    void h2ClientToH2UpstreamSharesOneUpstreamConnection() throws Exception {
        try (H2TestServer up = H2TestServer.aggregating(Http2Settings.defaultSettings(),
                        req -> H2TestServer.text(HttpResponseStatus.OK, req.method() + " " + req.uri() + " "
                                + req.content().readableBytes()));
                ProxyHarness p = proxy(h2(up.address()));
                H2TestClient client = new H2TestClient(p.port("in"))) {
            List<H2TestClient.Stream> streams = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                streams.add(client.get("/s" + i));
            }
            for (int i = 0; i < 50; i++) {
                streams.get(i).end.get(10, TimeUnit.SECONDS);
                assertEquals("GET /s" + i + " 0", streams.get(i).bodyText());
            }
            assertEquals(1, up.connections.get(), "50 concurrent streams, one upstream connection");
            assertEquals(50, up.streams.get());
        }
    }
}
