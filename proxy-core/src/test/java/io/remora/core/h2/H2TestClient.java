package io.remora.core.h2;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * An HTTP/2 client for tests (cleartext, prior knowledge) on our own Netty: opens streams, sends request bodies
 * as the stream can take them, and reads responses with reading under the test's control ({@link Stream#pause},
 * {@link Stream#resume}), which is what drives HTTP/2 flow control from the client side.
 */
final class H2TestClient implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel connection;

    H2TestClient(int port) {
        this(port, Http2Settings.defaultSettings());
    }

    H2TestClient(int port, Http2Settings settings) {
        this.connection = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(Http2FrameCodecBuilder.forClient().initialSettings(settings).build())
                                .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                })
                .connect(new InetSocketAddress("127.0.0.1", port)).syncUninterruptibly().channel();
    }

    boolean isOpen() {
        return connection.isActive();
    }

    /** A GET with no body; the response collected in full. */
    Stream get(String path) {
        DefaultHttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
        req.headers().set("host", "test");
        Stream s = open(req, true);
        return s;
    }

    /**
     * Opens a stream with {@code head}; with {@code end} the request has no body (the HEADERS frame ends the
     * stream), else send the body with {@link Stream#send}.
     */
    Stream open(HttpRequest head, boolean end) {
        Stream s = new Stream();
        CompletableFuture<Http2StreamChannel> opened = new CompletableFuture<>();
        connection.eventLoop().execute(() -> new Http2StreamChannelBootstrap(connection)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false)).addLast(s);
                    }
                }).open().addListener(f -> {
                    if (f.isSuccess()) {
                        Http2StreamChannel ch = (Http2StreamChannel) f.getNow();
                        s.channel = ch;
                        if (end) {
                            ch.writeAndFlush(new io.netty.handler.codec.http.DefaultFullHttpRequest(
                                    head.protocolVersion(), head.method(), head.uri(), Unpooled.EMPTY_BUFFER,
                                    head.headers(), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE));
                        } else {
                            ch.writeAndFlush(head);
                        }
                        opened.complete(ch);
                    } else {
                        opened.completeExceptionally(f.cause());
                    }
                }));
        s.opened = opened;
        return s;
    }

    @Override
    public void close() {
        connection.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One stream: its response head, body bytes (kept up to 1 MiB, all counted), trailers and end. */
    static final class Stream extends ChannelInboundHandlerAdapter {
        volatile Http2StreamChannel channel;
        CompletableFuture<Http2StreamChannel> opened;
        final CompletableFuture<HttpResponse> head = new CompletableFuture<>();
        final CompletableFuture<HttpHeaders> end = new CompletableFuture<>();
        final AtomicLong received = new AtomicLong();
        /** Called with each body part's bytes as they arrive, on the client's event loop. */
        volatile Consumer<ByteBuf> onBody;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpResponse r) {
                head.complete(r);
            }
            if (msg instanceof HttpContent c) {
                ByteBuf b = c.content();
                received.addAndGet(b.readableBytes());
                if (onBody != null) {
                    onBody.accept(b);
                }
                synchronized (kept) {
                    if (kept.size() < 1024 * 1024) {
                        byte[] bytes = new byte[b.readableBytes()];
                        b.getBytes(b.readerIndex(), bytes);
                        kept.write(bytes, 0, bytes.length);
                    }
                }
                if (msg instanceof LastHttpContent last) {
                    end.complete(last.trailingHeaders());
                }
            }
            io.netty.util.ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            head.completeExceptionally(new IllegalStateException("stream closed before a response"));
            end.completeExceptionally(new IllegalStateException("stream closed before its end"));
            ctx.fireChannelInactive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            io.netty.util.ReferenceCountUtil.release(evt);
        }

        String bodyText() {
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
        }

        int status() throws Exception {
            return head.get(10, TimeUnit.SECONDS).status().code();
        }

        /** Stops reading: the client stops returning flow-control window to the server. */
        void pause() throws Exception {
            Http2StreamChannel ch = opened.get(5, TimeUnit.SECONDS);
            ch.eventLoop().submit(() -> ch.config().setAutoRead(false)).get(5, TimeUnit.SECONDS);
        }

        void resume() throws Exception {
            Http2StreamChannel ch = opened.get(5, TimeUnit.SECONDS);
            ch.eventLoop().execute(() -> ch.config().setAutoRead(true));
        }

        /**
         * Sends {@code total} body bytes from {@code source} (called with the offset, fills a buffer of up to
         * 64 KiB), as fast as the stream takes them (its writability, that is HTTP/2 flow control), then ends the
         * request. {@code sent} follows progress. Returns when everything was handed to the stream.
         */
        void send(long total, java.util.function.BiConsumer<Long, byte[]> source, AtomicLong sent) throws Exception {
            Http2StreamChannel ch = opened.get(5, TimeUnit.SECONDS);
            CompletableFuture<Void> done = new CompletableFuture<>();
            Runnable[] pump = new Runnable[1];
            long[] off = {0};
            pump[0] = () -> {
                while (off[0] < total && ch.isWritable()) {
                    int n = (int) Math.min(64 * 1024, total - off[0]);
                    byte[] chunk = new byte[n];
                    source.accept(off[0], chunk);
                    off[0] += n;
                    ch.write(off[0] == total ? new DefaultLastHttpContent(Unpooled.wrappedBuffer(chunk))
                            : new DefaultHttpContent(Unpooled.wrappedBuffer(chunk)));
                    sent.set(off[0]);
                }
                ch.flush();
                if (off[0] == total) {
                    done.complete(null);
                }
            };
            ch.eventLoop().execute(() -> {
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                        if (ctx.channel().isWritable() && !done.isDone()) {
                            pump[0].run();
                        }
                        ctx.fireChannelWritabilityChanged();
                    }
                });
                pump[0].run();
            });
            done.get(60, TimeUnit.SECONDS);
        }
    }
}
