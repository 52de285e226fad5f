package io.remora.core.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A two-way byte pump between two channels of the same event loop. Each side is read only while the other is
 * writable, so a slow reader stalls the fast writer instead of growing memory; when one side shuts its output
 * (half-close), the other side's output is shut after the bytes before it are flushed, and the session closes
 * when both directions are done. A session with no bytes moving for {@code idleTimeoutNanos} is closed.
 *
 * <p>Handlers are installed first and hold what they read until {@link #start()}, so a protocol switch can
 * remove the HTTP codecs (which hand over bytes they had buffered) without losing or reordering a byte.
 */
public final class TunnelSession {
    private static final System.Logger LOG = System.getLogger(TunnelSession.class.getName());

    private final Side down;
    private final Side up;
    private final long idleTimeoutNanos;
    private long lastActivity;
    private boolean started;
    private boolean closed;

    public TunnelSession(Channel downstream, Channel upstream, long idleTimeoutNanos) {
        this.down = new Side(downstream, "downstream");
        this.up = new Side(upstream, "upstream");
        this.down.peer = up;
        this.up.peer = down;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    public ChannelHandler downstreamHandler() {
        return down;
    }

    public ChannelHandler upstreamHandler() {
        return up;
    }

    /** Forwards whatever was read before, then pumps both ways. Call on the channels' event loop. */
    public void start() {
        // the pump reads explicitly, one burst at a time, only while the other side can take it
        down.channel.config().setAutoRead(false);
        up.channel.config().setAutoRead(false);
        started = true;
        lastActivity = now();
        down.drainPending();
        up.drainPending();
        down.channel.read();
        up.channel.read();
        if (idleTimeoutNanos > 0) {
            scheduleIdleCheck(idleTimeoutNanos);
        }
    }

    private long now() {
        return down.channel.eventLoop().ticker().nanoTime();
    }

    private void scheduleIdleCheck(long delayNanos) {
        down.channel.eventLoop().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void checkIdle() {
        if (closed) {
            return;
        }
        long idle = now() - lastActivity;
        if (idle >= idleTimeoutNanos) {
            LOG.log(System.Logger.Level.DEBUG, "tunnel idle for {0} ms, closing", idle / 1_000_000);
            closeBoth();
        } else {
            scheduleIdleCheck(idleTimeoutNanos - idle);
        }
    }

    private void closeBoth() {
        if (closed) {
            return;
        }
        closed = true;
        down.channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        up.channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private final class Side extends ChannelInboundHandlerAdapter {
        final Channel channel;
        final String name;
        Side peer;
        ArrayDeque<ByteBuf> pending;
        boolean inputShut;

        Side(Channel channel, String name) {
            this.channel = channel;
            this.name = name;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf buf)) {
                ReferenceCountUtil.release(msg); // e.g. the empty last content a codec emits as it is removed
                return;
            }
            if (!started) {
                if (pending == null) {
                    pending = new ArrayDeque<>();
                }
                pending.add(buf);
                return;
            }
            lastActivity = now();
            peer.channel.write(buf, peer.channel.voidPromise());
        }

        void drainPending() {
            if (pending == null) {
                return;
            }
            ByteBuf b;
            while ((b = pending.poll()) != null) {
                peer.channel.write(b, peer.channel.voidPromise());
            }
            peer.channel.flush();
            pending = null;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!started) {
                return;
            }
            peer.channel.flush();
            if (peer.channel.isWritable() && !inputShut) {
                ctx.read();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (started && ctx.channel().isWritable() && !peer.inputShut) {
                peer.channel.read();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                inputShut = true;
                if (peer.channel instanceof DuplexChannel duplex && peer.channel.isActive()) {
                    peer.channel.writeAndFlush(Unpooled.EMPTY_BUFFER)
                            .addListener(f -> duplex.shutdownOutput());
                }
                if (peer.inputShut) {
                    closeBoth();
                }
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closeBoth();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.log(System.Logger.Level.DEBUG, "tunnel " + name + " failed: " + cause);
            closeBoth();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (pending != null) {
                pending.forEach(ReferenceCountUtil::release);
                pending = null;
            }
        }
    }
}
