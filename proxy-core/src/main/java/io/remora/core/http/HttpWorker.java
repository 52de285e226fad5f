package io.remora.core.http;

import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.remora.core.pool.PoolRegistry;
import io.remora.core.pool.UpstreamConnector;

/**
 * What one event loop owns for HTTP proxying: its connector and its upstream connection pools. Used only from
 * that loop, hence plain fields.
 */
public final class HttpWorker {
    private final EventLoop loop;
    private final UpstreamConnector connector;
    private final PoolRegistry<UpstreamConnection> pools = new PoolRegistry<>();

    public HttpWorker(EventLoop loop, Class<? extends SocketChannel> channelClass) {
        this.loop = loop;
        this.connector = new UpstreamConnector(loop, channelClass);
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
}
