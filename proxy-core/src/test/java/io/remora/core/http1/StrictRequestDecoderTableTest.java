package io.remora.core.http1;

import static io.remora.core.http1.Transcript.bytes;
import static io.remora.core.http1.Transcript.http;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The request table: raw bytes in, the exact messages out. Each row runs whole, byte by byte, cut in two at every
 * index and in random pieces, and must give the same output every time; then a valid request is sent after it,
 * which must be decoded after an accepted row and ignored after a rejected one (the BAD state is terminal).
 */
class StrictRequestDecoderTableTest {
    private static final String G = "GET / HTTP/1.1";
    private static final String P = "POST / HTTP/1.1";
    private static final String H = "Host: a";
    private static final String TE = "Transfer-Encoding: chunked";
    private static final String SYNTAX = "HttpSyntaxException: ";

    static final Supplier<StrictRequestDecoder> DECODER = () -> new StrictRequestDecoder(8192);

    private static Arguments ok(String name, String input, String... expected) {
        return Arguments.of(name, input, List.of(expected));
    }

    private static Arguments rejected(String name, String input, String message) {
        return Arguments.of(name, input, List.of("FAIL " + SYNTAX + message));
    }

    /** A chunked POST whose body is {@code body}: the head is passed on, then the body fails. */
    private static Arguments brokenChunked(String name, String body, String... tail) {
        List<String> expected = new ArrayList<>(List.of(P, H, TE));
        expected.addAll(List.of(tail));
        return Arguments.of(name, http(P, H, TE, "") + body, expected);
    }

    private static String failBody(String message) {
        return "FAIL-BODY " + SYNTAX + message;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // ---- accepted ------------------------------------------------------------------------------
                ok("simple GET", http(G, H, ""), G, H, "end"),
                ok("field names keep their case, values lose OWS at both ends",
                        http(G, "HOST: a", "x-A: \t v a\tl \t", "X-Empty:", "X-Ws: \t ", ""),
                        G, "HOST: a", "x-A: v a\tl", "X-Empty: ", "X-Ws: ", "end"),
                ok("HTTP/1.0 without Host", http("GET / HTTP/1.0", ""), "GET / HTTP/1.0", "end"),
                ok("HTTP/1.0 with Host", http("GET / HTTP/1.0", H, ""), "GET / HTTP/1.0", H, "end"),
                ok("one CRLF before the request line is ignored", "\r\n" + http(G, H, ""), G, H, "end"),
                ok("extension method", http("PURGE /x HTTP/1.1", H, ""), "PURGE /x HTTP/1.1", H, "end"),
                ok("lower-case method is a different, valid method", http("get / HTTP/1.1", H, ""),
                        "get / HTTP/1.1", H, "end"),
                ok("query and VCHARs outside RFC 3986 are left to routing",
                        http("GET /a/b?c=d|e{f}&g=\"h\"^`\\ HTTP/1.1", H, ""),
                        "GET /a/b?c=d|e{f}&g=\"h\"^`\\ HTTP/1.1", H, "end"),
                ok("origin-form may start with //", http("GET //x HTTP/1.1", H, ""), "GET //x HTTP/1.1", H, "end"),
                ok("OPTIONS *", http("OPTIONS * HTTP/1.1", H, ""), "OPTIONS * HTTP/1.1", H, "end"),
                ok("absolute-form with a matching Host",
                        http("GET http://a.example/x?y HTTP/1.1", "Host: a.example", ""),
                        "GET http://a.example/x?y HTTP/1.1", "Host: a.example", "end"),
                ok("absolute-form: hosts compare case-insensitively, default port implied",
                        http("GET HTTP://A.Example:80 HTTP/1.1", "Host: a.example", ""),
                        "GET HTTP://A.Example:80 HTTP/1.1", "Host: a.example", "end"),
                ok("absolute-form https: 443 implied", http("GET https://a/ HTTP/1.1", "Host: a:443", ""),
                        "GET https://a/ HTTP/1.1", "Host: a:443", "end"),
                ok("absolute-form with an IPv6 literal", http("GET http://[::1]:8080/ HTTP/1.1", "Host: [::1]:8080", ""),
                        "GET http://[::1]:8080/ HTTP/1.1", "Host: [::1]:8080", "end"),
                ok("absolute-form on HTTP/1.0 without Host", http("GET http://a/ HTTP/1.0", ""),
                        "GET http://a/ HTTP/1.0", "end"),
                ok("Host forms: IPv4 with port", http(G, "Host: 127.0.0.1:8080", ""), G, "Host: 127.0.0.1:8080", "end"),
                ok("Host forms: IPv6", http(G, "Host: [2001:db8::1]", ""), G, "Host: [2001:db8::1]", "end"),
                ok("Host forms: port 0 and 65535", http(G, "Host: a:0", ""), G, "Host: a:0", "end"),
                ok("Host forms: port 65535", http(G, "Host: a:65535", ""), G, "Host: a:65535", "end"),
                ok("Host forms: pct-encoded, unreserved", http(G, "Host: a%2Db_c~d.e-f", ""), G,
                        "Host: a%2Db_c~d.e-f", "end"),
                ok("Content-Length body", http(P, H, "Content-Length: 5", "") + "hello",
                        P, H, "Content-Length: 5", "body=hello", "end"),
                ok("Content-Length 007 is 1*DIGIT: read and forwarded as 7",
                        http(P, H, "Content-Length: 007", "") + "1234567",
                        P, H, "Content-Length: 7", "body=1234567", "end"),
                ok("Content-Length 0: no content", http(P, H, "Content-Length: 0", ""),
                        P, H, "Content-Length: 0", "end"),
                ok("identical Content-Length lines are merged into one",
                        http(P, H, "Content-Length: 3", "X: y", "content-length: 3", "") + "abc",
                        P, H, "Content-Length: 3", "X: y", "body=abc", "end"),
                ok("an identical Content-Length list is merged",
                        http(P, H, "Content-Length: 3 ,\t3, 003", "") + "abc",
                        P, H, "Content-Length: 3", "body=abc", "end"),
                ok("GET may carry a body", http(G, H, "Content-Length: 2", "") + "hi",
                        G, H, "Content-Length: 2", "body=hi", "end"),
                ok("chunked body", http(P, H, TE, "") + "5\r\nhello\r\n0\r\n\r\n", P, H, TE, "body=hello", "end"),
                ok("Transfer-Encoding case-insensitive, OWS around, canonicalized",
                        http(P, H, "transfer-encoding: \tChUnKeD \t", "") + "0\r\n\r\n",
                        P, H, "transfer-encoding: chunked", "end"),
                ok("TE with two SP before and HTAB after chunked is plain OWS",
                        http(P, H, "Transfer-Encoding:  chunked\t", "") + "0\r\n\r\n", P, H, TE, "end"),
                ok("chunk sizes in either case, with leading zeros up to 16 digits",
                        http(P, H, TE, "") + "A\r\n0123456789\r\nb\r\nabcdefghijk\r\n0000000000000002\r\nxy\r\n000\r\n\r\n",
                        P, H, TE, "body=0123456789abcdefghijkxy", "end"),
                ok("chunk extensions: token and quoted-string values",
                        http(P, H, TE, "") + "3;a;b=c;d=\"e \\\"f\\\" g\"\r\nabc\r\n0;z=1\r\n\r\n",
                        P, H, TE, "body=abc", "end"),
                ok("trailers", http(P, H, TE, "") + "1\r\nx\r\n0\r\nX-Checksum: 1\r\nx-other:  two \r\n\r\n",
                        P, H, TE, "body=x", "trailer X-Checksum: 1", "trailer x-other: two", "end"),
                ok("trailers that must not follow content are dropped",
                        http(P, H, TE, "") + "0\r\nSet-Cookie: a=b\r\nAuthorization: x\r\nContent-Type: t\r\nX: 1\r\n\r\n",
                        P, H, TE, "trailer X: 1", "end"),
                ok("Expect: 100-continue with a body", http(P, H, "Expect: 100-continue", "Content-Length: 1", "") + "z",
                        P, H, "Expect: 100-continue", "Content-Length: 1", "body=z", "end"),
                ok("Content-Encoding: chunked is not framing", http(P, H, "Content-Encoding: chunked",
                        "Content-Length: 1", "") + "z", P, H, "Content-Encoding: chunked", "Content-Length: 1",
                        "body=z", "end"),
                ok("underscore field dropped by default, even Transfer_Encoding",
                        http(P, H, "Transfer_Encoding: chunked", "X_Forwarded_For: 1.2.3.4", "Content-Length: 1", "")
                                + "z", P, H, "Content-Length: 1", "body=z", "end"),
                ok("Connection options that are not framing fields", http(G, H, "Connection: keep-alive, TE, Upgrade", ""),
                        G, H, "Connection: keep-alive, TE, Upgrade", "end"),
                ok("X: X<HTAB>Transfer-Encoding: chunked is one field named X",
                        http(P, H, "X: X\tTransfer-Encoding: chunked", "Content-Length: 1", "") + "z",
                        P, H, "X: X\tTransfer-Encoding: chunked", "Content-Length: 1", "body=z", "end"),
                ok("pipelined requests, with one CRLF between them",
                        http(G, H, "") + http(P, H, "Content-Length: 2", "") + "hi\r\n" + http(P, H, TE, "")
                                + "2\r\nyo\r\n0\r\n\r\n",
                        G, H, "end", P, H, "Content-Length: 2", "body=hi", "end", P, H, TE, "body=yo", "end"),

                // ---- request line ------------------------------------------------------------------------
                rejected("two SP after method", http("GET  / HTTP/1.1", H, ""), "more than one SP in request line"),
                rejected("two SP before version", http("GET /  HTTP/1.1", H, ""), "more than one SP in request line"),
                rejected("SP after version", http("GET / HTTP/1.1 ", H, ""), "more than one SP in request line"),
                rejected("SP before method", http(" GET / HTTP/1.1", H, ""), "whitespace before method"),
                rejected("HTAB for SP after method", http("GET\t/ HTTP/1.1", H, ""), "invalid character 0x09 in method"),
                rejected("HTAB for SP before version", http("GET /\tHTTP/1.1", H, ""),
                        "invalid character 0x09 in request-target"),
                rejected("non-token method", http("G(T / HTTP/1.1", H, ""), "invalid character 0x28 in method"),
                rejected("no method", http("/ HTTP/1.1", H, ""), "invalid method"),
                rejected("HTTP/0.9 request line", http("GET /", H, ""), "missing HTTP version"),
                rejected("method only", http("GET", H, ""), "missing request-target"),
                rejected("empty version", http("GET / ", H, ""), "missing HTTP version"),
                rejected("lower-case version", http("GET / http/1.1", H, ""), "unsupported HTTP version"),
                rejected("HTTP/2.0", http("GET / HTTP/2.0", H, ""), "unsupported HTTP version"),
                rejected("HTTP/1.2", http("GET / HTTP/1.2", H, ""), "unsupported HTTP version"),
                rejected("HTTP/1.10", http("GET / HTTP/1.10", H, ""), "unsupported HTTP version"),
                rejected("HTTP/0.9 version", http("GET / HTTP/0.9", H, ""), "unsupported HTTP version"),
                rejected("HTTP/1", http("GET / HTTP/1", H, ""), "unsupported HTTP version"),
                rejected("h2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "unsupported HTTP version"),
                rejected("bare CR inside the version", "GET / HTTP/1.1\r\r\nHost: a\r\n\r\n", "bare CR in request line"),
                rejected("bare LF request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", "bare LF line terminator"),
                rejected("bare LF everywhere", "GET / HTTP/1.1\nHost: a\n\n", "bare LF line terminator"),
                rejected("bare CR request line", "GET / HTTP/1.1\rHost: a\r\n\r\n", "bare CR in request line"),
                rejected("two CRLF before the request line", "\r\n\r\n" + http(G, H, ""),
                        "more than one empty line before request line"),
                rejected("bare LF before the request line", "\n" + http(G, H, ""), "bare LF before request line"),
                rejected("bare CR before the request line", "\rGET / HTTP/1.1\r\n", "bare CR before request line"),
                rejected("space in target", http("GET /a b HTTP/1.1", H, ""), "more than one SP in request line"),
                rejected("NUL in target", http("GET /a\u0000b HTTP/1.1", H, ""), "NUL in request-target"),
                rejected("DEL in target", http("GET /a\u007fb HTTP/1.1", H, ""), "control character 0x7f in request-target"),
                rejected("non-ASCII in target", http("GET /\u00e9 HTTP/1.1", H, ""),
                        "invalid character 0xe9 in request-target"),
                rejected("fragment in target", http("GET /a#b HTTP/1.1", H, ""), "fragment in request-target"),
                rejected("authority-form without CONNECT", http("GET a.example:80 HTTP/1.1", H, ""),
                        "invalid request-target"),
                rejected("relative target", http("GET a/b HTTP/1.1", H, ""), "invalid request-target"),
                rejected("absolute-form with another scheme", http("GET ftp://a/ HTTP/1.1", H, ""),
                        "invalid request-target"),
                rejected("asterisk-form without OPTIONS", http("GET * HTTP/1.1", H, ""),
                        "asterisk-form request-target without OPTIONS"),
                rejected("CONNECT in origin-form", http("CONNECT / HTTP/1.1", H, ""),
                        "CONNECT request-target not in authority-form"),
                rejected("CONNECT in absolute-form", http("CONNECT http://a:443/ HTTP/1.1", "Host: a:443", ""),
                        "CONNECT request-target not in authority-form"),
                rejected("CONNECT without port", http("CONNECT a.example HTTP/1.1", "Host: a.example", ""),
                        "missing port in request-target authority"),
                rejected("CONNECT with userinfo", http("CONNECT u@a:443 HTTP/1.1", "Host: a:443", ""),
                        "userinfo in request-target authority"),
                rejected("absolute-form with userinfo", http("GET http://u:p@a/ HTTP/1.1", H, ""),
                        "userinfo in request-target authority"),
                rejected("absolute-form with empty authority", http("GET http:///x HTTP/1.1", H, ""),
                        "empty request-target authority"),
                rejected("absolute-form with bad port", http("GET http://a:99999/ HTTP/1.1", H, ""),
                        "invalid port in request-target authority"),

                // ---- Host --------------------------------------------------------------------------------
                rejected("HTTP/1.1 without Host", http(G, ""), "missing Host"),
                rejected("absolute-form without Host", http("GET http://a/ HTTP/1.1", ""), "missing Host"),
                rejected("absolute-form with another Host", http("GET http://a/ HTTP/1.1", "Host: b", ""),
                        "Host does not match the request-target authority"),
                rejected("absolute-form with another port", http("GET http://a:8080/ HTTP/1.1", "Host: a", ""),
                        "Host does not match the request-target authority"),
                rejected("absolute-form https against Host :80", http("GET https://a/ HTTP/1.1", "Host: a:80", ""),
                        "Host does not match the request-target authority"),
                rejected("CONNECT with another Host", http("CONNECT a:443 HTTP/1.1", "Host: b:443", ""),
                        "Host does not match the request-target authority"),
                rejected("CONNECT with another Host port", http("CONNECT a:443 HTTP/1.1", "Host: a:80", ""),
                        "Host does not match the request-target authority"),
                rejected("two Host fields", http(G, H, "Host: b", ""), "multiple Host fields"),
                rejected("two identical Host fields", http(G, H, H, ""), "multiple Host fields"),
                rejected("empty Host", http(G, "Host:", ""), "empty Host"),
                rejected("userinfo in Host", http(G, "Host: user@a", ""), "userinfo in Host"),
                rejected("port too large", http(G, "Host: a:65536", ""), "invalid port in Host"),
                rejected("six-digit port", http(G, "Host: a:000080", ""), "invalid port in Host"),
                rejected("empty port", http(G, "Host: a:", ""), "invalid port in Host"),
                rejected("negative port", http(G, "Host: a:-1", ""), "invalid port in Host"),
                rejected("port with letters", http(G, "Host: a:8o", ""), "invalid port in Host"),
                rejected("empty host name", http(G, "Host: :80", ""), "empty host in Host"),
                rejected("space in Host", http(G, "Host: a b", ""), "invalid character 0x20 in Host"),
                rejected("list in Host", http(G, "Host: a, b", ""), "invalid character 0x2c in Host"),
                rejected("path in Host", http(G, "Host: a/b", ""), "invalid character 0x2f in Host"),
                rejected("bad pct-encoding in Host", http(G, "Host: a%zz", ""), "invalid character 0x25 in Host"),
                rejected("unterminated IPv6 Host", http(G, "Host: [::1", ""), "unterminated IPv6 literal in Host"),
                rejected("invalid IPv6 Host", http(G, "Host: [1:2:3]", ""), "invalid IPv6 literal in Host"),
                rejected("IPv6 zone in Host", http(G, "Host: [fe80::1%25eth0]", ""), "invalid IPv6 literal in Host"),
                rejected("junk after IPv6 Host", http(G, "Host: [::1]x", ""),
                        "invalid character after IPv6 literal in Host"),

                // ---- field lines ---------------------------------------------------------------------------
                rejected("obs-fold", http(G, H, "X: a", " b", ""), "obs-fold in field line"),
                rejected("obs-fold with HTAB", http(G, H, "X: a", "\tb", ""), "obs-fold in field line"),
                rejected("whitespace before the first field line", http(G, " Host: a", ""),
                        "whitespace before the first field line"),
                rejected("SP before colon", http(G, "Host : a", ""), "whitespace before colon"),
                rejected("HTAB before colon", http(G, H, "X\t: a", ""), "whitespace before colon"),
                rejected("space inside a field name", http(G, H, "X Y: a", ""), "whitespace in field name"),
                rejected("missing colon", http(G, H, "NoColon", ""), "missing colon in field line"),
                rejected("missing colon after whitespace", http(G, H, "No Colon", ""), "whitespace in field name"),
                rejected("empty field name", http(G, H, ": a", ""), "empty field name"),
                rejected("non-token in field name", http(G, H, "X(y): a", ""), "invalid character 0x28 in field name"),
                rejected("non-ASCII in field name", http(G, H, "Transf\u0082r-Encoding: chunked", ""),
                        "invalid character 0x82 in field name"),
                rejected("bare CR in field name", http(G, H, "Transfer\r-Encoding: chunked", ""),
                        "bare CR in field line"),
                rejected("NUL in field value", http(G, H, "X: a\u0000b", ""), "NUL in field value"),
                rejected("VT in field value", http(G, H, "X: a\u000bb", ""), "control character 0x0b in field value"),
                rejected("DEL in field value", http(G, H, "X: a\u007f", ""), "control character 0x7f in field value"),
                rejected("obs-text in field value", http(G, H, "X: caf\u00e9", ""), "non-ASCII byte 0xe9 in field value"),
                rejected("bare CR in field value", http(G, H, "X: a\rb", ""), "bare CR in field value"),
                rejected("bare CR ending a field line", "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n",
                        "bare CR in field value"),
                rejected("bare LF ending a field line", "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n",
                        "bare LF line terminator"),
                rejected("bare LF ending the head", "GET / HTTP/1.1\r\nHost: a\r\n\n", "bare LF line terminator"),
                rejected("CR CR LF ending the head", "GET / HTTP/1.1\r\nHost: a\r\n\r\r\n", "bare CR in field line"),
                rejected("Connection nominating Content-Length",
                        http(P, H, "Connection: close, Content-Length", "Content-Length: 1", "") + "z",
                        "Connection option names a framing field"),
                rejected("Connection nominating Transfer-Encoding", http(G, H, "Connection: transfer-encoding", ""),
                        "Connection option names a framing field"),
                rejected("Connection nominating Host", http(G, H, "Connection: HOST", ""),
                        "Connection option names a framing field"),

                // ---- Content-Length ---------------------------------------------------------------------
                rejected("Content-Length with plus sign", http(P, H, "Content-Length: +5", "") + "hello",
                        "invalid Content-Length"),
                rejected("negative Content-Length", http(P, H, "Content-Length: -5", ""), "invalid Content-Length"),
                rejected("hex Content-Length", http(P, H, "Content-Length: 0x5", "") + "hello",
                        "invalid Content-Length"),
                rejected("Content-Length with inner space", http(P, H, "Content-Length: 1 0", ""),
                        "invalid Content-Length"),
                rejected("Content-Length with suffix", http(P, H, "Content-Length: 5;x", ""), "invalid Content-Length"),
                rejected("Content-Length decimal", http(P, H, "Content-Length: 5.0", ""), "invalid Content-Length"),
                rejected("Content-Length list of different values", http(P, H, "Content-Length: 5, 6", ""),
                        "conflicting Content-Length values"),
                rejected("Content-Length lines with different values",
                        http(P, H, "Content-Length: 5", "Content-Length: 6", ""), "conflicting Content-Length values"),
                rejected("Content-Length trailing comma", http(P, H, "Content-Length: 5,", ""),
                        "empty element in Content-Length"),
                rejected("Content-Length leading comma", http(P, H, "Content-Length: ,5", ""), "invalid Content-Length"),
                rejected("empty Content-Length", http(P, H, "Content-Length:", ""), "empty Content-Length"),
                rejected("Content-Length beyond a long", http(P, H, "Content-Length: 9223372036854775808", ""),
                        "Content-Length overflows"),
                rejected("huge Content-Length", http(P, H, "Content-Length: 99999999999999999999999999", ""),
                        "Content-Length overflows"),
                rejected("Content-Length with a VT", http(P, H, "Content-Length: 5\u000b", ""),
                        "control character 0x0b in field value"),

                // ---- Transfer-Encoding --------------------------------------------------------------------
                rejected("CL.TE", http(P, H, "Content-Length: 6", TE, "") + "0\r\n\r\nX",
                        "Content-Length and Transfer-Encoding both present"),
                rejected("TE.CL", http(P, H, TE, "Content-Length: 3", "") + "8\r\nSMUGGLED\r\n0\r\n\r\n",
                        "Content-Length and Transfer-Encoding both present"),
                rejected("CL 0 with TE", http(P, H, "Content-Length: 0", TE, ""),
                        "Content-Length and Transfer-Encoding both present"),
                rejected("TE with HTAB value and CL", http(P, H, "Transfer-Encoding:\tchunked", "Content-Length: 1", ""),
                        "Content-Length and Transfer-Encoding both present"),
                rejected("TE with two SP before and CL", http(P, H, "Transfer-Encoding:  chunked", "Content-Length: 1", ""),
                        "Content-Length and Transfer-Encoding both present"),
                rejected("TE with HTAB after and CL", http(P, H, "Content-Length: 1", "Transfer-Encoding: chunked\t", ""),
                        "Content-Length and Transfer-Encoding both present"),
                rejected("TE xchunked", http(P, H, "Transfer-Encoding: xchunked", ""), "transfer coding other than chunked"),
                rejected("TE chunk", http(P, H, "Transfer-Encoding: chunk", ""), "transfer coding other than chunked"),
                rejected("TE identity", http(P, H, "Transfer-Encoding: identity", ""),
                        "transfer coding other than chunked"),
                rejected("TE gzip, chunked", http(P, H, "Transfer-Encoding: gzip, chunked", ""),
                        "transfer coding other than chunked"),
                rejected("TE chunked, identity", http(P, H, "Transfer-Encoding: chunked, identity", ""),
                        "transfer coding other than chunked"),
                rejected("TE chunked, chunked", http(P, H, "Transfer-Encoding: chunked, chunked", ""),
                        "chunked applied more than once"),
                rejected("TE chunked on two lines", http(P, H, TE, TE, ""), "chunked applied more than once"),
                rejected("TE chunked then x on another line", http(P, H, "Transfer-encoding: chunked",
                        "Transfer-Encoding: x", ""), "transfer coding other than chunked"),
                rejected("TE x then chunked on another line", http(P, H, "Transfer-Encoding: x", TE, ""),
                        "transfer coding other than chunked"),
                rejected("TE quoted", http(P, H, "Transfer-Encoding: \"chunked\"", ""), "invalid Transfer-Encoding"),
                rejected("TE single-quoted", http(P, H, "Transfer-Encoding: 'chunked'", ""),
                        "transfer coding other than chunked"),
                rejected("TE with parameter", http(P, H, "Transfer-Encoding: chunked;q=1", ""),
                        "invalid Transfer-Encoding"),
                rejected("TE words", http(P, H, "Transfer-Encoding: cow chunked bar", ""),
                        "transfer coding other than chunked"),
                rejected("TE chunked then word", http(P, H, "Transfer-Encoding: chunked bar", ""),
                        "invalid Transfer-Encoding"),
                rejected("TE leading comma", http(P, H, "Transfer-Encoding: , chunked", ""),
                        "empty element in Transfer-Encoding"),
                rejected("TE trailing comma", http(P, H, "Transfer-Encoding: chunked,", ""),
                        "empty element in Transfer-Encoding"),
                rejected("empty TE", http(P, H, "Transfer-Encoding:", ""), "empty Transfer-Encoding"),
                rejected("TE with VT suffix", http(P, H, "Transfer-Encoding: chunked\u000b", ""),
                        "control character 0x0b in field value"),
                rejected("TE with VT prefix", http(P, H, "Transfer-Encoding:\u000bchunked", ""),
                        "control character 0x0b in field value"),
                rejected("TE with NUL", http(P, H, "Transfer-Encoding: \u0000chunked", ""), "NUL in field value"),
                rejected("TE with 0xFF", http(P, H, "Transfer-Encoding:\u00ffchunked", ""),
                        "non-ASCII byte 0xff in field value"),
                rejected("TE with accented letter", http(P, H, "Transfer-Encoding: ch\u00f9nked", ""),
                        "non-ASCII byte 0xf9 in field value"),
                rejected("TE with CR suffix", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\r\n\r\n",
                        "bare CR in field value"),
                rejected("TE line-wrapped", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n",
                        "empty Transfer-Encoding"),
                rejected("TE value line-wrapped", "POST / HTTP/1.1\r\nHost: a\r\nX: 1\r\n chunked\r\n\r\n",
                        "obs-fold in field line"),
                rejected("TE name prefixed by SP", "POST / HTTP/1.1\r\nHost: a\r\n Transfer-Encoding: chunked\r\n\r\n",
                        "obs-fold in field line"),
                rejected("TE on HTTP/1.0", http("POST / HTTP/1.0", TE, ""), "Transfer-Encoding in an HTTP/1.0 message"),
                rejected("CONNECT with Content-Length", http("CONNECT a:443 HTTP/1.1", "Host: a:443",
                        "Content-Length: 5", "") + "hello", "CONNECT request with content"),
                rejected("CONNECT with Transfer-Encoding", http("CONNECT a:443 HTTP/1.1", "Host: a:443", TE, ""),
                        "CONNECT request with content"),

                // ---- chunked coding ---------------------------------------------------------------------
                brokenChunked("chunk size 0x1", "0x1\r\na\r\n0\r\n\r\n", failBody("invalid chunk size")),
                brokenChunked("chunk size with leading SP", " 1\r\na\r\n0\r\n\r\n", failBody("invalid chunk size")),
                brokenChunked("chunk size with trailing SP", "1 \r\na\r\n0\r\n\r\n", failBody("invalid chunk size")),
                brokenChunked("chunk size with trailing HTAB", "1\t\r\na\r\n0\r\n\r\n", failBody("invalid chunk size")),
                brokenChunked("negative chunk size", "-1\r\na\r\n0\r\n\r\n", failBody("invalid chunk size")),
                brokenChunked("chunk size with plus", "+1\r\na\r\n0\r\n\r\n", failBody("invalid chunk size")),
                brokenChunked("empty chunk size", "\r\na\r\n0\r\n\r\n", failBody("invalid chunk size")),
                brokenChunked("chunk size not hex", "g\r\na\r\n0\r\n\r\n", failBody("invalid chunk size")),
                brokenChunked("chunk size with 17 digits", "00000000000000001\r\na\r\n0\r\n\r\n",
                        failBody("chunk size longer than 16 hex digits")),
                brokenChunked("chunk size ffffffffffffffffff", "ffffffffffffffffff\r\na\r\n",
                        failBody("chunk size longer than 16 hex digits")),
                brokenChunked("chunk size beyond a long", "8000000000000000\r\na\r\n", failBody("chunk size overflows")),
                brokenChunked("chunk size with bare LF", "1\na\r\n0\r\n\r\n", failBody("bare LF line terminator")),
                brokenChunked("chunk size with bare CR", "1\ra\r\n0\r\n\r\n", failBody("invalid chunk size")),
                brokenChunked("chunk data longer than its size", "1\r\nab\r\n0\r\n\r\n", "body=a",
                        failBody("missing CRLF after chunk data")),
                brokenChunked("chunk data followed by bare LF", "1\r\na\n0\r\n\r\n", "body=a",
                        failBody("missing CRLF after chunk data")),
                brokenChunked("chunk data followed by bare CR", "1\r\na\r0\r\n\r\n", "body=a",
                        failBody("missing CRLF after chunk data")),
                brokenChunked("chunk data shorter than its size (TE.CL)", "5\r\nab\r\n0\r\n\r\n", "body=ab\\r\\n0",
                        failBody("invalid chunk size")),
                brokenChunked("chunk extension without name", "1;\r\na\r\n0\r\n\r\n",
                        failBody("invalid chunk extension name")),
                brokenChunked("chunk extension without value", "1;a=\r\na\r\n0\r\n\r\n",
                        failBody("invalid chunk extension value")),
                brokenChunked("chunk extension with BWS", "1 ;a=b\r\na\r\n0\r\n\r\n", failBody("invalid chunk size")),
                brokenChunked("chunk extension with inner space", "1;a b\r\na\r\n0\r\n\r\n",
                        failBody("invalid chunk extension")),
                brokenChunked("chunk extension with bare LF inside", "1;a\nb\r\na\r\n0\r\n\r\n",
                        failBody("bare LF line terminator")),
                brokenChunked("chunk extension with unterminated quote", "1;a=\"b\r\na\r\n0\r\n\r\n",
                        failBody("unterminated quoted-string in chunk extension")),
                brokenChunked("chunk extension with control in quote", "1;a=\"b\u0001\"\r\na\r\n0\r\n\r\n",
                        failBody("invalid character 0x01 in chunk extension")),
                brokenChunked("chunk extension with obs-text in quote", "1;a=\"\u00e9\"\r\na\r\n0\r\n\r\n",
                        failBody("invalid character 0xe9 in chunk extension")),
                brokenChunked("last chunk with bare LF", "0\n\r\n", failBody("bare LF line terminator")),
                brokenChunked("end of trailers with bare LF", "0\r\n\n", failBody("bare LF line terminator")),
                brokenChunked("Content-Length in trailers", "1\r\na\r\n0\r\nContent-Length: 5\r\n\r\n", "body=a",
                        failBody("content-length not allowed in trailer section")),
                brokenChunked("Transfer-Encoding in trailers", "0\r\nTransfer-Encoding: chunked\r\n\r\n",
                        failBody("transfer-encoding not allowed in trailer section")),
                brokenChunked("Host in trailers", "0\r\nhost: b\r\n\r\n", failBody("host not allowed in trailer section")),
                brokenChunked("Connection in trailers", "0\r\nConnection: close\r\n\r\n",
                        failBody("connection not allowed in trailer section")),
                brokenChunked("Trailer in trailers", "0\r\nTrailer: x\r\n\r\n",
                        failBody("trailer not allowed in trailer section")),
                brokenChunked("obs-fold in trailers", "0\r\nX: a\r\n b\r\n\r\n", failBody("obs-fold in field line")),
                brokenChunked("whitespace before the first trailer", "0\r\n X: a\r\n\r\n",
                        failBody("whitespace before the first field line")),
                brokenChunked("NUL in trailer", "0\r\nX: a\u0000\r\n\r\n", failBody("NUL in trailer field value")),
                brokenChunked("SP before colon in trailer", "0\r\nX : a\r\n\r\n", failBody("whitespace before colon")),
                brokenChunked("missing colon in trailer", "0\r\nX\r\n\r\n", failBody("missing colon in field line")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void table(String name, String input, List<String> expected) {
        assertEquals(expected, Transcript.runAllSplits(DECODER, bytes(input)), name);
        afterwards(input, expected);
    }

    /** After an accepted row the connection goes on; after a rejected one nothing more is ever decoded. */
    private static void afterwards(String input, List<String> expected) {
        EmbeddedChannel ch = new EmbeddedChannel(DECODER.get());
        Transcript.Renderer r = new Transcript.Renderer();
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes(input)));
            r.drain(ch);
            ch.writeInbound(Unpooled.wrappedBuffer(bytes(http("GET /next HTTP/1.1", "Host: n", ""))));
            r.drain(ch);
            r.flush();
        } finally {
            ch.finishAndReleaseAll();
        }
        List<String> want = new ArrayList<>(expected);
        boolean failed = expected.stream().anyMatch(l -> l.startsWith("FAIL"));
        if (!failed) {
            want.addAll(List.of("GET /next HTTP/1.1", "Host: n", "end"));
        }
        assertEquals(want, r.lines, failed ? "nothing is decoded after a violation" : "the next request is decoded");
    }
}
