package io.remora.core.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Runs a decoder over raw bytes and renders everything it emits as lines, so a test compares one list:
 * <pre>
 *   POST /x HTTP/1.1          a request head (a response head: "HTTP/1.1 200 OK")
 *   Host: a                   each header field, as emitted
 *   body=hello                all content bytes up to the next non-content message, merged
 *   trailer X-T: 1            each trailer field
 *   end                       the LastHttpContent
 *   raw=...                   ByteBufs passed through after a protocol switch, merged
 *   FAIL HttpSyntaxException: obs-fold in field line        a head whose decoderResult failed
 *   FAIL-BODY HttpSyntaxException: invalid chunk size       a content whose decoderResult failed
 *   |close|                   what follows was emitted when the channel closed
 * </pre>
 * Bytes are written as ISO-8859-1, so "\u00ff" in a test string is the byte 0xff. Every message is released as
 * soon as it is rendered, and every channel is finished, so a leak fails the class (LeakCheck).
 */
final class Transcript {
    private Transcript() {
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Lines joined with CRLF, each line terminated: {@code http("GET / HTTP/1.1", "Host: a", "")}. */
    static String http(String... lines) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l).append("\r\n");
        }
        return sb.toString();
    }

    /** How the input is cut into writes. */
    interface Split {
        List<byte[]> cut(byte[] input);

        static Split whole() {
            return in -> List.of(in);
        }

        static Split bytewise() {
            return in -> {
                List<byte[]> out = new ArrayList<>();
                for (byte b : in) {
                    out.add(new byte[] {b});
                }
                return out;
            };
        }

        static Split at(int index) {
            return in -> List.of(java.util.Arrays.copyOfRange(in, 0, index),
                    java.util.Arrays.copyOfRange(in, index, in.length));
        }

        static Split random(long seed) {
            return in -> {
                Random r = new Random(seed);
                List<byte[]> out = new ArrayList<>();
                int i = 0;
                while (i < in.length) {
                    int n = Math.min(in.length - i, 1 + r.nextInt(9));
                    out.add(java.util.Arrays.copyOfRange(in, i, i + n));
                    i += n;
                }
                return out;
            };
        }
    }

    /** Feeds {@code input} in the given writes, then closes the channel; returns the rendered output. */
    static List<String> run(Supplier<? extends ChannelHandler> decoder, byte[] input, Split split) {
        EmbeddedChannel ch = new EmbeddedChannel(decoder.get());
        Renderer r = new Renderer();
        try {
            for (byte[] piece : split.cut(input)) {
                ch.writeInbound(Unpooled.wrappedBuffer(piece));
                r.drain(ch);
            }
            r.flush();
            ch.finish();
            r.closed = true;
            r.drain(ch);
            r.flush();
        } finally {
            ch.finishAndReleaseAll();
        }
        return r.lines;
    }

    /**
     * Runs the input whole, byte by byte, cut in two at every index (at most 160 of them, evenly spread, for long
     * inputs), and in random pieces, and checks that every way gives the same output; returns it.
     */
    static List<String> runAllSplits(Supplier<? extends ChannelHandler> decoder, byte[] input) {
        List<String> whole = run(decoder, input, Split.whole());
        assertEquals(whole, run(decoder, input, Split.bytewise()), "byte by byte");
        int step = Math.max(1, input.length / 160);
        for (int i = 1; i < input.length; i += step) {
            assertEquals(whole, run(decoder, input, Split.at(i)), "split at " + i);
        }
        for (long seed = 1; seed <= 3; seed++) {
            assertEquals(whole, run(decoder, input, Split.random(seed)), "random split " + seed);
        }
        return whole;
    }

    /** Renders messages as they are read; used directly by tests that drive a channel themselves. */
    static final class Renderer {
        final List<String> lines = new ArrayList<>();
        boolean closed;
        private boolean closeMarked;
        private StringBuilder body;
        private StringBuilder raw;

        void drain(EmbeddedChannel ch) {
            for (Object msg; (msg = ch.readInbound()) != null;) {
                try {
                    render(msg);
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }
        }

        void render(Object msg) {
            if (closed && !closeMarked) {
                flush();
                lines.add("|close|");
                closeMarked = true;
            }
            if (msg instanceof HttpMessage m) {
                flush();
                DecoderResult result = m.decoderResult();
                if (result.isFailure()) {
                    lines.add("FAIL " + describe(result.cause()));
                } else {
                    if (m instanceof HttpRequest req) {
                        lines.add(req.method() + " " + req.uri() + " " + req.protocolVersion());
                    } else {
                        HttpResponse resp = (HttpResponse) m;
                        lines.add(resp.protocolVersion() + " " + resp.status().code() + " "
                                + resp.status().reasonPhrase());
                    }
                    for (Map.Entry<String, String> e : m.headers()) {
                        lines.add(e.getKey() + ": " + e.getValue());
                    }
                }
            }
            if (msg instanceof HttpContent c) {
                if (c.decoderResult().isFailure()) {
                    flush();
                    lines.add("FAIL-BODY " + describe(c.decoderResult().cause()));
                    return;
                }
                if (c.content().isReadable()) {
                    if (body == null) {
                        body = new StringBuilder();
                    }
                    body.append(escape(c.content()));
                }
                if (c instanceof LastHttpContent last) {
                    flush();
                    for (Map.Entry<String, String> e : last.trailingHeaders()) {
                        lines.add("trailer " + e.getKey() + ": " + e.getValue());
                    }
                    lines.add("end");
                }
            } else if (msg instanceof ByteBuf b) {
                if (body != null) {
                    flush();
                }
                if (raw == null) {
                    raw = new StringBuilder();
                }
                raw.append(escape(b));
            } else if (!(msg instanceof HttpMessage)) {
                throw new AssertionError("unexpected message " + msg);
            }
        }

        void flush() {
            if (body != null) {
                lines.add("body=" + body);
                body = null;
            }
            if (raw != null) {
                lines.add("raw=" + raw);
                raw = null;
            }
        }
    }

    static String describe(Throwable t) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    static String escape(ByteBuf b) {
        StringBuilder sb = new StringBuilder();
        for (int i = b.readerIndex(); i < b.writerIndex(); i++) {
            int c = b.getByte(i) & 0xff;
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c < 0x20 || c >= 0x7f) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
