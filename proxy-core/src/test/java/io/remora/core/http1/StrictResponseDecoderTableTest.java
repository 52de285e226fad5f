package io.remora.core.http1;

import static io.remora.core.http1.Transcript.bytes;
import static io.remora.core.http1.Transcript.http;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The upstream response table. Each row names the methods of the requests the responses answer, in order;
 * like the request table, every row runs whole, byte by byte, cut at every index and in random pieces, with the
 * channel closed at the end ({@code |close|} marks what the close produced). After a rejected row, a valid
 * response sent after it is never decoded.
 */
class StrictResponseDecoderTableTest {
    private static final String OK = "HTTP/1.1 200 OK";
    private static final String TE = "Transfer-Encoding: chunked";
    private static final String SYNTAX = "HttpSyntaxException: ";

    private static Arguments ok(String name, String methods, String input, String... expected) {
        return Arguments.of(name, methods, input, List.of(expected));
    }

    private static Arguments rejected(String name, String methods, String input, String message) {
        return Arguments.of(name, methods, input, List.of("FAIL " + SYNTAX + message));
    }

    private static Arguments broken(String name, String methods, String input, String... expected) {
        return Arguments.of(name, methods, input, List.of(expected));
    }

    private static String failBody(String message) {
        return "FAIL-BODY " + SYNTAX + message;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // ---- accepted ------------------------------------------------------------------------------
                ok("200 with Content-Length", "GET", http(OK, "Content-Length: 2", "") + "hi",
                        OK, "Content-Length: 2", "body=hi", "end"),
                ok("status line without reason or its SP", "GET", http("HTTP/1.1 200", "Content-Length: 0", ""),
                        OK, "Content-Length: 0", "end"),
                ok("empty reason phrase", "GET", http("HTTP/1.1 200 ", "Content-Length: 0", ""),
                        "HTTP/1.1 200 ", "Content-Length: 0", "end"),
                ok("reason phrase with HTAB and obs-text", "GET",
                        http("HTTP/1.1 404 Pas trouv\u00e9\tici", "Content-Length: 0", ""),
                        "HTTP/1.1 404 Pas trouv\u00e9\tici", "Content-Length: 0", "end"),
                ok("field names with underscores are the upstream's business", "GET",
                        http(OK, "X_Served_By: b", "Content-Length: 0", ""), OK, "X_Served_By: b", "Content-Length: 0",
                        "end"),
                ok("close-delimited body", "GET", http(OK, "") + "abc\r\ndef", OK, "body=abc\\r\\ndef", "|close|",
                        "end"),
                ok("HTTP/1.0 close-delimited body", "GET", http("HTTP/1.0 200 OK", "Server: x", "") + "abc",
                        "HTTP/1.0 200 OK", "Server: x", "body=abc", "|close|", "end"),
                ok("close-delimited, empty", "GET", http(OK, ""), OK, "|close|", "end"),
                ok("chunked with trailers", "GET", http(OK, TE, "") + "3\r\nabc\r\n0\r\nServer-Timing: db;dur=5\r\n\r\n",
                        OK, TE, "body=abc", "trailer Server-Timing: db;dur=5", "end"),
                ok("identical Content-Length values merged", "GET",
                        http(OK, "Content-Length: 1, 1", "Content-Length: 1", "") + "x", OK, "Content-Length: 1",
                        "body=x", "end"),
                ok("pipelined responses", "GET GET GET", http(OK, "Content-Length: 1", "") + "a"
                                + http("HTTP/1.1 404 Not Found", TE, "") + "1\r\nb\r\n0\r\n\r\n"
                                + http(OK, "Content-Length: 0", ""),
                        OK, "Content-Length: 1", "body=a", "end", "HTTP/1.1 404 Not Found", TE, "body=b", "end",
                        OK, "Content-Length: 0", "end"),
                ok("HEAD: Content-Length announces, no body follows", "HEAD GET",
                        http(OK, "Content-Length: 10", "") + http(OK, "Content-Length: 1", "") + "x",
                        OK, "Content-Length: 10", "end", OK, "Content-Length: 1", "body=x", "end"),
                ok("HEAD: chunked announced, no body follows", "HEAD GET",
                        http(OK, TE, "") + http(OK, "Content-Length: 0", ""),
                        OK, TE, "end", OK, "Content-Length: 0", "end"),
                ok("HEAD without framing is not close-delimited", "HEAD GET", http(OK, "") + http(OK, "Content-Length: 0", ""),
                        OK, "end", OK, "Content-Length: 0", "end"),
                ok("204 has no body", "GET GET", http("HTTP/1.1 204 No Content", "") + http(OK, "Content-Length: 0", ""),
                        "HTTP/1.1 204 No Content", "end", OK, "Content-Length: 0", "end"),
                ok("204 with Content-Length: 0", "GET", http("HTTP/1.1 204 No Content", "Content-Length: 0", ""),
                        "HTTP/1.1 204 No Content", "Content-Length: 0", "end"),
                ok("304 with Content-Length has no body", "GET GET",
                        http("HTTP/1.1 304 Not Modified", "Content-Length: 100", "") + http(OK, "Content-Length: 0", ""),
                        "HTTP/1.1 304 Not Modified", "Content-Length: 100", "end", OK, "Content-Length: 0", "end"),
                ok("100 Continue does not consume the request", "POST",
                        http("HTTP/1.1 100 Continue", "") + http(OK, "Content-Length: 1", "") + "x",
                        "HTTP/1.1 100 Continue", "end", OK, "Content-Length: 1", "body=x", "end"),
                ok("103 Early Hints, twice, then the response", "GET",
                        http("HTTP/1.1 103 Early Hints", "Link: </s.css>; rel=preload", "")
                                + http("HTTP/1.1 103 Early Hints", "") + http(OK, "Content-Length: 0", ""),
                        "HTTP/1.1 103 Early Hints", "Link: </s.css>; rel=preload", "end", "HTTP/1.1 103 Early Hints",
                        "end", OK, "Content-Length: 0", "end"),
                ok("1xx with Content-Length: 0", "GET", http("HTTP/1.1 100 Continue", "Content-Length: 0", "")
                                + http(OK, "Content-Length: 0", ""),
                        "HTTP/1.1 100 Continue", "Content-Length: 0", "end", OK, "Content-Length: 0", "end"),
                ok("101 then the bytes pass through", "GET",
                        http("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", "")
                                + "\u0081\u0005hello" + "HTTP/1.1 200 OK\r\n",
                        "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", "end",
                        "raw=\\x81\\x05helloHTTP/1.1 200 OK\\r\\n"),
                ok("2xx to CONNECT then the bytes pass through", "CONNECT",
                        http("HTTP/1.1 200 Connection Established", "") + "SSH-2.0-x\r\n",
                        "HTTP/1.1 200 Connection Established", "end", "raw=SSH-2.0-x\\r\\n"),
                ok("2xx to CONNECT: framing fields are ignored (RFC 9110 §9.3.6)", "CONNECT",
                        http(OK, "Content-Length: 5", TE, "") + "tunnel",
                        OK, "Content-Length: 5", TE, "end", "raw=tunnel"),
                ok("a refused CONNECT has a body like any response", "CONNECT GET",
                        http("HTTP/1.1 407 Proxy Authentication Required", "Content-Length: 2", "") + "no"
                                + http(OK, "Content-Length: 0", ""),
                        "HTTP/1.1 407 Proxy Authentication Required", "Content-Length: 2", "body=no", "end",
                        OK, "Content-Length: 0", "end"),

                // ---- status line ---------------------------------------------------------------------------
                rejected("a response nobody asked for", "", http(OK, "Content-Length: 0", ""), "response without a request"),
                rejected("an interim response nobody asked for", "", http("HTTP/1.1 100 Continue", ""),
                        "response without a request"),
                broken("one response too many", "GET", http(OK, "Content-Length: 0", "") + http(OK, ""),
                        OK, "Content-Length: 0", "end", "FAIL " + SYNTAX + "response without a request"),
                rejected("bare LF status line", "GET", "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n",
                        "bare LF line terminator"),
                rejected("bare LF head", "GET", "HTTP/1.1 200 OK\nContent-Length: 0\n\n", "bare LF line terminator"),
                rejected("leading CRLF", "GET", "\r\n" + http(OK, "Content-Length: 0", ""), "invalid status line"),
                rejected("HTTP/2", "GET", http("HTTP/2 200 OK", ""), "unsupported HTTP version"),
                rejected("HTTP/1.2", "GET", http("HTTP/1.2 200 OK", ""), "unsupported HTTP version"),
                rejected("lower-case version", "GET", http("http/1.1 200 OK", ""), "invalid status line"),
                rejected("not HTTP", "GET", http("ICY 200 OK", ""), "invalid status line"),
                rejected("HTTP/0.9-style body", "GET", "<html>hello</html>\r\n", "invalid status line"),
                rejected("version only", "GET", http("HTTP/1.1", ""), "invalid status line"),
                rejected("no SP after version", "GET", http("HTTP/1.1_200 OK", ""), "invalid status line"),
                rejected("two-digit status", "GET", http("HTTP/1.1 20 OK", ""), "invalid status code"),
                rejected("four-digit status", "GET", http("HTTP/1.1 2000 OK", ""), "invalid status code"),
                rejected("status with a letter", "GET", http("HTTP/1.1 2x0 OK", ""), "invalid status code"),
                rejected("two SP before status", "GET", http("HTTP/1.1  200 OK", ""), "invalid status code"),
                rejected("HTAB before reason", "GET", http("HTTP/1.1 200\tOK", ""), "invalid status code"),
                rejected("status below 100", "GET", http("HTTP/1.1 099 Old", ""), "status code out of range"),
                rejected("status above 599", "GET", http("HTTP/1.1 600 New", ""), "status code out of range"),
                rejected("NUL in reason", "GET", http("HTTP/1.1 200 O\u0000K", ""), "NUL in reason phrase"),
                rejected("DEL in reason", "GET", http("HTTP/1.1 200 O\u007fK", ""), "control character 0x7f in reason phrase"),
                rejected("bare CR in reason", "GET", "HTTP/1.1 200 OK\r\r\n\r\n", "bare CR in reason phrase"),

                // ---- fields and framing -------------------------------------------------------------------
                rejected("obs-fold", "GET", http(OK, "X: a", " b", ""), "obs-fold in field line"),
                rejected("SP before colon", "GET", http(OK, "Content-Length : 0", ""), "whitespace before colon"),
                rejected("NUL in value", "GET", http(OK, "X: \u0000", ""), "NUL in field value"),
                rejected("obs-text in value", "GET", http(OK, "X: \u00e9", ""), "non-ASCII byte 0xe9 in field value"),
                rejected("CL and TE", "GET", http(OK, "Content-Length: 3", TE, "") + "0\r\n\r\n",
                        "Content-Length and Transfer-Encoding both present"),
                rejected("CL and TE on HEAD", "HEAD", http(OK, "Content-Length: 3", TE, ""),
                        "Content-Length and Transfer-Encoding both present"),
                rejected("CL and TE on 304", "GET", http("HTTP/1.1 304 Not Modified", "Content-Length: 3", TE, ""),
                        "Content-Length and Transfer-Encoding both present"),
                rejected("TE xchunked", "GET", http(OK, "Transfer-Encoding: xchunked", ""),
                        "transfer coding other than chunked"),
                rejected("TE gzip, chunked", "GET", http(OK, "Transfer-Encoding: gzip, chunked", ""),
                        "transfer coding other than chunked"),
                rejected("TE twice", "GET", http(OK, TE, TE, ""), "chunked applied more than once"),
                rejected("TE on HTTP/1.0", "GET", http("HTTP/1.0 200 OK", TE, ""),
                        "Transfer-Encoding in an HTTP/1.0 message"),
                rejected("conflicting Content-Length", "GET", http(OK, "Content-Length: 1", "Content-Length: 2", ""),
                        "conflicting Content-Length values"),
                rejected("signed Content-Length", "GET", http(OK, "Content-Length: +1", ""), "invalid Content-Length"),
                rejected("Connection nominating Content-Length", "GET",
                        http(OK, "Connection: Content-Length", "Content-Length: 0", ""),
                        "Connection option names a framing field"),
                rejected("TE in 204", "GET", http("HTTP/1.1 204 No Content", TE, ""),
                        "Transfer-Encoding in a 204 response"),
                rejected("Content-Length in 204", "GET", http("HTTP/1.1 204 No Content", "Content-Length: 5", "")
                        + "hello", "Content-Length in a 204 response"),
                rejected("TE in 100", "POST", http("HTTP/1.1 100 Continue", TE, ""),
                        "Transfer-Encoding in a 100 response"),
                rejected("Content-Length in 101", "GET", http("HTTP/1.1 101 Switching Protocols", "Content-Length: 5", ""),
                        "Content-Length in a 101 response"),
                Arguments.of("too many fields", "GET", http(OK, Stream.generate(() -> "X: y").limit(101)
                        .collect(Collectors.joining("\r\n")), ""),
                        List.of("FAIL TooLongHttpHeaderException: more than 100 header fields")),

                // ---- bodies ------------------------------------------------------------------------------
                broken("invalid chunk size", "GET", http(OK, TE, "") + " 1\r\na\r\n0\r\n\r\n", OK, TE,
                        failBody("invalid chunk size")),
                broken("missing CRLF after chunk", "GET", http(OK, TE, "") + "1\r\nab\r\n0\r\n\r\n", OK, TE, "body=a",
                        failBody("missing CRLF after chunk data")),
                broken("Content-Length in trailers", "GET", http(OK, TE, "") + "0\r\nContent-Length: 1\r\n\r\n", OK,
                        TE, failBody("content-length not allowed in trailer section")),
                broken("close mid fixed body", "GET", http(OK, "Content-Length: 5", "") + "abc", OK,
                        "Content-Length: 5", "body=abc", "|close|", "FAIL-BODY PrematureChannelClosureException: "
                                + "connection closed before the response body was complete"),
                broken("close mid chunked body", "GET", http(OK, TE, "") + "5\r\nabc", OK, TE, "body=abc", "|close|",
                        "FAIL-BODY PrematureChannelClosureException: connection closed before the response body was"
                                + " complete"),
                broken("close before the last chunk", "GET", http(OK, TE, "") + "3\r\nabc\r\n", OK, TE, "body=abc",
                        "|close|", "FAIL-BODY PrematureChannelClosureException: connection closed before the response"
                                + " body was complete"),
                broken("close mid head", "GET", "HTTP/1.1 200 OK\r\nContent-Le", "|close|",
                        "FAIL PrematureChannelClosureException: connection closed before the response head was complete"),
                broken("close mid status line", "GET", "HTTP/1.", "|close|",
                        "FAIL PrematureChannelClosureException: connection closed before the response head was complete"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void table(String name, String methods, String input, List<String> expected) {
        Supplier<StrictResponseDecoder> decoder = decoder(methods);
        assertEquals(expected, Transcript.runAllSplits(decoder, bytes(input)), name);
        boolean failed = expected.stream().anyMatch(l -> l.startsWith("FAIL"));
        if (failed && !expected.contains("|close|") && !String.join("", expected).contains("without a request")) {
            // nothing after a violation is ever decoded, even a valid response to a pending request
            Supplier<StrictResponseDecoder> more = decoder(methods + " GET GET");
            assertEquals(expected, Transcript.run(more, bytes(input + http(OK, "Content-Length: 0", "")),
                    Transcript.Split.whole()), name);
        }
    }

    static Supplier<StrictResponseDecoder> decoder(String methods) {
        List<HttpMethod> list = new ArrayList<>();
        Arrays.stream(methods.trim().split(" +")).filter(s -> !s.isEmpty()).forEach(m -> list.add(HttpMethod.valueOf(m)));
        return () -> {
            StrictResponseDecoder d = new StrictResponseDecoder(8192);
            list.forEach(d::expectResponse);
            return d;
        };
    }
}
