package io.remora.core.pool;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.remora.core.upstream.Host;
import java.time.Duration;

/**
 * Opens upstream connections on one event loop, the same one as the downstream connection they serve (Envoy's
 * threading model: nothing on the request path hops threads). Upstream channels start with auto-read off; the
 * relay that owns them reads when the other side can take the bytes.
 */
public final class UpstreamConnector {
    private final Bootstrap template;

    public UpstreamConnector(EventLoop loop, Class<? extends SocketChannel> channelClass) {
        this.template = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true);
    }

    /** Starts connecting to {@code host}; {@code handler} is installed before the connection completes. */
    public ChannelFuture connect(Host host, Duration connectTimeout, ChannelHandler handler) {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
        return template.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, millis)
                .handler(handler)
                .connect(host.address());
    }
}
