package io.remora.core.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.function.Consumer;

/**
 * Follows an inbound handshake: on success it records the peer's SPIFFE ID on the channel (for
 * {@code x-forwarded-client-cert} and the access log) and removes itself; on failure it counts the reason, logs
 * it in one line and closes the connection.
 */
public final class TlsHandshakeHandler extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(TlsHandshakeHandler.class.getName());

    /** The verified peer identity of a TLS connection ({@code spiffe://...}), absent when none was presented. */
    public static final AttributeKey<String> PEER_IDENTITY = AttributeKey.valueOf("remora.peerIdentity");
    /** Set on connections a permissive listener accepted in plaintext. */
    public static final AttributeKey<Boolean> PLAINTEXT = AttributeKey.valueOf("remora.plaintext");
    /** Set on connections that completed a TLS handshake. */
    public static final AttributeKey<Boolean> TLS = AttributeKey.valueOf("remora.tls");

    private final String listener;
    private final Consumer<TlsRefusal.Reason> onFailure;
    /** Whether channelActive is kept from the handlers behind until the client is authenticated (TCP). */
    private boolean holdActive;
    /** channelActive came and was kept back. */
    private boolean activeHeld;

    public TlsHandshakeHandler(String listener, Consumer<TlsRefusal.Reason> onFailure) {
        this.listener = listener;
        this.onFailure = onFailure;
    }

    /**
     * For TCP listeners, called as the pipeline is built: the handlers behind see {@code channelActive} only once
     * the handshake succeeded (or a permissive listener found plaintext), so the upstream is never dialled for a
     * client that will be refused. Fix: a TCP listener connected to its upstream as soon as a client connected,
     * so every refused client still opened (and closed) an upstream connection, and a server-speaks-first
     * upstream started a session for it.
     */
    public static void holdActiveUntilAuthenticated(io.netty.channel.Channel ch) {
        TlsHandshakeHandler h = ch.pipeline().get(TlsHandshakeHandler.class);
        if (h != null) {
            h.holdActive = true;
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (holdActive) {
            activeHeld = true;
            ctx.read(); // nothing behind reads before it is active: start the handshake (SslHandler reads on)
            return;
        }
        ctx.fireChannelActive();
    }

    /** Lets a held channelActive through: the client is authenticated, or is a permissive listener's plaintext. */
    private void releaseActive(ChannelHandlerContext ctx) {
        if (activeHeld) {
            activeHeld = false;
            ctx.fireChannelActive();
        }
    }

    /** A permissive listener found plaintext: no handshake will come; this handler steps aside. */
    void plaintext(ChannelHandlerContext ctx) {
        releaseActive(ctx);
        ctx.pipeline().remove(this);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent e) {
            if (e.isSuccess()) {
                ctx.channel().attr(TLS).set(Boolean.TRUE);
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                if (ssl != null) {
                    try {
                        Certificate[] peer = ssl.engine().getSession().getPeerCertificates();
                        if (peer.length > 0 && peer[0] instanceof X509Certificate x) {
                            SpiffeId.fromCertificate(x).ifPresent(id -> ctx.channel().attr(PEER_IDENTITY)
                                    .set(id.toString()));
                        }
                    } catch (javax.net.ssl.SSLPeerUnverifiedException none) {
                        // no client certificate asked for or given
                    }
                }
                releaseActive(ctx);
                ctx.pipeline().remove(this);
            } else if (e.cause() instanceof java.nio.channels.ClosedChannelException) {
                // Fix: the client went away before completing a handshake (a TCP health check or port probe
                // connects and closes): nothing was refused. Each such connection was counted as
                // reason="other" and logged as "refused (other): null".
                LOG.log(System.Logger.Level.DEBUG, () -> "listener " + listener + ": " + ctx.channel().remoteAddress()
                        + " closed the connection before completing a TLS handshake");
                ctx.close();
            } else {
                TlsRefusal.Reason reason = TlsRefusal.classify(e.cause());
                onFailure.accept(reason);
                LOG.log(System.Logger.Level.INFO, "listener " + listener + ": TLS handshake from "
                        + ctx.channel().remoteAddress() + " refused (" + reason.label() + "): "
                        + rootMessage(e.cause()));
                ctx.close();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    private static String rootMessage(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TlsRefusal) {
                return c.getMessage();
            }
        }
        return String.valueOf(t.getMessage());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // handshake errors also come as exceptions; the completion event above counts and logs them
        if (cause instanceof io.netty.handler.codec.DecoderException
                && cause.getCause() instanceof javax.net.ssl.SSLException) {
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
