package io.remora.core.http1;

import static io.remora.core.http1.Http1Grammar.SP;
import static io.remora.core.http1.Http1Grammar.badValueByte;
import static io.remora.core.http1.Http1Grammar.equalsExact;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.CharsetUtil;
import java.util.ArrayDeque;
import java.util.List;

/**
 * A strict HTTP/1.1 response decoder for upstream connections, emitting what Netty's
 * {@code HttpResponseDecoder} emits. Field lines and body framing follow the same rules as
 * {@link StrictRequestDecoder}; any violation, an unsolicited response, or a connection closed mid-message
 * produces one message with a failed {@code decoderResult()} and then nothing more (the proxy answers 502
 * {@code UPE} and never pools the connection).
 *
 * <p>Whether a response has a body depends on the request it answers (RFC 9112 §6.3): the decoder must be told
 * each request's method, in order, with {@link #expectResponse(HttpMethod)}; {@link StrictClientCodec} does it
 * as requests are encoded. Interim responses (1xx except 101) do not consume a method and are followed by the
 * final one. After {@code 101 Switching Protocols} or a 2xx to {@code CONNECT}, the following bytes are passed on
 * as {@link ByteBuf}s, unparsed.
 *
 * <p>Every response head is followed by a {@code LastHttpContent}, including interim and bodiless ones; a body
 * with neither Content-Length nor Transfer-Encoding lasts until the connection closes.
 */
public final class StrictResponseDecoder extends Http1MessageDecoder {
    public static final int DEFAULT_MAX_HEADERS_COUNT = 100;
    public static final int DEFAULT_MAX_CHUNK_EXTENSION_BYTES = 4096;
    public static final int DEFAULT_MAX_TRAILER_BYTES = 8192;

    private static final int NORMAL = 0;
    /** 1xx other than 101: no content, and the final response still follows. */
    private static final int INTERIM = 1;
    /** 101, or a 2xx to CONNECT: no content, then the connection is no longer HTTP/1.1. */
    private static final int SWITCH = 2;
    /** 204: no content, and none may be announced. */
    private static final int NO_CONTENT = 3;
    /** A response to HEAD, or 304: no content, whatever the framing fields announce. */
    private static final int BODYLESS = 4;

    private final ArrayDeque<HttpMethod> pending = new ArrayDeque<>();
    private boolean switched;
    private int kind;
    private int code;

    public StrictResponseDecoder(int maxHeadBytes) {
        this(maxHeadBytes, DEFAULT_MAX_HEADERS_COUNT, DEFAULT_MAX_CHUNK_EXTENSION_BYTES, DEFAULT_MAX_TRAILER_BYTES);
    }

    /**
     * @param maxHeadBytes the status line and header section together, CRLFs included
     * @param maxHeadersCount field lines in the header section, and separately in the trailer section
     * @param maxChunkExtensionBytes chunk-extension bytes per message, all chunks together
     * @param maxTrailerBytes the trailer section, its final CRLF included
     */
    public StrictResponseDecoder(int maxHeadBytes, int maxHeadersCount, int maxChunkExtensionBytes,
            int maxTrailerBytes) {
        // field names with underscores are the upstream's business: Envoy's headers_with_underscores is
        // request-only too
        super(maxHeadBytes, maxHeadersCount, UnderscorePolicy.ALLOW, maxChunkExtensionBytes, maxTrailerBytes);
    }

    /** Records that a request with this method was sent: its response is due after those already expected. */
    public void expectResponse(HttpMethod requestMethod) {
        if (!switched) {
            pending.add(requestMethod);
        }
    }

    /**
     * Bytes received but not decoded yet. Read while a response's last part is being handled, a non-zero value
     * means the upstream sent more than that response (and no request is outstanding for it): the connection
     * must not carry another request, or those bytes would be read as the next request's response.
     */
    public int bufferedBytes() {
        return actualReadableBytes();
    }

    /** Whether a 101 or a 2xx to CONNECT was received: the connection no longer carries HTTP/1.1. */
    public boolean isSwitched() {
        return switched;
    }

    @Override
    boolean isRequest() {
        return false;
    }

    /**
     * {@code HTTP-version SP 3DIGIT SP reason-phrase}. A missing SP and reason after the code
     * ({@code HTTP/1.1 200}) is accepted: common, and it cannot be read two ways.
     */
    @Override
    void startLine(ByteBuf in, int start, int end) {
        int len = end - start;
        if (len >= 8 && equalsExact(in, start, 8, "HTTP/1.1")) {
            version = HttpVersion.HTTP_1_1;
        } else if (len >= 8 && equalsExact(in, start, 8, "HTTP/1.0")) {
            version = HttpVersion.HTTP_1_0;
        } else if (len >= 5 && equalsExact(in, start, 5, "HTTP/")) {
            throw new HttpSyntaxException("unsupported HTTP version");
        } else {
            throw new HttpSyntaxException("invalid status line");
        }
        if (len < 12 || in.getByte(start + 8) != SP) {
            throw new HttpSyntaxException("invalid status line");
        }
        int c = 0;
        for (int i = start + 9; i < start + 12; i++) {
            int d = in.getByte(i) - '0';
            if (d < 0 || d > 9) {
                throw new HttpSyntaxException("invalid status code");
            }
            c = c * 10 + d;
        }
        if (c < 100 || c > 599) {
            throw new HttpSyntaxException("status code out of range");
        }
        HttpResponseStatus status;
        if (len == 12) {
            status = HttpResponseStatus.valueOf(c);
        } else {
            if (in.getByte(start + 12) != SP) {
                throw new HttpSyntaxException("invalid status code");
            }
            int rs = start + 13;
            int bad = rs == end ? -1 : in.forEachByte(rs, end - rs, Http1Grammar.IS_REASON);
            if (bad >= 0) {
                throw badValueByte(in.getByte(bad), "reason phrase");
            }
            HttpResponseStatus standard = HttpResponseStatus.valueOf(c);
            String phrase = standard.reasonPhrase();
            status = equalsExact(in, rs, end - rs, phrase) ? standard
                    : HttpResponseStatus.valueOf(c, in.toString(rs, end - rs, CharsetUtil.ISO_8859_1));
        }
        code = c;
        if (c < 200 && c != 101) {
            if (pending.isEmpty()) {
                throw new HttpSyntaxException("response without a request");
            }
            kind = INTERIM;
        } else {
            HttpMethod method = pending.poll();
            if (method == null) {
                throw new HttpSyntaxException("response without a request");
            }
            if (c == 101 || (c < 300 && HttpMethod.CONNECT.equals(method))) {
                kind = SWITCH;
            } else if (c == 204) {
                kind = NO_CONTENT;
            } else if (c == 304 || HttpMethod.HEAD.equals(method)) {
                kind = BODYLESS;
            } else {
                kind = NORMAL;
            }
        }
        message = new DefaultHttpResponse(version, status, HEADERS);
        headers = message.headers();
    }

    @Override
    void endOfHead(List<Object> out) {
        if (kind == SWITCH && code != 101) {
            // RFC 9110 §9.3.6: a 2xx to CONNECT has no content and its framing fields are ignored
            switched = true;
            pending.clear();
            emitBodiless(out, State.PASS_THROUGH);
            return;
        }
        if (chunked && contentLength >= 0) {
            throw new HttpSyntaxException("Content-Length and Transfer-Encoding both present");
        }
        switch (kind) {
            case INTERIM, SWITCH, NO_CONTENT -> {
                // RFC 9110 §8.6 and RFC 9112 §6.1: no framing fields in 1xx and 204; "Content-Length: 0" is
                // tolerated, as it announces what the status implies anyway
                if (chunked) {
                    throw new HttpSyntaxException("Transfer-Encoding in a " + code + " response");
                }
                if (contentLength > 0) {
                    throw new HttpSyntaxException("Content-Length in a " + code + " response");
                }
                if (kind == SWITCH) {
                    switched = true;
                    pending.clear();
                    emitBodiless(out, State.PASS_THROUGH);
                } else {
                    emitBodiless(out, State.START);
                }
            }
            case BODYLESS -> emitBodiless(out, State.START);
            default -> {
                if (chunked) {
                    emitChunked(out);
                } else if (contentLength >= 0) {
                    emitFixed(out, contentLength);
                } else {
                    emitUntilClose(out);
                }
            }
        }
    }

    @Override
    HttpMessage failedHead(Throwable cause) {
        HttpResponse bad = new DefaultHttpResponse(HttpVersion.HTTP_1_0, HttpResponseStatus.valueOf(999, "Unknown"),
                HEADERS);
        bad.setDecoderResult(DecoderResult.failure(cause));
        return bad;
    }

    @Override
    void resetMessage() {
        super.resetMessage();
        kind = NORMAL;
        code = 0;
    }
}
