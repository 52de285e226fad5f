package io.remora.core.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.remora.config.model.ClusterConfig;
import io.remora.core.pool.HostPool;
import io.remora.core.route.Route;
import io.remora.core.upstream.Host;
import java.net.ConnectException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One request and its response, relayed between the downstream connection and one upstream connection of the
 * same event loop. It picks a host, takes a pooled connection (or opens one), streams the request body up and
 * the response down with backpressure, enforces the route timeout, and answers failures itself with a status
 * and a {@link ResponseFlag}.
 *
 * <p>A request sent on a reused pooled connection that the upstream closes before any response byte (it had
 * timed the idle connection out) is sent once more on a fresh connection, if its method is idempotent and what
 * was sent is still held: a stale pool never surfaces as a client error.
 *
 * <p>The exchange is complete when both the response has been written and the request has been read to its
 * end; a request body the upstream no longer wants (early response, local reply) is read and discarded up to
 * {@link #DISCARD_LIMIT} bytes, past which the downstream connection is closed instead.
 */
final class Exchange {
    /** Request bytes kept to resend after a stale-pool failure, and bytes discarded to keep a connection. */
    static final int REPLAY_LIMIT = 64 * 1024;
    static final int DISCARD_LIMIT = 64 * 1024;

    private final HttpProxyHandler down;
    private final HttpRequest request;
    private final Route route;
    private final boolean idempotent;
    private final boolean upgrade;
    private final boolean connect;
    private final boolean downstreamKeepAlive;
    private final boolean http10;

    private Host host;
    private UpstreamConnection upstream;
    /** Request parts read before an upstream connection was attached. */
    private ArrayDeque<HttpContent> pending;
    /** Request parts sent on a reused connection, held to resend after a stale-pool close. */
    private List<Object> replay;
    private int replayBytes;
    private boolean staleRetried;

    boolean requestComplete;
    private boolean responseStarted;
    private boolean responseComplete;
    /** No more response from upstream will be relayed (answered, timed out, reset or tunnelled). */
    private boolean responseDone;
    private boolean completed;
    private boolean discarding;
    private int discarded;
    private boolean skipInterim;
    private boolean upstreamReusable = true;
    private boolean closeAfter;
    long routeDeadline;

    Exchange(HttpProxyHandler down, HttpRequest request, Route route) {
        this.down = down;
        this.request = request;
        this.route = route;
        HttpMethod m = request.method();
        this.idempotent = m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS
                || m == HttpMethod.PUT || m == HttpMethod.DELETE || m == HttpMethod.TRACE;
        this.connect = m == HttpMethod.CONNECT;
        // an Upgrade header is an upgrade request only with "upgrade" among the Connection options (RFC 9110
        // section 7.8); otherwise it is a stray hop-by-hop header, stripped like the others
        this.upgrade = connect || (request.headers().contains(HttpHeaderNames.UPGRADE)
                && request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true));
        this.http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        this.downstreamKeepAlive = HttpUtil.isKeepAlive(request);
    }

    boolean isUpgrade() {
        return upgrade;
    }

    boolean responseStarted() {
        return responseStarted;
    }

    /** Picks a host and gets a connection to it; answers 404/503 itself when there is neither route nor host. */
    void start() {
        if (route == null) {
            localReply(HttpResponseStatus.NOT_FOUND, ResponseFlag.NR, "no route for " + request.method() + " "
                    + request.uri() + " on listener " + down.listenerName());
            return;
        }
        if (route.cluster() == null) {
            localReply(HttpResponseStatus.SERVICE_UNAVAILABLE, ResponseFlag.UH, "cluster "
                    + route.config().cluster() + " is not running");
            return;
        }
        host = route.cluster().choose();
        if (host == null) {
            localReply(HttpResponseStatus.SERVICE_UNAVAILABLE, ResponseFlag.UH, "no healthy upstream in cluster "
                    + route.cluster().name());
            return;
        }
        host.requestStarted();
        if (!request.headers().contains(HttpHeaderNames.HOST)) {
            // only an HTTP/1.0 request can get here without Host; it goes upstream as HTTP/1.1, which requires one
            request.headers().set(HttpHeaderNames.HOST, host.endpoint());
        }
        UpstreamConnection pooled = down.worker().pools().pool(host).poll();
        if (pooled != null) {
            attach(pooled);
        } else {
            connect();
        }
    }

    private void connect() {
        ClusterConfig cc = route.cluster().config();
        Host target = host;
        HostPool<UpstreamConnection> pool = down.worker().pools().pool(target);
        long idleNanos = cc.idleTimeout().toNanos();
        int maxRequests = cc.maxRequestsPerConnection();
        ChannelFuture f = down.worker().connector().connect(target, cc.connectTimeout(),
                new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast("codec", newClientCodec())
                                .addLast("upstream", new UpstreamConnection(ch, target, pool, idleNanos, maxRequests));
                    }
                });
        f.addListener((ChannelFuture done) -> onConnected(done, target));
    }

    static HttpClientCodec newClientCodec() {
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(8 * 1024)
                .setMaxHeaderSize(64 * 1024)
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(true)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true);
        return new HttpClientCodec(config, false, false);
    }

    private void onConnected(ChannelFuture f, Host target) {
        UpstreamConnection conn = f.isSuccess() ? f.channel().pipeline().get(UpstreamConnection.class) : null;
        if (responseDone) {
            if (conn != null) {
                conn.close(); // nobody wants it any more (timed out, or the client left)
            }
            return;
        }
        if (conn == null) {
            localReply(HttpResponseStatus.SERVICE_UNAVAILABLE, ResponseFlag.UF, "upstream connect failure: "
                    + describe(f.cause()) + " (" + target.addressString() + ", cluster " + target.cluster() + ")");
            return;
        }
        attach(conn);
    }

    private static String describe(Throwable cause) {
        if (cause instanceof ConnectException && cause.getMessage() != null
                && cause.getMessage().toLowerCase(java.util.Locale.ROOT).contains("timed out")) {
            return "connect timed out";
        }
        if (cause instanceof io.netty.channel.ConnectTimeoutException) {
            return "connect timed out";
        }
        String m = cause == null ? null : cause.getMessage();
        if (m == null) {
            return cause == null ? "unknown" : cause.getClass().getSimpleName();
        }
        int colon = m.indexOf(": ");
        return colon > 0 ? m.substring(0, colon).toLowerCase(java.util.Locale.ROOT) : m;
    }

    private void attach(UpstreamConnection conn) {
        upstream = conn;
        conn.attach(this);
        Channel ch = conn.channel();
        boolean keepReplay = conn.isReused() && idempotent && !staleRetried;
        if (replay != null) {
            // resending after a stale-pool close: the held parts go out as they are, no third attempt
            for (Object o : replay) {
                ch.write(o, ch.voidPromise());
            }
            replay = null;
        } else {
            if (keepReplay) {
                replay = new ArrayList<>(2);
            }
            send(request);
        }
        if (pending != null) {
            HttpContent c;
            while ((c = pending.poll()) != null) {
                send(c);
            }
            pending = null;
        }
        ch.flush();
        ch.read();
        down.readIfWanted();
    }

    /** Writes one request part upstream, holding a copy while a stale-pool resend is still possible. */
    private void send(Object part) {
        if (replay != null) {
            if (part instanceof HttpContent c) {
                replayBytes += c.content().readableBytes();
                if (replayBytes > REPLAY_LIMIT) {
                    releaseReplay();
                } else {
                    replay.add(c.retainedDuplicate());
                }
            } else {
                replay.add(part);
            }
        }
        Channel ch = upstream.channel();
        ch.write(part, ch.voidPromise());
    }

    /** A part of the request body (or its end) from downstream. */
    void onRequestContent(HttpContent c) {
        boolean last = c instanceof LastHttpContent;
        if (last) {
            requestComplete = true;
            armRouteTimeout();
        }
        if (discarding || responseDone) {
            discarded += c.content().readableBytes();
            c.release();
            if (last) {
                maybeComplete();
            } else if (discarded > DISCARD_LIMIT) {
                closeAfter = true;
                complete();
            }
            return;
        }
        if (upstream != null) {
            send(c);
        } else {
            if (pending == null) {
                pending = new ArrayDeque<>(4);
            }
            pending.add(c);
        }
    }

    /** A request whose body arrives malformed: 400 if nothing was answered yet, else the connection ends. */
    void onMalformedRequestBody(Throwable cause) {
        closeAfter = true;
        requestComplete = true;
        if (!responseStarted) {
            localReply(HttpResponseStatus.BAD_REQUEST, ResponseFlag.DPE, "malformed request body: "
                    + (cause == null ? "bad framing" : cause.getMessage()));
        } else {
            reset();
        }
    }

    private void armRouteTimeout() {
        long t = route == null ? 0 : route.timeoutNanos();
        if (t > 0 && !responseDone) {
            routeDeadline = down.now() + t;
            down.ensureTimer(routeDeadline);
        }
    }

    /** Downstream finished a read burst: push what it read upstream. */
    void flushUpstream() {
        if (upstream != null) {
            upstream.channel().flush();
        }
    }

    /** Whether downstream may read more of the request body now. */
    boolean wantsRequestBody() {
        if (requestComplete) {
            return false;
        }
        if (discarding || responseDone) {
            return true;
        }
        return upstream != null && upstream.channel().isWritable();
    }

    void onUpstreamRead(Object msg) {
        down.touch();
        if (responseDone) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse resp) {
            if (resp.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                upstreamProtocolError(resp.decoderResult().cause());
                return;
            }
            int code = resp.status().code();
            if (code >= 100 && code < 200 && code != 101) {
                skipInterim = true; // 100 Continue was answered by the proxy itself; others are dropped
                return;
            }
            if (upgrade && (code == 101 || (connect && code >= 200 && code < 300))) {
                switchToTunnel(resp);
                return;
            }
            startResponse(resp);
            down.write(resp);
        }
        if (msg instanceof HttpContent content) {
            if (skipInterim) {
                content.release();
                skipInterim = !(content instanceof LastHttpContent);
                return;
            }
            if (content.decoderResult().isFailure()) {
                Throwable cause = content.decoderResult().cause();
                content.release();
                upstreamProtocolError(cause);
                return;
            }
            down.write(content);
            if (content instanceof LastHttpContent) {
                responseComplete = true;
                responseDone = true;
                routeDeadline = 0;
                releaseUpstream(requestComplete && upstreamReusable);
                // flush now: the upstream connection no longer reports to this exchange, so its read-complete
                // flush will not come, and when the request is still being read (an early response) the
                // exchange does not complete (and flush) yet either
                down.flush();
                maybeComplete();
            }
        }
    }

    private void startResponse(HttpResponse resp) {
        responseStarted = true;
        releaseReplay();
        HttpHeaders h = resp.headers();
        int code = resp.status().code();
        boolean bodyless = request.method() == HttpMethod.HEAD || code == 204 || code == 304;
        boolean hasLength = h.contains(HttpHeaderNames.CONTENT_LENGTH);
        boolean chunked = HttpUtil.isTransferEncodingChunked(resp);
        upstreamReusable = HttpUtil.isKeepAlive(resp) && (hasLength || chunked || bodyless);
        HopByHop.strip(h, false);
        if (http10) {
            if (chunked) {
                h.remove(HttpHeaderNames.TRANSFER_ENCODING);
            }
            if (!hasLength && !bodyless) {
                closeAfter = true; // an HTTP/1.0 client can only see the end of this body as a close
            }
        } else if (!hasLength && !chunked && !bodyless) {
            HttpUtil.setTransferEncodingChunked(resp, true);
        }
        if (!downstreamKeepAlive || down.isClosing()) {
            closeAfter = true;
        }
        if (closeAfter) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        resp.setProtocolVersion(HttpVersion.HTTP_1_1);
    }

    private void switchToTunnel(HttpResponse resp) {
        responseStarted = true;
        responseDone = true;
        completed = true;
        routeDeadline = 0;
        releaseReplay();
        releasePending();
        HopByHop.strip(resp.headers(), resp.status().code() == 101);
        UpstreamConnection conn = upstream;
        upstream = null;
        conn.detach();
        releaseHost();
        down.switchToTunnel(resp, conn.channel());
    }

    void onUpstreamReadComplete() {
        down.flush();
        if (upstream != null && !responseComplete && down.isWritable()) {
            upstream.channel().read();
        }
    }

    void onUpstreamWritabilityChanged() {
        if (upstream != null && upstream.channel().isWritable()) {
            down.readIfWanted();
        }
    }

    void onDownstreamWritabilityChanged() {
        if (upstream != null && !responseComplete && down.isWritable()) {
            upstream.channel().read();
        }
    }

    /** The upstream connection closed while this exchange used it. */
    void onUpstreamClosed(UpstreamConnection conn) {
        if (upstream != conn) {
            return;
        }
        upstream = null;
        if (responseDone) {
            return;
        }
        if (!responseStarted) {
            if (replay != null && conn.isReused() && !staleRetried) {
                staleRetried = true;
                connect();
                return;
            }
            localReply(HttpResponseStatus.BAD_GATEWAY, ResponseFlag.UR, "upstream closed the connection before"
                    + " responding (" + conn.host().addressString() + ", cluster " + conn.host().cluster() + ")");
        } else {
            reset(); // the response is cut short; the client must see a truncated message, not a complete one
        }
    }

    private void upstreamProtocolError(Throwable cause) {
        if (upstream != null) {
            upstream.detach();
            upstream.close();
            upstream = null;
        }
        if (!responseStarted) {
            localReply(HttpResponseStatus.BAD_GATEWAY, ResponseFlag.UPE, "upstream sent a malformed response: "
                    + (cause == null ? "unknown" : cause.getMessage()));
        } else {
            reset();
        }
    }

    void onRouteTimeout() {
        if (responseDone) {
            return;
        }
        if (!responseStarted) {
            localReply(HttpResponseStatus.GATEWAY_TIMEOUT, ResponseFlag.UT, "upstream did not respond within "
                    + route.config().timeout().toMillis() + " ms (route timeout)");
        } else {
            reset();
        }
    }

    void onStreamIdle() {
        if (!responseStarted) {
            closeAfter = true;
            localReply(HttpResponseStatus.REQUEST_TIMEOUT, ResponseFlag.DPE, "no bytes moved within "
                    + down.streamIdleTimeoutMillis() + " ms (stream idle timeout)");
        } else {
            reset();
        }
    }

    /** The proxy answers this request itself. After the response started it can only reset instead. */
    void localReply(HttpResponseStatus status, ResponseFlag flag, String message) {
        if (responseStarted) {
            reset();
            return;
        }
        responseStarted = true;
        responseDone = true;
        routeDeadline = 0;
        releaseUpstream(false);
        releaseReplay();
        releasePending();
        if (!requestComplete) {
            discarding = true;
        }
        closeAfter |= !downstreamKeepAlive || down.isClosing();
        down.writeLocalReply(status, flag, message, closeAfter);
        responseComplete = true;
        maybeComplete();
    }

    /** Ends the exchange abruptly: both connections close, nothing more is relayed. */
    void reset() {
        responseDone = true;
        closeAfter = true;
        routeDeadline = 0;
        releaseUpstream(false);
        releaseReplay();
        releasePending();
        complete();
    }

    /** The downstream connection is gone. */
    void onDownstreamClosed() {
        responseDone = true;
        completed = true;
        routeDeadline = 0;
        releaseUpstream(false);
        releaseReplay();
        releasePending();
        releaseHost();
    }

    private void maybeComplete() {
        if (responseComplete && requestComplete) {
            complete();
        }
    }

    private void complete() {
        if (completed) {
            return;
        }
        completed = true;
        releaseHost();
        down.exchangeDone(this, closeAfter);
    }

    private void releaseUpstream(boolean reusable) {
        UpstreamConnection c = upstream;
        if (c != null) {
            upstream = null;
            if (!reusable) {
                c.detach();
            }
            c.release(reusable);
        }
    }

    private void releaseHost() {
        if (host != null) {
            host.requestFinished();
            host = null;
        }
    }

    private void releaseReplay() {
        if (replay != null) {
            for (Object o : replay) {
                ReferenceCountUtil.release(o);
            }
            replay = null;
        }
    }

    private void releasePending() {
        if (pending != null) {
            pending.forEach(ReferenceCountUtil::release);
            pending = null;
        }
    }
}
