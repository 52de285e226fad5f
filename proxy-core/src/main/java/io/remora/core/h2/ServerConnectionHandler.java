package io.remora.core.h2;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The last handler of a downstream HTTP/2 connection: what the connection as a whole may do and cost.
 * <ul>
 *   <li>Idle: with no stream open for the listener's {@code idle_timeout}, the connection is closed (GOAWAY).</li>
 *   <li>Drain: the proxy's drain event sends GOAWAY and closes once the streams in flight have finished; any later
 *       close (the drain timeout, a shutdown) is immediate.</li>
 *   <li>Rapid reset (CVE-2023-44487): a client whose streams are mostly reset by itself before their response
 *       ended (more than half, once it has reset {@value #MIN_PREMATURE_RESETS}) gets GOAWAY ENHANCE_YOUR_CALM and
 *       is disconnected, the rule Envoy applies. A client that cancels some of its calls is left alone.</li>
 *   <li>SETTINGS flood: more than {@value #MAX_SETTINGS_PER_WINDOW} SETTINGS frames within
 *       {@value #FLOOD_WINDOW_SECONDS} s (a client needs one or two per connection).</li>
 *   <li>PING flood: more than {@value #MAX_PING_STRIKES} PINGs in a row, each within a second of the previous and
 *       with no stream frame written by Remora in between. Pings that measure a transfer (gRPC's BDP pings) come
 *       with data and keep-alive pings come seconds apart: neither strikes.</li>
 *   <li>HPACK: each SETTINGS from the client is followed by capping Remora's encoder table
 *       ({@link Http2Codecs#capEncoderTable}).</li>
 * </ul>
 * The frame-level limits are the codec's ({@link Http2Codecs}). All state is plain fields: one event loop.
 */
final class ServerConnectionHandler extends ChannelDuplexHandler {
    private static final System.Logger LOG = System.getLogger(ServerConnectionHandler.class.getName());
    static final int MIN_PREMATURE_RESETS = 50;
    static final int MAX_SETTINGS_PER_WINDOW = 50;
    static final int FLOOD_WINDOW_SECONDS = 10;
    static final int MAX_PING_STRIKES = 100;
    private static final long PING_STRIKE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Http2FrameCodec codec;
    private final Http2Server.Hooks hooks;
    private final ChannelFutureListener onStreamClosed = f -> streamClosed();
    private final Runnable idleCheck = this::checkIdle;
    private ChannelHandlerContext ctx;

    private int active;
    private long idleSince;
    private ScheduledFuture<?> idleTimer;
    private boolean calmedDown;

    private long streams;
    private long prematureResets;
    private long settingsWindowStart;
    private int settingsInWindow;
    private long lastPing;
    private int pingStrikes;
    private boolean wroteSincePing;

    ServerConnectionHandler(Http2FrameCodec codec, Http2Server.Hooks hooks) {
        this.codec = codec;
        this.hooks = hooks;
    }

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        idleSince = now();
        settingsWindowStart = idleSince;
        Http2Codecs.growConnectionWindow(ctx, hooks.http2().initialConnectionWindow());
        armIdle(idleNanos());
    }

    /** Streams open now (for tests and the admin page). */
    int activeStreams() {
        return active;
    }

    void streamOpened(Channel stream) {
        active++;
        streams++;
        stream.closeFuture().addListener(onStreamClosed);
    }

    private void streamClosed() {
        if (--active == 0) {
            idleSince = now();
        }
    }

    /** A stream channel wrote a frame: the client is being served (see the PING rule). */
    void streamWrote() {
        wroteSincePing = true;
    }

    /** The client reset a stream; {@code premature}: before its response ended. */
    void streamReset(boolean premature) {
        if (!premature) {
            return;
        }
        prematureResets++;
        if (prematureResets >= MIN_PREMATURE_RESETS && prematureResets * 2 > streams) {
            calmDown("rapid reset: " + prematureResets + " of " + streams
                    + " streams reset by the client before their response");
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Http2Exception {
        try {
            if (msg instanceof Http2SettingsFrame) {
                Http2Codecs.capEncoderTable(codec);
                long now = now();
                if (now - settingsWindowStart > TimeUnit.SECONDS.toNanos(FLOOD_WINDOW_SECONDS)) {
                    settingsWindowStart = now;
                    settingsInWindow = 0;
                }
                if (++settingsInWindow > MAX_SETTINGS_PER_WINDOW) {
                    calmDown("SETTINGS flood: more than " + MAX_SETTINGS_PER_WINDOW + " within "
                            + FLOOD_WINDOW_SECONDS + " s");
                }
            } else if (msg instanceof Http2PingFrame ping && !ping.ack()) {
                long now = now();
                if (!wroteSincePing && now - lastPing < PING_STRIKE_INTERVAL_NANOS) {
                    if (++pingStrikes > MAX_PING_STRIKES) {
                        calmDown("PING flood: " + pingStrikes + " pings in a row with nothing else going on");
                    }
                } else {
                    pingStrikes = 0;
                }
                lastPing = now;
                wroteSincePing = false;
            }
        } finally {
            ReferenceCountUtil.release(msg); // the end of the line: GOAWAY, SETTINGS, PING and unknown frames
        }
    }

    /** GOAWAY ENHANCE_YOUR_CALM and an immediate close, for a client that attacks the connection. */
    private void calmDown(String why) {
        if (calmedDown) {
            return;
        }
        calmedDown = true;
        LOG.log(System.Logger.Level.INFO, "closing HTTP/2 connection from " + ctx.channel().remoteAddress() + ": "
                + why);
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.ENHANCE_YOUR_CALM));
        codec.gracefulShutdownTimeoutMillis(0);
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (hooks.isDrain().test(evt) || evt instanceof ChannelInputShutdownEvent) {
            // GOAWAY now; the connection closes when its streams are done (or at the next, forced, close)
            codec.gracefulShutdownTimeoutMillis(-1);
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** A close from outside (shutdown, drain timeout, connection limits): GOAWAY, then close without waiting. */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        codec.gracefulShutdownTimeoutMillis(0); // a drain's graceful close goes from this handler's ctx, not here
        ctx.close(promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "HTTP/2 connection from " + ctx.channel().remoteAddress() + " failed: "
                + cause);
        ctx.close();
    }

    // ---- idle timeout ------------------------------------------------------------------------------------

    private long idleNanos() {
        java.time.Duration d = hooks.idleTimeout().get();
        return d == null ? 0 : d.toNanos();
    }

    private void armIdle(long delayNanos) {
        if (delayNanos > 0 && ctx.channel().isActive()) {
            idleTimer = ctx.executor().schedule(idleCheck, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void checkIdle() {
        idleTimer = null;
        long idle = idleNanos();
        if (idle <= 0 || !ctx.channel().isActive()) {
            return;
        }
        if (active > 0) {
            armIdle(idle);
            return;
        }
        long elapsed = now() - idleSince;
        if (elapsed >= idle) {
            LOG.log(System.Logger.Level.DEBUG, "closing idle HTTP/2 connection from {0}",
                    ctx.channel().remoteAddress());
            ctx.close(); // GOAWAY; no stream to wait for
        } else {
            armIdle(idle - elapsed);
        }
    }
}
