package io.remora.core.pool;

import io.netty.channel.Channel;

/** What a {@link HostPool} keeps: an upstream connection that can be reused by the next request. */
public interface PooledConnection {
    Channel channel();
}
