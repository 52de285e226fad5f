package io.remora.cli;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.remora.core.server.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A tiny HTTP backend for {@code remora demo}: answers every request with a line of JSON naming itself, the
 * request and the headers Remora added, so a curl through the proxy shows what happened. It can misbehave on
 * purpose ({@link Behaviour}), so the demo can show what Remora does about it.
 */
final class DemoBackend implements AutoCloseable {

    /** How the backend answers. */
    enum Behaviour {
        HEALTHY("healthy"),
        /** Half the requests, at random, get 503. */
        FAILS_HALF("fails half its requests with 503"),
        /** Every answer is 300 ms late. */
        SLOW("answers 300 ms late");

        final String description;

        Behaviour(String description) {
            this.description = description;
        }
    }

    private final Channel channel;
    private final Behaviour behaviour;
    private final java.util.concurrent.atomic.AtomicLong served = new java.util.concurrent.atomic.AtomicLong();

    DemoBackend(String name, EventLoopGroup group, Transport transport) {
        this(name, group, transport, Behaviour.HEALTHY);
    }

    DemoBackend(String name, EventLoopGroup group, Transport transport, Behaviour behaviour) {
        this.behaviour = behaviour;
        this.channel = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(1 << 20))
                                .addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        served.incrementAndGet();
                                        FullHttpResponse r = behaviour == Behaviour.FAILS_HALF
                                                && java.util.concurrent.ThreadLocalRandom.current().nextBoolean()
                                                ? unavailable(name) : answer(name, req);
                                        ChannelFutureListener after = HttpUtil.isKeepAlive(req)
                                                ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE;
                                        if (behaviour == Behaviour.SLOW) {
                                            ctx.executor().schedule(() -> ctx.writeAndFlush(r).addListener(after),
                                                    300, java.util.concurrent.TimeUnit.MILLISECONDS);
                                        } else {
                                            ctx.writeAndFlush(r).addListener(after);
                                        }
                                    }
                                });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    private static FullHttpResponse answer(String name, FullHttpRequest req) {
        String json = "{\"backend\":\"" + name + "\",\"method\":\"" + req.method() + "\",\"path\":\""
                + escape(req.uri()) + "\",\"x-request-id\":\"" + escape(req.headers().get("x-request-id", ""))
                + "\",\"x-forwarded-for\":\"" + escape(req.headers().get("x-forwarded-for", "")) + "\"}\n";
        ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return r;
    }

    private static FullHttpResponse unavailable(String name) {
        ByteBuf body = Unpooled.copiedBuffer(name + " is failing on purpose\n", StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE,
                body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return r;
    }

    Behaviour behaviour() {
        return behaviour;
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
