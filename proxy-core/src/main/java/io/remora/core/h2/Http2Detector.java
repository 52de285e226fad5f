package io.remora.core.h2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Decides, once per downstream connection, whether it speaks HTTP/1.1 or HTTP/2, and leaves the pipeline to the
 * one it speaks. Over TLS, ALPN decides ({@code h2} or {@code http/1.1}); a connection with no ALPN (cleartext, or
 * a TLS client that offered none) is HTTP/2 if and only if its first bytes are the 24-byte HTTP/2 connection
 * preface ("prior knowledge", RFC 9113 section 3.3). No HTTP/1.1 request can start with {@code PRI *
 * HTTP/2.0}, so the first byte that differs decides for HTTP/1.1 and nothing is delayed.
 *
 * <p>Sits after TLS and before the HTTP/1.1 handlers. For HTTP/1.1 it just removes itself; for HTTP/2 it calls
 * {@code toHttp2} (which replaces the HTTP/1.1 handlers after it) and hands the bytes read so far, preface
 * included, to what that installed.
 */
public final class Http2Detector extends ChannelInboundHandlerAdapter {
    public static final String NAME = "h2-detect";
    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Consumer<ChannelHandlerContext> toHttp2;
    private ByteBuf buffered;

    /** @param toHttp2 installs the HTTP/2 handlers right after the given context and removes the HTTP/1.1 ones */
    public Http2Detector(Consumer<ChannelHandlerContext> toHttp2) {
        this.toHttp2 = toHttp2;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (buffered == null) {
            String alpn = negotiated(ctx);
            if (ApplicationProtocolNames.HTTP_2.equals(alpn)) {
                http2(ctx, in);
                return;
            }
            if (alpn != null) {
                http1(ctx, in);
                return;
            }
            buffered = in;
        } else {
            buffered = ctx.alloc().compositeBuffer(2).addComponents(true, buffered, in);
        }
        int n = Math.min(buffered.readableBytes(), PREFACE.length);
        int from = buffered.readerIndex();
        for (int i = 0; i < n; i++) {
            if (buffered.getByte(from + i) != PREFACE[i]) {
                ByteBuf b = buffered;
                buffered = null;
                http1(ctx, b);
                return;
            }
        }
        if (n == PREFACE.length) {
            ByteBuf b = buffered;
            buffered = null;
            http2(ctx, b);
        } else if (!ctx.channel().config().isAutoRead()) {
            ctx.read(); // a preface split over reads: wait for the rest
        }
    }

    /** The protocol ALPN chose, or null without TLS or without ALPN. */
    private static String negotiated(ChannelHandlerContext ctx) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        return ssl == null ? null : ssl.applicationProtocol();
    }

    private void http1(ChannelHandlerContext ctx, ByteBuf bytes) {
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(bytes);
    }

    private void http2(ChannelHandlerContext ctx, ByteBuf bytes) {
        toHttp2.accept(ctx);
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(bytes);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (buffered != null) {
            buffered.release();
            buffered = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (buffered != null) {
            buffered.release();
            buffered = null;
        }
        ctx.fireChannelInactive();
    }
}
