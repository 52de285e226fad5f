package io.remora.core.http;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.LbPolicy;
import io.remora.core.testing.Await;
import io.remora.core.testing.HttpWire;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawBackend;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawRequest;
import io.remora.core.testing.RawResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 10's upstream table, end to end over loopback: a raw backend answers {@code GET /case/N} with row N's
 * bytes, and the row says what the client must get and what becomes of the upstream connection:
 * <ul>
 *   <li>{@code RELAYED}: the response, complete, the client connection kept;</li>
 *   <li>{@code UPE} / {@code UR}: Remora's own 502 with that flag, the client connection kept and in step;</li>
 *   <li>{@code TRUNCATED}: the head was relayed before the body broke, so the client gets an incomplete message
 *       and a close, never a complete one;</li>
 * </ul>
 * and the upstream connection {@code POOLED} (kept for the next request), {@code CLOSED} by Remora (never pooled:
 * the backend sees its EOF), or {@code GONE} (the backend closed it). The framing rules are those of the request
 * side (RFC 9112 §2.2, §4, §5, §6, §7, RFC 9110 §8.6), checked by {@code StrictResponseDecoder}.
 */
@Timeout(120)
class UpstreamReplyTableTest {
    enum Client { RELAYED, UPE, UR, TRUNCATED }

    enum Upstream { POOLED, CLOSED, GONE }

    /** What the backend does after writing the reply. */
    enum Ending { KEEP, CLOSE, RESET }

    record Reply(String bytes, Ending ending) {
    }

    private static final List<Reply> REPLIES = new CopyOnWriteArrayList<>();
    /** Rows whose connection Remora closed (the backend read EOF after serving that row last). */
    private static final Set<Integer> CLOSED_BY_PROXY = ConcurrentHashMap.newKeySet();
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    private static RawBackend backend;
    private static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = new RawBackend(conn -> {
            int last = -1;
            RawRequest r;
            while ((r = conn.readRequest()) != null) {
                String uri = r.uri();
                if (!uri.startsWith("/case/")) {
                    last = -1;
                    conn.write(OK);
                    continue;
                }
                last = Integer.parseInt(uri.substring("/case/".length()));
                Reply reply = REPLIES.get(last);
                conn.write(reply.bytes());
                if (reply.ending() == Ending.CLOSE) {
                    return;
                }
                if (reply.ending() == Ending.RESET) {
                    conn.reset();
                    return;
                }
            }
            if (last >= 0) {
                CLOSED_BY_PROXY.add(last);
            }
        });
        proxy = ProxyHarness.start(List.of(httpListener("in", List.of(route("/", "c")))),
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
    void backendScriptsRanClean() {
        assertEquals(List.of(), backend.failures());
    }

    private static Arguments reply(String name, String reply, Ending ending, Client client, Upstream upstream) {
        return Arguments.of(name, reply, ending, client, upstream);
    }

    private static Arguments relayed(String name, String reply, Upstream upstream) {
        return reply(name, reply, upstream == Upstream.GONE ? Ending.CLOSE : Ending.KEEP, Client.RELAYED, upstream);
    }

    /** 502 UPE, and Remora closes the upstream connection (the backend keeps it open). */
    private static Arguments upe(String name, String reply) {
        return reply(name, reply, Ending.KEEP, Client.UPE, Upstream.CLOSED);
    }

    private static Arguments truncated(String name, String reply, Ending ending) {
        return reply(name, reply, ending, Client.TRUNCATED, ending == Ending.KEEP ? Upstream.CLOSED : Upstream.GONE);
    }

    private static String head(String... lines) {
        return String.join("\r\n", lines) + "\r\n\r\n";
    }

    private static final String S = "HTTP/1.1 200 OK";
    private static final String TE = "Transfer-Encoding: chunked";

    static Stream<Arguments> rows() {
        StringBuilder manyFields = new StringBuilder(S);
        for (int i = 0; i < 101; i++) {
            manyFields.append("\r\nX-").append(i).append(": v");
        }
        return Stream.of(
                // ---- well-formed: relayed; pooled when the framing allows it ------------------------------
                relayed("Content-Length response: relayed, connection pooled", OK, Upstream.POOLED),
                relayed("chunked response with trailers: relayed, pooled", head(S, TE) + "2\r\nok\r\n0\r\nX-T: 1\r\n\r\n",
                        Upstream.POOLED),
                relayed("100 Continue before the final response is dropped",
                        "HTTP/1.1 100 Continue\r\n\r\n" + OK, Upstream.POOLED),
                relayed("identical Content-Length lines are merged", head(S, "Content-Length: 2", "content-length: 2")
                        + "ok", Upstream.POOLED),
                relayed("status line without a reason", "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok", Upstream.POOLED),
                relayed("close-delimited body: relayed complete (re-framed), never pooled", head(S) + "ok",
                        Upstream.GONE),
                relayed("HTTP/1.0 response: relayed, not pooled", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
                        Upstream.CLOSED),
                relayed("Connection: close response: relayed, not pooled",
                        head(S, "Connection: close", "Content-Length: 2") + "ok", Upstream.CLOSED),
                relayed("bytes after the framed body: the body as framed, the connection never pooled",
                        OK + "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nSMUGGLED", Upstream.CLOSED),

                // ---- malformed, ambiguous or not HTTP: 502 UPE, connection closed ---------------------------
                upe("not HTTP at all", "SSH-2.0-OpenSSH_9.6\r\n"),
                upe("HTML without a status line (HTTP/0.9 style)", "<html>hi</html>\r\n\r\n"),
                upe("HTTP/2.0 status line", head("HTTP/2.0 200 OK", "Content-Length: 2") + "ok"),
                upe("HTTP/1.2 status line", head("HTTP/1.2 200 OK", "Content-Length: 2") + "ok"),
                upe("lower-case version", head("http/1.1 200 OK", "Content-Length: 2") + "ok"),
                upe("letters in the status code", head("HTTP/1.1 2OO OK", "Content-Length: 2") + "ok"),
                upe("status code over 599", head("HTTP/1.1 600 Odd", "Content-Length: 2") + "ok"),
                upe("status code under 100", head("HTTP/1.1 099 Odd", "Content-Length: 2") + "ok"),
                upe("two SP before the status code", head("HTTP/1.1  200 OK", "Content-Length: 2") + "ok"),
                upe("CRLF before the status line", "\r\n" + OK),
                upe("bare LF line endings", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok"),
                upe("bare CR in the head", "HTTP/1.1 200 OK\rContent-Length: 2\r\n\r\nok"),
                upe("obs-fold", head(S, "X: a", " b", "Content-Length: 2") + "ok"),
                upe("SP before the colon", head(S, "Content-Length : 2") + "ok"),
                upe("whitespace before the first field", head(S, " Content-Length: 2") + "ok"),
                upe("field line without a colon", head(S, "nocolon", "Content-Length: 2") + "ok"),
                upe("NUL in a field value", head(S, "X: a\0b", "Content-Length: 2") + "ok"),
                upe("Content-Length and Transfer-Encoding", head(S, "Content-Length: 2", TE) + "0\r\n\r\n"),
                upe("conflicting Content-Length", head(S, "Content-Length: 2", "Content-Length: 3") + "ok!"),
                upe("negative Content-Length", head(S, "Content-Length: -1") + "ok"),
                upe("Content-Length with a sign", head(S, "Content-Length: +2") + "ok"),
                upe("Content-Length not a number", head(S, "Content-Length: nope") + "ok"),
                upe("TE: gzip, chunked", head(S, "Transfer-Encoding: gzip, chunked") + "0\r\n\r\n"),
                upe("TE: identity", head(S, "Transfer-Encoding: identity") + "ok"),
                upe("TE: chunked, chunked", head(S, "Transfer-Encoding: chunked, chunked") + "0\r\n\r\n"),
                upe("Transfer-Encoding in an HTTP/1.0 response", head("HTTP/1.0 200 OK", TE) + "0\r\n\r\n"),
                upe("Connection naming Content-Length", head(S, "Connection: content-length", "Content-Length: 2")
                        + "ok"),
                upe("204 with Transfer-Encoding (RFC 9110 §8.6)", head("HTTP/1.1 204 No Content", TE)
                        + "0\r\n\r\n"),
                upe("204 with a Content-Length", head("HTTP/1.1 204 No Content", "Content-Length: 5") + "hello"),
                upe("1xx with Transfer-Encoding", head("HTTP/1.1 100 Continue", TE) + OK),
                upe("101 header fields (max 100)", manyFields + "\r\nContent-Length: 2\r\n\r\nok"),
                upe("a response head over 64 KiB", head(S, "X: " + "x".repeat(65 * 1024), "Content-Length: 2")
                        + "ok"),
                reply("the upstream closes mid-head: 502 UPE", "HTTP/1.1 200 OK\r\nContent-Le", Ending.CLOSE, Client.UPE,
                        Upstream.GONE),
                reply("the upstream closes without a byte: 502 UR", "", Ending.CLOSE, Client.UR, Upstream.GONE),
                reply("the upstream resets without a byte: 502 UR", "", Ending.RESET, Client.UR, Upstream.GONE),

                // ---- the head went out, then the body broke: a truncation, never a complete message ------------
                truncated("Content-Length body cut short by a close", head(S, "Content-Length: 10") + "abc",
                        Ending.CLOSE),
                truncated("Content-Length body cut short by a reset", head(S, "Content-Length: 10") + "abc",
                        Ending.RESET),
                truncated("chunked body cut short by a close", head(S, TE) + "5\r\nhello\r\n", Ending.CLOSE),
                truncated("chunked body cut short inside a chunk", head(S, TE) + "a\r\nhello", Ending.CLOSE),
                truncated("invalid chunk size after the head", head(S, TE) + "5\r\nhello\r\nzz\r\n", Ending.KEEP),
                truncated("chunk size that overflows", head(S, TE) + "ffffffffffffffff\r\nx\r\n", Ending.KEEP),
                truncated("chunk data longer than its size", head(S, TE) + "5\r\nhelloX\r\n0\r\n\r\n", Ending.KEEP),
                truncated("Content-Length in the trailers", head(S, TE) + "2\r\nok\r\n0\r\nContent-Length: 5\r\n\r\n",
                        Ending.KEEP));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void row(String name, String reply, Ending ending, Client client, Upstream upstream) throws Exception {
        int id;
        synchronized (REPLIES) {
            id = REPLIES.size();
            REPLIES.add(new Reply(reply, ending));
        }
        try (RawHttpClient c = new RawHttpClient(proxy.port("in"))) {
            c.send("GET /case/" + id + " HTTP/1.1\r\nHost: a\r\n\r\n");
            switch (client) {
                case RELAYED -> {
                    RawResponse r = c.readResponse();
                    assertEquals(200, r.status(), r.toString());
                    assertEquals("ok", r.bodyText());
                    assertNull(r.flags(), "the upstream's own response");
                }
                case UPE, UR -> {
                    RawResponse r = c.readResponse();
                    assertEquals(502, r.status(), r.toString());
                    assertEquals(client.name(), r.flags(), r.toString());
                }
                case TRUNCATED -> {
                    RawResponse h = c.readHead();
                    assertEquals(200, h.status());
                    byte[] rest = c.readUntilClosed();
                    if (h.chunked()) {
                        assertThrows(IOException.class,
                                () -> HttpWire.readChunked(new ByteArrayInputStream(rest), null, null),
                                "a complete chunked body reached the client: " + HttpWire.ascii(rest));
                    } else {
                        long length = Long.parseLong(h.header("content-length"));
                        assertTrue(rest.length < length, "a complete body reached the client: " + HttpWire.ascii(rest));
                    }
                }
            }
            switch (upstream) {
                case POOLED -> Await.until("the upstream connection back in its pool",
                        () -> proxy.server().idleUpstreamConnections() == 1);
                case CLOSED -> {
                    Await.until("Remora to close the upstream connection", () -> CLOSED_BY_PROXY.contains(id));
                    Await.until("no idle upstream connection", () -> proxy.server().idleUpstreamConnections() == 0);
                }
                case GONE -> Await.until("no idle upstream connection",
                        () -> proxy.server().idleUpstreamConnections() == 0);
            }
            if (client != Client.TRUNCATED) {
                // the client connection is kept and in step
                RawResponse next = c.get("/next");
                assertEquals(200, next.status(), next.toString());
                assertEquals("ok", next.bodyText());
            }
        }
    }

    /**
     * An upstream that answers one request twice (its own desync, or an attacker's reflected response): the
     * second response stays unread, and Remora must not hand the connection to the next request, which would get
     * it as its answer (response queue poisoning). Here the next request is pipelined behind the first on the
     * same client connection, so it would take the pooled connection at once.
     */
    @Test
    void anUnsolicitedSecondResponseNeverAnswersTheNextRequest() throws Exception {
        int id;
        synchronized (REPLIES) {
            id = REPLIES.size();
            REPLIES.add(new Reply(OK + "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nSMUGGLED", Ending.KEEP));
        }
        List<String> bodies = new ArrayList<>();
        try (RawHttpClient c = new RawHttpClient(proxy.port("in"))) {
            c.send("GET /case/" + id + " HTTP/1.1\r\nHost: a\r\n\r\nGET /second HTTP/1.1\r\nHost: a\r\n\r\n");
            bodies.add(c.readResponse().bodyText());
            bodies.add(c.readResponse().bodyText());
        }
        assertEquals(List.of("ok", "ok"), bodies, "the second request's answer came from the backend, for it");
        Await.until("the connection with the extra response closed", () -> CLOSED_BY_PROXY.contains(id));
    }
}
