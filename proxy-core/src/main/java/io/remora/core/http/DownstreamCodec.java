package io.remora.core.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The downstream HTTP/1.1 codec: Remora's strict request decoder ({@link io.remora.core.http1.StrictRequestDecoder},
 * which rejects every message that could be read two ways) and Netty's response encoder, which remembers each
 * request's method, so a response to {@code HEAD} or a 2xx to {@code CONNECT} is written without a body however
 * the upstream framed it.
 */
public final class DownstreamCodec
        extends CombinedChannelDuplexHandler<io.remora.core.http1.StrictRequestDecoder, HttpResponseEncoder> {

    /** Methods of decoded requests whose final response has not been encoded yet, in order. */
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();

    /** A codec with the decoder's default field-count limit and underscore policy. */
    public DownstreamCodec(int maxHeadBytes) {
        this(maxHeadBytes, io.remora.core.http1.StrictRequestDecoder.DEFAULT_MAX_HEADERS_COUNT,
                io.remora.core.http1.StrictRequestDecoder.DEFAULT_HEADERS_WITH_UNDERSCORES);
    }

    /**
     * @param maxHeadersCount        a listener's {@code max_headers_count}
     * @param headersWithUnderscores a listener's {@code headers_with_underscores}
     */
    public DownstreamCodec(int maxHeadBytes, int maxHeadersCount,
            io.remora.core.http1.UnderscorePolicy headersWithUnderscores) {
        init(new RequestDecoder(maxHeadBytes, maxHeadersCount, headersWithUnderscores), new ResponseEncoder());
    }

    private final class RequestDecoder extends io.remora.core.http1.StrictRequestDecoder {
        RequestDecoder(int maxHeadBytes, int maxHeadersCount, io.remora.core.http1.UnderscorePolicy underscores) {
            super(maxHeadBytes, maxHeadersCount, underscores, DEFAULT_MAX_CHUNK_EXTENSION_BYTES,
                    DEFAULT_MAX_TRAILER_BYTES);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, io.netty.buffer.ByteBuf in, List<Object> out) {
            int before = out.size();
            super.decode(ctx, in, out);
            for (int i = before; i < out.size(); i++) {
                if (out.get(i) instanceof HttpRequest req) {
                    methods.add(req.method());
                }
            }
        }
    }

    private final class ResponseEncoder extends HttpResponseEncoder {
        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            HttpStatusClass statusClass = msg.status().codeClass();
            if (statusClass == HttpStatusClass.INFORMATIONAL && msg.status().code() != 101) {
                return true; // interim response: the final one still follows
            }
            HttpMethod method = methods.poll();
            if (HttpMethod.HEAD.equals(method)) {
                return true;
            }
            if (HttpMethod.CONNECT.equals(method) && statusClass == HttpStatusClass.SUCCESS) {
                msg.headers().remove(HttpHeaderNames.TRANSFER_ENCODING).remove(HttpHeaderNames.CONTENT_LENGTH);
                return true;
            }
            return super.isContentAlwaysEmpty(msg);
        }
    }
}
