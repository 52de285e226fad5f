package io.remora.core.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.remora.core.pool.PerEventLoop;

/** Builds the pipeline of each accepted HTTP connection: activity tracking, the strict codec, the proxy. */
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

    @Override
    protected void initChannel(Channel ch) {
        HttpProxyHandler proxy = new HttpProxyHandler(listener, workers.get(ch.eventLoop()), tls);
        int maxHead = listener.state().config().maxRequestHeadersKb() * 1024;
        if (tls != null) {
            addTls(ch, tls, listener.name(), listener.stats());
        }
        ch.pipeline()
                .addLast(HttpProxyHandler.ReadActivityHandler.NAME, new HttpProxyHandler.ReadActivityHandler(proxy))
                .addLast(CODEC, new DownstreamCodec(maxHead))
                .addLast("proxy", proxy);
    }
}
