package io.remora.core.http1;

import static io.remora.core.http1.Transcript.bytes;
import static io.remora.core.http1.Transcript.http;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Limits, policies, streaming, CONNECT, connection close, and mutation corpora for {@link StrictRequestDecoder}. */
class StrictRequestDecoderTest {
    private static final String G = "GET / HTTP/1.1";
    private static final String P = "POST / HTTP/1.1";
    private static final String H = "Host: a";
    private static final String TE = "Transfer-Encoding: chunked";

    /** Small limits, so that every split of every row stays cheap: head 64 bytes, 3 fields, 8 extension bytes,
     *  32 trailer bytes. */
    private static final Supplier<StrictRequestDecoder> SMALL =
            () -> new StrictRequestDecoder(64, 3, UnderscorePolicy.DROP, 8, 32);

    private static String pad(int n) {
        return "v".repeat(n);
    }

    static Stream<Arguments> limits() {
        // "GET / HTTP/1.1\r\n" is 16 bytes, "Host: a\r\n" 9, "X: " + v + "\r\n" 5 + |v|, the final CRLF 2
        String line64 = "GET /" + pad(64 - 16) + " HTTP/1.1";
        return Stream.of(
                Arguments.of("head of exactly 64 bytes", http(G, H, "X: " + pad(32), ""),
                        List.of(G, H, "X: " + pad(32), "end")),
                Arguments.of("a leading CRLF is not counted", "\r\n" + http(G, H, "X: " + pad(32), ""),
                        List.of(G, H, "X: " + pad(32), "end")),
                Arguments.of("head of 65 bytes", http(G, H, "X: " + pad(33), ""),
                        List.of("FAIL TooLongHttpHeaderException: header section larger than 64 bytes")),
                Arguments.of("request line of exactly 64 bytes, then no room for Host", http(line64, H, ""),
                        List.of("FAIL TooLongHttpHeaderException: header section larger than 64 bytes")),
                Arguments.of("request line of 65 bytes", http("GET /" + pad(64 - 15) + " HTTP/1.1", H, ""),
                        List.of("FAIL TooLongHttpLineException: request line longer than 64 bytes")),
                Arguments.of("request line without end", "GET /" + pad(100),
                        List.of("FAIL TooLongHttpLineException: request line longer than 64 bytes")),
                Arguments.of("3 fields", http(G, H, "A: 1", "B: 2", ""), List.of(G, H, "A: 1", "B: 2", "end")),
                Arguments.of("4 fields", http(G, H, "A: 1", "B: 2", "C: 3", ""),
                        List.of("FAIL TooLongHttpHeaderException: more than 3 header fields")),
                Arguments.of("dropped fields count too", http(G, H, "A_1: 1", "B_2: 2", "C: 3", ""),
                        List.of("FAIL TooLongHttpHeaderException: more than 3 header fields")),
                Arguments.of("8 extension bytes in one chunk", http(P, H, TE, "") + "1;abcdefg\r\nx\r\n0\r\n\r\n",
                        List.of(P, H, TE, "body=x", "end")),
                Arguments.of("8 extension bytes over the message", http(P, H, TE, "")
                        + "1;abc\r\nx\r\n1;d\r\ny\r\n0;e\r\n\r\n", List.of(P, H, TE, "body=xy", "end")),
                Arguments.of("9 extension bytes over the message", http(P, H, TE, "")
                        + "1;abc\r\nx\r\n1;d\r\ny\r\n0;ef\r\n\r\n", List.of(P, H, TE, "body=xy",
                        "FAIL-BODY HttpSyntaxException: chunk extensions longer than 8 bytes")),
                Arguments.of("endless chunk extension", http(P, H, TE, "") + "1;" + "a".repeat(100),
                        List.of(P, H, TE, "FAIL-BODY HttpSyntaxException: chunk extensions longer than 8 bytes")),
                Arguments.of("endless chunk size", http(P, H, TE, "") + "0".repeat(100),
                        List.of(P, H, TE, "FAIL-BODY HttpSyntaxException: chunk size longer than 16 hex digits")),
                Arguments.of("trailer section of exactly 32 bytes", http(P, H, TE, "") + "0\r\nX: " + pad(25)
                        + "\r\n\r\n", List.of(P, H, TE, "trailer X: " + pad(25), "end")),
                Arguments.of("trailer section of 33 bytes", http(P, H, TE, "") + "0\r\nX: " + pad(26) + "\r\n\r\n",
                        List.of(P, H, TE, "FAIL-BODY TooLongHttpHeaderException: trailer section larger than 32 bytes")),
                Arguments.of("4 trailer fields", http(P, H, TE, "") + "0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",
                        List.of(P, H, TE, "FAIL-BODY TooLongHttpHeaderException: more than 3 trailer fields")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("limits")
    void limits(String name, String input, List<String> expected) {
        assertEquals(expected, Transcript.runAllSplits(SMALL, bytes(input)), name);
    }

    @Test
    void tooLongExceptionsAreNettysTypes() {
        EmbeddedChannel ch = new EmbeddedChannel(SMALL.get());
        ch.writeInbound(Unpooled.wrappedBuffer(bytes("GET /" + pad(100))));
        HttpRequest req = ch.readInbound();
        assertInstanceOf(TooLongHttpLineException.class, req.decoderResult().cause(), "414");
        assertFalse(ch.finishAndReleaseAll());

        ch = new EmbeddedChannel(SMALL.get());
        ch.writeInbound(Unpooled.wrappedBuffer(bytes(http(G, H, "X: " + pad(60)))));
        req = ch.readInbound();
        assertInstanceOf(TooLongHttpHeaderException.class, req.decoderResult().cause(), "431");
        assertFalse(ch.finishAndReleaseAll());
    }

    @ParameterizedTest
    @EnumSource(UnderscorePolicy.class)
    void underscorePolicies(UnderscorePolicy policy) {
        Supplier<StrictRequestDecoder> d = () -> new StrictRequestDecoder(8192, 100, policy, 4096, 8192);
        List<String> out = Transcript.runAllSplits(d, bytes(http(G, H, "X_Real_IP: 1.2.3.4", "X-Real-IP: 5.6.7.8",
                "")));
        List<String> expected = switch (policy) {
            case ALLOW -> List.of(G, H, "X_Real_IP: 1.2.3.4", "X-Real-IP: 5.6.7.8", "end");
            case DROP -> List.of(G, H, "X-Real-IP: 5.6.7.8", "end");
            case REJECT -> List.of("FAIL HttpSyntaxException: underscore in field name");
        };
        assertEquals(expected, out);
        // the policy applies to trailers as well
        List<String> trailers = Transcript.runAllSplits(d, bytes(http(P, H, TE, "") + "0\r\nX_T: 1\r\nX-T: 2\r\n\r\n"));
        assertEquals(switch (policy) {
            case ALLOW -> List.of(P, H, TE, "trailer X_T: 1", "trailer X-T: 2", "end");
            case DROP -> List.of(P, H, TE, "trailer X-T: 2", "end");
            case REJECT -> List.of(P, H, TE, "FAIL-BODY HttpSyntaxException: underscore in field name");
        }, trailers);
    }

    @Test
    void headFailureIsAnHttpRequestNotAFullOne_bodyFailureALastContent() {
        EmbeddedChannel ch = new EmbeddedChannel(new StrictRequestDecoder(8192));
        ch.writeInbound(Unpooled.wrappedBuffer(bytes(http(G, "Host : a", ""))));
        Object msg = ch.readInbound();
        assertInstanceOf(DefaultHttpRequest.class, msg);
        assertFalse(msg instanceof FullHttpRequest, "nothing to release, nothing that looks like a body");
        assertInstanceOf(HttpSyntaxException.class, ((HttpRequest) msg).decoderResult().cause());
        assertNull(ch.readInbound());
        assertTrue(((StrictRequestDecoder) ch.pipeline().first()).isBad());
        assertFalse(ch.finishAndReleaseAll());

        ch = new EmbeddedChannel(new StrictRequestDecoder(8192));
        ch.writeInbound(Unpooled.wrappedBuffer(bytes(http(P, H, TE, "") + "zz\r\n")));
        HttpRequest req = ch.readInbound();
        assertTrue(req.decoderResult().isSuccess());
        LastHttpContent last = ch.readInbound();
        assertInstanceOf(HttpSyntaxException.class, last.decoderResult().cause());
        assertFalse(last.content().isReadable());
        last.release();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void pipelinedRequestsInOneWriteComeOutInOrder() {
        EmbeddedChannel ch = new EmbeddedChannel(new StrictRequestDecoder(8192));
        ch.writeInbound(Unpooled.wrappedBuffer(bytes(http("GET /1 HTTP/1.1", H, "")
                + http("POST /2 HTTP/1.1", H, "Content-Length: 3", "") + "abc"
                + http("PUT /3 HTTP/1.1", H, TE, "") + "2\r\nde\r\n0\r\n\r\n")));
        List<String> kinds = new ArrayList<>();
        for (Object m; (m = ch.readInbound()) != null;) {
            if (m instanceof HttpRequest r) {
                kinds.add(r.method() + " " + r.uri());
            } else if (m instanceof LastHttpContent c) {
                kinds.add("last(" + c.content().readableBytes() + ")");
            } else if (m instanceof HttpContent c) {
                kinds.add("content(" + c.content().readableBytes() + ")");
            }
            ReferenceCountUtil.release(m);
        }
        assertEquals(List.of("GET /1", "last(0)", "POST /2", "last(3)", "PUT /3", "content(2)", "last(0)"), kinds);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void largeChunkedBodyIsStreamedInBoundedPiecesWithoutAggregation() throws Exception {
        Random random = new Random(7);
        byte[] body = new byte[1 << 20];
        random.nextBytes(body);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(bytes(http(P, H, TE, "")));
        int[] sizes = {1, 100_000, 0x10000, 0x10001, 300_000};
        int off = 0;
        for (int i = 0; off < body.length; i++) {
            int n = Math.min(sizes[i % sizes.length], body.length - off);
            wire.writeBytes(bytes(Integer.toHexString(n) + "\r\n"));
            wire.write(body, off, n);
            wire.writeBytes(bytes("\r\n"));
            off += n;
        }
        wire.writeBytes(bytes("0\r\n\r\n"));
        byte[] input = wire.toByteArray();

        EmbeddedChannel ch = new EmbeddedChannel(new StrictRequestDecoder(8192));
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        int contents = 0;
        int beforeLastWrite = -1;
        boolean last = false;
        for (int i = 0; i < input.length; i += 8192) {
            if (i + 8192 >= input.length) {
                beforeLastWrite = contents;
            }
            ch.writeInbound(Unpooled.wrappedBuffer(input, i, Math.min(8192, input.length - i)));
            for (Object m; (m = ch.readInbound()) != null;) {
                if (m instanceof HttpContent c) {
                    assertTrue(c.content().readableBytes() <= 64 * 1024);
                    c.content().readBytes(received, c.content().readableBytes());
                    contents++;
                    last = c instanceof LastHttpContent;
                } else {
                    assertInstanceOf(HttpRequest.class, m);
                }
                ReferenceCountUtil.release(m);
            }
        }
        assertTrue(last);
        assertTrue(beforeLastWrite > 100, "content is passed on as it arrives: " + beforeLastWrite);
        assertArrayEquals(body, received.toByteArray());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void largeFixedBodyInOneWriteIsCutIn64KiBSlices() throws Exception {
        byte[] body = new byte[200_000];
        new Random(3).nextBytes(body);
        EmbeddedChannel ch = new EmbeddedChannel(new StrictRequestDecoder(8192));
        ByteBuf in = Unpooled.buffer();
        in.writeBytes(bytes(http(P, H, "Content-Length: " + body.length, "")));
        in.writeBytes(body);
        ch.writeInbound(in);
        HttpRequest req = ch.readInbound();
        assertTrue(req.decoderResult().isSuccess());
        List<Integer> sizes = new ArrayList<>();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        for (HttpContent c; (c = ch.readInbound()) != null;) {
            sizes.add(c.content().readableBytes());
            c.content().readBytes(received, c.content().readableBytes());
            c.release();
        }
        assertEquals(List.of(65536, 65536, 65536, 200_000 - 3 * 65536), sizes);
        assertArrayEquals(body, received.toByteArray());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void afterConnectTheBytesAreHeldForTheTunnelUnparsed() {
        EmbeddedChannel ch = new EmbeddedChannel(new StrictRequestDecoder(8192));
        ch.writeInbound(Unpooled.wrappedBuffer(bytes(http("CONNECT a:443 HTTP/1.1", "Host: a:443", "")
                + "\u0016\u0003\u0001 not HTTP at all\r\n\r\n")));
        HttpRequest req = ch.readInbound();
        assertEquals("a:443", req.uri());
        assertEquals(LastHttpContent.EMPTY_LAST_CONTENT, ch.readInbound());
        assertNull(ch.readInbound(), "what follows CONNECT is not parsed as a request");
        ch.writeInbound(Unpooled.wrappedBuffer(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n")));
        assertNull(ch.readInbound(), "not even when it looks like one");
        // the tunnel takes over: removing the decoder hands it the held bytes as they came
        ch.pipeline().removeFirst();
        ByteBuf held = ch.readInbound();
        assertEquals("\u0016\u0003\u0001 not HTTP at all\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
                held.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
        held.release();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void connectWithContentLengthZeroIsHeldToo() {
        EmbeddedChannel ch = new EmbeddedChannel(new StrictRequestDecoder(8192));
        ch.writeInbound(Unpooled.wrappedBuffer(bytes(http("CONNECT [::1]:443 HTTP/1.1", "Host: [::1]",
                "Content-Length: 0", "") + "x")));
        HttpRequest req = ch.readInbound();
        assertTrue(req.decoderResult().isSuccess());
        assertEquals(LastHttpContent.EMPTY_LAST_CONTENT, ch.readInbound());
        assertNull(ch.readInbound());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void aSubclassCanObserveDecodedRequestsLikeDownstreamCodecDoes() {
        List<String> methods = new ArrayList<>();
        StrictRequestDecoder observing = new StrictRequestDecoder(8192) {
            @Override
            protected void decode(io.netty.channel.ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
                int before = out.size();
                super.decode(ctx, in, out);
                for (int i = before; i < out.size(); i++) {
                    if (out.get(i) instanceof HttpRequest r) {
                        methods.add(r.method().name());
                    }
                }
            }
        };
        EmbeddedChannel ch = new EmbeddedChannel(observing);
        ch.writeInbound(Unpooled.wrappedBuffer(bytes(http("HEAD / HTTP/1.1", H, "") + http(G, H, ""))));
        for (Object m; (m = ch.readInbound()) != null;) {
            ReferenceCountUtil.release(m);
        }
        assertEquals(List.of("HEAD", "GET"), methods);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void connectHoldIsBounded() {
        EmbeddedChannel ch = new EmbeddedChannel(new StrictRequestDecoder(8192));
        ch.writeInbound(Unpooled.wrappedBuffer(bytes(http("CONNECT a:443 HTTP/1.1", "Host: a:443", ""))));
        ReferenceCountUtil.release(ch.readInbound());
        ReferenceCountUtil.release(ch.readInbound());
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[64 * 1024]));
        ch.checkException();
        DecoderException e = assertThrows(DecoderException.class,
                () -> ch.writeInbound(Unpooled.wrappedBuffer(new byte[1])));
        assertInstanceOf(HttpSyntaxException.class, e.getCause());
        ch.writeInbound(Unpooled.wrappedBuffer(bytes(http(G, H, ""))));
        assertNull(ch.readInbound());
        assertFalse(ch.finishAndReleaseAll());
    }

    static Stream<Arguments> closes() {
        return Stream.of(
                Arguments.of("close between requests", http(G, H, ""), List.of(G, H, "end")),
                Arguments.of("close after one CRLF", http(G, H, "") + "\r\n", List.of(G, H, "end")),
                Arguments.of("close mid request line: nobody to answer", "GET / HT", List.of()),
                Arguments.of("close mid head: nobody to answer", http(G, H), List.of()),
                Arguments.of("close mid fixed body", http(P, H, "Content-Length: 5", "") + "hel",
                        List.of(P, H, "Content-Length: 5", "body=hel", "|close|",
                                "FAIL-BODY PrematureChannelClosureException: connection closed before the request body"
                                        + " was complete")),
                Arguments.of("close mid chunk", http(P, H, TE, "") + "5\r\nhel", List.of(P, H, TE, "body=hel",
                        "|close|", "FAIL-BODY PrematureChannelClosureException: connection closed before the request"
                                + " body was complete")),
                Arguments.of("close before the last chunk", http(P, H, TE, "") + "3\r\nhel\r\n", List.of(P, H, TE,
                        "body=hel", "|close|", "FAIL-BODY PrematureChannelClosureException: connection closed before"
                                + " the request body was complete")),
                Arguments.of("close mid trailers", http(P, H, TE, "") + "0\r\nX: 1\r\n", List.of(P, H, TE,
                        "|close|", "FAIL-BODY PrematureChannelClosureException: connection closed before the request"
                                + " body was complete")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("closes")
    void connectionClose(String name, String input, List<String> expected) {
        assertEquals(expected, Transcript.runAllSplits(() -> new StrictRequestDecoder(8192), bytes(input)), name);
    }

    // ---- mutation corpora ------------------------------------------------------------------------------------

    /**
     * The Transfer-Encoding gadgets of smuggler.py (configs/default.py and exhaustive.py), each placed in its
     * template request that also carries {@code Content-Length}. Remora must reject every one, or read it with
     * Content-Length framing and forward no Transfer-Encoding; never both, never chunked.
     */
    static Stream<Arguments> smugglerGadgets() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("nameprefix1", " Transfer-Encoding: chunked");
        m.put("tabprefix1", "Transfer-Encoding:\tchunked");
        m.put("tabprefix2", "Transfer-Encoding\t:\tchunked");
        m.put("spacejoin1", "Transfer Encoding: chunked");
        m.put("underjoin1", "Transfer_Encoding: chunked");
        m.put("smashed", "Transfer Encoding:chunked");
        m.put("space1", "Transfer-Encoding : chunked");
        m.put("valueprefix1", "Transfer-Encoding:  chunked");
        m.put("vertprefix1", "Transfer-Encoding:\u000Bchunked");
        m.put("commaCow", "Transfer-Encoding: chunked, cow");
        m.put("cowComma", "Transfer-Encoding: cow, chunked");
        m.put("contentEnc", "Content-Encoding: chunked");
        m.put("linewrapped1", "Transfer-Encoding:\n chunked");
        m.put("quoted", "Transfer-Encoding: \"chunked\"");
        m.put("aposed", "Transfer-Encoding: 'chunked'");
        m.put("lazygrep", "Transfer-Encoding: chunk");
        m.put("sarcasm", "TrAnSFer-EnCODinG: cHuNkeD");
        m.put("yelling", "TRANSFER-ENCODING: CHUNKED");
        m.put("0dsuffix", "Transfer-Encoding: chunked\r");
        m.put("tabsuffix", "Transfer-Encoding: chunked\t");
        m.put("revdualchunk", "Transfer-Encoding: cow\r\nTransfer-Encoding: chunked");
        m.put("0dspam", "Transfer\r-Encoding: chunked");
        m.put("nested", "Transfer-Encoding: cow chunked bar");
        m.put("spaceFF", "Transfer-Encoding:\u00FFchunked");
        m.put("accentCH", "Transfer-Encoding: ch\u0096nked");
        m.put("accentTE", "Transf\u0082r-Encoding: chunked");
        m.put("x-rout", "X:X\rTransfer-Encoding: chunked");
        m.put("x-nout", "X:X\nTransfer-Encoding: chunked");
        for (int i = 0x01; i <= 0xff; i++) {
            if (i > 0x20 && i < 0x7f) {
                continue;
            }
            char c = (char) i;
            String x = String.format("%02x", i);
            m.put("midspace-" + x, "Transfer-Encoding:" + c + "chunked");
            m.put("postspace-" + x, "Transfer-Encoding" + c + ": chunked");
            m.put("prespace-" + x, c + "Transfer-Encoding: chunked");
            m.put("endspace-" + x, "Transfer-Encoding: chunked" + c);
            m.put("xprespace-" + x, "X: X" + c + "Transfer-Encoding: chunked");
            m.put("endspacex-" + x, "Transfer-Encoding: chunked" + c + "X: X");
            m.put("rxprespace-" + x, "X: X\r" + c + "Transfer-Encoding: chunked");
            m.put("xnprespace-" + x, "X: X" + c + "\nTransfer-Encoding: chunked");
            m.put("endspacerx-" + x, "Transfer-Encoding: chunked\r" + c + "X: X");
            m.put("endspacexn-" + x, "Transfer-Encoding: chunked" + c + "\nX: X");
        }
        return m.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smugglerGadgets")
    void smugglerGadgetsAreRejectedOrReadWithContentLength(String name, String gadget) {
        String input = "POST /?cb=1 HTTP/1.1\r\n" + gadget + "\r\nHost: a\r\nContent-type: x\r\nContent-Length: 5\r\n\r\n"
                + "0\r\n\r\n" + "G";
        List<String> out = runSomeSplits(() -> new StrictRequestDecoder(8192), bytes(input));
        if (out.size() == 1 && out.get(0).startsWith("FAIL HttpSyntaxException: ")) {
            return;
        }
        assertEquals("POST /?cb=1 HTTP/1.1", out.get(0), name);
        for (String line : out) {
            assertFalse(line.toLowerCase(java.util.Locale.ROOT).startsWith("transfer-encoding:"), name + ": " + out);
        }
        int body = out.indexOf("body=0\\r\\n\\r\\n");
        assertTrue(body > 0, name + ": " + out);
        assertEquals("end", out.get(body + 1), name);
        // the "G" left over starts the next request, which is still incomplete: nothing more was emitted
        assertEquals(body + 2, out.size(), name + ": " + out);
    }

    /**
     * Random mutations of valid requests (bounded count, fixed seeds): whatever the decoder makes of them, it
     * makes the same of every split of the bytes, fails only with the documented exception types, and leaks
     * nothing.
     */
    @Test
    void randomMutationsDecodeTheSameWayWhateverTheSplitAndFailOnlyWithKnownTypes() {
        String[] seeds = {
            http(G, H, "Accept: */*", ""),
            http(P, H, "Content-Length: 5", "") + "hello",
            http(P, H, TE, "X: y", "") + "5;e=1\r\nhello\r\n0\r\nT: v\r\n\r\n",
            http("GET http://a/x HTTP/1.1", H, "") + http("OPTIONS * HTTP/1.0", ""),
        };
        byte[] specials = bytes(" \t\r\n\u0000\u000b:,;\"0fF-+\u00ff");
        Random random = new Random(20240601);
        int accepted = 0;
        for (int round = 0; round < 1500; round++) {
            byte[] b = bytes(seeds[random.nextInt(seeds.length)]);
            int edits = 1 + random.nextInt(3);
            for (int e = 0; e < edits; e++) {
                int pos = random.nextInt(b.length);
                byte v = specials[random.nextInt(specials.length)];
                switch (random.nextInt(3)) {
                    case 0 -> b[pos] = v;
                    case 1 -> {
                        byte[] n = new byte[b.length + 1];
                        System.arraycopy(b, 0, n, 0, pos);
                        n[pos] = v;
                        System.arraycopy(b, pos, n, pos + 1, b.length - pos);
                        b = n;
                    }
                    default -> {
                        byte[] n = new byte[b.length - 1];
                        System.arraycopy(b, 0, n, 0, pos);
                        System.arraycopy(b, pos + 1, n, pos, b.length - pos - 1);
                        b = n;
                    }
                }
            }
            List<String> out = runSomeSplits(() -> new StrictRequestDecoder(8192), b);
            for (String line : out) {
                if (line.startsWith("FAIL")) {
                    assertTrue(line.matches("FAIL(-BODY)? (HttpSyntaxException|TooLongHttpHeaderException|"
                            + "TooLongHttpLineException|PrematureChannelClosureException): .*"), line);
                }
            }
            if (out.stream().noneMatch(l -> l.startsWith("FAIL"))) {
                accepted++;
            }
        }
        assertTrue(accepted > 50, "the mutations also produce valid requests: " + accepted);
    }

    /** Whole, byte by byte, and one random split: for corpora too large for every two-way split. */
    static List<String> runSomeSplits(Supplier<StrictRequestDecoder> d, byte[] input) {
        List<String> whole = Transcript.run(d, input, Transcript.Split.whole());
        assertEquals(whole, Transcript.run(d, input, Transcript.Split.bytewise()));
        assertEquals(whole, Transcript.run(d, input, Transcript.Split.random(input.length)));
        return whole;
    }
}
