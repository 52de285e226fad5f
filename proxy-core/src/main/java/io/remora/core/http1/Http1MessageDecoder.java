package io.remora.core.http1;

import static io.remora.core.http1.Http1Grammar.CR;
import static io.remora.core.http1.Http1Grammar.LF;
import static io.remora.core.http1.Http1Grammar.badValueByte;
import static io.remora.core.http1.Http1Grammar.equalsIgnoreCase;
import static io.remora.core.http1.Http1Grammar.hex;
import static io.remora.core.http1.Http1Grammar.hexValue;
import static io.remora.core.http1.Http1Grammar.isOws;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ByteProcessor;
import io.netty.util.CharsetUtil;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The state machine shared by {@link StrictRequestDecoder} and {@link StrictResponseDecoder}: line splitting with
 * strict CRLF, field lines, the framing fields (Content-Length, Transfer-Encoding, Connection), fixed-length,
 * chunked and close-delimited bodies, trailers, and the terminal BAD state.
 *
 * <p>Lines are parsed as soon as their LF arrives, straight from the cumulation buffer, and consumed once parsed;
 * the only state carried across reads is how far the current line was already searched for its LF, so a head
 * trickled one byte at a time costs the same as one that arrives whole. Bodies are emitted as retained slices of
 * the cumulation, never copied.
 *
 * <p>The decoder emits at most one complete message per {@code decode} call (it returns after a
 * {@link LastHttpContent}), so a handler that removes it or switches protocols after a message never sees the
 * bytes that follow parsed as HTTP.
 */
abstract class Http1MessageDecoder extends ByteToMessageDecoder {
    /** Largest content slice emitted at once. */
    static final int MAX_CONTENT_CHUNK = 64 * 1024;
    /** A chunk size has at most this many hex digits (leading zeros included): 16 digits cover a long. */
    static final int MAX_CHUNK_SIZE_DIGITS = 16;

    /** Header names and values seen on this connection (see {@link AsciiCache}). */
    private final AsciiCache names = new AsciiCache(64, 64);
    private final AsciiCache values = new AsciiCache(64, 128);
    static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);

    /**
     * Trailer fields that would change how the message is framed, routed or handled if anyone merged them into
     * the header section (RFC 9110 §6.5.1): a message carrying one is rejected.
     */
    private static final Set<String> TRAILERS_REJECTED = Set.of("content-length", "transfer-encoding", "host",
            "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "expect");
    /**
     * Other fields RFC 9110 §6.5.1 says cannot be processed after the content (authentication, request modifiers,
     * response control data, content metadata): removed from the trailer section, never forwarded.
     */
    private static final Set<String> TRAILERS_DROPPED = Set.of("authorization", "proxy-authorization",
            "www-authenticate", "proxy-authenticate", "authentication-info", "proxy-authentication-info", "cookie",
            "set-cookie", "content-type", "content-encoding", "content-range", "content-location",
            "content-language", "cache-control", "pragma", "max-forwards", "range", "if-match", "if-none-match",
            "if-modified-since", "if-unmodified-since", "if-range", "age", "expires", "date", "location",
            "retry-after", "vary", "warning");

    /** Bytes a client may send after CONNECT before it is answered (at least {@code maxHeadBytes}). */
    private static final int HOLD_LIMIT = 64 * 1024;

    private static final int NEED_MORE = -1;
    private static final int TOO_LONG = -2;

    enum State {
        /** Before a message (a request may be preceded by one CRLF). */
        START,
        /** Reading the start line and the field lines. */
        HEAD,
        FIXED_BODY,
        CHUNK_SIZE,
        CHUNK_DATA,
        /** The CRLF after a chunk's data. */
        CHUNK_END,
        TRAILERS,
        /** A response body delimited by the connection's close. */
        UNTIL_CLOSE,
        /** After a CONNECT request: bytes are kept, unparsed, for the tunnel (or dropped with the connection). */
        HOLD,
        /** After 101 or a 2xx to CONNECT: bytes are passed on as they are. */
        PASS_THROUGH,
        /** After a violation: every byte is discarded. Terminal. */
        BAD
    }

    final int maxHeadBytes;
    final int maxHeadersCount;
    final UnderscorePolicy underscores;
    final int maxChunkExtensionBytes;
    final int maxTrailerBytes;

    State state = State.START;
    /** The state entered when the current message ends. */
    State afterMessage = State.START;
    /** Set when a message ended during this decode call: the call returns so the message is handled first. */
    private boolean messageEnded;
    /** Bytes of the current (incomplete) line already searched for its LF. */
    private int scanned;
    /** Bytes of the current head, or of the current trailer section, consumed so far. */
    private int sectionBytes;
    private int fieldCount;
    /** The next field line is the first one of its section. */
    private boolean firstField;
    /** Whether the head of the current message was passed on: a later failure is reported as content. */
    private boolean headEmitted;
    /** One CRLF before the request line was skipped (RFC 9112 §2.2). */
    private boolean skippedEmptyLine;

    HttpMessage message;
    HttpHeaders headers;
    HttpVersion version;
    /** The Content-Length value, or -1 without one. */
    long contentLength = -1;
    /** Whether Transfer-Encoding: chunked was received. */
    boolean chunked;

    private long remaining;
    private int extensionBytes;
    private HttpHeaders trailers;

    Http1MessageDecoder(int maxHeadBytes, int maxHeadersCount, UnderscorePolicy underscores,
            int maxChunkExtensionBytes, int maxTrailerBytes) {
        if (maxHeadBytes < 16) {
            throw new IllegalArgumentException("maxHeadBytes: " + maxHeadBytes + " (expected: >= 16)");
        }
        if (maxHeadersCount < 1) {
            throw new IllegalArgumentException("maxHeadersCount: " + maxHeadersCount + " (expected: >= 1)");
        }
        if (maxChunkExtensionBytes < 0) {
            throw new IllegalArgumentException(
                    "maxChunkExtensionBytes: " + maxChunkExtensionBytes + " (expected: >= 0)");
        }
        if (maxTrailerBytes < 2) {
            throw new IllegalArgumentException("maxTrailerBytes: " + maxTrailerBytes + " (expected: >= 2)");
        }
        if (underscores == null) {
            throw new IllegalArgumentException("headersWithUnderscores: null (expected: a policy)");
        }
        this.maxHeadBytes = maxHeadBytes;
        this.maxHeadersCount = maxHeadersCount;
        this.underscores = underscores;
        this.maxChunkExtensionBytes = maxChunkExtensionBytes;
        this.maxTrailerBytes = maxTrailerBytes;
    }

    // ---- what requests and responses do differently --------------------------------------------------------

    abstract boolean isRequest();

    /** Parses the start line (CR excluded) into {@link #message}, {@link #headers} and {@link #version}. */
    abstract void startLine(ByteBuf in, int start, int end);

    /** Checks the complete head and emits it with one of the {@code emit*} methods. */
    abstract void endOfHead(List<Object> out);

    /** A Host field line. The response decoder keeps it as any other field. */
    void hostField(String name, String value) {
        headers.add(name, value);
    }

    /** The message that reports a failure before its head was passed on. */
    abstract HttpMessage failedHead(Throwable cause);

    // ---- decoding --------------------------------------------------------------------------------------------

    /**
     * Decodes what {@code in} holds. A subclass may override this to observe what is emitted (to queue each
     * request's method for the response encoder, say), calling {@code super.decode} and reading {@code out}.
     */
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (state == State.HOLD) {
            hold(in);
            return;
        }
        messageEnded = false;
        try {
            while (!messageEnded && step(in, out)) {
                // one state transition per round
            }
        } catch (RuntimeException e) {
            // HttpSyntaxException and the TooLong* exceptions by design; anything else is a bug, and then too the
            // only safe thing is to stop parsing this connection
            fail(in, out, e);
        }
    }

    /** One transition of the state machine; false when more bytes are needed. */
    private boolean step(ByteBuf in, List<Object> out) {
        return switch (state) {
            case START -> start(in);
            case HEAD -> headLine(in, out);
            case FIXED_BODY -> fixedBody(in, out);
            case CHUNK_SIZE -> chunkSize(in);
            case CHUNK_DATA -> chunkData(in, out);
            case CHUNK_END -> chunkEnd(in);
            case TRAILERS -> trailerLine(in, out);
            case UNTIL_CLOSE -> untilClose(in, out);
            case PASS_THROUGH -> {
                if (in.isReadable()) {
                    out.add(in.readRetainedSlice(in.readableBytes()));
                }
                yield false;
            }
            case HOLD -> false;
            case BAD -> {
                in.skipBytes(in.readableBytes());
                yield false;
            }
        };
    }

    private boolean start(ByteBuf in) {
        if (!in.isReadable()) {
            return false;
        }
        if (isRequest()) {
            int ri = in.readerIndex();
            byte b = in.getByte(ri);
            if (b == CR || b == LF) {
                if (skippedEmptyLine) {
                    throw new HttpSyntaxException("more than one empty line before request line");
                }
                if (b == LF) {
                    throw new HttpSyntaxException("bare LF before request line");
                }
                if (in.readableBytes() < 2) {
                    return false;
                }
                if (in.getByte(ri + 1) != LF) {
                    throw new HttpSyntaxException("bare CR before request line");
                }
                in.skipBytes(2);
                skippedEmptyLine = true;
                return true;
            }
        }
        state = State.HEAD;
        return true;
    }

    private boolean headLine(ByteBuf in, List<Object> out) {
        int lf = findLineEnd(in, maxHeadBytes - sectionBytes);
        if (lf == NEED_MORE) {
            return false;
        }
        if (lf == TOO_LONG) {
            if (message == null) {
                throw new TooLongHttpLineException((isRequest() ? "request" : "status") + " line longer than "
                        + maxHeadBytes + " bytes");
            }
            throw new TooLongHttpHeaderException("header section larger than " + maxHeadBytes + " bytes");
        }
        int start = in.readerIndex();
        int end = contentEnd(in, start, lf);
        if (message == null) {
            startLine(in, start, end);
            firstField = true;
        } else if (end == start) {
            consumeLine(in, lf);
            endOfHead(out);
            return true;
        } else {
            field(in, start, end, false);
            firstField = false;
        }
        consumeLine(in, lf);
        return true;
    }

    private boolean fixedBody(ByteBuf in, List<Object> out) {
        int readable = in.readableBytes();
        if (readable == 0) {
            return false;
        }
        int n = (int) Math.min(Math.min(readable, remaining), MAX_CONTENT_CHUNK);
        ByteBuf slice = in.readRetainedSlice(n);
        remaining -= n;
        if (remaining == 0) {
            // no trailers can follow a Content-Length body: share the empty trailers instead of allocating them
            out.add(new DefaultLastHttpContent(slice, io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE));
            endMessage();
        } else {
            out.add(new DefaultHttpContent(slice));
        }
        return true;
    }

    private boolean chunkSize(ByteBuf in) {
        int limit = MAX_CHUNK_SIZE_DIGITS + (maxChunkExtensionBytes - extensionBytes) + 2;
        int lf = findLineEnd(in, limit);
        if (lf == NEED_MORE) {
            return false;
        }
        int start = in.readerIndex();
        if (lf == TOO_LONG) {
            // say what is wrong with the line: a bad byte, too many digits, or only too much extension
            chunkSizeLine(in, start, start + limit);
            throw new HttpSyntaxException("chunk extensions longer than " + maxChunkExtensionBytes + " bytes");
        }
        int end = contentEnd(in, start, lf);
        long size = chunkSizeLine(in, start, end);
        consumeLine(in, lf);
        if (size == 0) {
            sectionBytes = 0;
            fieldCount = 0;
            firstField = true;
            state = State.TRAILERS;
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
        return true;
    }

    /** Parses {@code chunk-size [ chunk-ext ]} without BWS; returns the size. */
    private long chunkSizeLine(ByteBuf in, int start, int end) {
        long size = 0;
        int i = start;
        while (i < end) {
            int d = hexValue(in.getByte(i));
            if (d < 0) {
                break;
            }
            if (i - start == MAX_CHUNK_SIZE_DIGITS) {
                throw new HttpSyntaxException("chunk size longer than " + MAX_CHUNK_SIZE_DIGITS + " hex digits");
            }
            size = (size << 4) | d;
            i++;
        }
        if (i == start) {
            throw new HttpSyntaxException("invalid chunk size");
        }
        if (size < 0) {
            throw new HttpSyntaxException("chunk size overflows");
        }
        if (i < end) {
            if (in.getByte(i) != ';') {
                throw new HttpSyntaxException("invalid chunk size");
            }
            extensionBytes += end - i;
            if (extensionBytes > maxChunkExtensionBytes) {
                throw new HttpSyntaxException(
                        "chunk extensions longer than " + maxChunkExtensionBytes + " bytes");
            }
            checkChunkExtensions(in, i, end);
        }
        return size;
    }

    /** {@code *( ";" token [ "=" ( token / quoted-string ) ] )}, without the BWS RFC 9112 §7.1.1 tolerates. */
    private static void checkChunkExtensions(ByteBuf in, int i, int end) {
        while (i < end) {
            if (in.getByte(i) != ';') {
                throw new HttpSyntaxException("invalid chunk extension");
            }
            int nameEnd = tokenEnd(in, i + 1, end);
            if (nameEnd == i + 1) {
                throw new HttpSyntaxException("invalid chunk extension name");
            }
            i = nameEnd;
            if (i < end && in.getByte(i) == '=') {
                i++;
                if (i < end && in.getByte(i) == '"') {
                    i = quotedStringEnd(in, i, end);
                } else {
                    int valueEnd = tokenEnd(in, i, end);
                    if (valueEnd == i) {
                        throw new HttpSyntaxException("invalid chunk extension value");
                    }
                    i = valueEnd;
                }
            }
        }
    }

    private static int tokenEnd(ByteBuf in, int from, int end) {
        if (from >= end) {
            return end;
        }
        int i = in.forEachByte(from, end - from, Http1Grammar.IS_TOKEN);
        return i < 0 ? end : i;
    }

    /** The index after the quoted-string that starts at {@code i}. obs-text is refused. */
    private static int quotedStringEnd(ByteBuf in, int i, int end) {
        int j = i + 1;
        while (j < end) {
            byte b = in.getByte(j);
            if (b == '"') {
                return j + 1;
            }
            if (b == '\\') {
                if (j + 1 >= end || !Http1Grammar.isVcharOrWs(in.getByte(j + 1))) {
                    throw new HttpSyntaxException("invalid quoted-pair in chunk extension");
                }
                j += 2;
            } else if (Http1Grammar.isQdtext(b)) {
                j++;
            } else {
                throw new HttpSyntaxException("invalid character " + hex(b) + " in chunk extension");
            }
        }
        throw new HttpSyntaxException("unterminated quoted-string in chunk extension");
    }

    private boolean chunkData(ByteBuf in, List<Object> out) {
        int readable = in.readableBytes();
        if (readable == 0) {
            return false;
        }
        int n = (int) Math.min(Math.min(readable, remaining), MAX_CONTENT_CHUNK);
        out.add(new DefaultHttpContent(in.readRetainedSlice(n)));
        remaining -= n;
        if (remaining == 0) {
            state = State.CHUNK_END;
        }
        return true;
    }

    private boolean chunkEnd(ByteBuf in) {
        int readable = in.readableBytes();
        if (readable == 0) {
            return false;
        }
        int ri = in.readerIndex();
        if (in.getByte(ri) != CR) {
            throw new HttpSyntaxException("missing CRLF after chunk data");
        }
        if (readable < 2) {
            return false;
        }
        if (in.getByte(ri + 1) != LF) {
            throw new HttpSyntaxException("missing CRLF after chunk data");
        }
        in.skipBytes(2);
        state = State.CHUNK_SIZE;
        return true;
    }

    private boolean trailerLine(ByteBuf in, List<Object> out) {
        int lf = findLineEnd(in, maxTrailerBytes - sectionBytes);
        if (lf == NEED_MORE) {
            return false;
        }
        if (lf == TOO_LONG) {
            throw new TooLongHttpHeaderException("trailer section larger than " + maxTrailerBytes + " bytes");
        }
        int start = in.readerIndex();
        int end = contentEnd(in, start, lf);
        if (end == start) {
            consumeLine(in, lf);
            out.add(trailers == null ? LastHttpContent.EMPTY_LAST_CONTENT
                    : new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers));
            endMessage();
            return true;
        }
        field(in, start, end, true);
        firstField = false;
        consumeLine(in, lf);
        return true;
    }

    private boolean untilClose(ByteBuf in, List<Object> out) {
        int readable = in.readableBytes();
        if (readable == 0) {
            return false;
        }
        out.add(new DefaultHttpContent(in.readRetainedSlice(Math.min(readable, MAX_CONTENT_CHUNK))));
        return true;
    }

    /**
     * After a CONNECT request nothing is parsed: what the client sends before the answer belongs to the tunnel
     * if the CONNECT succeeds, and must not be read as HTTP if it does not. The bytes stay in the cumulation; the
     * handler that sets up the tunnel removes this decoder and receives them, one that refuses the CONNECT closes
     * the connection. The wait is bounded.
     */
    private void hold(ByteBuf in) {
        if (in.readableBytes() > Math.max(HOLD_LIMIT, maxHeadBytes)) {
            in.skipBytes(in.readableBytes());
            state = State.BAD;
            throw new HttpSyntaxException("more than " + Math.max(HOLD_LIMIT, maxHeadBytes)
                    + " bytes received after CONNECT before it was answered");
        }
    }

    @Override
    protected final void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case START, HEAD -> {
                boolean partial = state == State.HEAD || in.isReadable();
                in.skipBytes(in.readableBytes());
                if (partial) {
                    if (!isRequest()) {
                        // the upstream closed mid-head: the exchange ends with a protocol error, not a hang
                        out.add(failedHead(new PrematureChannelClosureException(
                                "connection closed before the response head was complete")));
                    }
                    // a client that leaves mid-head is gone: there is no one to answer
                    resetMessage();
                    state = State.BAD;
                }
            }
            case FIXED_BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS -> {
                in.skipBytes(in.readableBytes());
                out.add(failedContent(new PrematureChannelClosureException("connection closed before the "
                        + (isRequest() ? "request" : "response") + " body was complete")));
                resetMessage();
                state = State.BAD;
            }
            case UNTIL_CLOSE -> {
                while (in.isReadable()) {
                    out.add(new DefaultHttpContent(
                            in.readRetainedSlice(Math.min(in.readableBytes(), MAX_CONTENT_CHUNK))));
                }
                out.add(LastHttpContent.EMPTY_LAST_CONTENT);
                resetMessage();
                state = State.BAD; // nothing can follow a close-delimited body
            }
            case PASS_THROUGH -> {
                if (in.isReadable()) {
                    out.add(in.readRetainedSlice(in.readableBytes()));
                }
            }
            case HOLD -> {
                // left in the cumulation, which the base class releases
            }
            case BAD -> in.skipBytes(in.readableBytes());
        }
    }

    // ---- lines and fields ------------------------------------------------------------------------------------

    /**
     * The index of the LF that ends the line starting at the reader index, {@link #NEED_MORE}, or
     * {@link #TOO_LONG} when {@code limit} bytes (the LF included) hold no LF.
     */
    private int findLineEnd(ByteBuf in, int limit) {
        int start = in.readerIndex();
        int available = in.writerIndex() - start;
        int searchable = Math.min(available, limit);
        if (scanned < searchable) {
            int lf = in.forEachByte(start + scanned, searchable - scanned, ByteProcessor.FIND_LF);
            if (lf >= 0) {
                scanned = 0;
                return lf;
            }
            scanned = searchable;
        }
        return available >= limit ? TOO_LONG : NEED_MORE;
    }

    /** The end of the line's content: the LF must follow a CR, and that CR is not content. */
    private static int contentEnd(ByteBuf in, int start, int lf) {
        if (lf == start || in.getByte(lf - 1) != CR) {
            throw new HttpSyntaxException("bare LF line terminator");
        }
        return lf - 1;
    }

    private void consumeLine(ByteBuf in, int lf) {
        int n = lf + 1 - in.readerIndex();
        sectionBytes += n;
        in.skipBytes(n);
    }

    /** A field line of the header section or, when {@code trailer}, of the trailer section. */
    private void field(ByteBuf in, int start, int end, boolean trailer) {
        byte first = in.getByte(start);
        if (isOws(first)) {
            throw new HttpSyntaxException(firstField ? "whitespace before the first field line"
                    : "obs-fold in field line");
        }
        int colon = in.forEachByte(start, end - start, Http1Grammar.IS_TOKEN);
        if (colon < 0) {
            throw new HttpSyntaxException("missing colon in field line");
        }
        byte c = in.getByte(colon);
        if (c != ':') {
            if (isOws(c)) {
                int k = colon;
                while (k < end && isOws(in.getByte(k))) {
                    k++;
                }
                throw new HttpSyntaxException(k < end && in.getByte(k) == ':' ? "whitespace before colon"
                        : "whitespace in field name");
            }
            if (c == CR) {
                throw new HttpSyntaxException("bare CR in field line");
            }
            throw new HttpSyntaxException("invalid character " + hex(c) + " in field name");
        }
        if (colon == start) {
            throw new HttpSyntaxException("empty field name");
        }
        if (++fieldCount > maxHeadersCount) {
            throw new TooLongHttpHeaderException("more than " + maxHeadersCount
                    + (trailer ? " trailer fields" : " header fields"));
        }
        int vs = colon + 1;
        int ve = end;
        while (vs < ve && isOws(in.getByte(vs))) {
            vs++;
        }
        while (ve > vs && isOws(in.getByte(ve - 1))) {
            ve--;
        }
        if (vs < ve) {
            int bad = in.forEachByte(vs, ve - vs, Http1Grammar.IS_FIELD_VALUE);
            if (bad >= 0) {
                throw badValueByte(in.getByte(bad), trailer ? "trailer field value" : "field value");
            }
        }
        if (underscores != UnderscorePolicy.ALLOW && in.indexOf(start, colon, (byte) '_') >= 0) {
            if (underscores == UnderscorePolicy.REJECT) {
                throw new HttpSyntaxException("underscore in field name");
            }
            return; // DROP
        }
        int nameLen = colon - start;
        if (trailer) {
            trailerField(in, start, nameLen, vs, ve);
            return;
        }
        switch (nameLen) {
            case 4 -> {
                if (equalsIgnoreCase(in, start, 4, "host")) {
                    hostField(ascii(in, start, nameLen), ascii(in, vs, ve - vs));
                    return;
                }
            }
            case 10 -> {
                if (equalsIgnoreCase(in, start, 10, "connection")) {
                    checkConnection(in, vs, ve);
                }
            }
            case 14 -> {
                if (equalsIgnoreCase(in, start, 14, "content-length")) {
                    contentLength(in, start, nameLen, vs, ve);
                    return;
                }
            }
            case 17 -> {
                if (equalsIgnoreCase(in, start, 17, "transfer-encoding")) {
                    transferEncoding(in, start, nameLen, vs, ve);
                    return;
                }
            }
            default -> {
                // an ordinary field
            }
        }
        headers.add(names.get(in, start, nameLen), values.get(in, vs, ve - vs));
    }

    private void trailerField(ByteBuf in, int start, int nameLen, int vs, int ve) {
        String name = ascii(in, start, nameLen);
        String lower = name.toLowerCase(Locale.ROOT);
        if (TRAILERS_REJECTED.contains(lower)) {
            throw new HttpSyntaxException(lower + " not allowed in trailer section");
        }
        if (TRAILERS_DROPPED.contains(lower)) {
            return;
        }
        if (trailers == null) {
            trailers = TRAILERS.newHeaders();
        }
        trailers.add(name, ascii(in, vs, ve - vs));
    }

    /**
     * {@code Content-Length = 1*DIGIT}, or a list of identical values (RFC 9110 §8.6), possibly over several
     * field lines: merged into one field with the canonical decimal value, at the place of the first.
     */
    private void contentLength(ByteBuf in, int nameStart, int nameLen, int vs, int ve) {
        if (vs == ve) {
            throw new HttpSyntaxException("empty Content-Length");
        }
        boolean first = contentLength < 0;
        int i = vs;
        for (;;) {
            long v = 0;
            int digits = i;
            while (i < ve) {
                int d = in.getByte(i) - '0';
                if (d < 0 || d > 9) {
                    break;
                }
                if (v > (Long.MAX_VALUE - d) / 10) {
                    throw new HttpSyntaxException("Content-Length overflows");
                }
                v = v * 10 + d;
                i++;
            }
            if (i == digits) {
                throw new HttpSyntaxException("invalid Content-Length");
            }
            if (contentLength >= 0 && contentLength != v) {
                throw new HttpSyntaxException("conflicting Content-Length values");
            }
            contentLength = v;
            while (i < ve && isOws(in.getByte(i))) {
                i++;
            }
            if (i == ve) {
                break;
            }
            if (in.getByte(i) != ',') {
                throw new HttpSyntaxException("invalid Content-Length");
            }
            i++;
            while (i < ve && isOws(in.getByte(i))) {
                i++;
            }
            if (i == ve) {
                throw new HttpSyntaxException("empty element in Content-Length");
            }
        }
        if (first) {
            headers.add(names.get(in, nameStart, nameLen), Long.toString(contentLength));
        }
    }

    /**
     * Only {@code chunked}, once, across all Transfer-Encoding field lines: no other coding is applied by this
     * proxy, so anything else is either unsupported or an obfuscation.
     */
    private void transferEncoding(ByteBuf in, int nameStart, int nameLen, int vs, int ve) {
        if (version == HttpVersion.HTTP_1_0) {
            throw new HttpSyntaxException("Transfer-Encoding in an HTTP/1.0 message");
        }
        if (vs == ve) {
            throw new HttpSyntaxException("empty Transfer-Encoding");
        }
        int i = vs;
        for (;;) {
            int end = tokenEnd(in, i, ve);
            if (end == i) {
                throw new HttpSyntaxException(in.getByte(i) == ',' ? "empty element in Transfer-Encoding"
                        : "invalid Transfer-Encoding");
            }
            if (!equalsIgnoreCase(in, i, end - i, "chunked")) {
                throw new HttpSyntaxException("transfer coding other than chunked");
            }
            if (chunked) {
                throw new HttpSyntaxException("chunked applied more than once");
            }
            chunked = true;
            headers.add(names.get(in, nameStart, nameLen), "chunked");
            i = end;
            while (i < ve && isOws(in.getByte(i))) {
                i++;
            }
            if (i == ve) {
                return;
            }
            if (in.getByte(i) != ',') {
                throw new HttpSyntaxException("invalid Transfer-Encoding");
            }
            i++;
            while (i < ve && isOws(in.getByte(i))) {
                i++;
            }
            if (i == ve) {
                throw new HttpSyntaxException("empty element in Transfer-Encoding");
            }
        }
    }

    /**
     * A Connection option naming a framing or routing field would make a hop-by-hop filter remove that field
     * before forwarding, and the next hop would frame or route the message differently (RFC 9110 §7.6.1 forbids
     * such options).
     */
    private static void checkConnection(ByteBuf in, int vs, int ve) {
        int i = vs;
        while (i < ve) {
            int comma = in.forEachByte(i, ve - i, ByteProcessor.FIND_COMMA);
            int end = comma < 0 ? ve : comma;
            int s = i;
            int e = end;
            while (s < e && isOws(in.getByte(s))) {
                s++;
            }
            while (e > s && isOws(in.getByte(e - 1))) {
                e--;
            }
            int len = e - s;
            if (equalsIgnoreCase(in, s, len, "content-length") || equalsIgnoreCase(in, s, len, "transfer-encoding")
                    || equalsIgnoreCase(in, s, len, "host")) {
                throw new HttpSyntaxException("Connection option names a framing field");
            }
            i = end + 1;
        }
    }

    static String ascii(ByteBuf in, int index, int len) {
        return len == 0 ? "" : in.toString(index, len, CharsetUtil.US_ASCII);
    }

    // ---- emitting ----------------------------------------------------------------------------------------------

    /** Emits the head and an empty last content; {@code after} is the state for the bytes that follow. */
    final void emitBodiless(List<Object> out, State after) {
        out.add(message);
        out.add(LastHttpContent.EMPTY_LAST_CONTENT);
        afterMessage = after;
        endMessage();
    }

    final void emitFixed(List<Object> out, long length) {
        if (length == 0) {
            emitBodiless(out, State.START);
            return;
        }
        out.add(message);
        headEmitted = true;
        remaining = length;
        state = State.FIXED_BODY;
    }

    final void emitChunked(List<Object> out) {
        out.add(message);
        headEmitted = true;
        state = State.CHUNK_SIZE;
    }

    final void emitUntilClose(List<Object> out) {
        out.add(message);
        headEmitted = true;
        state = State.UNTIL_CLOSE;
    }

    private void endMessage() {
        resetMessage();
        state = afterMessage;
        afterMessage = State.START;
        messageEnded = true;
    }

    /** Forgets the current message; subclasses forget their own per-message state too. */
    void resetMessage() {
        scanned = 0;
        sectionBytes = 0;
        fieldCount = 0;
        firstField = false;
        headEmitted = false;
        skippedEmptyLine = false;
        message = null;
        headers = null;
        version = null;
        contentLength = -1;
        chunked = false;
        remaining = 0;
        extensionBytes = 0;
        trailers = null;
    }

    private void fail(ByteBuf in, List<Object> out, RuntimeException cause) {
        in.skipBytes(in.readableBytes());
        boolean inBody = headEmitted;
        resetMessage();
        state = State.BAD;
        out.add(inBody ? failedContent(cause) : failedHead(cause));
    }

    private static LastHttpContent failedContent(Throwable cause) {
        LastHttpContent c = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, TRAILERS);
        c.setDecoderResult(DecoderResult.failure(cause));
        return c;
    }

    /** Whether the decoder stopped for good after a violation (or after a close-delimited message). */
    public final boolean isBad() {
        return state == State.BAD;
    }
}
