package io.remora.core.http1;

import static io.remora.core.http1.Transcript.bytes;
import static io.remora.core.http1.Transcript.http;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link StrictClientCodec}: the encoder tells the decoder what each response answers. */
class StrictClientCodecTest {
    private static final String OK = "HTTP/1.1 200 OK";

    private static DefaultFullHttpRequest request(HttpMethod method, String uri) {
        DefaultFullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.EMPTY_BUFFER);
        r.headers().set("host", "up");
        return r;
    }

    /** Everything written to the upstream so far, as text. */
    private static String written(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null;) {
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }

    private static List<String> read(EmbeddedChannel ch, String input) {
        Transcript.Renderer r = new Transcript.Renderer();
        ch.writeInbound(Unpooled.wrappedBuffer(bytes(input)));
        r.drain(ch);
        r.flush();
        return r.lines;
    }

    @Test
    void headGetAndInterimResponsesAreFramedByTheirRequests() {
        EmbeddedChannel ch = new EmbeddedChannel(new StrictClientCodec(8192));
        ch.writeOutbound(request(HttpMethod.HEAD, "/a"), request(HttpMethod.GET, "/b"), request(HttpMethod.POST, "/c"));
        assertEquals("HEAD /a HTTP/1.1\r\nhost: up\r\n\r\n" + "GET /b HTTP/1.1\r\nhost: up\r\n\r\n"
                + "POST /c HTTP/1.1\r\nhost: up\r\n\r\n", written(ch));
        assertEquals(List.of(OK, "Content-Length: 4", "end", OK, "Content-Length: 2", "body=ok", "end",
                        "HTTP/1.1 100 Continue", "end", "HTTP/1.1 201 Created", "Content-Length: 0", "end"),
                read(ch, http(OK, "Content-Length: 4", "") + http(OK, "Content-Length: 2", "") + "ok"
                        + http("HTTP/1.1 100 Continue", "") + http("HTTP/1.1 201 Created", "Content-Length: 0", "")));
        // every request was answered: one more response is unsolicited
        assertEquals(List.of("FAIL HttpSyntaxException: response without a request"),
                read(ch, http(OK, "Content-Length: 0", "")));
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void connectTunnelPassesBytesBothWays() {
        EmbeddedChannel ch = new EmbeddedChannel(new StrictClientCodec(8192));
        ch.writeOutbound(request(HttpMethod.CONNECT, "db:5432"));
        assertEquals("CONNECT db:5432 HTTP/1.1\r\nhost: up\r\n\r\n", written(ch));
        assertEquals(List.of("HTTP/1.1 200 Connection Established", "end", "raw=\\x00\\x01server hello"),
                read(ch, http("HTTP/1.1 200 Connection Established", "") + "\u0000\u0001server hello"));
        StrictClientCodec codec = ch.pipeline().get(StrictClientCodec.class);
        assertTrue(codec.decoder().isSwitched());
        ch.writeOutbound(Unpooled.wrappedBuffer(bytes("GET / HTTP/1.1\r\n\r\n client bytes")));
        assertEquals("GET / HTTP/1.1\r\n\r\n client bytes", written(ch), "not encoded: passed through");
        assertEquals(List.of("raw=HTTP/1.1 200 OK\\r\\n\\r\\n"), read(ch, http(OK, "")), "not decoded either");
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void switchingProtocolsPassesBytesBothWays() {
        EmbeddedChannel ch = new EmbeddedChannel(new StrictClientCodec(8192));
        DefaultFullHttpRequest upgrade = request(HttpMethod.GET, "/ws");
        upgrade.headers().set("upgrade", "websocket").set("connection", "upgrade");
        ch.writeOutbound(upgrade);
        written(ch);
        assertEquals(List.of("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "end", "raw=\\x81\\x00"),
                read(ch, http("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "") + "\u0081\u0000"));
        ch.writeOutbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0x88, 0}));
        assertEquals("\u0088\u0000", written(ch));
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void aRefusedUpgradeKeepsTheConnectionHttp() {
        EmbeddedChannel ch = new EmbeddedChannel(new StrictClientCodec(8192));
        ch.writeOutbound(request(HttpMethod.CONNECT, "db:5432"), request(HttpMethod.GET, "/"));
        written(ch);
        assertEquals(List.of("HTTP/1.1 403 Forbidden", "Content-Length: 1", "body=x", "end", OK, "Content-Length: 0",
                        "end"),
                read(ch, http("HTTP/1.1 403 Forbidden", "Content-Length: 1", "") + "x" + http(OK, "Content-Length: 0", "")));
        assertFalse(ch.pipeline().get(StrictClientCodec.class).decoder().isSwitched());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void closeDelimitedResponseEndsAtClose() {
        EmbeddedChannel ch = new EmbeddedChannel(new StrictClientCodec(8192));
        ch.writeOutbound(request(HttpMethod.GET, "/"));
        written(ch);
        Transcript.Renderer r = new Transcript.Renderer();
        ch.writeInbound(Unpooled.wrappedBuffer(bytes(http("HTTP/1.0 200 OK", "") + "all of it")));
        r.drain(ch);
        ch.finish();
        r.closed = true;
        r.drain(ch);
        r.flush();
        assertEquals(List.of("HTTP/1.0 200 OK", "body=all of it", "|close|", "end"), r.lines);
        assertFalse(ch.finishAndReleaseAll());
    }
}
