package io.remora.core.http;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static io.remora.core.testing.Configs.withStrictness;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.HeadersWithUnderscores;
import io.remora.config.model.LbPolicy;
import io.remora.core.testing.Headers;
import io.remora.core.testing.HttpWire;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawBackend;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawRequest;
import io.remora.core.testing.RawResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 10's request table, end to end over loopback: raw bytes from a client socket, through Remora, to a raw
 * backend that records exactly the requests it read (head, body, trailers). For every row: the statuses Remora
 * answers, whether the connection is closed afterwards (and, when it must stay open, that it is still in step: a
 * second request on it is answered normally), and that the backend received nothing at all, or exactly the
 * normalized requests listed, each with Remora's own {@code x-remora-attempt: 1} and nothing else of Remora's
 * namespace, one Host, no header name with an underscore, no client-sent {@code x-forwarded-client-cert}.
 *
 * <p>Rows come from RFC 9112 §2.2 (line endings), §3 (request line, request-target forms), §5 (field syntax,
 * obs-fold), §6 (Content-Length and Transfer-Encoding), §7 (chunked coding, trailers), RFC 9110 §5.5 (field
 * values), §7.2 (Host) and §7.6.1 (Connection), and from smuggling research: PortSwigger's CL.TE / TE.CL / TE.TE
 * (obfuscated Transfer-Encoding), smuggler.py's mutations (space before the colon, HTAB/VT/FF prefixes, line
 * wrapping, bare LF, NUL, quoting, duplicate and comma-joined codings), and the cases of Envoy's
 * {@code http1_codec} and HAProxy's {@code h1} regression tests (duplicate or list Content-Length, chunk-size
 * overflow and signs, chunk extensions, trailers, HTTP/1.0 with Transfer-Encoding, invalid Host).
 *
 * <p>A request whose head was valid but whose chunked body breaks has had its head streamed upstream already:
 * the upstream connection is then closed, so the backend never completes a request (it sees a truncated one,
 * which it cannot mistake for a whole message). Those rows say "nothing forwarded" in that sense: no complete
 * request reached the backend.
 */
@Timeout(120)
class RequestSmugglingTableTest {
    private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";

    /** A request exactly as the backend read it: head, body (de-chunked), trailers. */
    record Received(RawRequest head, byte[] body, Headers trailers) {
        String bodyText() {
            return HttpWire.ascii(body);
        }
    }

    private static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
    private static RawBackend backend;
    private static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = new RawBackend(conn -> {
            RawRequest head;
            while ((head = conn.readHead()) != null) {
                Headers trailers = new Headers();
                byte[] body;
                if (head.chunked()) {
                    body = HttpWire.readChunked(conn.in(), null, trailers);
                } else if (head.headers().has("content-length")) {
                    body = HttpWire.readFixed(conn.in(), Long.parseLong(head.header("content-length")));
                } else {
                    body = new byte[0];
                }
                RECEIVED.add(new Received(head, body, trailers));
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        });
        proxy = ProxyHarness.start(List.of(
                        httpListener("in", List.of(route("/", "c"))),
                        withStrictness(httpListener("strict", List.of(route("/", "c"))), 10,
                                HeadersWithUnderscores.REJECT, 0, true, true),
                        withStrictness(httpListener("raw", List.of(route("/", "c"))), 100,
                                HeadersWithUnderscores.ALLOW, 0, false, false)),
                List.of(cluster("c", LbPolicy.ROUND_ROBIN, backend.address())));
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @AfterEach
    void backendSawNoGarbage() {
        // a backend that could not parse what Remora sent would show here
        assertEquals(List.of(), backend.failures());
    }

    // ---- the table -------------------------------------------------------------------------------------------

    /** What one forwarded request must look like at the backend. */
    static final class Fwd {
        final String method;
        final String uri;
        String body = "";
        Boolean chunked;
        final Map<String, List<String>> headers = new LinkedHashMap<>();
        final Map<String, String> trailers = new LinkedHashMap<>();

        Fwd(String method, String uri) {
            this.method = method;
            this.uri = uri;
        }

        Fwd body(String b) {
            this.body = b;
            return this;
        }

        Fwd chunked(boolean c) {
            this.chunked = c;
            return this;
        }

        /** The header's values at the backend must be exactly these (none: absent). */
        Fwd header(String name, String... values) {
            headers.put(name, List.of(values));
            return this;
        }

        Fwd absent(String name) {
            return header(name);
        }

        Fwd trailer(String name, String value) {
            trailers.put(name, value);
            return this;
        }

        @Override
        public String toString() {
            return method + " " + uri;
        }
    }

    /** One row: bytes sent on {@code listener}, statuses answered in order, close, requests forwarded. */
    record Row(String listener, String bytes, List<Integer> statuses, boolean closed, List<Fwd> forwarded) {
    }

    private static Fwd fwd(String method, String uri) {
        return new Fwd(method, uri);
    }

    /** Every line ends in CRLF, and an empty line ends the head. */
    private static String head(String... lines) {
        return String.join("\r\n", lines) + "\r\n\r\n";
    }

    private static String chunked(String body) {
        return HttpWire.chunked(body, 7);
    }

    private static Arguments row(String name, String listener, String bytes, List<Integer> statuses,
            boolean closed, Fwd... forwarded) {
        return Arguments.of(name, new Row(listener, bytes, statuses, closed, List.of(forwarded)));
    }

    /** Forwarded as the given requests, each answered 200 by the backend; the connection stays open. */
    private static Arguments ok(String name, String bytes, Fwd... forwarded) {
        return ok(name, "in", bytes, forwarded);
    }

    private static Arguments ok(String name, String listener, String bytes, Fwd... forwarded) {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < forwarded.length; i++) {
            statuses.add(200);
        }
        return row(name, listener, bytes, statuses, false, forwarded);
    }

    /** Forwarded, answered 200, and then the connection closes (HTTP/1.0, Connection: close). */
    private static Arguments okThenClose(String name, String bytes, Fwd forwarded) {
        return row(name, "in", bytes, List.of(200), true, forwarded);
    }

    /** 400, connection closed, nothing (complete) forwarded. */
    private static Arguments bad(String name, String bytes) {
        return row(name, "in", bytes, List.of(400), true);
    }

    private static Arguments bad(String name, String listener, String bytes) {
        return row(name, listener, bytes, List.of(400), true);
    }

    private static Arguments refused(String name, int status, String bytes) {
        return row(name, "in", bytes, List.of(status), true);
    }

    private static final String P = "POST /p HTTP/1.1";
    private static final String G = "GET /g HTTP/1.1";
    private static final String H = "Host: a";
    private static final String TE = "Transfer-Encoding: chunked";

    /** A chunked POST whose body (after the head) is {@code body}: the head is valid, the body is not. */
    private static Arguments badChunked(String name, String body) {
        return bad(name, head(P, H, TE) + body);
    }

    private static String fields(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append("\r\nX-F").append(i).append(": v");
        }
        return b.substring(2);
    }

    static Stream<Arguments> rows() {
        String big = "x".repeat(65 * 1024);
        return Stream.of(
                // ---- accepted, and forwarded normalized --------------------------------------------------
                ok("plain GET", head("GET /a HTTP/1.1", H), fwd("GET", "/a").header("host", "a")),
                ok("a Content-Length body holding a request is only a body",
                        head(P, H, "Content-Length: " + SMUGGLED.length()) + SMUGGLED,
                        fwd("POST", "/p").body(SMUGGLED).chunked(false)
                                .header("content-length", String.valueOf(SMUGGLED.length()))),
                ok("a chunked body holding a request is only a body", head(P, H, TE) + chunked(SMUGGLED),
                        fwd("POST", "/p").body(SMUGGLED).chunked(true).absent("content-length")),
                ok("identical Content-Length lines are merged (RFC 9110 §8.6)",
                        head(P, H, "Content-Length: 3", "Content-Length: 3") + "abc",
                        fwd("POST", "/p").body("abc").header("content-length", "3")),
                ok("an identical Content-Length list is merged", head(P, H, "Content-Length: 3, 3") + "abc",
                        fwd("POST", "/p").body("abc").header("content-length", "3")),
                ok("Content-Length 007 is 1*DIGIT, forwarded as 7", head(P, H, "Content-Length: 007") + "1234567",
                        fwd("POST", "/p").body("1234567").header("content-length", "7")),
                ok("Transfer-Encoding in any case with OWS around is chunked (RFC 9112 §6.1)",
                        head(P, H, "transfer-ENCODING: \tChUnKeD ") + chunked("hello"),
                        fwd("POST", "/p").body("hello").chunked(true).header("transfer-encoding", "chunked")),
                ok("HTAB before chunked is OWS (smuggler.py tabprefix1)",
                        head(P, H, "Transfer-Encoding:\tchunked") + chunked("hello"),
                        fwd("POST", "/p").body("hello").chunked(true)),
                ok("chunk extensions and leading zeros are read, and not forwarded",
                        head(P, H, TE) + "0003;name=\"v a l\";x\r\nabc\r\n00\r\n\r\n",
                        fwd("POST", "/p").body("abc").chunked(true)),
                ok("names with '_' are dropped by default: Transfer_Encoding frames nothing",
                        head(P, H, "Transfer_Encoding: chunked", "X_Forwarded_For: 6.6.6.6", "Content-Length: 2")
                                + "hi",
                        fwd("POST", "/p").body("hi").absent("transfer_encoding").absent("x_forwarded_for")
                                .header("x-forwarded-for", "127.0.0.1")),
                ok("x-remora-* from the client never reaches the upstream; Remora sets x-remora-attempt",
                        head(G, H, "x-remora-attempt: 7", "X-Remora-Flags: UH", "x-remora-identity: admin"),
                        fwd("GET", "/g").absent("x-remora-flags").absent("x-remora-identity")),
                ok("a client-sent x-forwarded-client-cert is removed (plaintext: no identity)",
                        head(G, H, "x-forwarded-client-cert: By=spiffe://td/evil;URI=spiffe://td/admin"),
                        fwd("GET", "/g").absent("x-forwarded-client-cert")),
                ok("the client's x-request-id is kept", head(G, H, "x-request-id: abc-123"),
                        fwd("GET", "/g").header("x-request-id", "abc-123")),
                ok("trailers: x-remora-* and x-forwarded-client-cert are removed, others kept",
                        head(P, H, TE) + "2\r\nhi\r\n0\r\nx-remora-attempt: 9\r\nX-Forwarded-Client-Cert: x\r\n"
                                + "X-Checksum: 42\r\n\r\n",
                        fwd("POST", "/p").body("hi").trailer("x-checksum", "42").trailer("x-remora-attempt", null)
                                .trailer("x-forwarded-client-cert", null)),
                ok("absolute-form is forwarded as origin-form, normalized (RFC 9112 §3.2.2)",
                        head("GET http://a/x/../y?q=/../1 HTTP/1.1", H), fwd("GET", "/y?q=/../1").header("host", "a")),
                okThenClose("absolute-form on HTTP/1.0 without Host: the authority becomes the Host",
                        head("GET http://b.example:8080 HTTP/1.0"), fwd("GET", "/").header("host", "b.example:8080")),
                ok("dot-segments are removed (RFC 3986 §5.2.4)", head("GET /a/./b/../c HTTP/1.1", H),
                        fwd("GET", "/a/c")),
                ok("escaped dot-segments and unreserved characters are decoded",
                        head("GET /x/%2e%2E/%41%7e HTTP/1.1", H), fwd("GET", "/A~")),
                ok("an escaped slash or reserved character stays escaped, upper-cased",
                        head("GET /a%2fb%3f/..%2fc HTTP/1.1", H), fwd("GET", "/a%2Fb%3F/..%2Fc")),
                ok("runs of slashes are kept when merge_slashes is off", head("GET //a//b HTTP/1.1", H),
                        fwd("GET", "//a//b")),
                ok("one CRLF before the request line is ignored (RFC 9112 §2.2)", "\r\n" + head(G, H),
                        fwd("GET", "/g")),
                ok("pipelined requests are answered in order", head("GET /1 HTTP/1.1", H)
                                + head("POST /2 HTTP/1.1", H, "Content-Length: 2") + "hi" + head("GET /3 HTTP/1.1", H),
                        fwd("GET", "/1"), fwd("POST", "/2").body("hi"), fwd("GET", "/3")),
                okThenClose("HTTP/1.0 without Host goes upstream as HTTP/1.1 with one", head("GET /old HTTP/1.0"),
                        fwd("GET", "/old").header("host", backend.address())),
                ok("HTTP/1.0 with keep-alive stays open", head("GET /k HTTP/1.0", "Connection: keep-alive"),
                        fwd("GET", "/k").absent("connection")),
                okThenClose("Connection: close is honoured after the response", head(G, H, "Connection: close"),
                        fwd("GET", "/g")),
                ok("100 fields (the default max_headers_count) pass", head(G, H) .replace("\r\n\r\n", "\r\n"
                        + fields(99) + "\r\n\r\n"), fwd("GET", "/g").header("x-f98", "v")),
                ok("an empty field value is a value", head(G, H, "X-Empty:"), fwd("GET", "/g").header("x-empty", "")),
                ok("Content-Encoding: chunked frames nothing", head(P, H, "Content-Encoding: chunked",
                        "Content-Length: 1") + "z", fwd("POST", "/p").body("z").header("content-encoding", "chunked")),
                ok("X: X<HTAB>Transfer-Encoding: chunked is one field named X",
                        head(P, H, "X: X\tTransfer-Encoding: chunked", "Content-Length: 1") + "z",
                        fwd("POST", "/p").body("z").header("x", "X\tTransfer-Encoding: chunked")),
                ok("a header named by Connection is hop-by-hop", head(G, H, "Connection: x-secret", "x-secret: 1"),
                        fwd("GET", "/g").absent("x-secret")),
                row("OPTIONS * is no path a prefix route takes: 404, connection kept", "in",
                        head("OPTIONS * HTTP/1.1", H), List.of(404), false),

                // ---- request line (RFC 9112 §3) ----------------------------------------------------------
                bad("two SP after the method", head("GET  /a HTTP/1.1", H)),
                bad("SP after the version", head("GET /a HTTP/1.1 ", H)),
                bad("HTAB between the parts", head("GET\t/a\tHTTP/1.1", H)),
                bad("SP before the method", head(" GET /a HTTP/1.1", H)),
                bad("HTTP/0.9 request line", "GET /a\r\n\r\n"),
                bad("HTTP/1.2", head("GET /a HTTP/1.2", H)),
                bad("HTTP/2.0 in an HTTP/1 request line", head("GET /a HTTP/2.0", H)),
                bad("lower-case version", head("GET /a http/1.1", H)),
                bad("HTTP/1.10", head("GET /a HTTP/1.10", H)),
                bad("a fragment is never sent", head("GET /a#frag HTTP/1.1", H)),
                bad("relative request-target", head("GET a HTTP/1.1", H)),
                bad("asterisk-form without OPTIONS", head("GET * HTTP/1.1", H)),
                bad("CONNECT with origin-form", head("CONNECT /a HTTP/1.1", H)),
                bad("non-token method", head("G(T /a HTTP/1.1", H)),
                bad("NUL in the request-target", head("GET /a\0b HTTP/1.1", H)),
                bad("non-ASCII in the request-target", head("GET /caf\u00e9 HTTP/1.1", H)),
                bad("absolute-form with another scheme", head("GET ftp://a/ HTTP/1.1", H)),
                bad("bare LF line endings (RFC 9112 §2.2)", "GET /a HTTP/1.1\nHost: a\n\n"),
                bad("bare CR in the head", "GET /a HTTP/1.1\rHost: a\r\n\r\n"),
                bad("two empty lines before the request line", "\r\n\r\n" + head(G, H)),
                bad("bare LF before the request line", "\n" + head(G, H)),

                // ---- field lines (RFC 9112 §5, RFC 9110 §5.5) -------------------------------------------
                bad("SP before the colon (RFC 9112 §5.1)", head(G, "Host : a")),
                bad("Transfer-Encoding with SP before the colon (smuggler.py spacejoin1)",
                        head(P, H, "Content-Length: 5", "Transfer-Encoding : chunked") + "0\r\n\r\n"),
                bad("obs-fold (RFC 9112 §5.2)", head(G, H, "X: a", " b")),
                bad("obs-folded Transfer-Encoding (smuggler.py linewrapped1)",
                        head(P, H, "Content-Length: 5", "Transfer-Encoding:", " chunked") + "0\r\n\r\n"),
                bad("whitespace before the first field line", head(G, " Host: a")),
                bad("field line without a colon", head(G, "Host a")),
                bad("empty field name", head(G, H, ": x")),
                bad("SP inside a field name", head(G, H, "X Y: z")),
                bad("non-token character in a field name", head(G, H, "X[1]: z")),
                bad("NUL in a field value", head(G, H, "X: a\0b")),
                bad("bare CR in a field value", head(G, H, "X: a\rb")),
                bad("VT before chunked (smuggler.py vertprefix1)",
                        head(P, H, "Content-Length: 5", "Transfer-Encoding:\u000bchunked") + "0\r\n\r\n"),
                bad("FF before chunked", head(P, H, "Transfer-Encoding:\u000cchunked") + "0\r\n\r\n"),
                bad("DEL in a field value", head(G, H, "X: a\u007fb")),
                bad("obs-text in a field value", head(G, H, "X: caf\u00e9")),
                bad("bare LF inside the head smuggling a field (smuggler.py lfprefix)",
                        head(P, H, "X: x\nTransfer-Encoding: chunked", "Content-Length: 5") + "0\r\n\r\n"),

                // ---- Host (RFC 9110 §7.2, RFC 9112 §3.2) -------------------------------------------------
                bad("missing Host on HTTP/1.1", head(G)),
                bad("two Host fields", head(G, H, "Host: b")),
                bad("userinfo in Host", head(G, "Host: u@a")),
                bad("port over 65535", head(G, "Host: a:65536")),
                bad("SP in Host", head(G, "Host: a b")),
                bad("empty Host", head(G, "Host:")),
                bad("a list in Host", head(G, "Host: a,b")),
                bad("empty port", head(G, "Host: a:")),
                bad("unterminated IPv6 literal", head(G, "Host: [::1")),
                bad("absolute-form naming another host than Host", head("GET http://a/ HTTP/1.1", "Host: b")),

                // ---- Content-Length and Transfer-Encoding (RFC 9112 §6) ---------------------------------
                bad("CL.TE (PortSwigger)", head(P, H, "Content-Length: 6", TE) + "0\r\n\r\nX"),
                bad("TE.CL (PortSwigger)", head(P, H, TE, "Content-Length: 4") + "5c\r\n" + SMUGGLED + "\r\n0\r\n\r\n"),
                bad("conflicting Content-Length lines", head(P, H, "Content-Length: 5", "Content-Length: 6") + "hello"),
                bad("a Content-Length list with different values", head(P, H, "Content-Length: 5, 6") + "hello"),
                bad("negative Content-Length", head(P, H, "Content-Length: -1")),
                bad("Content-Length with a sign", head(P, H, "Content-Length: +5") + "hello"),
                bad("hex Content-Length", head(P, H, "Content-Length: 0x5") + "hello"),
                bad("Content-Length with inner SP", head(P, H, "Content-Length: 5 5") + "hello"),
                bad("Content-Length with a trailing letter", head(P, H, "Content-Length: 5a") + "hello"),
                bad("empty Content-Length", head(P, H, "Content-Length:")),
                bad("Content-Length that overflows a long", head(P, H, "Content-Length: 99999999999999999999")),
                bad("Content-Length list with an empty element", head(P, H, "Content-Length: 5,") + "hello"),
                bad("TE: identity", head(P, H, "Transfer-Encoding: identity", "Content-Length: 1") + "z"),
                bad("TE: chunked, identity", head(P, H, "Transfer-Encoding: chunked, identity") + "0\r\n\r\n"),
                bad("TE: gzip, chunked (no coding but chunked is applied here)",
                        head(P, H, "Transfer-Encoding: gzip, chunked") + "0\r\n\r\n"),
                bad("TE: chunked, chunked", head(P, H, "Transfer-Encoding: chunked, chunked") + "0\r\n\r\n"),
                bad("TE: xchunked (smuggler.py)", head(P, H, "Transfer-Encoding: xchunked") + "0\r\n\r\n"),
                bad("TE: quoted chunked (smuggler.py)", head(P, H, "Transfer-Encoding: \"chunked\"") + "0\r\n\r\n"),
                bad("TE: chunked with a parameter", head(P, H, "Transfer-Encoding: chunked;q=1") + "0\r\n\r\n"),
                bad("TE.TE: a second Transfer-Encoding line with another coding (PortSwigger)",
                        head(P, H, TE, "Transfer-encoding: cow") + "0\r\n\r\n"),
                bad("two Transfer-Encoding: chunked lines", head(P, H, TE, TE) + "0\r\n\r\n"),
                bad("Transfer-Encoding on HTTP/1.0 (RFC 9112 §6.1)", head("POST /p HTTP/1.0", H, TE) + "0\r\n\r\n"),
                bad("empty Transfer-Encoding", head(P, H, "Transfer-Encoding:") + "0\r\n\r\n"),
                bad("TE with an empty element", head(P, H, "Transfer-Encoding: ,chunked") + "0\r\n\r\n"),
                bad("Connection naming Content-Length (RFC 9110 §7.6.1)",
                        head(P, H, "Connection: Content-Length", "Content-Length: 5") + "hello"),
                bad("Connection naming Transfer-Encoding", head(P, H, "Connection: close, transfer-encoding", TE)
                        + "0\r\n\r\n"),
                bad("CONNECT with content", head("CONNECT a:443 HTTP/1.1", "Host: a:443", "Content-Length: 5")
                        + "hello"),

                // ---- chunked coding (RFC 9112 §7.1): the head went up, the body breaks --------------------
                badChunked("chunk size with a sign", "+5\r\nhello\r\n0\r\n\r\n"),
                badChunked("negative chunk size", "-1\r\nx\r\n0\r\n\r\n"),
                badChunked("chunk size with 0x", "0x5\r\nhello\r\n0\r\n\r\n"),
                badChunked("SP before the chunk size", " 5\r\nhello\r\n0\r\n\r\n"),
                badChunked("SP after the chunk size", "5 \r\nhello\r\n0\r\n\r\n"),
                badChunked("BWS before a chunk extension", "5\t;a=b\r\nhello\r\n0\r\n\r\n"),
                badChunked("chunk size of 17 hex digits", "10000000000000000\r\nx\r\n0\r\n\r\n"),
                badChunked("chunk size that overflows a long", "ffffffffffffffff\r\nx\r\n0\r\n\r\n"),
                badChunked("not a hex digit", "g\r\nx\r\n0\r\n\r\n"),
                badChunked("empty chunk-size line", "\r\n5\r\nhello\r\n0\r\n\r\n"),
                badChunked("chunk data longer than its size", "5\r\nhelloX\r\n0\r\n\r\n"),
                badChunked("bare LF after the chunk size", "5\nhello\r\n0\r\n\r\n"),
                badChunked("bare LF after the chunk data", "5\r\nhello\n0\r\n\r\n"),
                badChunked("chunk extensions over 4 KiB", "1;a=" + "b".repeat(4100) + "\r\nx\r\n0\r\n\r\n"),
                badChunked("chunk extension without a name", "5;=x\r\nhello\r\n0\r\n\r\n"),
                badChunked("unterminated quoted chunk extension", "5;a=\"x\r\nhello\r\n0\r\n\r\n"),
                badChunked("Content-Length in the trailers", "0\r\nContent-Length: 5\r\n\r\nhello"),
                badChunked("Transfer-Encoding in the trailers", "0\r\nTransfer-Encoding: chunked\r\n\r\n"),
                badChunked("Host in the trailers", "0\r\nHost: b\r\n\r\n"),
                badChunked("obs-fold in the trailers", "0\r\nX: a\r\n b\r\n\r\n"),

                // ---- limits -------------------------------------------------------------------------------
                refused("101 fields: over max_headers_count is 431", 431,
                        head(G, H).replace("\r\n\r\n", "\r\n" + fields(100) + "\r\n\r\n")),
                refused("a head over max_request_headers_kb is 431", 431, head(G, H, "X: " + big)),
                refused("a request line over max_request_headers_kb is 414", 414, head("GET /" + big + " HTTP/1.1", H)),

                // ---- paths ------------------------------------------------------------------------------
                bad("a path above the root", head("GET /../x HTTP/1.1", H)),
                bad("a path above the root, escaped", head("GET /%2e%2e/etc/passwd HTTP/1.1", H)),
                bad("a path above the root, half escaped", head("GET /a/../.%2E/b HTTP/1.1", H)),
                bad("a malformed escape", head("GET /a%zz HTTP/1.1", H)),
                bad("a truncated escape", head("GET /a% HTTP/1.1", H)),
                bad("absolute-form above the root", head("GET http://a/../x HTTP/1.1", H)),

                // ---- after a valid request, nothing after a framing error is read as a request --------------
                row("a valid request, then a two-SP one: the first is served, the second refused", "in",
                        head("GET /1 HTTP/1.1", H) + head("GET  /smuggled HTTP/1.1", H), List.of(200, 400), true,
                        fwd("GET", "/1")),
                row("a valid request, then CL.TE", "in", head("GET /1 HTTP/1.1", H)
                                + head(P, H, "Content-Length: 6", TE) + "0\r\n\r\n" + SMUGGLED, List.of(200, 400), true,
                        fwd("GET", "/1")),
                row("a body, then garbage where the next request line should be", "in",
                        head(P, H, "Content-Length: 2") + "hi" + "XYZ\r\n\r\n" + SMUGGLED, List.of(200, 400), true,
                        fwd("POST", "/p").body("hi")),

                // ---- listener settings ------------------------------------------------------------------
                bad("headers_with_underscores: reject", "strict", head(G, H, "X_Real_IP: 1.2.3.4")),
                row("max_headers_count: 10, eleven fields", "strict", head(G, H, fields(10)), List.of(431), true),
                ok("max_headers_count: 10, ten fields", "strict", head(G, H, fields(9)), fwd("GET", "/g")),
                ok("merge_slashes: true", "strict", head("GET //a//b/ HTTP/1.1", H), fwd("GET", "/a/b/")),
                ok("merge_slashes and dot-segments", "strict", head("GET //a//..//b?x=//y HTTP/1.1", H),
                        fwd("GET", "/b?x=//y")),
                ok("normalize_path: false forwards the path as received", "raw",
                        head("GET /a/./../%41//b HTTP/1.1", H), fwd("GET", "/a/./../%41//b")),
                ok("normalize_path: false still makes absolute-form origin-form", "raw",
                        head("GET http://a/x/../y HTTP/1.1", H), fwd("GET", "/x/../y")),
                ok("headers_with_underscores: allow", "raw", head(G, H, "X_Real_IP: 1.2.3.4"),
                        fwd("GET", "/g").header("x_real_ip", "1.2.3.4")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void row(String name, Row row) throws Exception {
        int port = proxy.port(row.listener());
        int before = RECEIVED.size();
        try (RawHttpClient c = new RawHttpClient(port)) {
            c.send(HttpWire.ascii(row.bytes()));
            for (int status : row.statuses()) {
                RawResponse r = c.readResponse();
                assertEquals(status, r.status(), name + ": " + r);
                if (status >= 400) {
                    assertNotNull(r.flags(), "Remora's own answer: " + r);
                }
            }
            if (row.closed()) {
                assertEquals("", HttpWire.ascii(c.readUntilClosed()), "nothing more, then close");
            } else {
                // still open and in step: the next request is read as a request, and answered by the backend
                RawResponse after = c.get("/__after");
                assertEquals(200, after.status(), "the connection is still in step: " + after);
                assertEquals("ok", after.bodyText());
            }
        }
        // every request of this row that reached the backend arrived before this one is answered
        try (RawHttpClient sync = new RawHttpClient(proxy.port("in"))) {
            assertEquals(200, sync.get("/__sync").status());
        }
        List<Received> got = new ArrayList<>();
        for (Received r : RECEIVED.subList(before, RECEIVED.size())) {
            if (!r.head().uri().startsWith("/__")) {
                got.add(r);
            }
        }
        assertEquals(row.forwarded().size(), got.size(), "requests the backend received: " + describe(got));
        for (int i = 0; i < got.size(); i++) {
            check(row.forwarded().get(i), got.get(i), row.listener());
        }
    }

    private static void check(Fwd want, Received got, String listener) {
        RawRequest h = got.head();
        String what = want + " received as " + h.method() + " " + h.uri() + "\n" + h.headers();
        assertEquals(want.method, h.method(), what);
        assertEquals(want.uri, h.uri(), what);
        assertEquals("HTTP/1.1", h.version(), what);
        assertEquals(want.body, got.bodyText(), what);
        if (want.chunked != null) {
            assertEquals(want.chunked, h.chunked(), what);
        }
        for (Map.Entry<String, List<String>> e : want.headers.entrySet()) {
            assertEquals(e.getValue(), h.headers().all(e.getKey()), e.getKey() + " in " + what);
        }
        for (Map.Entry<String, String> e : want.trailers.entrySet()) {
            assertEquals(e.getValue(), got.trailers().get(e.getKey()), "trailer " + e.getKey() + " in " + what);
        }
        // what every forwarded request must satisfy
        assertEquals(List.of("1"), h.headers().all("x-remora-attempt"), what);
        for (String n : h.headers().names()) {
            assertTrue(!n.startsWith("x-remora-") || n.equals("x-remora-attempt"), "client-sent " + n + ": " + what);
            assertTrue(listener.equals("raw") || n.indexOf('_') < 0, "underscore name " + n + ": " + what);
        }
        assertEquals(1, h.headers().all("host").size(), "one Host: " + what);
        assertFalse(h.headers().has("x-forwarded-client-cert"), what);
        assertFalse(h.chunked() && h.headers().has("content-length"), "CL with TE: " + what);
    }

    private static String describe(List<Received> got) {
        List<String> lines = new ArrayList<>();
        for (Received r : got) {
            lines.add(r.head().method() + " " + r.head().uri() + " body=" + r.bodyText().length() + "B");
        }
        return String.join(", ", lines);
    }
}
