package io.remora.core.http1;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * The upstream HTTP/1.1 codec: a {@link StrictResponseDecoder} and Netty's {@link HttpRequestEncoder}, in place
 * of Netty's {@code HttpClientCodec}. The encoder tells the decoder the method of every request it writes, so
 * that responses to HEAD, 1xx, 204, 304 and 2xx to CONNECT are framed right; once the decoder saw a 101 or a 2xx
 * to CONNECT, both directions pass bytes through untouched.
 */
public final class StrictClientCodec extends CombinedChannelDuplexHandler<StrictResponseDecoder, HttpRequestEncoder> {

    /** A codec with {@link StrictResponseDecoder}'s default limits. */
    public StrictClientCodec(int maxHeadBytes) {
        this(new StrictResponseDecoder(maxHeadBytes));
    }

    /** See {@link StrictResponseDecoder#StrictResponseDecoder(int, int, int, int)} for the limits. */
    public StrictClientCodec(int maxHeadBytes, int maxHeadersCount, int maxChunkExtensionBytes,
            int maxTrailerBytes) {
        this(new StrictResponseDecoder(maxHeadBytes, maxHeadersCount, maxChunkExtensionBytes, maxTrailerBytes));
    }

    private StrictClientCodec(StrictResponseDecoder decoder) {
        init(decoder, new Encoder(decoder));
    }

    /** The response decoder, for {@link StrictResponseDecoder#isSwitched()}. */
    public StrictResponseDecoder decoder() {
        return inboundHandler();
    }

    private static final class Encoder extends HttpRequestEncoder {
        private final StrictResponseDecoder decoder;

        Encoder(StrictResponseDecoder decoder) {
            this.decoder = decoder;
        }

        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (decoder.isSwitched()) {
                out.add(ReferenceCountUtil.retain(msg)); // a tunnel: bytes go out as they are
                return;
            }
            if (msg instanceof HttpRequest request) {
                decoder.expectResponse(request.method());
            }
            super.encode(ctx, msg, out);
        }
    }
}
