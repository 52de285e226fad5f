package io.remora.core.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpContent;
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
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.remora.config.model.ClusterConfig;
import io.remora.config.model.DirectResponseConfig;
import io.remora.config.model.FallbackConfig;
import io.remora.config.model.HashOn;
import io.remora.config.model.RedirectConfig;
import io.remora.core.breaker.CircuitBreaker;
import io.remora.core.fault.FaultInjector;
import io.remora.core.lb.HashFunction;
import io.remora.core.lb.LoadBalancer;
import io.remora.core.outlier.Outcome;
import io.remora.core.pool.HostPool;
import io.remora.core.ratelimit.RateLimiter;
import io.remora.core.retry.RetryPolicy;
import io.remora.core.retry.RetryPolicy.Failure;
import io.remora.core.route.Route;
import io.remora.core.upstream.Cluster;
import io.remora.core.upstream.Host;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One request and its response, relayed between the downstream connection and upstream connections of the
 * same event loop, over one or more attempts. Each attempt picks a host (a different one from earlier attempts
 * when there is one), takes a pooled connection or opens one, and streams the request up; the response streams
 * down with backpressure. Failures are answered by the proxy itself with a status and a {@link ResponseFlag}.
 *
 * <p>Retries follow the route's {@link RetryPolicy} and need, each time: attempts left, the request still held
 * (its body within {@code max_buffered_body}), time left in the route timeout, a withdrawal from the cluster's
 * retry budget and a slot of its {@code max_retries} breaker. A wanted retry that is refused returns the
 * original failure with {@code URX} added to its flags. Separately, and whatever the policy, a request sent on a
 * reused pooled connection that the upstream closes before answering (it had timed the idle connection out) is
 * sent once more on a fresh connection if its method is idempotent: a stale pool never surfaces as an error.
 *
 * <p>Every attempt takes a {@code max_requests} slot, and a new connection a {@code max_connections} slot and,
 * while it connects, a {@code max_pending_requests} slot; any overflow is an immediate 503 {@code UO}.
 *
 * <p>The exchange is complete when both the response has been written and the request has been read to its
 * end; a request body the upstream no longer wants (early response, local reply) is read and discarded up to
 * {@link #DISCARD_LIMIT} bytes, past which the downstream connection is closed instead.
 *
 * <p>Traffic policy, in this order, before the first attempt: the listener's rate limit, routing, the route's rate
 * limit (both 429 {@code RL} with {@code retry-after}), the route's fault injection (a delay holds the request, its
 * body waiting with reading paused, and the route timeout starts after it; an abort answers with its status and
 * {@code FI}), then {@code direct_response} or {@code redirect}, or the request header actions and
 * {@code prefix_rewrite} and the first attempt. A route's {@code fallback} replaces the replies Remora itself
 * produces for an upstream failure ({@link #FALLBACK_FLAGS}), never an upstream's own response; the reply keeps
 * its flags and adds {@code FB}. {@code response_headers_to_add} applies to every response of the route.
 */
final class Exchange {
    private static final System.Logger LOG = System.getLogger(Exchange.class.getName());
    /** The failures a route's {@code fallback} replaces: Remora's own replies to upstream failures, and aborts. */
    static final Set<ResponseFlag> FALLBACK_FLAGS = EnumSet.of(ResponseFlag.UH, ResponseFlag.UF, ResponseFlag.UO,
            ResponseFlag.UT, ResponseFlag.URX, ResponseFlag.UR, ResponseFlag.UPE, ResponseFlag.FI);
    /** Request bytes kept to resend after a stale-pool close when the route has no retry policy. */
    static final int STALE_RESEND_LIMIT = 64 * 1024;
    static final int DISCARD_LIMIT = 64 * 1024;
    /** Tells the upstream which attempt this is: 1, 2, ... */
    static final String ATTEMPT_HEADER = "x-remora-attempt";

    private final HttpProxyHandler down;
    private final HttpRequest request;
    private final Route route;
    /** Where this request goes: the route's cluster, or the one its weighted split picked; null if none. */
    private final Route.Target target;
    private final Cluster cluster;
    private final RetryPolicy policy;
    private final boolean idempotent;
    private final boolean upgrade;
    private final boolean connect;
    private final boolean downstreamKeepAlive;
    private final boolean http10;
    private long hash;

    // the current attempt
    private int attempt;
    private Host host;
    private UpstreamConnection upstream;
    private boolean connecting;
    private boolean holdsRequestSlot;
    private boolean holdsPendingSlot;
    private boolean holdsRetrySlot;
    private boolean retrySlotGranted;
    private long attemptStart;
    private long tryDeadline;
    private long pendingDeadline;
    private boolean staleResent;
    private final List<Host> tried = new ArrayList<>(2);
    private String retryDenied;
    private long nextRetryDelay;

    // the request body
    /** Request parts read but not yet written to an upstream. */
    private ArrayDeque<HttpContent> pending;
    /** Request parts written so far (head first), held to resend; null when not kept or past the limit. */
    private List<Object> sent;
    private int sentBytes;
    private final int sentLimit;
    private boolean resendable;
    private boolean reachedUpstream;

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
    private long routeDeadline;

    // for metrics and the access log, filled by the downstream handler and as the exchange goes
    long startNanos;
    long bytesWritten0;
    String requestId;
    String traceId;
    private int status;
    private String flags;
    private Host lastHost;
    private final io.remora.core.metrics.ClusterStats stats;
    /** The gRPC status the client got (from the upstream, or Remora's own gRPC reply), or -1: not a gRPC call. */
    int grpcStatus = -1;
    /** When the request's {@code grpc-timeout} runs out, counted from its start; 0 = none; -1 = not read yet. */
    private long grpcDeadline = -1;
    /** A gRPC response whose status comes in its trailers: its outcome is recorded when they arrive. */
    private boolean grpcOutcomePending;
    private long grpcHeadNanos;
    /** A fault delay holds the request: nothing is forwarded and the route timeout waits until it ends. */
    private boolean delaying;
    /** A fault delay was injected: the response carries {@code FI}. */
    private boolean injectedDelay;
    /** The request target before {@code prefix_rewrite}, when it rewrote it (for the access log). */
    private String clientUri;

    Exchange(HttpProxyHandler down, HttpRequest request, Route route) {
        this.down = down;
        this.request = request;
        this.route = route;
        this.target = route == null ? null : route.pickTarget();
        this.cluster = target == null ? null : target.cluster();
        this.stats = target == null ? null : target.stats();
        this.policy = route == null ? null : route.retryPolicy();
        HttpMethod m = request.method();
        this.idempotent = m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS
                || m == HttpMethod.PUT || m == HttpMethod.DELETE || m == HttpMethod.TRACE;
        this.connect = m == HttpMethod.CONNECT;
        // an Upgrade header is an upgrade request only with "upgrade" among the Connection options (RFC 9110
        // section 7.8); otherwise it is a stray hop-by-hop header, stripped like the others. An h2c upgrade is
        // declined, as Envoy does: the request goes on as plain HTTP/1.1 (clients such as the JDK's offer it on
        // every first request), so it stays retriable
        String upgradeTo = request.headers().get(HttpHeaderNames.UPGRADE);
        this.upgrade = connect || (upgradeTo != null && !upgradeTo.trim().equalsIgnoreCase("h2c")
                && request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true));
        this.http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        this.downstreamKeepAlive = HttpUtil.isKeepAlive(request);
        // after a CONNECT the decoder reads nothing more as HTTP (the next bytes are meant for a tunnel): a
        // CONNECT that does not become a tunnel ends the connection, so no tunnel byte is ever parsed as a request
        this.closeAfter = connect;
        this.sentLimit = policy != null ? policy.maxBufferedBody() : STALE_RESEND_LIMIT;
        this.resendable = !upgrade && (policy != null || idempotent);
        if (resendable) {
            this.sent = new ArrayList<>(2);
        }
    }

    boolean isUpgrade() {
        return upgrade;
    }

    HttpRequest request() {
        return request;
    }

    /** The request target as the client sent it (a route's {@code prefix_rewrite} changes what goes upstream). */
    String clientUri() {
        return clientUri != null ? clientUri : request.uri();
    }

    /** The status sent to the client, or 0 if none was. */
    int status() {
        return status;
    }

    /** The response flags sent to the client ({@code x-remora-flags}), or null. */
    String flags() {
        return flags;
    }

    /** The host of the last attempt, or null if none was made. */
    Host lastHost() {
        return lastHost;
    }

    int attempts() {
        return attempt;
    }

    boolean responseStarted() {
        return responseStarted;
    }

    /**
     * Applies the traffic policy and starts the first attempt; answers itself when the request is rate limited,
     * unroutable (404), faulted, answered by the route, or has nowhere to go (503).
     */
    void start() {
        RateLimiter listenerLimit = down.listener().rateLimiter();
        if (listenerLimit != null && rateLimited(listenerLimit, false)) {
            return;
        }
        if (route == null) {
            localReply(HttpResponseStatus.NOT_FOUND, ResponseFlag.NR, "no route for " + request.method() + " "
                    + request.uri() + " on listener " + down.listenerName());
            return;
        }
        RateLimiter routeLimit = route.rateLimiter();
        if (routeLimit != null && rateLimited(routeLimit, true)) {
            return;
        }
        FaultInjector faults = route.fault();
        FaultInjector.Decision fault = faults == null ? FaultInjector.Decision.NONE
                : faults.decide(faults.onlyWithHeader() != null && request.headers().contains(faults.onlyWithHeader()));
        if (fault.delays()) {
            delaying = true;
            injectedDelay = true;
            down.listener().stats().faultDelayed();
            down.executor().schedule(() -> afterDelay(fault), fault.delayNanos(), TimeUnit.NANOSECONDS);
            return;
        }
        proceed(fault);
    }

    /** An injected delay is over: go on (unless the exchange ended meanwhile), and start the route timeout. */
    private void afterDelay(FaultInjector.Decision fault) {
        delaying = false;
        if (responseDone) {
            return;
        }
        proceed(fault);
        if (requestComplete) {
            armRouteTimeout();
        }
    }

    /** After the rate limits and any delay: an abort, the route's own answer, or the first attempt. */
    private void proceed(FaultInjector.Decision fault) {
        if (fault.aborts()) {
            down.listener().stats().faultAborted();
            localReply(HttpResponseStatus.valueOf(fault.abortStatus()), ResponseFlag.FI, "fault injected: abort with "
                    + fault.abortStatus() + " (route fault.abort)");
            return;
        }
        DirectResponseConfig direct = route.config().directResponse();
        if (direct != null) {
            respond(staticResponse(direct.status(), direct.body().isEmpty() ? null : TEXT_UTF8, direct.body()), null);
            return;
        }
        RedirectConfig redirect = route.config().redirect();
        if (redirect != null) {
            FullHttpResponse r = staticResponse(redirect.status(), null, "");
            r.headers().set(HttpHeaderNames.LOCATION, location(redirect));
            respond(r, null);
            return;
        }
        if (cluster == null) {
            localReply(HttpResponseStatus.SERVICE_UNAVAILABLE, ResponseFlag.UH, "cluster "
                    + (target == null ? route.config().cluster() : target.name()) + " is not running");
            return;
        }
        cluster.retryBudget().deposit();
        hash = requestHash(cluster.config().hashOn()); // from the client's own headers, before the route's actions
        route.applyRequestHeaders(request.headers());
        String uri = route.rewrite(request.uri());
        if (!uri.equals(request.uri())) {
            clientUri = request.uri();
            request.setUri(uri);
        }
        startAttempt();
    }

    /**
     * Takes a token from {@code limiter} for this request; when there is none, answers 429 {@code RL} with
     * {@code retry-after} (whole seconds, rounded up) and returns true.
     */
    private boolean rateLimited(RateLimiter limiter, boolean routeLimit) {
        String key = limiter.keyHeader() == null ? null : request.headers().get(limiter.keyHeader());
        long waitNanos = limiter.tryAcquire(key);
        if (waitNanos == 0) {
            return false;
        }
        down.listener().stats().rateLimited(routeLimit);
        io.remora.config.model.RateLimitConfig c = limiter.config();
        localReply(HttpResponseStatus.TOO_MANY_REQUESTS, ResponseFlag.RL, "rate limited by the "
                + (routeLimit ? "route's" : "listener's") + " rate_limit (" + c.requestsPerSecond()
                + " requests/s, burst " + c.burst() + (c.isKeyed() ? ", per " + c.keyHeader() : "") + ")",
                waitNanos);
        return true;
    }

    private static final String TEXT_UTF8 = "text/plain; charset=utf-8";

    /** A complete response Remora sends itself: {@code status}, and {@code body} with its content type if any. */
    private FullHttpResponse staticResponse(int status, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                down.alloc().buffer(bytes.length).writeBytes(bytes));
        if (contentType != null) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return r;
    }

    /**
     * The {@code Location} of a {@code redirect}: the request's own URL with the scheme, host and path replaced as
     * configured, the query kept. Switching to https drops the port of the request's Host (the plaintext port). A
     * request without Host (HTTP/1.0) is sent a relative reference when the host and scheme stay.
     */
    private String location(RedirectConfig r) {
        String uri = request.uri();
        int q = uri.length();
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                q = i;
                break;
            }
        }
        String path = r.path() != null ? r.path() : uri.startsWith("/") ? uri.substring(0, q) : "/";
        String query = q < uri.length() && uri.charAt(q) == '?' ? uri.substring(q) : "";
        int hash = query.indexOf('#');
        if (hash >= 0) {
            query = query.substring(0, hash);
        }
        boolean tls = down.isTls();
        boolean https = r.https() || tls;
        String host = r.host();
        if (host == null) {
            host = request.headers().get(HttpHeaderNames.HOST);
            if (host != null && r.https() && !tls) {
                host = withoutPort(host);
            }
        }
        if (host == null || host.isEmpty()) {
            return path + query;
        }
        return (https ? "https://" : "http://") + host + path + query;
    }

    private static String withoutPort(String host) {
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            return close < 0 ? host : host.substring(0, close + 1);
        }
        int colon = host.lastIndexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    private long requestHash(HashOn on) {
        String key = null;
        if (on != null) {
            if (on.header() != null) {
                key = request.headers().get(on.header());
            } else if (on.cookie() != null) {
                key = cookie(request.headers(), on.cookie());
            } else if (on.sourceIp()) {
                key = down.clientIp();
            }
        }
        return key != null ? HashFunction.hash(key) : LoadBalancer.threadLocalRandom().nextLong();
    }

    private static String cookie(HttpHeaders headers, String name) {
        for (String header : headers.getAll(HttpHeaderNames.COOKIE)) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
                    return pair.substring(eq + 1).trim();
                }
            }
        }
        return null;
    }

    // ---- attempts ----------------------------------------------------------------------------------------

    private void startAttempt() {
        attempt++;
        if (attempt == 1 && grpcDeadline() != 0 && (routeDeadline == 0 || grpcDeadline - routeDeadline < 0)) {
            routeDeadline = grpcDeadline; // a gRPC call's deadline bounds it from its start, body or not
            down.ensureTimer(routeDeadline);
        }
        Host h = pickHost();
        if (h == null) {
            localReply(HttpResponseStatus.SERVICE_UNAVAILABLE, ResponseFlag.UH, "no healthy upstream in cluster "
                    + cluster.name());
            return;
        }
        beginAttempt(h, false);
    }

    /** The balancer's choice, steered away from hosts earlier attempts used when another exists. */
    private Host pickHost() {
        Host h = null;
        for (int i = 0; i < 4; i++) {
            h = cluster.choose(hash, attempt - 1 + i);
            if (h == null || !tried.contains(h)) {
                return h;
            }
        }
        // four draws all hit tried hosts: likely with random, least_request and peak_ewma over few hosts (and
        // peak_ewma favours a host that fails fast), so a retry went back to the host that just failed it.
        // "When one exists" is a promise: take any other host that may serve.
        Host other = cluster.chooseExcluding(tried);
        return other != null ? other : h;
    }

    private void beginAttempt(Host h, boolean freshConnection) {
        CircuitBreaker breaker = cluster.breaker();
        if (!breaker.tryAcquire(CircuitBreaker.Kind.REQUESTS)) {
            overflow(CircuitBreaker.Kind.REQUESTS);
            return;
        }
        holdsRequestSlot = true;
        holdsRetrySlot = retrySlotGranted;
        retrySlotGranted = false;
        host = h;
        lastHost = h;
        stats.attempt();
        if (!tried.contains(h)) {
            tried.add(h);
        }
        h.requestStarted();
        attemptStart = down.now();
        long perTry = policy == null ? 0 : policy.perTryTimeoutNanos();
        if (perTry > 0) {
            tryDeadline = attemptStart + perTry;
            down.ensureTimer(tryDeadline);
        }
        if (!request.headers().contains(HttpHeaderNames.HOST)) {
            // only an HTTP/1.0 request can get here without Host; it goes upstream as HTTP/1.1, which requires one
            request.headers().set(HttpHeaderNames.HOST, h.endpoint());
        }
        request.headers().setInt(ATTEMPT_HEADER, attempt);
        UpstreamConnection pooled = freshConnection ? null : down.worker().pools().pool(h).poll();
        if (pooled != null) {
            attach(pooled); // protocol auto: an HTTP/1.1 connection ALPN chose before is reused first
        } else if (cluster.config().protocol() != io.remora.config.model.UpstreamProtocol.HTTP1) {
            openStream(h);
        } else {
            connect(h);
        }
    }

    // ---- HTTP/2 upstreams (issue 7) ----------------------------------------------------------------------

    /**
     * Gets a stream to {@code target} on a shared HTTP/2 connection of this event loop ({@code protocol: http2},
     * or {@code auto}). Until it has one it holds a {@code max_pending_requests} slot, as a request waiting for a
     * new HTTP/1.1 connection does; connections (and their {@code max_connections} slots) are the pool's.
     */
    private void openStream(Host target) {
        CircuitBreaker breaker = cluster.breaker();
        if (!breaker.tryAcquire(CircuitBreaker.Kind.PENDING_REQUESTS)) {
            endAttempt(false);
            overflow(CircuitBreaker.Kind.PENDING_REQUESTS);
            return;
        }
        holdsPendingSlot = true;
        connecting = true;
        pendingDeadline = down.now() + cluster.config().circuitBreakers().pendingTimeout().toNanos();
        down.ensureTimer(pendingDeadline);
        down.worker().http2().open(cluster, target, new StreamAttempt(target, attempt));
    }

    /** What the HTTP/2 pool answers one attempt: a stream, an HTTP/1.1 connection (auto), or a failure. */
    private final class StreamAttempt implements io.remora.core.h2.StreamCallback {
        private final Host target;
        private final int token;

        StreamAttempt(Host target, int token) {
            this.target = target;
            this.token = token;
        }

        /** Whether the attempt that asked is still waiting (not timed out, not abandoned by the client). */
        private boolean stillWanted() {
            return token == attempt && connecting && !responseDone && host == target;
        }

        @Override
        public void onStream(Channel stream) {
            if (!stillWanted()) {
                stream.close(); // never used: no frame was sent on it
                return;
            }
            connecting = false;
            releasePendingSlot();
            // one request per stream: released, it closes (maxRequests 1) and never enters the pool
            UpstreamConnection conn = new UpstreamConnection(stream, target, down.worker().pools().pool(target),
                    cluster.config().idleTimeout().toNanos(), 1, null);
            stream.pipeline().addLast("upstream", conn);
            attach(conn);
        }

        @Override
        public void onHttp1(Channel ch) {
            ClusterConfig cc = cluster.config();
            UpstreamConnection conn = new UpstreamConnection(ch, target, down.worker().pools().pool(target),
                    cc.idleTimeout().toNanos(), cc.maxRequestsPerConnection(), cluster.breaker());
            ch.pipeline().addLast("codec", newClientCodec()).addLast("upstream", conn);
            if (!stillWanted()) {
                conn.release(true); // pooled for the next request
                return;
            }
            connecting = false;
            releasePendingSlot();
            attach(conn);
        }

        @Override
        public void onFailure(io.remora.core.h2.StreamCallback.Failure failure, String message) {
            if (!stillWanted()) {
                return;
            }
            connecting = false;
            releasePendingSlot();
            switch (failure) {
                case OVERFLOW -> {
                    endAttempt(false);
                    localReply(HttpResponseStatus.SERVICE_UNAVAILABLE, ResponseFlag.UO, message);
                }
                case TLS -> {
                    stats.connectFailure();
                    stats.tlsFailure();
                    attemptFailed(RetryPolicy.Failure.CONNECT_FAILURE, false, HttpResponseStatus.SERVICE_UNAVAILABLE,
                            ResponseFlag.UF, message);
                }
                case CONNECT -> {
                    stats.connectFailure();
                    attemptFailed(RetryPolicy.Failure.CONNECT_FAILURE, false, HttpResponseStatus.SERVICE_UNAVAILABLE,
                            ResponseFlag.UF, message);
                }
                case REFUSED -> attemptFailed(RetryPolicy.Failure.REFUSED_STREAM, true, HttpResponseStatus.SERVICE_UNAVAILABLE,
                        ResponseFlag.UR, message);
            }
        }
    }

    private void connect(Host target) {
        CircuitBreaker breaker = cluster.breaker();
        if (!breaker.tryAcquire(CircuitBreaker.Kind.CONNECTIONS)) {
            endAttempt(false);
            overflow(CircuitBreaker.Kind.CONNECTIONS);
            return;
        }
        if (!breaker.tryAcquire(CircuitBreaker.Kind.PENDING_REQUESTS)) {
            breaker.release(CircuitBreaker.Kind.CONNECTIONS);
            endAttempt(false);
            overflow(CircuitBreaker.Kind.PENDING_REQUESTS);
            return;
        }
        holdsPendingSlot = true;
        connecting = true;
        ClusterConfig cc = cluster.config();
        pendingDeadline = down.now() + cc.circuitBreakers().pendingTimeout().toNanos();
        down.ensureTimer(pendingDeadline);
        HostPool<UpstreamConnection> pool = down.worker().pools().pool(target);
        long idleNanos = cc.idleTimeout().toNanos();
        int maxRequests = cc.maxRequestsPerConnection();
        int token = attempt;
        io.remora.core.tls.TlsContext tls = cluster.tls();
        ChannelFuture f = down.worker().connector().connect(target, cc.connectTimeout(),
                new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            // (fix) the handshake is part of connecting: bounded by connect_timeout
                            ch.pipeline().addLast("tls", tls.newClientHandler(ch.alloc(), sniHost(tls, target),
                                    target.address().getPort(), cc.connectTimeout()));
                        }
                        ch.pipeline()
                                .addLast("codec", newClientCodec())
                                .addLast("upstream", new UpstreamConnection(ch, target, pool, idleNanos, maxRequests,
                                        breaker));
                    }
                });
        f.addListener((ChannelFuture done) -> {
            io.netty.handler.ssl.SslHandler ssl = done.isSuccess()
                    ? done.channel().pipeline().get(io.netty.handler.ssl.SslHandler.class) : null;
            if (ssl == null) {
                onConnected(done, null, target, token);
            } else {
                // the connection counts as made once TLS is up and the upstream proved who it is
                ssl.handshakeFuture().addListener(h -> onConnected(done, h.isSuccess() ? null : h.cause(), target,
                        token));
            }
        });
    }

    /** SNI for an upstream: the configured name, else the endpoint's host name (never an IP literal). */
    private static String sniHost(io.remora.core.tls.TlsContext tls, Host target) {
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

    /** The upstream codec: strict response parsing (a malformed reply becomes 502 UPE), Netty's encoder. */
    static io.remora.core.http1.StrictClientCodec newClientCodec() {
        return new io.remora.core.http1.StrictClientCodec(64 * 1024);
    }

    /**
     * @param tlsFailure why the TLS handshake failed on a connection that was made, or null (no TLS, or it
     *                   succeeded); such a connection is closed, which gives back its connection slot
     */
    private void onConnected(ChannelFuture f, Throwable tlsFailure, Host target, int token) {
        UpstreamConnection conn = f.isSuccess() ? f.channel().pipeline().get(UpstreamConnection.class) : null;
        if (token != attempt || !connecting || responseDone || host != target) {
            // the attempt this connection was for is over (timed out, or the client left): keep it for others
            if (conn != null) {
                if (tlsFailure != null) {
                    conn.close();
                } else {
                    conn.release(true);
                }
            } else {
                cluster.breaker().release(CircuitBreaker.Kind.CONNECTIONS);
            }
            return;
        }
        connecting = false;
        releasePendingSlot();
        if (conn != null && tlsFailure != null) {
            conn.close();
            stats.connectFailure();
            stats.tlsFailure();
            attemptFailed(Failure.CONNECT_FAILURE, false, HttpResponseStatus.SERVICE_UNAVAILABLE, ResponseFlag.UF,
                    "upstream TLS handshake failed: " + tlsReason(tlsFailure) + " (" + target.addressString()
                            + ", cluster " + target.cluster() + ")");
            return;
        }
        if (conn == null) {
            cluster.breaker().release(CircuitBreaker.Kind.CONNECTIONS);
            stats.connectFailure();
            attemptFailed(Failure.CONNECT_FAILURE, false, HttpResponseStatus.SERVICE_UNAVAILABLE, ResponseFlag.UF,
                    "upstream connect failure: " + describe(f.cause()) + " (" + target.addressString()
                            + ", cluster " + target.cluster() + ")");
            return;
        }
        attach(conn);
    }

    private static String tlsReason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof io.remora.core.tls.TlsRefusal r) {
                return r.getMessage();
            }
        }
        return String.valueOf(t.getMessage());
    }

    private static String describe(Throwable cause) {
        if (cause instanceof io.netty.channel.ConnectTimeoutException || (cause instanceof ConnectException
                && cause.getMessage() != null
                && cause.getMessage().toLowerCase(java.util.Locale.ROOT).contains("timed out"))) {
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
        if (sent != null && !sent.isEmpty()) {
            // a later attempt: resend what earlier ones sent, from the held copies
            for (Object o : sent) {
                ch.write(o instanceof HttpContent c ? c.retainedDuplicate() : o, ch.voidPromise());
            }
        } else {
            send(request);
        }
        if (pending != null) {
            HttpContent c;
            while ((c = pending.poll()) != null) {
                send(c);
            }
        }
        ch.flush();
        conn.reading(down.isWritable());
        down.readIfWanted();
    }

    /** Writes one request part upstream, holding a copy while a resend is still possible. */
    private void send(Object part) {
        if (sent != null) {
            if (part instanceof HttpContent c) {
                sentBytes += c.content().readableBytes();
                if (sentBytes > sentLimit) {
                    releaseSent(); // streamed past the buffer: this request can no longer be resent
                } else {
                    sent.add(c.retainedDuplicate());
                }
            } else {
                sent.add(part);
            }
        }
        reachedUpstream = true;
        Channel ch = upstream.channel();
        ch.write(part, ch.voidPromise());
    }

    /** Ends the current attempt: gives back its connection, slots and deadlines. */
    private void endAttempt(boolean reusable) {
        UpstreamConnection c = upstream;
        if (c != null) {
            upstream = null;
            if (!reusable) {
                c.detach();
            }
            c.release(reusable);
        }
        if (host != null) {
            host.requestFinished();
            host = null;
        }
        CircuitBreaker breaker = cluster == null ? null : cluster.breaker();
        if (holdsRequestSlot) {
            holdsRequestSlot = false;
            breaker.release(CircuitBreaker.Kind.REQUESTS);
        }
        if (holdsRetrySlot) {
            holdsRetrySlot = false;
            breaker.release(CircuitBreaker.Kind.RETRIES);
        }
        if (retrySlotGranted) {
            retrySlotGranted = false;
            breaker.release(CircuitBreaker.Kind.RETRIES);
        }
        releasePendingSlot();
        connecting = false;
        tryDeadline = 0;
        pendingDeadline = 0;
    }

    private void releasePendingSlot() {
        if (holdsPendingSlot) {
            holdsPendingSlot = false;
            cluster.breaker().release(CircuitBreaker.Kind.PENDING_REQUESTS);
        }
    }

    /**
     * An attempt ended without a usable response. Resends on a fresh connection (stale pool), retries per the
     * policy, or answers with the failure.
     */
    private void attemptFailed(Failure failure, boolean reusedConnection, HttpResponseStatus status,
            ResponseFlag flag, String message) {
        Host failed = host;
        if (failed != null) {
            cluster.recordOutcome(failed, Outcome.LOCAL_FAILURE, down.now() - attemptStart);
        }
        endAttempt(false);
        boolean refused = failure == Failure.REFUSED_STREAM; // never processed: safe to resend, whatever the method
        if ((failure == Failure.RESET || refused) && reusedConnection && (idempotent || refused) && !staleResent
                && resendable && failed != null && !failed.isRemoved()) {
            staleResent = true;
            beginAttempt(failed, true);
            return;
        }
        if (policy != null && policy.retriesFailure(failure)
                && policy.allowsResend(idempotent, failure != Failure.CONNECT_FAILURE && !refused && reachedUpstream)) {
            if (grantRetry(-1)) {
                scheduleRetry();
                return;
            }
        }
        localReply(status, flag, message);
    }

    /**
     * Takes what a retry needs (attempts left, a held request, time, budget, a breaker slot); on refusal
     * remembers why, for the {@code URX} reply.
     *
     * @param retryAfterNanos the upstream's Retry-After, or -1 for the policy's backoff
     */
    private boolean grantRetry(long retryAfterNanos) {
        String denied = null;
        long delay = retryAfterNanos >= 0 ? retryAfterNanos
                : policy.backoff().delayNanos(attempt, LoadBalancer.threadLocalRandom());
        if (attempt > policy.numRetries()) {
            denied = "retries exhausted after " + attempt + " attempt" + (attempt == 1 ? "" : "s");
        } else if (!resendable) {
            denied = "request body larger than max_buffered_body, not retried";
        } else if (routeDeadline != 0 && down.now() + delay >= routeDeadline) {
            denied = "no time left in the route timeout to retry";
        } else if (!cluster.breaker().tryAcquire(CircuitBreaker.Kind.RETRIES)) {
            // the breaker first: a retry it refuses never happens, so it must not have withdrawn from the budget
            denied = "circuit breaker max_retries of cluster " + cluster.name() + " reached";
        } else if (!cluster.retryBudget().tryWithdraw()) {
            cluster.breaker().release(CircuitBreaker.Kind.RETRIES);
            denied = "retry budget of cluster " + cluster.name() + " exhausted";
        }
        if (denied != null) {
            retryDenied = denied;
            stats.retryDenied();
            return false;
        }
        stats.retry();
        retrySlotGranted = true;
        nextRetryDelay = delay;
        return true;
    }

    private void scheduleRetry() {
        long delay = nextRetryDelay;
        down.executor().schedule(() -> {
            if (responseDone) {
                if (retrySlotGranted) {
                    retrySlotGranted = false;
                    cluster.breaker().release(CircuitBreaker.Kind.RETRIES);
                }
                return;
            }
            startAttempt();
        }, Math.max(0, delay), TimeUnit.NANOSECONDS);
    }

    private void overflow(CircuitBreaker.Kind kind) {
        CircuitBreaker b = cluster.breaker();
        localReply(HttpResponseStatus.SERVICE_UNAVAILABLE, ResponseFlag.UO, "circuit breaker open: cluster "
                + cluster.name() + " is at " + kind.configName() + " (" + b.max(kind) + ")");
    }

    // ---- request -----------------------------------------------------------------------------------------

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
        // an injected delay is not the upstream's time: the route timeout starts once it is over (as in Envoy,
        // where the fault filter runs before the router)
        long grpc = grpcDeadline();
        if ((t > 0 || grpc != 0) && !responseDone && !delaying) {
            long d = t > 0 ? down.now() + t : grpc;
            routeDeadline = grpc != 0 && grpc - d < 0 ? grpc : d; // grpc-timeout lowers the route timeout
            down.ensureTimer(routeDeadline);
        }
    }

    /** When the request's {@code grpc-timeout} runs out (counted from the request's start), or 0 without one. */
    private long grpcDeadline() {
        if (grpcDeadline == -1) {
            long t = io.remora.core.grpc.GrpcTimeout.nanos(request.headers());
            if (t < 0) {
                grpcDeadline = 0;
            } else {
                // capped at a year so that the sum stays far from overflow; never 0, which means none
                long d = startNanos + Math.max(1, Math.min(t, TimeUnit.DAYS.toNanos(365)));
                grpcDeadline = d == 0 ? 1 : d;
            }
        }
        return grpcDeadline;
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

    // ---- response ----------------------------------------------------------------------------------------

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
            long took = down.now() - attemptStart;
            // gRPC: a trailers-only response has its grpc-status here; a normal one in its trailers, so its
            // outcome (for outlier detection, as the HTTP status grpc-status stands for) waits for them
            int grpc = -1;
            if (io.remora.core.grpc.GrpcStatus.isGrpc(resp.headers())) {
                grpc = io.remora.core.grpc.GrpcStatus.of(resp.headers());
                grpcOutcomePending = grpc < 0;
                grpcHeadNanos = took;
            }
            if (!grpcOutcomePending) {
                cluster.recordOutcome(host, Outcome.ofStatus(grpc >= 0
                        ? io.remora.core.grpc.GrpcStatus.toHttpStatus(grpc) : code), took);
            }
            stats.upstreamResponse(code, took);
            if (grpc >= 0) {
                stats.grpcResponse(grpc);
            }
            if (policy != null && ((policy.retriesStatus(code) && policy.allowsResend(idempotent, true))
                    || policy.retriesGrpcStatus(grpc)) && retryThisResponse(resp)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (grpc >= 0) {
                grpcStatus = grpc;
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
            if (grpcOutcomePending && content instanceof LastHttpContent last) {
                grpcOutcomePending = false;
                int grpc = io.remora.core.grpc.GrpcStatus.of(last.trailingHeaders());
                // no grpc-status at all: the call failed (a client reads it as UNKNOWN)
                cluster.recordOutcome(host, Outcome.ofStatus(grpc >= 0
                        ? io.remora.core.grpc.GrpcStatus.toHttpStatus(grpc) : 500), grpcHeadNanos);
                if (grpc >= 0) {
                    grpcStatus = grpc;
                    stats.grpcResponse(grpc);
                }
            }
            down.write(content);
            if (content instanceof LastHttpContent) {
                responseComplete = true;
                responseDone = true;
                routeDeadline = 0;
                endAttempt(requestComplete && upstreamReusable);
                // flush now: the upstream connection no longer reports to this exchange, so its read-complete
                // flush will not come, and when the request is still being read (an early response) the
                // exchange does not complete (and flush) yet either
                down.flush();
                maybeComplete();
            }
        }
    }

    /**
     * A retriable status arrived: drop this response and retry if everything a retry needs is granted. A 503 or
     * 429 with {@code Retry-After} waits that long, or is returned as is when that does not fit in the time left.
     */
    private boolean retryThisResponse(HttpResponse resp) {
        long retryAfter = -1;
        int code = resp.status().code();
        if (code == 503 || code == 429) {
            retryAfter = retryAfterNanos(resp.headers().get(HttpHeaderNames.RETRY_AFTER));
        }
        if (!grantRetry(retryAfter)) {
            return false;
        }
        // the rest of this response is not wanted; the connection goes with it. endAttempt also gives back a
        // granted retry slot (for an exchange that ends while its retry waits), which here would hand back the
        // max_retries slot just taken for this very retry, so that max_retries never held for status retries
        retrySlotGranted = false;
        endAttempt(false);
        retrySlotGranted = true;
        scheduleRetry();
        return true;
    }

    /** {@code Retry-After} in delay-seconds form as nanoseconds; -1 if absent or an HTTP date (not honoured). */
    static long retryAfterNanos(String value) {
        if (value == null) {
            return -1;
        }
        try {
            long seconds = Long.parseLong(value.trim());
            return seconds < 0 ? -1 : TimeUnit.SECONDS.toNanos(Math.min(seconds, 86_400));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void startResponse(HttpResponse resp) {
        responseStarted = true;
        tryDeadline = 0;
        releaseSent();
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
        status = code;
        if (retryDenied != null || injectedDelay) {
            flags = retryDenied == null ? ResponseFlag.FI.name()
                    : injectedDelay ? ResponseFlag.URX.name() + "," + ResponseFlag.FI.name() : ResponseFlag.URX.name();
            h.set(ResponseFlag.HEADER, flags);
        }
        route.applyResponseHeaders(h);
        resp.setProtocolVersion(HttpVersion.HTTP_1_1);
    }

    private void switchToTunnel(HttpResponse resp) {
        status = resp.status().code();
        responseStarted = true;
        responseDone = true;
        completed = true;
        routeDeadline = 0;
        releaseSent();
        releasePending();
        HopByHop.strip(resp.headers(), resp.status().code() == 101);
        UpstreamConnection conn = upstream;
        upstream = null;
        conn.detach();
        endAttempt(false);
        down.switchToTunnel(resp, conn.channel());
    }

    void onUpstreamReadComplete() {
        down.flush();
        if (upstream != null && !responseComplete) {
            upstream.reading(down.isWritable());
        }
    }

    void onUpstreamWritabilityChanged() {
        if (upstream != null && upstream.channel().isWritable()) {
            down.readIfWanted();
        }
    }

    void onDownstreamWritabilityChanged() {
        if (upstream != null && !responseComplete) {
            upstream.reading(down.isWritable());
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
        if (!responseStarted && io.remora.core.h2.StreamAdapter.refused(conn.channel())) {
            attemptFailed(Failure.REFUSED_STREAM, true, HttpResponseStatus.SERVICE_UNAVAILABLE, ResponseFlag.UR,
                    "upstream refused the HTTP/2 stream, unprocessed (" + conn.host().addressString() + ", cluster "
                            + conn.host().cluster() + ")");
        } else if (!responseStarted) {
            attemptFailed(Failure.RESET, conn.isReused(), HttpResponseStatus.BAD_GATEWAY, ResponseFlag.UR,
                    "upstream closed the connection before responding (" + conn.host().addressString()
                            + ", cluster " + conn.host().cluster() + ")");
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
            attemptFailed(Failure.RESET, false, HttpResponseStatus.BAD_GATEWAY, ResponseFlag.UPE,
                    "upstream sent a malformed response: " + (cause == null ? "unknown" : cause.getMessage()));
        } else {
            reset();
        }
    }

    // ---- deadlines ---------------------------------------------------------------------------------------

    /** Acts on every deadline that passed; returns the next one, or {@link Long#MAX_VALUE}. */
    long checkDeadlines(long now) {
        if (routeDeadline != 0 && now - routeDeadline >= 0) {
            onRouteTimeout();
        } else if (tryDeadline != 0 && now - tryDeadline >= 0) {
            stats.timeout();
            attemptFailed(Failure.PER_TRY_TIMEOUT, false, HttpResponseStatus.GATEWAY_TIMEOUT, ResponseFlag.UT,
                    "upstream did not respond within " + policy.config().perTryTimeout().toMillis()
                            + " ms (per_try_timeout)");
        } else if (pendingDeadline != 0 && connecting && now - pendingDeadline >= 0) {
            endAttempt(false);
            localReply(HttpResponseStatus.SERVICE_UNAVAILABLE, ResponseFlag.UO, "no connection to cluster "
                    + cluster.name() + " within pending_timeout ("
                    + cluster.config().circuitBreakers().pendingTimeout().toMillis() + " ms)");
        }
        long next = Long.MAX_VALUE;
        for (long d : new long[] {routeDeadline, tryDeadline, connecting ? pendingDeadline : 0}) {
            if (d != 0 && d - next < 0) {
                next = d;
            }
        }
        return next;
    }

    void onRouteTimeout() {
        if (responseDone) {
            return;
        }
        if (stats != null) {
            stats.timeout();
        }
        if (!responseStarted) {
            if (host != null) {
                // a timeout is a gateway failure for outlier detection (as Envoy records it): without this, a host
                // that never answers is never ejected on a route without per-try timeouts
                cluster.recordOutcome(host, Outcome.LOCAL_FAILURE, down.now() - attemptStart);
            }
            boolean byGrpc = grpcDeadline > 0 && routeDeadline == grpcDeadline;
            endAttempt(false);
            localReply(HttpResponseStatus.GATEWAY_TIMEOUT, ResponseFlag.UT, byGrpc
                    ? "upstream did not respond within the call's grpc-timeout ("
                            + request.headers().get(io.remora.core.grpc.GrpcTimeout.HEADER) + ")"
                    : "upstream did not respond within " + route.config().timeout().toMillis() + " ms (route timeout)");
        } else {
            reset();
        }
    }

    void onStreamIdle() {
        if (!responseStarted) {
            closeAfter = true;
            endAttempt(false);
            localReply(HttpResponseStatus.REQUEST_TIMEOUT, ResponseFlag.DPE, "no bytes moved within "
                    + down.streamIdleTimeoutMillis() + " ms (stream idle timeout)");
        } else {
            reset();
        }
    }

    // ---- endings -----------------------------------------------------------------------------------------

    /** The proxy answers this request itself. After the response started it can only reset instead. */
    void localReply(HttpResponseStatus status, ResponseFlag flag, String message) {
        localReply(status, flag, message, 0);
    }

    /**
     * As {@link #localReply(HttpResponseStatus, ResponseFlag, String)}; the route's {@code fallback} replaces the
     * reply for the failures it covers.
     *
     * @param retryAfterNanos > 0: sent as {@code retry-after}, in whole seconds rounded up
     */
    private void localReply(HttpResponseStatus status, ResponseFlag flag, String message, long retryAfterNanos) {
        if (responseStarted) {
            reset();
            return;
        }
        String flagList = flag.name();
        if (retryDenied != null) {
            flagList += "," + ResponseFlag.URX.name();
        }
        if (injectedDelay && flag != ResponseFlag.FI) {
            flagList += "," + ResponseFlag.FI.name();
        }
        String why = retryDenied == null ? message : message + "; " + retryDenied;
        FallbackConfig fallback = route == null ? null : route.config().fallback();
        FullHttpResponse resp;
        if (fallback != null && FALLBACK_FLAGS.contains(flag)) {
            flagList += "," + ResponseFlag.FB.name();
            down.listener().stats().fallback(flag);
            LOG.log(System.Logger.Level.DEBUG, "{0} fallback {1} instead of {2} {3}: {4}", down.listenerName(),
                    fallback.status(), status.code(), flagList, why);
            resp = staticResponse(fallback.status(), fallback.contentType(), fallback.body());
            resp.headers().set(ResponseFlag.HEADER, flagList);
        } else {
            LOG.log(System.Logger.Level.DEBUG, "{0} {1} {2}: {3}", down.listenerName(), status.code(), flagList, why);
            resp = io.remora.core.grpc.GrpcStatus.isGrpc(request.headers()) ? grpcReply(status, flagList, why)
                    : LocalReply.create(down.alloc(), status, flagList, why, false);
            if (retryAfterNanos > 0) {
                resp.headers().set(HttpHeaderNames.RETRY_AFTER,
                        Math.max(1, (retryAfterNanos + 999_999_999L) / 1_000_000_000L));
            }
        }
        respond(resp, flagList);
    }

    /**
     * Remora's own failure reply to a gRPC call: HTTP 200 with the {@code grpc-status} that stands for it
     * (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ...) and {@code grpc-message} saying why, because a gRPC
     * client reads the status, not the HTTP code (over HTTP/2 it is a trailers-only response).
     */
    private FullHttpResponse grpcReply(HttpResponseStatus status, String flagList, String why) {
        grpcStatus = io.remora.core.grpc.GrpcStatus.forLocalReply(status.code(), flagList);
        return io.remora.core.grpc.GrpcReply.create(grpcStatus, why, ResponseFlag.HEADER, flagList, false);
    }

    /**
     * Sends a complete response of Remora's own (an error, a fallback, a direct response or a redirect) and ends
     * the exchange: the request body still to come is discarded.
     *
     * @param flagList the response flags to record, or null
     */
    private void respond(FullHttpResponse resp, String flagList) {
        responseStarted = true;
        responseDone = true;
        routeDeadline = 0;
        endAttempt(false);
        releaseSent();
        releasePending();
        if (!requestComplete) {
            discarding = true;
        }
        closeAfter |= !downstreamKeepAlive || down.isClosing();
        if (closeAfter) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        if (route != null) {
            route.applyResponseHeaders(resp.headers());
        }
        this.status = resp.status().code();
        this.flags = flagList;
        down.write(resp);
        down.flush();
        responseComplete = true;
        maybeComplete();
    }

    /** Ends the exchange abruptly: both connections close, nothing more is relayed. */
    void reset() {
        responseDone = true;
        closeAfter = true;
        routeDeadline = 0;
        endAttempt(false);
        releaseSent();
        releasePending();
        complete();
    }

    /** The downstream connection is gone. */
    void onDownstreamClosed() {
        responseDone = true;
        completed = true;
        routeDeadline = 0;
        endAttempt(false);
        releaseSent();
        releasePending();
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
        endAttempt(false);
        down.exchangeDone(this, closeAfter);
    }

    private void releaseSent() {
        if (sent != null) {
            for (Object o : sent) {
                ReferenceCountUtil.release(o);
            }
            sent = null;
            resendable = false;
        }
    }

    private void releasePending() {
        if (pending != null) {
            pending.forEach(ReferenceCountUtil::release);
            pending = null;
        }
    }
}
