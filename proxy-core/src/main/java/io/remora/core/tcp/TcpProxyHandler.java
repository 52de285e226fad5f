package io.remora.core.tcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.ReferenceCountUtil;
import io.remora.config.model.ListenerConfig;
import io.remora.core.pool.UpstreamConnector;
import io.remora.core.upstream.Cluster;
import io.remora.core.upstream.Host;
import java.util.HashSet;
import java.util.Set;

/**
 * Serves one accepted TCP connection: picks a host of the listener's cluster and connects to it (on the same
 * event loop), failing over to another host when a connect fails or times out, then hands both channels to a
 * {@link TunnelSession}. The downstream is not read until the upstream is connected, so nothing is buffered.
 */
public final class TcpProxyHandler extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(TcpProxyHandler.class.getName());

    private final ListenerConfig listener;
    private final Cluster cluster;
    private final UpstreamConnector connector;
    private final Set<Host> tried = new HashSet<>();
    private ChannelHandlerContext ctx;

    public TcpProxyHandler(ListenerConfig listener, Cluster cluster, UpstreamConnector connector) {
        this.listener = listener;
        this.cluster = cluster;
        this.connector = connector;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        connectNext(null);
    }

    private void connectNext(Throwable lastFailure) {
        if (!ctx.channel().isActive()) {
            return;
        }
        Host host = pickUntried();
        if (host == null) {
            LOG.log(System.Logger.Level.WARNING, "listener " + listener.name() + ": no upstream of cluster "
                    + cluster.name() + " reachable" + (lastFailure == null ? "" : " (" + lastFailure.getMessage()
                    + ")") + "; closing client connection");
            ctx.close();
            return;
        }
        tried.add(host);
        ChannelFuture f = connector.connect(host, cluster.config().connectTimeout(), new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                // the tunnel handler is added once connected
            }
        });
        f.addListener((ChannelFuture done) -> {
            if (!done.isSuccess()) {
                LOG.log(System.Logger.Level.DEBUG, "connect to " + host + " failed: " + done.cause());
                connectNext(done.cause());
                return;
            }
            Channel up = done.channel();
            if (!ctx.channel().isActive()) {
                up.close();
                return;
            }
            TunnelSession session = new TunnelSession(ctx.channel(), up, listener.streamIdleTimeout().toNanos());
            up.pipeline().addLast("tunnel", session.upstreamHandler());
            ctx.pipeline().addLast("tunnel", session.downstreamHandler());
            handOverEarlyBytes();
            ctx.pipeline().remove(this);
            session.start();
        });
    }

    /** The balancer's choice, or another host when it chose one that already failed; null when all failed. */
    private Host pickUntried() {
        int size = cluster.hostSet().hosts().size();
        for (int i = 0; i < size * 2; i++) {
            Host h = cluster.choose();
            if (h != null && !tried.contains(h)) {
                return h;
            }
        }
        for (Host h : cluster.hostSet().hosts()) {
            if (!tried.contains(h)) {
                return h;
            }
        }
        return null;
    }

    /**
     * Bytes that arrived before the tunnel existed. Fix: they were dropped. A plain TCP client is not read before
     * the upstream is connected, but behind TLS the handshake has to be read first, and a client's first bytes
     * often come in the same read as (or right after) its handshake; they are now kept and handed to the tunnel.
     */
    private java.util.ArrayDeque<Object> early;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (early == null) {
            early = new java.util.ArrayDeque<>();
        }
        early.add(msg);
    }

    /** Passes the early bytes to the tunnel's handler just added behind this one (it holds them until start). */
    private void handOverEarlyBytes() {
        if (early != null) {
            Object m;
            while ((m = early.poll()) != null) {
                ctx.fireChannelRead(m);
            }
            early = null;
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (early != null) { // the connection ended before the tunnel started
            early.forEach(ReferenceCountUtil::release);
            early = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
