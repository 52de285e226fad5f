package io.remora.core.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.remora.core.pool.PerEventLoop;

/**
 * Builds the pipeline of each accepted HTTP connection: TLS, the HTTP/2 detector, activity tracking, the strict
 * HTTP/1.1 codec, the proxy. A connection that turns out to speak HTTP/2 ({@link io.remora.core.h2.Http2Detector})
 * swaps the HTTP/1.1 handlers for HTTP/2's, and each of its streams gets the activity tracker and the proxy.
 */
public final class HttpListenerInitializer extends ChannelInitializer<Channel> {
    static final String CODEC = "codec";

    private final HttpListener listener;
    private final PerEventLoop<HttpWorker> workers;
    private final io.remora.core.tls.TlsContext tls;

    /** @param tls the listener's TLS context, or null for plaintext */
    public HttpListenerInitializer(HttpListener listener, PerEventLoop<HttpWorker> workers,
            io.remora.core.tls.TlsContext tls) {
        this.listener = listener;
        this.workers = workers;
        this.tls = tls;
    }

    /**
     * Puts TLS termination at the front of a pipeline: strict (TLS only) or permissive (TLS or plaintext, told
     * apart by the first bytes), followed by the handler that checks the handshake's outcome.
     */
    public static void addTls(Channel ch, io.remora.core.tls.TlsContext tls, String listener,
            io.remora.core.metrics.ListenerStats stats) {
        io.netty.handler.ssl.SslContext context = tls.current(); // the material of this moment: rotation-safe
        if (tls.config().mode() == io.remora.config.model.TlsConfig.TlsMode.PERMISSIVE) {
            ch.pipeline().addLast("tls-detect",
                    new io.remora.core.tls.PermissiveTlsHandler(context, stats::plaintextConnection));
        } else {
            ch.pipeline().addLast("tls", context.newHandler(ch.alloc()));
        }
        ch.pipeline().addLast("tls-handshake", new io.remora.core.tls.TlsHandshakeHandler(listener,
                reason -> stats.tlsHandshakeFailure(reason.label())));
    }

    /** The decoder's spelling of a listener's {@code headers_with_underscores}. */
    static io.remora.core.http1.UnderscorePolicy underscorePolicy(io.remora.config.model.HeadersWithUnderscores h) {
        return switch (h) {
            case ALLOW -> io.remora.core.http1.UnderscorePolicy.ALLOW;
            case DROP -> io.remora.core.http1.UnderscorePolicy.DROP;
            case REJECT -> io.remora.core.http1.UnderscorePolicy.REJECT;
        };
    }

    @Override
    protected void initChannel(Channel ch) {
        HttpProxyHandler proxy = new HttpProxyHandler(listener, workers.get(ch.eventLoop()), tls);
        io.remora.config.model.ListenerConfig config = listener.state().config();
        int maxHead = config.maxRequestHeadersKb() * 1024;
        if (tls != null) {
            addTls(ch, tls, listener.name(), listener.stats());
        }
        ch.pipeline()
                .addLast(io.remora.core.h2.Http2Detector.NAME, new io.remora.core.h2.Http2Detector(this::toHttp2))
                .addLast(HttpProxyHandler.ReadActivityHandler.NAME, new HttpProxyHandler.ReadActivityHandler(proxy))
                .addLast(CODEC, new DownstreamCodec(maxHead, config.maxHeadersCount(),
                        underscorePolicy(config.headersWithUnderscores())))
                .addLast("proxy", proxy);
    }

    /** What an HTTP/2 stream channel copies from its connection: the TLS facts the request handler reads. */
    private static final java.util.List<io.netty.util.AttributeKey<?>> STREAM_ATTRIBUTES = java.util.List.of(
            io.remora.core.tls.TlsHandshakeHandler.PEER_IDENTITY, io.remora.core.tls.TlsHandshakeHandler.PLAINTEXT,
            io.remora.core.tls.TlsHandshakeHandler.TLS);

    /**
     * The connection speaks HTTP/2 (its preface, or ALPN {@code h2}): the HTTP/1.1 handlers after {@code at} make
     * way for the HTTP/2 ones, and every stream gets a request handler of its own ({@link #initStream}).
     */
    private void toHttp2(io.netty.channel.ChannelHandlerContext at) {
        io.netty.channel.ChannelPipeline p = at.pipeline();
        p.remove(HttpProxyHandler.ReadActivityHandler.NAME);
        p.remove(CODEC);
        p.remove("proxy");
        io.remora.config.model.ListenerConfig config = listener.state().config();
        io.remora.core.h2.Http2Server.install(at, new io.remora.core.h2.Http2Server.Hooks(config.http2(),
                () -> listener.state().config().idleTimeout(), evt -> evt instanceof DrainEvent, this::initStream,
                STREAM_ATTRIBUTES));
    }

    /** One HTTP/2 stream: the same request handling as an HTTP/1.1 connection, for one request. */
    private void initStream(Channel stream) {
        HttpProxyHandler proxy = new HttpProxyHandler(listener, workers.get(stream.eventLoop()), tls);
        stream.pipeline()
                .addLast(HttpProxyHandler.ReadActivityHandler.NAME, new HttpProxyHandler.ReadActivityHandler(proxy))
                .addLast("proxy", proxy);
    }
}
