package io.remora.core.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
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
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An HTTP/1.1 backend for tests, on 127.0.0.1 (or another loopback address) and an ephemeral port. By default
 * it answers every request with 200 and a body naming itself; {@link #handler} replaces that. It counts
 * connections and records requests, so tests can assert reuse and what the proxy forwarded.
 * {@link #holdResponses()} keeps requests in flight until {@link #releaseHeld()}, for tests that need a request
 * to be outstanding while something else happens; {@link #delayResponses} makes it a slow backend (the delay
 * is a timer on its event loop, so a slow backend still accepts and reads other requests meanwhile).
 */
public final class FakeUpstream implements AutoCloseable {
    private final String name;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<FullHttpRequest> requests = new CopyOnWriteArrayList<>();
    private final List<Channel> open = new CopyOnWriteArrayList<>();
    private final List<Runnable> held = new ArrayList<>();
    private volatile Function<FullHttpRequest, FullHttpResponse> handler;
    private volatile long delayNanos;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private boolean holding;

    public FakeUpstream(String name) {
        this(name, "127.0.0.1", 0);
    }

    /** Bound to {@code host:port} (port 0 = ephemeral), e.g. 127.0.0.2 to stand for a second DNS address. */
    public FakeUpstream(String name, String host, int port) {
        this.name = name;
        this.handler = req -> text(HttpResponseStatus.OK, "hello from " + name);
        var bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        open.add(ch);
                        ch.closeFuture().addListener(f -> open.remove(ch));
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(16 * 1024 * 1024))
                                .addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        requests.add(req.retainedDuplicate());
                                        FullHttpResponse resp = handler.apply(req);
                                        if (resp == null) {
                                            ctx.close();
                                            return;
                                        }
                                        boolean keepAlive = HttpUtil.isKeepAlive(req);
                                        if (!keepAlive) {
                                            resp.headers().set(HttpHeaderNames.CONNECTION, "close");
                                        }
                                        Runnable write = () -> {
                                            var f = ctx.writeAndFlush(resp);
                                            if (!keepAlive) {
                                                f.addListener(ChannelFutureListener.CLOSE);
                                            }
                                        };
                                        long delay = delayNanos;
                                        Runnable send = delay <= 0 ? write : () -> ctx.executor().schedule(write,
                                                delay, java.util.concurrent.TimeUnit.NANOSECONDS);
                                        synchronized (held) {
                                            if (holding) {
                                                held.add(() -> ctx.executor().execute(send));
                                                return;
                                            }
                                        }
                                        send.run();
                                    }
                                });
                    }
                });
        var bound = bootstrap.bind(new InetSocketAddress(host, port)).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
            throw new IllegalStateException("cannot bind " + host + ":" + port + ": " + bound.cause(), bound.cause());
        }
        this.server = bound.channel();
    }

    public static FullHttpResponse text(HttpResponseStatus status, String body) {
        ByteBuf buf = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, buf);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain").setInt(HttpHeaderNames.CONTENT_LENGTH,
                buf.readableBytes());
        return r;
    }

    /** Replaces how requests are answered; returning {@code null} closes the connection without a response. */
    public FakeUpstream handler(Function<FullHttpRequest, FullHttpResponse> handler) {
        this.handler = handler;
        return this;
    }

    public String name() {
        return name;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String address() {
        return ((InetSocketAddress) server.localAddress()).getAddress().getHostAddress() + ":" + port();
    }

    /** From now on, every response is sent {@code delay} after its request arrived ({@code 0}: at once). */
    public FakeUpstream delayResponses(java.time.Duration delay) {
        this.delayNanos = delay.toNanos();
        return this;
    }

    /** From now on, responses are kept (the requests stay in flight) until {@link #releaseHeld()}. */
    public void holdResponses() {
        synchronized (held) {
            holding = true;
        }
    }

    /** Sends every held response and stops holding. */
    public void releaseHeld() {
        List<Runnable> out;
        synchronized (held) {
            holding = false;
            out = new ArrayList<>(held);
            held.clear();
        }
        out.forEach(Runnable::run);
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Closes every connection the backend has open (as a backend's own idle timeout would). */
    public void closeOpenConnections() {
        for (Channel ch : open) {
            ch.close().syncUninterruptibly();
        }
    }

    public int openConnections() {
        return open.size();
    }

    public List<FullHttpRequest> requests() {
        return requests;
    }

    /**
     * The backend dies mid-test: the listening socket closes (new connections are refused) and every open
     * connection is closed. {@link #close()} by another name, for a backend a try-with-resources also closes.
     */
    public void kill() {
        close();
    }

    /** Stops the backend: no more connections, open ones closed. Idempotent, so a test may {@link #kill} it. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.close().syncUninterruptibly();
        for (Channel ch : open) {
            ch.close();
        }
        // release the recorded requests only once the loop has stopped: a connection still open a moment ago
        // may record one more, and releasing before that would leak it (seen when a test kills a backend)
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        requests.forEach(FullHttpRequest::release);
    }
}
