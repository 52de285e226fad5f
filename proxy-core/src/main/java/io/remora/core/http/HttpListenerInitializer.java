package io.remora.core.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.remora.core.pool.PerEventLoop;

/** Builds the pipeline of each accepted HTTP connection: activity tracking, the strict codec, the proxy. */
public final class HttpListenerInitializer extends ChannelInitializer<Channel> {
    static final String CODEC = "codec";

    private final HttpListener listener;
    private final PerEventLoop<HttpWorker> workers;

    public HttpListenerInitializer(HttpListener listener, PerEventLoop<HttpWorker> workers) {
        this.listener = listener;
        this.workers = workers;
    }

    @Override
    protected void initChannel(Channel ch) {
        HttpProxyHandler proxy = new HttpProxyHandler(listener, workers.get(ch.eventLoop()));
        int maxHead = listener.state().config().maxRequestHeadersKb() * 1024;
        ch.pipeline()
                .addLast(HttpProxyHandler.ReadActivityHandler.NAME, new HttpProxyHandler.ReadActivityHandler(proxy))
                .addLast(CODEC, new DownstreamCodec(maxHead))
                .addLast("proxy", proxy);
    }
}
