package io.remora.core.h2;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.remora.config.model.ClusterConfig;
import io.remora.config.model.UpstreamProtocol;
import io.remora.core.breaker.CircuitBreaker;
import io.remora.core.pool.UpstreamConnector;
import io.remora.core.tls.TlsContext;
import io.remora.core.upstream.Cluster;
import io.remora.core.upstream.Host;
import java.net.ConnectException;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 connection to an upstream host, and the last handler of its pipeline: it connects (TLS and ALPN
 * when the cluster has {@code tls}), waits for the server's first SETTINGS (which say how many streams it takes;
 * an upstream that does not speak HTTP/2 fails here, within {@code connect_timeout}), opens streams for requests,
 * and closes the connection when it is idle, when it received GOAWAY and its last stream ended, or when it served
 * {@code max_requests_per_connection} streams and those ended.
 *
 * <p>Requests that arrive while it connects wait on it, as many as it is assumed to take
 * ({@value #ASSUMED_MAX_STREAMS}, the minimum RFC 9113 recommends servers allow, until SETTINGS say); when SETTINGS
 * allow fewer, the rest go to another connection.
 */
final class UpstreamConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(UpstreamConnectionHandler.class.getName());
    static final String NAME = "h2-upstream";
    static final int ASSUMED_MAX_STREAMS = 100;

    /** The pipeline of every stream Remora opens: HttpObjects in and out, auto-read off (the exchange reads). */
    private static final ChannelHandler STREAM_INIT = new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel stream) {
            stream.config().setAutoRead(false);
            stream.pipeline()
                    .addLast(Http2Server.STREAM_CODEC, new Http2StreamFrameToHttpObjectCodec(false))
                    .addLast(StreamAdapter.NAME, StreamAdapter.client());
        }
    };

    /** Streams the server opens (push is disabled in Remora's SETTINGS, so none should come) are closed. */
    private static final ChannelHandler REFUSE_SERVER_STREAMS = new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel stream) {
            stream.close();
        }
    };

    private final Http2Upstreams.HostConnections owner;
    private final Cluster cluster;
    private final Host host;
    private final CircuitBreaker breaker;
    private final UpstreamProtocol protocol;
    private final long idleNanos;
    private final long connectTimeoutNanos;
    private final int maxRequests;
    private final ArrayDeque<StreamCallback> waiters = new ArrayDeque<>(2);
    private final ChannelFutureListener onStreamClosed = f -> streamClosed();

    private Channel channel;
    private ChannelHandlerContext ctx;
    private Http2FrameCodec codec;
    private Http2StreamChannelBootstrap streams;
    private boolean slotHeld;
    private boolean ready;
    private boolean draining;
    private boolean closed;
    private long maxStreams = ASSUMED_MAX_STREAMS;
    private int active;
    private int opened;
    private long idleSince;
    private ScheduledFuture<?> idleTimer;
    private ScheduledFuture<?> readyTimer;
    /** Why the connection failed before it was ready, for the requests waiting on it. */
    private StreamCallback.Failure failure = StreamCallback.Failure.CONNECT;
    private String failureMessage;

    private UpstreamConnectionHandler(Http2Upstreams.HostConnections owner, Cluster cluster) {
        this.owner = owner;
        this.cluster = cluster;
        this.host = owner.host;
        this.breaker = cluster.breaker();
        ClusterConfig cc = cluster.config();
        this.protocol = cc.protocol();
        this.idleNanos = cc.idleTimeout().toNanos();
        this.connectTimeoutNanos = cc.connectTimeout().toNanos();
        this.maxRequests = cc.maxRequestsPerConnection();
    }

    /**
     * Opens a connection to {@code owner}'s host for {@code first} (which waits on it), taking a
     * {@code max_connections} slot; on overflow tells {@code first} so and opens nothing.
     */
    static void connect(Http2Upstreams.HostConnections owner, Cluster cluster, UpstreamConnector connector,
            StreamCallback first) {
        CircuitBreaker breaker = cluster.breaker();
        if (!breaker.tryAcquire(CircuitBreaker.Kind.CONNECTIONS)) {
            first.onFailure(StreamCallback.Failure.OVERFLOW, "circuit breaker open: cluster " + cluster.name()
                    + " is at max_connections (" + breaker.max(CircuitBreaker.Kind.CONNECTIONS) + ")");
            return;
        }
        UpstreamConnectionHandler h = new UpstreamConnectionHandler(owner, cluster);
        h.slotHeld = true;
        h.waiters.add(first);
        owner.add(h);
        TlsContext tls = cluster.tls();
        Host target = owner.host;
        ChannelFuture f = connector.connect(target, cluster.config().connectTimeout(),
                new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newClientHandler(ch.alloc(), sniHost(tls, target),
                                    target.address().getPort(), cluster.config().connectTimeout()));
                        }
                        ch.pipeline().addLast(NAME, h);
                    }
                });
        h.channel = f.channel();
        f.addListener((ChannelFuture done) -> h.connected(done));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    boolean isReady() {
        return ready;
    }

    int activeStreams() {
        return active;
    }

    /** Whether one more request may be given to this connection (now if ready, else once it is). */
    boolean hasRoom() {
        if (draining || closed) {
            return false;
        }
        int promised = active + waiters.size();
        return promised < maxStreams && (maxRequests <= 0 || opened + waiters.size() < maxRequests);
    }

    void await(StreamCallback callback) {
        waiters.add(callback);
    }

    // ---- connecting --------------------------------------------------------------------------------------

    private void connected(ChannelFuture f) {
        if (!f.isSuccess()) {
            closed = true;
            releaseSlot();
            owner.removed(this);
            failWaiters(StreamCallback.Failure.CONNECT, "upstream connect failure: " + describe(f.cause()) + where());
            return;
        }
        readyTimer = channel.eventLoop().schedule(this::notReadyInTime, connectTimeoutNanos, TimeUnit.NANOSECONDS);
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null) {
            startHttp2();
        } else {
            ssl.handshakeFuture().addListener(h -> handshaken(h, ssl));
        }
    }

    private void handshaken(Future<?> handshake, SslHandler ssl) {
        if (closed) {
            return;
        }
        if (!handshake.isSuccess()) {
            fail(StreamCallback.Failure.TLS, "upstream TLS handshake failed: " + tlsReason(handshake.cause()) + where());
            return;
        }
        String alpn = ssl.applicationProtocol();
        if (ApplicationProtocolNames.HTTP_2.equals(alpn) || (alpn == null && protocol == UpstreamProtocol.HTTP2)) {
            startHttp2();
        } else if (protocol == UpstreamProtocol.AUTO) {
            handOffHttp1();
        } else {
            fail(StreamCallback.Failure.CONNECT, "upstream chose " + alpn + " by ALPN, but cluster " + cluster.name()
                    + " has protocol http2" + where());
        }
    }

    private void startHttp2() {
        codec = Http2Codecs.client();
        ctx.pipeline().addBefore(NAME, Http2Server.CODEC, codec); // sends the preface and Remora's SETTINGS
        ctx.pipeline().addBefore(NAME, Http2Server.MULTIPLEX, new Http2MultiplexHandler(REFUSE_SERVER_STREAMS));
        Http2Codecs.growConnectionWindow(ctx, Http2Codecs.UPSTREAM_CONNECTION_WINDOW);
        streams = new Http2StreamChannelBootstrap(channel).handler(STREAM_INIT);
        channel.config().setAutoRead(true); // flow control, not reading, is the backpressure of HTTP/2
    }

    /** {@code protocol: auto} and the upstream speaks HTTP/1.1: the connection and its slot go to one request. */
    private void handOffHttp1() {
        cancel(readyTimer);
        closed = true;
        slotHeld = false;
        owner.removed(this);
        ctx.pipeline().remove(this);
        StreamCallback first = waiters.poll();
        ArrayDeque<StreamCallback> others = new ArrayDeque<>(waiters);
        waiters.clear();
        first.onHttp1(channel);
        for (StreamCallback w : others) {
            owner.open(cluster, w);
        }
    }

    private void notReadyInTime() {
        readyTimer = null;
        if (!ready && !closed) {
            fail(StreamCallback.Failure.CONNECT, "upstream sent no HTTP/2 SETTINGS within connect_timeout ("
                    + TimeUnit.NANOSECONDS.toMillis(connectTimeoutNanos) + " ms); does it speak HTTP/2?" + where());
        }
    }

    /** Ends a connection that never became ready; the requests waiting on it fail with {@code why}. */
    private void fail(StreamCallback.Failure kind, String why) {
        failure = kind;
        failureMessage = why;
        channel.close();
    }

    private void failWaiters(StreamCallback.Failure kind, String why) {
        StreamCallback w;
        while ((w = waiters.poll()) != null) {
            w.onFailure(kind, why);
        }
    }

    // ---- streams -----------------------------------------------------------------------------------------

    void openStream(StreamCallback callback) {
        active++;
        opened++;
        if (maxRequests > 0 && opened >= maxRequests) {
            draining = true; // recycled: closes once its last stream ends
        }
        cancel(idleTimer);
        idleTimer = null;
        Future<Http2StreamChannel> f = streams.open();
        if (f.isDone()) {
            streamOpened(f, callback);
        } else {
            f.addListener(done -> streamOpened(f, callback));
        }
    }

    private void streamOpened(Future<Http2StreamChannel> f, StreamCallback callback) {
        if (f.isSuccess()) {
            Http2StreamChannel stream = f.getNow();
            stream.closeFuture().addListener(onStreamClosed);
            callback.onStream(stream);
        } else {
            streamClosed();
            callback.onFailure(StreamCallback.Failure.REFUSED, "could not open an HTTP/2 stream: "
                    + f.cause() + where());
        }
    }

    private void streamClosed() {
        if (--active > 0 || closed) {
            return;
        }
        if (draining) {
            channel.close();
        } else {
            idleSince = channel.eventLoop().ticker().nanoTime();
            armIdle(idleNanos);
        }
    }

    /** Takes no new stream and closes once the streams in flight have ended. */
    void drain() {
        draining = true;
        if (active == 0) {
            channel.close();
        }
    }

    // ---- events ------------------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        try {
            if (msg instanceof Http2SettingsFrame s) {
                Long max = s.settings().maxConcurrentStreams();
                if (max != null) {
                    maxStreams = max;
                }
                Http2Codecs.capEncoderTable(codec);
                if (!ready) {
                    ready = true;
                    cancel(readyTimer);
                    readyTimer = null;
                    // after this read: a stream channel opened and written to while its connection is reading
                    // defers its flush to the end of that read, which only flushes the channels that read
                    channel.eventLoop().execute(this::serveWaiters);
                }
            } else if (msg instanceof Http2GoAwayFrame) {
                // streams beyond its last stream id were told (StreamAdapter marks them refused); the rest finish
                draining = true;
                if (active == 0) {
                    channel.close();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void serveWaiters() {
        if (waiters.isEmpty() && active == 0 && !closed) {
            idleSince = channel.eventLoop().ticker().nanoTime();
            armIdle(idleNanos);
        }
        StreamCallback w;
        while ((w = waiters.poll()) != null) {
            if (!draining && active < maxStreams && (maxRequests <= 0 || opened < maxRequests)) {
                openStream(w);
            } else {
                owner.open(cluster, w); // fewer streams than assumed: another connection takes it
            }
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            channel.close(); // the upstream closed its side: nothing more will come
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        cancel(idleTimer);
        cancel(readyTimer);
        releaseSlot();
        owner.removed(this);
        if (!waiters.isEmpty()) {
            failWaiters(failure, failureMessage != null ? failureMessage
                    : "upstream closed the connection before its HTTP/2 SETTINGS" + where());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "HTTP/2 upstream " + host + ": " + cause);
        if (!ready && failureMessage == null) {
            failureMessage = "upstream HTTP/2 connection failed: " + cause.getMessage() + where();
        }
        channel.close();
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    private void releaseSlot() {
        if (slotHeld) {
            slotHeld = false;
            breaker.release(CircuitBreaker.Kind.CONNECTIONS);
        }
    }

    private void armIdle(long delayNanos) {
        cancel(idleTimer);
        idleTimer = delayNanos > 0 ? channel.eventLoop().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS)
                : null;
    }

    private void checkIdle() {
        idleTimer = null;
        if (closed || active > 0) {
            return; // re-armed when the last stream ends
        }
        long idle = channel.eventLoop().ticker().nanoTime() - idleSince;
        if (idle >= idleNanos) {
            draining = true;
            channel.close();
        } else {
            armIdle(idleNanos - idle);
        }
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    private String where() {
        return " (" + host.addressString() + ", cluster " + host.cluster() + ")";
    }

    /** SNI for an upstream: the configured name, else the endpoint's host name (never an IP literal). */
    static String sniHost(TlsContext tls, Host target) {
        if (tls.config().sni() != null) {
            return tls.config().sni();
        }
        String endpoint = target.endpoint();
        int colon = endpoint.lastIndexOf(':');
        String name = colon > 0 ? endpoint.substring(0, colon) : endpoint;
        if (name.startsWith("[") || name.isEmpty()) {
            return null;
        }
        return new io.remora.config.model.HostPort(name, 0).isIpLiteral() ? null : name;
    }

    private static String describe(Throwable cause) {
        if (cause instanceof io.netty.channel.ConnectTimeoutException || (cause instanceof ConnectException
                && cause.getMessage() != null && cause.getMessage().toLowerCase(Locale.ROOT).contains("timed out"))) {
            return "connect timed out";
        }
        String m = cause == null ? null : cause.getMessage();
        if (m == null) {
            return cause == null ? "unknown" : cause.getClass().getSimpleName();
        }
        int colon = m.indexOf(": ");
        return colon > 0 ? m.substring(0, colon).toLowerCase(Locale.ROOT) : m;
    }

    private static String tlsReason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof io.remora.core.tls.TlsRefusal r) {
                return r.getMessage();
            }
        }
        return t == null ? "unknown" : String.valueOf(t.getMessage());
    }
}
