package io.remora.core.http1;

import static io.remora.core.http1.Http1Grammar.SP;
import static io.remora.core.http1.Http1Grammar.badValueByte;
import static io.remora.core.http1.Http1Grammar.equalsExact;
import static io.remora.core.http1.Http1Grammar.hex;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * A strict HTTP/1.1 request decoder: what its consumer sees is what Netty's {@code HttpRequestDecoder} emits (an
 * {@link HttpRequest}, zero or more {@code HttpContent}s, one {@code LastHttpContent} per request, pipelined
 * requests one after the other), but every message that another parser could read differently is refused
 * instead of repaired. See the package documentation for each rule.
 *
 * <p>On a violation it emits one message whose {@code decoderResult()} is a failure, and then discards every
 * byte the connection sends: a {@link DefaultHttpRequest} ({@code GET /bad-request HTTP/1.0}) when the head
 * was bad, a {@code LastHttpContent} when the body framing broke after the head was passed on. The cause says
 * which status to answer:
 * <ul>
 *   <li>{@link io.netty.handler.codec.http.TooLongHttpLineException}: the request line does not fit in
 *       {@code maxHeadBytes}, 414;</li>
 *   <li>{@link io.netty.handler.codec.http.TooLongHttpHeaderException}: the head is larger than
 *       {@code maxHeadBytes}, has more than {@code maxHeadersCount} fields, or the trailer section breaks its
 *       limits, 431;</li>
 *   <li>{@link HttpSyntaxException}: anything else, 400.</li>
 * </ul>
 *
 * <p>After a {@code CONNECT} request the decoder parses nothing more: the bytes stay buffered (up to 64 KiB)
 * for the tunnel, whose handler removes this decoder and receives them. A caller that refuses the CONNECT must
 * close the connection.
 *
 * <p>Not final so that a server codec can observe the decoded requests the way {@code DownstreamCodec} does with
 * Netty's decoder: override {@link #decode}, call {@code super.decode}, and read what was added to {@code out}.
 * The grammar itself lives in package-private and final methods: a subclass cannot loosen it.
 */
public class StrictRequestDecoder extends Http1MessageDecoder {
    public static final int DEFAULT_MAX_HEADERS_COUNT = 100;
    public static final UnderscorePolicy DEFAULT_HEADERS_WITH_UNDERSCORES = UnderscorePolicy.DROP;
    public static final int DEFAULT_MAX_CHUNK_EXTENSION_BYTES = 4096;
    public static final int DEFAULT_MAX_TRAILER_BYTES = 8192;

    private HttpMethod method;
    /** The authority of an absolute-form or authority-form target, else null. */
    private String targetAuthority;
    private int targetColon;
    private boolean targetHttps;
    private String host;
    private int hostColon;

    /** A decoder with the default limits and underscore policy ({@link UnderscorePolicy#DROP}). */
    public StrictRequestDecoder(int maxHeadBytes) {
        this(maxHeadBytes, DEFAULT_MAX_HEADERS_COUNT, DEFAULT_HEADERS_WITH_UNDERSCORES,
                DEFAULT_MAX_CHUNK_EXTENSION_BYTES, DEFAULT_MAX_TRAILER_BYTES);
    }

    /**
     * @param maxHeadBytes the request line and header section together, CRLFs included (a leading empty line
     *     is not counted)
     * @param maxHeadersCount field lines in the header section (dropped ones included), and separately in the
     *     trailer section
     * @param headersWithUnderscores what to do with field names containing '_'
     * @param maxChunkExtensionBytes chunk-extension bytes per message, all chunks together
     * @param maxTrailerBytes the trailer section, its final CRLF included
     */
    public StrictRequestDecoder(int maxHeadBytes, int maxHeadersCount, UnderscorePolicy headersWithUnderscores,
            int maxChunkExtensionBytes, int maxTrailerBytes) {
        super(maxHeadBytes, maxHeadersCount, headersWithUnderscores, maxChunkExtensionBytes, maxTrailerBytes);
    }

    @Override
    boolean isRequest() {
        return true;
    }

    /** {@code method SP request-target SP HTTP-version}, with exactly one SP each time. */
    @Override
    void startLine(ByteBuf in, int start, int end) {
        int sp1 = in.forEachByte(start, end - start, Http1Grammar.IS_TOKEN);
        if (sp1 < 0) {
            throw new HttpSyntaxException("missing request-target");
        }
        byte b = in.getByte(sp1);
        if (sp1 == start) {
            throw new HttpSyntaxException(b == SP ? "whitespace before method" : "invalid method");
        }
        if (b != SP) {
            throw new HttpSyntaxException("invalid character " + hex(b) + " in method");
        }
        int ts = sp1 + 1;
        if (ts == end) {
            throw new HttpSyntaxException("missing request-target");
        }
        if (in.getByte(ts) == SP) {
            throw new HttpSyntaxException("more than one SP in request line");
        }
        int sp2 = in.forEachByte(ts, end - ts, Http1Grammar.IS_TARGET);
        if (sp2 < 0) {
            throw new HttpSyntaxException("missing HTTP version"); // HTTP/0.9's "GET /"
        }
        b = in.getByte(sp2);
        if (b != SP) {
            if (b == '#') {
                throw new HttpSyntaxException("fragment in request-target");
            }
            if (b == Http1Grammar.HTAB || (b & 0x80) != 0) {
                throw new HttpSyntaxException("invalid character " + hex(b) + " in request-target");
            }
            throw badValueByte(b, "request-target");
        }
        int vs = sp2 + 1;
        int vlen = end - vs;
        if (vlen == 8 && equalsExact(in, vs, 8, "HTTP/1.1")) {
            version = HttpVersion.HTTP_1_1;
        } else if (vlen == 8 && equalsExact(in, vs, 8, "HTTP/1.0")) {
            version = HttpVersion.HTTP_1_0;
        } else if (vlen == 0) {
            throw new HttpSyntaxException("missing HTTP version");
        } else {
            // say what is wrong: a second SP, a stray byte, or a version that is simply not 1.0 or 1.1
            int bad = in.forEachByte(vs, vlen, Http1Grammar.IS_TARGET);
            if (bad >= 0) {
                b = in.getByte(bad);
                throw b == SP ? new HttpSyntaxException("more than one SP in request line")
                        : badValueByte(b, "request line");
            }
            throw new HttpSyntaxException("unsupported HTTP version");
        }
        method = method(in, start, sp1 - start);
        String uri = ascii(in, ts, sp2 - ts);
        checkTarget(uri);
        message = new DefaultHttpRequest(version, method, uri, HEADERS);
        headers = message.headers();
    }

    /** Checks the form of the request-target against the method (RFC 9112 §3.2). */
    private void checkTarget(String uri) {
        char first = uri.charAt(0);
        if (HttpMethod.CONNECT.equals(method)) {
            if (first == '/' || first == '*' || startsWithIgnoreCase(uri, "http://")
                    || startsWithIgnoreCase(uri, "https://")) {
                throw new HttpSyntaxException("CONNECT request-target not in authority-form");
            }
            targetColon = Http1Grammar.checkAuthority(uri, "request-target authority", true);
            targetAuthority = uri;
            return;
        }
        if (first == '/') {
            return; // origin-form
        }
        if (uri.length() == 1 && first == '*') {
            if (!HttpMethod.OPTIONS.equals(method)) {
                throw new HttpSyntaxException("asterisk-form request-target without OPTIONS");
            }
            return;
        }
        int schemeLen = startsWithIgnoreCase(uri, "http://") ? 7 : startsWithIgnoreCase(uri, "https://") ? 8 : 0;
        if (schemeLen == 0) {
            throw new HttpSyntaxException("invalid request-target");
        }
        int authorityEnd = uri.length();
        for (int i = schemeLen; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '/' || c == '?') {
                authorityEnd = i;
                break;
            }
        }
        String authority = uri.substring(schemeLen, authorityEnd);
        targetColon = Http1Grammar.checkAuthority(authority, "request-target authority", false);
        targetAuthority = authority;
        targetHttps = schemeLen == 8;
    }

    private static boolean startsWithIgnoreCase(String s, String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    @Override
    void hostField(String name, String value) {
        if (host != null) {
            throw new HttpSyntaxException("multiple Host fields");
        }
        hostColon = Http1Grammar.checkAuthority(value, "Host", false);
        host = value;
        headers.add(name, value);
    }

    @Override
    void endOfHead(List<Object> out) {
        if (host == null && version == HttpVersion.HTTP_1_1) {
            throw new HttpSyntaxException("missing Host");
        }
        if (host != null && targetAuthority != null) {
            checkHostMatchesTarget();
        }
        if (chunked && contentLength >= 0) {
            throw new HttpSyntaxException("Content-Length and Transfer-Encoding both present");
        }
        if (HttpMethod.CONNECT.equals(method)) {
            if (chunked || contentLength > 0) {
                throw new HttpSyntaxException("CONNECT request with content");
            }
            emitBodiless(out, State.HOLD);
        } else if (chunked) {
            emitChunked(out);
        } else if (contentLength > 0) {
            emitFixed(out, contentLength);
        } else {
            emitBodiless(out, State.START);
        }
    }

    /**
     * RFC 9112 §3.2.2 makes the target win over Host; forwarding both when they differ lets the next hop pick the
     * other one, so a mismatch is refused. Hosts compare case-insensitively; a missing port is the scheme's
     * default for absolute-form, and matches any port for CONNECT (RFC 9110 §9.3.6's own example sends
     * {@code Host: server.example.com} with {@code CONNECT server.example.com:80}).
     */
    private void checkHostMatchesTarget() {
        if (!targetAuthority.regionMatches(true, 0, host, 0, Math.max(targetColon, hostColon))
                || targetColon != hostColon) {
            throw new HttpSyntaxException("Host does not match the request-target authority");
        }
        int targetPort = Http1Grammar.port(targetAuthority, targetColon);
        int hostPort = Http1Grammar.port(host, hostColon);
        boolean same;
        if (HttpMethod.CONNECT.equals(method)) {
            same = hostPort < 0 || hostPort == targetPort;
        } else {
            int defaultPort = targetHttps ? 443 : 80;
            same = (targetPort < 0 ? defaultPort : targetPort) == (hostPort < 0 ? defaultPort : hostPort);
        }
        if (!same) {
            throw new HttpSyntaxException("Host does not match the request-target authority");
        }
    }

    @Override
    HttpMessage failedHead(Throwable cause) {
        HttpRequest bad = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request", HEADERS);
        bad.setDecoderResult(DecoderResult.failure(cause));
        return bad;
    }

    @Override
    void resetMessage() {
        super.resetMessage();
        method = null;
        targetAuthority = null;
        targetColon = 0;
        targetHttps = false;
        host = null;
        hostColon = 0;
    }

    /** The shared constant for the common methods, so that a request line allocates no method. */
    private static HttpMethod method(ByteBuf in, int start, int len) {
        switch (len) {
            case 3 -> {
                if (equalsExact(in, start, 3, "GET")) {
                    return HttpMethod.GET;
                }
                if (equalsExact(in, start, 3, "PUT")) {
                    return HttpMethod.PUT;
                }
            }
            case 4 -> {
                if (equalsExact(in, start, 4, "POST")) {
                    return HttpMethod.POST;
                }
                if (equalsExact(in, start, 4, "HEAD")) {
                    return HttpMethod.HEAD;
                }
            }
            case 5 -> {
                if (equalsExact(in, start, 5, "PATCH")) {
                    return HttpMethod.PATCH;
                }
                if (equalsExact(in, start, 5, "TRACE")) {
                    return HttpMethod.TRACE;
                }
            }
            case 6 -> {
                if (equalsExact(in, start, 6, "DELETE")) {
                    return HttpMethod.DELETE;
                }
            }
            case 7 -> {
                if (equalsExact(in, start, 7, "OPTIONS")) {
                    return HttpMethod.OPTIONS;
                }
                if (equalsExact(in, start, 7, "CONNECT")) {
                    return HttpMethod.CONNECT;
                }
            }
            default -> {
                // an extension method
            }
        }
        return HttpMethod.valueOf(ascii(in, start, len));
    }
}
