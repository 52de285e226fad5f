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

    public TlsHandshakeHandler(String listener, Consumer<TlsRefusal.Reason> onFailure) {
        this.listener = listener;
        this.onFailure = onFailure;
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
                ctx.pipeline().remove(this);
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
