package io.remora.core.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.remora.core.breaker.CircuitBreaker;
import io.remora.core.pool.HostPool;
import io.remora.core.pool.PooledConnection;
import io.remora.core.upstream.Host;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/1.1 connection to an upstream host, and the last handler of its pipeline. While an
 * {@link Exchange} uses it, everything it reads goes to that exchange; while it sits idle in its pool it reads
 * only to notice the upstream closing it, and closes itself after the cluster's {@code idle_timeout}.
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter implements PooledConnection {
    private static final System.Logger LOG = System.getLogger(UpstreamConnection.class.getName());

    private final Channel channel;
    private final Host host;
    private final HostPool<UpstreamConnection> pool;
    private final long idleTimeoutNanos;
    private final int maxRequests;
    private final Runnable idleCheck = this::checkIdle;

    private Exchange exchange;
    private int requests;
    private boolean pooled;
    private long idleSince;
    private boolean idleCheckPending;
    /** Mirrors the channel's auto-read setting, which starts off. */
    private boolean reading;

    /** Gives back this connection's {@code max_connections} slot when it closes; null when none was taken. */
    private final CircuitBreaker breaker;

    UpstreamConnection(Channel channel, Host host, HostPool<UpstreamConnection> pool, long idleTimeoutNanos,
            int maxRequests, CircuitBreaker breaker) {
        this.channel = channel;
        this.host = host;
        this.pool = pool;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.maxRequests = maxRequests;
        this.breaker = breaker;
    }

    @Override
    public Channel channel() {
        return channel;
    }

    Host host() {
        return host;
    }

    /** True if the connection served a request before: a failure on it may be a stale-pool close. */
    boolean isReused() {
        return requests > 1;
    }

    /** Hands the connection to {@code e}; everything read from now on goes to it. */
    void attach(Exchange e) {
        exchange = e;
        pooled = false;
        requests++;
    }

    /**
     * The exchange is done with the connection. It goes back to its pool if it may carry another request,
     * else it is closed.
     */
    void release(boolean reusable) {
        exchange = null;
        if (!reusable || !channel.isActive() || host.isRemoved() || (maxRequests > 0 && requests >= maxRequests)
                || outOfStep() || !pool.offer(this)) {
            channel.close();
            return;
        }
        pooled = true;
        idleSince = channel.eventLoop().ticker().nanoTime();
        if (!idleCheckPending) {
            idleCheckPending = true;
            channel.eventLoop().schedule(idleCheck, idleTimeoutNanos, TimeUnit.NANOSECONDS);
        }
        reading(true); // so that an upstream close while idle is noticed and the connection leaves the pool
    }

    /**
     * Whether the response decoder holds bytes beyond the response just relayed (an upstream that answered one
     * request twice, or a response longer than its framing said) or stopped parsing for good. Such bytes would be
     * read as the response to the next request given this connection (response queue poisoning, as in HTTP
     * desync attacks), so the connection is closed instead of pooled.
     */
    private boolean outOfStep() {
        io.remora.core.http1.StrictClientCodec codec =
                channel.pipeline().get(io.remora.core.http1.StrictClientCodec.class);
        return codec != null && (codec.decoder().bufferedBytes() > 0 || codec.decoder().isBad());
    }

    /** Switches auto-read, only when it changes (each switch costs the transport a syscall). */
    void reading(boolean on) {
        if (on != reading) {
            reading = on;
            channel.config().setAutoRead(on);
        }
    }

    /** Closes the connection, dropping whatever exchange it served (which is told through channelInactive). */
    void close() {
        channel.close();
    }

    private void checkIdle() {
        idleCheckPending = false;
        if (!channel.isActive()) {
            return;
        }
        if (!pooled) {
            // in use: look again one full timeout after it next becomes idle
            idleCheckPending = true;
            channel.eventLoop().schedule(idleCheck, idleTimeoutNanos, TimeUnit.NANOSECONDS);
            return;
        }
        long idle = channel.eventLoop().ticker().nanoTime() - idleSince;
        if (idle >= idleTimeoutNanos) {
            pool.remove(this);
            channel.close();
        } else {
            idleCheckPending = true;
            channel.eventLoop().schedule(idleCheck, idleTimeoutNanos - idle, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (exchange != null) {
            exchange.onUpstreamRead(msg);
        } else {
            // nothing may arrive on an idle HTTP/1.1 connection; the stream is out of step, so drop it
            ReferenceCountUtil.release(msg);
            pool.remove(this);
            channel.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.onUpstreamWritabilityChanged();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (breaker != null) {
            breaker.release(CircuitBreaker.Kind.CONNECTIONS);
        }
        if (pooled) {
            pool.remove(this);
        }
        Exchange e = exchange;
        exchange = null;
        if (e != null) {
            e.onUpstreamClosed(this);
        }
    }

    /**
     * The upstream closed its side. Upstream channels allow half-closure (a CONNECT or upgrade tunnel needs
     * it), so a FIN arrives as this event, not as {@link #channelInactive}; for HTTP/1.1 it means the upstream
     * will send nothing more. By the time the event gets here the codec has already emitted whatever the FIN
     * completed (a close-delimited body's end), so the connection is closed at once: a pooled connection leaves
     * its pool, and an exchange waiting for a response learns it will not come (stale-pool resend or 502
     * {@code UR}, or a cut-off response) instead of waiting for its route timeout.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            channel.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "upstream " + host + ": " + cause);
        channel.close();
    }

    /** Stops handing reads to the exchange (the connection became a tunnel and this handler is removed). */
    void detach() {
        exchange = null;
    }
}
