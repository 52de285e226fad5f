package io.remora.core.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Sits on an HTTP/2 stream channel right after Netty's {@code Http2StreamFrameToHttpObjectCodec} and makes its
 * {@code HttpObject}s what Remora's HTTP/1.1 data path expects:
 * <ul>
 *   <li>the codec's {@code x-http2-stream-id} and {@code x-http2-scheme} headers are removed: they describe this
 *       hop, and would otherwise be forwarded upstream or to the client;</li>
 *   <li>a {@link FullHttpMessage} (a HEADERS frame that ends the stream: a GET, a trailers-only gRPC response) is
 *       split into its head and a {@link LastHttpContent} carrying its body and trailers, the two parts the proxy
 *       relays (it takes a full message for a head only);</li>
 *   <li>a request written upstream is copied before the codec converts it, because the codec adds
 *       {@code x-http2-scheme} to the message it is given, which a retry could then send to another upstream;</li>
 *   <li>a message head immediately followed by an empty end (no body, no trailers) is written as one HEADERS frame
 *       that ends the stream: a GET as HTTP/2 clients send it, a trailers-only gRPC response as it must be;</li>
 *   <li>an empty {@link ByteBuf} written to flush a stream before closing it is completed here (a stream takes
 *       frames only);</li>
 *   <li>upstream, a RST_STREAM with REFUSED_STREAM, or a GOAWAY that excludes the stream, marks it
 *       {@link #refused}: the peer did not process it, so it is safe to send again;</li>
 *   <li>downstream, a CONNECT is answered 501 (Remora's tunnels are HTTP/1.1 only), and a client's RST_STREAM
 *       before the response ended is reported to the connection's rapid-reset accounting.</li>
 * </ul>
 */
public final class StreamAdapter extends ChannelDuplexHandler {
    static final String NAME = "h2-adapter";
    private static final AttributeKey<Boolean> REFUSED = AttributeKey.valueOf("remora.h2.refused");
    private static final String STREAM_ID = HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text().toString();
    private static final String SCHEME = HttpConversionUtil.ExtensionHeaderNames.SCHEME.text().toString();
    private static final String PATH = HttpConversionUtil.ExtensionHeaderNames.PATH.text().toString();

    /** Downstream (server) streams only: the connection to report to; null upstream. */
    private final ServerConnectionHandler connection;
    private boolean responseEnded;
    private boolean rejecting;
    /** A message head held until what follows shows whether the message has a body. */
    private HttpMessage heldHead;
    private ChannelPromise heldPromise;

    private StreamAdapter(ServerConnectionHandler connection) {
        this.connection = connection;
    }

    /** For a stream a client opened. */
    static StreamAdapter server(ServerConnectionHandler connection) {
        return new StreamAdapter(connection);
    }

    /** For a stream Remora opened to an upstream. */
    static StreamAdapter client() {
        return new StreamAdapter(null);
    }

    /** Whether the upstream refused this stream (REFUSED_STREAM, or beyond a GOAWAY's last stream): never processed. */
    public static boolean refused(Channel stream) {
        return Boolean.TRUE.equals(stream.attr(REFUSED).get());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (rejecting) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpMessage m) {
            stripHopHeaders(m.headers());
            if (connection != null && m instanceof HttpRequest req && HttpMethod.CONNECT.equals(req.method())) {
                rejectConnect(ctx, msg);
                return;
            }
            if (msg instanceof FullHttpMessage full) {
                split(ctx, full);
                return;
            }
        } else if (msg instanceof LastHttpContent last) {
            stripHopHeaders(last.trailingHeaders());
        }
        ctx.fireChannelRead(msg);
    }

    private static void stripHopHeaders(HttpHeaders h) {
        if (h.isEmpty()) {
            return;
        }
        h.remove(STREAM_ID).remove(SCHEME).remove(PATH);
        // :authority becomes Host; a request that also sent a host header has two: :authority wins (RFC 9113 8.3.1)
        List<String> hosts = h.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            h.set(HttpHeaderNames.HOST, hosts.get(0));
        }
    }

    private static void split(ChannelHandlerContext ctx, FullHttpMessage full) {
        HttpMessage head;
        if (full instanceof FullHttpRequest r) {
            head = new DefaultHttpRequest(r.protocolVersion(), r.method(), r.uri(), r.headers());
        } else {
            FullHttpResponse r = (FullHttpResponse) full;
            head = new DefaultHttpResponse(r.protocolVersion(), r.status(), r.headers());
        }
        LastHttpContent last = new DefaultLastHttpContent(full.content(), full.trailingHeaders());
        if (full.content().isReadable() && !io.netty.handler.codec.http.HttpUtil.isContentLengthSet(head)) {
            head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, full.content().readableBytes());
        }
        ctx.fireChannelRead(head);
        ctx.fireChannelRead(last); // takes over the content's reference
    }

    private void rejectConnect(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        rejecting = true;
        byte[] body = "CONNECT over HTTP/2 is not supported by Remora\n".getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_IMPLEMENTED,
                Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set("x-remora-flags", "DPE");
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf b && !b.isReadable()) {
            b.release();
            promise.trySuccess(); // the flush-before-close of the HTTP/1.1 path: nothing to write on a stream
            return;
        }
        if (msg instanceof LastHttpContent) {
            responseEnded = true;
        }
        if (connection != null && msg instanceof HttpObject) {
            connection.streamWrote();
        }
        if (msg instanceof HttpMessage head && !(msg instanceof FullHttpMessage)
                && !(head instanceof HttpResponse r && r.status().code() < 200)) {
            if (connection == null && head instanceof HttpRequest req) {
                // copied: the codec writes x-http2-scheme into the message it converts, and this one is kept to
                // resend on a retry, maybe to an HTTP/1.1 upstream (protocol auto)
                head = new DefaultHttpRequest(req.protocolVersion(), req.method(), req.uri(), req.headers().copy());
            }
            heldHead = head; // see what follows: a head followed by an empty end is one HEADERS frame
            heldPromise = promise;
            return;
        }
        if (heldHead != null) {
            HttpMessage head = heldHead;
            ChannelPromise headPromise = heldPromise;
            heldHead = null;
            heldPromise = null;
            if (msg instanceof LastHttpContent last && !last.content().isReadable() && last.trailingHeaders().isEmpty()) {
                // no body: a single HEADERS frame that ends the stream. A GET goes out as HTTP/2 clients send it,
                // and a trailers-only gRPC response is what it must be (a gRPC client rejects HEADERS followed by
                // an empty DATA frame that ends the stream)
                last.release();
                ctx.write(full(head), promise);
                if (!headPromise.isVoid()) {
                    headPromise.trySuccess();
                }
                return;
            }
            ctx.write(head, headPromise);
        }
        ctx.write(msg, promise);
    }

    private static FullHttpMessage full(HttpMessage head) {
        if (head instanceof HttpRequest r) {
            return new DefaultFullHttpRequest(r.protocolVersion(), r.method(), r.uri(), Unpooled.EMPTY_BUFFER,
                    r.headers(), EmptyHttpHeaders.INSTANCE);
        }
        HttpResponse r = (HttpResponse) head;
        return new DefaultFullHttpResponse(r.protocolVersion(), r.status(), Unpooled.EMPTY_BUFFER, r.headers(),
                EmptyHttpHeaders.INSTANCE);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (heldHead != null) {
            HttpMessage head = heldHead;
            heldHead = null;
            ctx.write(head, heldPromise);
            heldPromise = null;
        }
        ctx.flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame reset) {
            if (connection == null) {
                if (reset.errorCode() == Http2Error.REFUSED_STREAM.code()) {
                    ctx.channel().attr(REFUSED).set(Boolean.TRUE);
                }
            } else {
                connection.streamReset(!responseEnded);
            }
        } else if (evt instanceof Http2GoAwayFrame goAway) {
            // fired only on streams beyond the GOAWAY's last stream id: the peer will not process them
            ctx.channel().attr(REFUSED).set(Boolean.TRUE);
            goAway.release();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
