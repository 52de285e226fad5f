package io.remora.core.grpc;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * A reply Remora sends for a gRPC call it fails itself: HTTP 200 with {@code grpc-status}, {@code grpc-message}
 * and no body — over HTTP/2 a trailers-only response (one HEADERS frame that ends the stream), which is how gRPC
 * servers report an error before any message. The response flag header rides along, as on every local reply.
 */
public final class GrpcReply {
    private GrpcReply() {
    }

    /**
     * @param flagHeader the name of the response-flag header, {@code flags} its value (null for none)
     */
    public static FullHttpResponse create(int grpcStatus, String message, String flagHeader, String flags,
            boolean close) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.EMPTY_BUFFER);
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, GrpcStatus.CONTENT_TYPE)
                .set(GrpcStatus.STATUS_HEADER, Integer.toString(grpcStatus))
                .set(GrpcStatus.MESSAGE_HEADER, percentEncode(message))
                .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        if (flags != null) {
            r.headers().set(flagHeader, flags);
        }
        if (close) {
            r.headers().set(HttpHeaderNames.CONNECTION, "close");
        }
        return r;
    }

    /**
     * {@code grpc-message} encoding (gRPC over HTTP/2, "Responses"): UTF-8, with every byte outside printable ASCII
     * (0x20-0x7E) and {@code %} itself written as {@code %XX}.
     */
    static String percentEncode(String message) {
        byte[] bytes = (message == null ? "" : message).getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (c >= 0x20 && c <= 0x7E && c != '%') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return sb.toString();
    }
}
