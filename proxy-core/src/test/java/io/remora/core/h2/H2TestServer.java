package io.remora.core.h2;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An HTTP/2 backend for tests (cleartext, prior knowledge), on 127.0.0.1 and an ephemeral port, on our own
 * Netty. Each stream gets the handler {@code streams} supplies, after Netty's frame-to-HttpObject codec (auto-read
 * on, so a handler that wants flow control turns it off). {@link #aggregating} answers each request in full.
 * Counts connections and streams, and can send every connection a GOAWAY.
 */
final class H2TestServer implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger streams = new AtomicInteger();
    /** Streams open right now, and the most ever open at once on one connection. */
    final AtomicInteger maxOpenOnOneConnection = new AtomicInteger();
    final List<Channel> open = new CopyOnWriteArrayList<>();

    H2TestServer(Http2Settings settings, Supplier<ChannelHandler> streams) {
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        open.add(ch);
                        ch.closeFuture().addListener(f -> open.remove(ch));
                        AtomicInteger active = new AtomicInteger();
                        ch.pipeline()
                                .addLast(Http2FrameCodecBuilder.forServer().initialSettings(settings).build())
                                .addLast(new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                                    @Override
                                    protected void initChannel(Channel stream) {
                                        H2TestServer.this.streams.incrementAndGet();
                                        int now = active.incrementAndGet();
                                        maxOpenOnOneConnection.accumulateAndGet(now, Math::max);
                                        stream.closeFuture().addListener(f -> active.decrementAndGet());
                                        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true))
                                                .addLast(streams.get());
                                    }
                                }));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    /** A server that answers every request, aggregated, with {@code handler}'s response. */
    static H2TestServer aggregating(Http2Settings settings, Function<FullHttpRequest, FullHttpResponse> handler) {
        return new H2TestServer(settings, () -> new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel stream) {
                stream.pipeline().addLast(new HttpObjectAggregator(16 * 1024 * 1024))
                        .addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                FullHttpResponse r = handler.apply(req);
                                if (r != null) {
                                    ctx.writeAndFlush(r);
                                }
                            }
                        });
            }
        });
    }

    static FullHttpResponse text(HttpResponseStatus status, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(b));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain").setInt(HttpHeaderNames.CONTENT_LENGTH, b.length);
        return r;
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    /** Sends GOAWAY (NO_ERROR, last stream: the last one the connection saw) on every open connection. */
    void goAwayAll() {
        for (Channel ch : open) {
            ch.eventLoop().execute(() -> ch.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR)));
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        for (Channel ch : open) {
            ch.close();
        }
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
