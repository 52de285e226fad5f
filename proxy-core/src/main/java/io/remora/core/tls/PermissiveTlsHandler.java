package io.remora.core.tls;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;

/**
 * {@code mode: permissive}: TLS when the first bytes are a TLS record, plaintext otherwise, on the same port, so
 * a fleet can move to mTLS one service at a time. Plaintext connections are marked (and counted) so the access
 * log and metrics show who has not moved yet.
 */
public final class PermissiveTlsHandler extends OptionalSslHandler {
    private final Runnable onPlaintext;

    public PermissiveTlsHandler(SslContext context, Runnable onPlaintext) {
        super(context);
        this.onPlaintext = onPlaintext;
    }

    @Override
    protected String newSslHandlerName() {
        return "tls";
    }

    @Override
    protected ChannelHandler newNonSslHandler(ChannelHandlerContext ctx) {
        ctx.channel().attr(TlsHandshakeHandler.PLAINTEXT).set(Boolean.TRUE);
        ChannelHandlerContext handshake = ctx.pipeline().context(TlsHandshakeHandler.class);
        if (handshake != null) { // no handshake will come: it steps aside (letting a held channelActive through)
            ((TlsHandshakeHandler) handshake.handler()).plaintext(handshake);
        }
        onPlaintext.run();
        return null;
    }
}
