package io.remora.core.http;

import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.remora.core.pool.PoolRegistry;
import io.remora.core.pool.UpstreamConnector;

/**
 * What one event loop owns for HTTP proxying: its connector, its HTTP/1.1 upstream connection pools and its
 * shared HTTP/2 upstream connections. Used only from that loop, hence plain fields.
 */
public final class HttpWorker {
    private final EventLoop loop;
    private final UpstreamConnector connector;
    private final PoolRegistry<UpstreamConnection> pools = new PoolRegistry<>();
    private final io.remora.core.h2.Http2Upstreams http2;

    public HttpWorker(EventLoop loop, Class<? extends SocketChannel> channelClass) {
        this.loop = loop;
        this.connector = new UpstreamConnector(loop, channelClass);
        this.http2 = new io.remora.core.h2.Http2Upstreams(connector);
    }

    public EventLoop loop() {
        return loop;
    }

    public UpstreamConnector connector() {
        return connector;
    }

    public PoolRegistry<UpstreamConnection> pools() {
        return pools;
    }

    /** This loop's shared HTTP/2 upstream connections ({@code protocol: http2 | auto} clusters). */
    public io.remora.core.h2.Http2Upstreams http2() {
        return http2;
    }
}
