package io.remora.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.remora.config.model.ListenerConfig;
import io.remora.core.route.Route;
import io.remora.core.tcp.TunnelSession;
import io.remora.core.trace.TraceContext;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The last handler of a downstream HTTP/1.1 connection. Requests are served one at a time in arrival order
 * (pipelined ones wait, decoded, in a small inbox that the closed read loop bounds), each by an
 * {@link Exchange}. The connection reads only when the current request needs more bytes and its upstream can
 * take them, or when it waits for the next request: that is the backpressure.
 *
 * <p>All connection timeouts run off one lazily rescheduled timer (deadlines are plain fields; the timer
 * re-arms only when a deadline comes earlier than the one it waits for), so a request costs no timer
 * allocation in the steady state: the request-head timeout, the connection idle timeout, the stream idle
 * timeout and the route timeout.
 */
public final class HttpProxyHandler extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(HttpProxyHandler.class.getName());
    /** Envoy's header carrying the verified client identity to the upstream. */
    static final String XFCC = "x-forwarded-client-cert";

    /** Pipelined messages decoded ahead of the request being served, at most; reading pauses beyond. */
    static final int MAX_INBOX = 16;

    private final HttpListener listener;
    private final HttpWorker worker;
    private final ArrayDeque<Object> inbox = new ArrayDeque<>(2);
    private final Runnable timerTask = this::onTimer;

    private ChannelHandlerContext ctx;
    private ListenerConfig config;
    private String clientIp;
    private Exchange current;
    private boolean closing;
    private boolean gone;
    private long lastActivity;
    private long headDeadline;
    private boolean timerPending;
    private io.netty.util.concurrent.ScheduledFuture<?> timer;
    /** When the head of the next request began to arrive. */
    private long headStartNanos;
    private long requestStartNanos;
    /** Raw bytes read from and written to the client on this connection so far. */
    long bytesRead;
    long bytesWritten;
    /**
     * Bytes read that recorded requests have counted: a request is counted the bytes read since, so that every
     * byte is counted once. Exact per request unless requests were pipelined (a burst read before a request
     * started is counted with the request being served when it arrived).
     */
    private long bytesCounted;
    /** Mirrors the channel's auto-read setting, which starts off. */
    private boolean reading;
    private long timerAt;

    /** The listener's TLS context (null for plaintext listeners), for the {@code By} of XFCC. */
    private final io.remora.core.tls.TlsContext tls;

    public HttpProxyHandler(HttpListener listener, HttpWorker worker, io.remora.core.tls.TlsContext tls) {
        this.listener = listener;
        this.worker = worker;
        this.tls = tls;
    }

    /** The client's verified SPIFFE ID on this connection, or null. */
    String peerIdentity() {
        return ctx.channel().attr(io.remora.core.tls.TlsHandshakeHandler.PEER_IDENTITY).get();
    }

    /** Whether this connection is TLS (a permissive listener's plaintext connections are not). */
    boolean isTls() {
        return tls != null && ctx.channel().attr(io.remora.core.tls.TlsHandshakeHandler.PLAINTEXT).get() == null;
    }

    HttpWorker worker() {
        return worker;
    }

    String listenerName() {
        return config.name();
    }

    /** The listener this connection belongs to: its rate limiter and its stats. */
    HttpListener listener() {
        return listener;
    }

    io.netty.buffer.ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    long now() {
        return ctx.executor().ticker().nanoTime();
    }

    void touch() {
        lastActivity = now();
    }

    boolean isClosing() {
        return closing;
    }

    boolean isWritable() {
        return ctx.channel().isWritable();
    }

    long streamIdleTimeoutMillis() {
        return config.streamIdleTimeout().toMillis();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.config = listener.state().config();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        SocketAddress remote = ctx.channel().remoteAddress();
        clientIp = remote instanceof InetSocketAddress isa && isa.getAddress() != null
                ? isa.getAddress().getHostAddress() : String.valueOf(remote);
        lastActivity = now();
        armIdle();
        readIfWanted();
        ctx.fireChannelActive();
    }

    /** Called for every raw read (before decoding): activity, and the start of a request head. */
    void onBytesRead() {
        lastActivity = now();
        if (current == null && headDeadline == 0 && !gone && inbox.isEmpty()) {
            headStartNanos = lastActivity;
            headDeadline = lastActivity + config.requestHeadersTimeout().toNanos();
            ensureTimer(headDeadline);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject) || gone) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!inbox.isEmpty() || (current != null && current.requestComplete)) {
            inbox.add(msg); // pipelined: served after the current exchange
            return;
        }
        dispatch(msg);
    }

    private void dispatch(Object msg) {
        if (msg instanceof HttpRequest req) {
            if (closing) {
                ReferenceCountUtil.release(msg);
                return;
            }
            startRequest(req);
            return;
        }
        HttpContent c = (HttpContent) msg;
        if (current == null) {
            c.release(); // the rest of a request that was already rejected
            return;
        }
        if (c.decoderResult().isFailure()) {
            Throwable cause = c.decoderResult().cause();
            c.release();
            current.onMalformedRequestBody(cause);
            return;
        }
        if (c instanceof LastHttpContent last) {
            RequestHygiene.stripTrailers(last.trailingHeaders());
        }
        current.onRequestContent(c);
    }

    private void startRequest(HttpRequest req) {
        requestStartNanos = headStartNanos != 0 ? headStartNanos : now();
        headStartNanos = 0;
        headDeadline = 0;
        config = listener.state().config();
        if (req.decoderResult().isFailure()) {
            rejectMalformed(req.decoderResult().cause());
            return;
        }
        HttpHeaders h = req.headers();
        if (req.protocolVersion().equals(HttpVersion.HTTP_1_1) && !h.contains(HttpHeaderNames.HOST)) {
            reject(HttpResponseStatus.BAD_REQUEST, "missing Host header", req);
            return;
        }
        // x-remora-* removed, absolute-form made origin-form, path normalized: what is routed is what is sent
        String invalid = RequestHygiene.prepare(req, config);
        if (invalid != null) {
            reject(HttpResponseStatus.BAD_REQUEST, invalid, req);
            return;
        }
        Route route = listener.state().router().route(req);
        Exchange ex = new Exchange(this, req, route);
        ex.startNanos = requestStartNanos;
        ex.bytesWritten0 = bytesWritten;
        current = ex;
        long streamIdle = config.streamIdleTimeout().toNanos();
        if (streamIdle > 0) {
            // the timer may be armed for a later deadline only (the head timeout, the idle timeout): without
            // this, a stalled exchange would be noticed only when that one fires
            ensureTimer(lastActivity + streamIdle);
        }
        if (route != null && HttpUtil.is100ContinueExpected(req)) {
            // answered here, as Envoy does by default: the upstream then never waits on a client that waits
            ctx.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER), ctx.voidPromise());
            ctx.flush();
        }
        h.remove(HttpHeaderNames.EXPECT);
        HopByHop.strip(h, ex.isUpgrade());
        String xff = h.get("x-forwarded-for");
        h.set("x-forwarded-for", xff == null ? clientIp : xff + ", " + clientIp);
        h.set("x-forwarded-proto", isTls() ? "https" : "http");
        // only Remora asserts who the client is: a client-sent XFCC would be a forged identity
        h.remove(XFCC);
        String peer = peerIdentity();
        if (peer != null) {
            h.set(XFCC, "By=" + selfIdentity() + ";URI=" + peer);
        }
        String requestId = h.get("x-request-id");
        if (requestId == null) {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            requestId = new UUID((r.nextLong() & ~0xF000L) | 0x4000L,
                    (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
            h.set("x-request-id", requestId);
        }
        ex.requestId = requestId;
        String traceparent = h.get(TraceContext.TRACEPARENT);
        if (traceparent != null && h.getAll(TraceContext.TRACEPARENT).size() > 1) {
            traceparent = null; // two contexts are none: a new trace starts (W3C test suite, duplicated header)
        }
        TraceContext trace = TraceContext.of(traceparent);
        if (trace.started()) {
            h.set(TraceContext.TRACEPARENT, trace.traceparent());
            h.remove(TraceContext.TRACESTATE); // it belonged to a trace we are not continuing
        }
        ex.traceId = trace.traceId();
        req.setProtocolVersion(HttpVersion.HTTP_1_1);
        ex.start();
    }

    private void rejectMalformed(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            reject(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line longer than "
                    + config.maxRequestHeadersKb() + " KiB");
        } else if (cause instanceof TooLongHttpHeaderException) {
            // over max_request_headers_kb or max_headers_count (the decoder's message says which)
            reject(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large: "
                    + cause.getMessage());
        } else {
            reject(HttpResponseStatus.BAD_REQUEST, "malformed request: "
                    + (cause == null ? "unknown" : cause.getMessage()));
        }
    }

    /** Answers a request that will not be served and closes the connection: its framing cannot be trusted. */
    private void reject(HttpResponseStatus status, String message) {
        reject(status, message, null);
    }

    /**
     * {@link #reject(HttpResponseStatus, String)}, counted and logged like any request: its duration from the
     * head's first byte, its bytes each way (the reply included), and an access-log line.
     *
     * @param req the request, when it decoded (its method, path and ids go to the log); null when it did not
     */
    private void reject(HttpResponseStatus status, String message, HttpRequest req) {
        // from startRequest the head's start was moved to requestStartNanos; from the head timeout it was not
        long start = headStartNanos != 0 ? headStartNanos : requestStartNanos;
        long in = bytesRead - bytesCounted;
        bytesCounted = bytesRead;
        long written0 = bytesWritten;
        headStartNanos = 0;
        closing = true;
        writeLocalReply(status, ResponseFlag.DPE.name(), message, true);
        long duration = now() - start;
        long out = bytesWritten - written0;
        io.remora.core.metrics.ListenerStats stats = listener.stats();
        stats.rejected(status.code());
        stats.request(status.code(), duration, in, out);
        stats.responseFlags(ResponseFlag.DPE.name());
        io.remora.core.accesslog.AccessLogger log = listener.state().accessLog();
        if (log != null) {
            HttpHeaders h = req == null ? null : req.headers();
            log.log(new io.remora.core.accesslog.AccessLogEntry()
                    .startEpochMillis(System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(duration))
                    .durationNanos(duration)
                    .method(req == null ? null : req.method().name())
                    .authority(h == null ? null : h.get(HttpHeaderNames.HOST))
                    .path(req == null ? null : req.uri())
                    .status(status.code())
                    .responseFlags(ResponseFlag.DPE.name())
                    .bytesIn(in)
                    .bytesOut(out)
                    .requestId(h == null ? null : h.get("x-request-id"))
                    .traceId(TraceContext.of(h == null ? null : h.get(TraceContext.TRACEPARENT)).traceId())
                    .downstreamAddress(ctx.channel().remoteAddress())
                    .peerIdentity(peerIdentity())
                    .transport(tls == null ? null : isTls() ? "tls" : "plaintext"));
        }
        closeAfterFlush();
    }

    void writeLocalReply(HttpResponseStatus status, String flags, String message, boolean close) {
        LOG.log(System.Logger.Level.DEBUG, "{0} {1} {2}: {3}", config.name(), status.code(), flags, message);
        ctx.write(LocalReply.create(ctx.alloc(), status, flags, message, close), ctx.voidPromise());
        ctx.flush();
    }

    /** This listener's own SPIFFE ID (the URI SAN of the certificate it presents), or empty. */
    private String selfIdentity() {
        java.security.cert.X509Certificate leaf = tls == null ? null : tls.material().leaf();
        return leaf == null ? "" : io.remora.core.tls.SpiffeId.fromCertificate(leaf).map(Object::toString).orElse("");
    }

    String clientIp() {
        return clientIp;
    }

    io.netty.util.concurrent.EventExecutor executor() {
        return ctx.executor();
    }

    void write(Object msg) {
        ctx.write(msg, ctx.voidPromise());
    }

    void flush() {
        ctx.flush();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (current != null) {
            current.flushUpstream();
        }
        readIfWanted();
    }

    /**
     * Turns reading on or off to match what the next bytes would find: a request body its upstream can take, the
     * next request, or a bounded inbox of pipelined ones. Auto-read is switched only when the answer changes, so
     * a keep-alive connection in the steady state costs no read-interest syscalls per request (the explicit
     * {@code read()} per burst that plain auto-read-off backpressure needs costs two {@code epoll_ctl} each).
     */
    void readIfWanted() {
        boolean want;
        if (gone || closing && current == null) {
            want = false;
        } else if (current == null || current.requestComplete) {
            want = inbox.size() < MAX_INBOX;
        } else {
            want = current.wantsRequestBody();
        }
        if (want != reading) {
            reading = want;
            ctx.channel().config().setAutoRead(want);
        }
    }

    /** Called by the exchange once its response is written and its request read to the end. */
    void exchangeDone(Exchange ex, boolean close) {
        if (current != ex) {
            return;
        }
        record(ex, null);
        current = null;
        if (close || closing) {
            closing = true;
            releaseInbox();
            closeAfterFlush();
            return;
        }
        ctx.flush();
        while (!inbox.isEmpty() && (current == null || !current.requestComplete) && !gone) {
            dispatch(inbox.poll());
        }
        if (current != null) {
            // parts of a pipelined request dispatched from the inbox were written upstream but not flushed:
            // the flush normally comes at the end of a downstream read burst, and none ends here
            current.flushUpstream();
        }
        if (current == null && !closing) {
            lastActivity = now();
            armIdle();
        }
        readIfWanted();
    }

    /**
     * Counts a finished request in the listener's metrics and writes its access-log entry. Called once per
     * request: when its exchange completes, when the client leaves first ({@code DC}), or when it is rejected.
     */
    private void record(Exchange ex, String extraFlag) {
        long duration = now() - ex.startNanos;
        long in = bytesRead - bytesCounted;
        bytesCounted = bytesRead;
        long out = bytesWritten - ex.bytesWritten0;
        String flags = ex.flags();
        if (extraFlag != null) {
            flags = flags == null ? extraFlag : flags + "," + extraFlag;
        }
        io.remora.core.metrics.ListenerStats stats = listener.stats();
        if (ex.status() > 0) {
            stats.request(ex.status(), duration, in, out);
        }
        if (flags != null) {
            stats.responseFlags(flags);
        }
        if (ex.grpcStatus >= 0) {
            stats.grpcStatus(ex.grpcStatus);
        }
        io.remora.core.accesslog.AccessLogger log = listener.state().accessLog();
        if (log != null) {
            HttpRequest req = ex.request();
            log.log(new io.remora.core.accesslog.AccessLogEntry()
                    .startEpochMillis(System.currentTimeMillis() - java.util.concurrent.TimeUnit.NANOSECONDS
                            .toMillis(duration))
                    .durationNanos(duration)
                    .method(req.method().name())
                    .authority(req.headers().get(io.netty.handler.codec.http.HttpHeaderNames.HOST))
                    .path(ex.clientUri())
                    .status(ex.status())
                    .responseFlags(flags)
                    .upstreamHost(ex.lastHost())
                    .attempts(ex.attempts())
                    .bytesIn(in)
                    .bytesOut(out)
                    .requestId(ex.requestId)
                    .traceId(ex.traceId)
                    .downstreamAddress(ctx.channel().remoteAddress())
                    .peerIdentity(peerIdentity())
                    .transport(tls == null ? null : isTls() ? "tls" : "plaintext"));
        }
    }

    private void closeAfterFlush() {
        gone = true;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** The upstream accepted an upgrade (101) or a CONNECT: the two connections become a byte tunnel. */
    void switchToTunnel(HttpResponse resp, Channel upstream) {
        if (current != null) {
            record(current, null);
        }
        current = null;
        gone = true;
        write(resp);
        write(LastHttpContent.EMPTY_LAST_CONTENT);
        ctx.flush();
        releaseInbox();
        TunnelSession tunnel = new TunnelSession(ctx.channel(), upstream, config.streamIdleTimeout().toNanos());
        upstream.pipeline().addLast("tunnel", tunnel.upstreamHandler());
        ctx.pipeline().addLast("tunnel", tunnel.downstreamHandler());
        upstream.pipeline().remove("upstream");
        upstream.pipeline().remove("codec");
        ctx.pipeline().remove(ReadActivityHandler.NAME);
        ctx.pipeline().remove(HttpListenerInitializer.CODEC);
        ctx.pipeline().remove(this);
        tunnel.start();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null) {
            current.onDownstreamWritabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // the client will send nothing more: finish the response in flight, then close
            closing = true;
            if (current == null) {
                closeAfterFlush();
            } else if (!current.requestComplete) {
                current.onMalformedRequestBody(new IllegalStateException("client closed mid-request"));
            }
            return;
        }
        if (evt instanceof DrainEvent) {
            closing = true;
            if (current == null) {
                closeAfterFlush();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        gone = true;
        cancelTimer();
        releaseInbox();
        Exchange ex = current;
        current = null;
        if (ex != null) {
            ex.onDownstreamClosed();
            record(ex, ResponseFlag.DC.name());
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // removed when the connection turned out to speak HTTP/2 or became a tunnel: its timers must not act
        gone = true;
        cancelTimer();
        releaseInbox();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "downstream connection on " + config.name() + " failed: " + cause);
        ctx.close();
    }

    private void releaseInbox() {
        Object o;
        while ((o = inbox.poll()) != null) {
            ReferenceCountUtil.release(o);
        }
    }

    // ---- timers ------------------------------------------------------------------------------------------

    private void armIdle() {
        long idle = config.idleTimeout().toNanos();
        if (idle > 0) {
            ensureTimer(lastActivity + idle);
        }
    }

    /** Makes sure the timer fires no later than {@code deadline}. */
    void ensureTimer(long deadline) {
        if (timerPending && timerAt <= deadline) {
            return;
        }
        timerPending = true;
        timerAt = deadline;
        // the superseded (later) task is cancelled, so a handler never leaves tasks behind it: an HTTP/2 stream
        // has a handler of its own, and thousands of streams a second must not each leave a 60 s task queued
        cancelTimer();
        timer = ctx.executor().schedule(timerTask, Math.max(0, deadline - now()), TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void onTimer() {
        long now = now();
        if (timerPending && now < timerAt) {
            return; // a superseded firing: an earlier deadline re-armed the timer
        }
        timerPending = false;
        timer = null;
        if (gone || !ctx.channel().isActive()) {
            return;
        }
        long next = Long.MAX_VALUE;
        if (headDeadline != 0) {
            if (now >= headDeadline) {
                headDeadline = 0;
                reject(HttpResponseStatus.REQUEST_TIMEOUT, "request headers not received within "
                        + config.requestHeadersTimeout().toMillis() + " ms");
                return;
            }
            next = headDeadline;
        }
        Exchange ex = current;
        if (ex != null) {
            next = Math.min(next, ex.checkDeadlines(now));
            long streamIdle = config.streamIdleTimeout().toNanos();
            if (current == ex && streamIdle > 0) {
                if (now - lastActivity >= streamIdle) {
                    ex.onStreamIdle();
                    if (current == ex) {
                        // still not done: the 408 went out but the rest of the request body is awaited (to be
                        // discarded). Look again one period on, so a client that stays stalled is reset then
                        // instead of holding the connection until some unrelated timer fires.
                        next = Math.min(next, now + streamIdle);
                    }
                } else {
                    next = Math.min(next, lastActivity + streamIdle);
                }
            }
        }
        if (current == null && headDeadline == 0 && !gone) {
            long idle = config.idleTimeout().toNanos();
            if (idle > 0) {
                if (now - lastActivity >= idle) {
                    LOG.log(System.Logger.Level.DEBUG, "closing idle connection on {0}", config.name());
                    closing = true;
                    closeAfterFlush();
                    return;
                }
                next = Math.min(next, lastActivity + idle);
            }
        }
        if (next != Long.MAX_VALUE && !gone) {
            ensureTimer(next);
        }
    }

    /**
     * Sits before the codec: reports raw reads, so timeouts see bytes even before a message decodes, and counts
     * the bytes each way for metrics and the access log (plain fields: one event loop).
     */
    static final class ReadActivityHandler extends io.netty.channel.ChannelDuplexHandler {
        static final String NAME = "activity";
        private final HttpProxyHandler proxy;

        ReadActivityHandler(HttpProxyHandler proxy) {
            this.proxy = proxy;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf b) {
                proxy.bytesRead += b.readableBytes();
                proxy.onBytesRead();
            } else if (msg instanceof HttpObject) {
                // an HTTP/2 stream: after the stream codec, so it counts DATA payload bytes (headers are HPACK'd)
                if (msg instanceof HttpContent c) {
                    proxy.bytesRead += c.content().readableBytes();
                }
                proxy.onBytesRead();
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) {
            if (msg instanceof ByteBuf b) {
                proxy.bytesWritten += b.readableBytes();
            } else if (msg instanceof HttpContent c) {
                proxy.bytesWritten += c.content().readableBytes();
            }
            ctx.write(msg, promise);
        }
    }
}
