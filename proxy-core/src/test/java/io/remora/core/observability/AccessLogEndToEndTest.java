package io.remora.core.observability;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.retry;
import static io.remora.core.testing.Configs.route;
import static io.remora.core.testing.Configs.withRetry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.remora.config.model.AccessLogConfig;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.RetryOn;
import io.remora.core.admin.JsonReader;
import io.remora.core.metrics.Exposition;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A listener with {@code access_log: { path: FILE, format: json }}, end to end: one strict JSON line per request
 * with what happened to it (status, response flags as the client saw them in {@code x-remora-flags}, upstream
 * host, attempts, bytes exactly as on the wire, request id, trace id, client address), rejected requests and
 * clients that leave early ({@code DC}) included.
 */
@Timeout(20)
class AccessLogEndToEndTest {
    private static final String L = "logged";
    private static final Pattern HEX32 = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    private static final Set<String> FIELDS = Set.of("start_time", "duration_ms", "listener", "method", "authority",
            "path", "status", "response_flags", "upstream_host", "attempts", "bytes_received", "bytes_sent",
            "request_id", "trace_id", "downstream_address");

    @TempDir
    Path dir;

    private Path log;
    private FakeUpstream ok;
    private FakeUpstream unwell;
    private RawBackend held;
    private RawBackend partial;
    private ProxyHarness proxy;

    @BeforeEach
    void start() throws Exception {
        log = dir.resolve("access.log");
        ok = new FakeUpstream("ok");
        unwell = new FakeUpstream("unwell")
                .handler(req -> FakeUpstream.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "unwell"));
        held = new RawBackend(conn -> {
            conn.readRequest();
            conn.awaitEof(); // never answers
        });
        partial = new RawBackend(conn -> {
            conn.readRequest();
            conn.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello"); // 5 of 100 body bytes
            conn.awaitEof();
        });
        ListenerConfig l = httpListener(L, List.of(
                route("/ok", "ok"),
                withRetry(route("/urx", "urx"), retry(1, RetryOn.FIVE_XX)),
                route("/held", "held"),
                route("/partial", "partial")));
        l = new ListenerConfig(l.name(), l.address(), l.protocol(), l.cluster(), l.routes(), l.idleTimeout(),
                l.streamIdleTimeout(), l.requestHeadersTimeout(), l.maxRequestHeadersKb(),
                new AccessLogConfig(log.toString(), AccessLogConfig.JSON));
        proxy = ProxyHarness.start(List.of(l), List.of(
                cluster("ok", LbPolicy.ROUND_ROBIN, ok.address()),
                cluster("urx", LbPolicy.ROUND_ROBIN, unwell.address()),
                cluster("held", LbPolicy.ROUND_ROBIN, held.address()),
                cluster("partial", LbPolicy.ROUND_ROBIN, partial.address())));
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        ok.close();
        unwell.close();
        held.close();
        partial.close();
    }

    @Test
    void oneJsonLinePerRequestWithWhatHappenedToIt() throws Exception {
        Instant before = Instant.now();
        int port = proxy.port(L);
        WireClient.Response r1;
        WireClient.Response r2;
        WireClient.Response r3;
        WireClient.Response r4;
        long len1;
        long len2;
        long len3;
        long len4;
        int port1;
        int port2;
        try (WireClient c = new WireClient(port); WireClient c2 = new WireClient(port)) {
            port1 = c.localPort();
            port2 = c2.localPort();
            len1 = c.send(WireClient.get("/ok?x=1", "x-request-id: client-id-1",
                    "traceparent: " + TracePropagationTest.PARENT, "tracestate: " + TracePropagationTest.STATE));
            r1 = c.read();
            assertEquals(200, r1.status());
            len2 = c.send(WireClient.get("/urx")); // no request id, no traceparent: both made up
            r2 = c.read();
            assertEquals(503, r2.status());
            assertEquals("URX", r2.flags(), "the only host failed both attempts and num_retries is 1");
            len3 = c.send(WireClient.get("/nowhere", "traceparent: 00-not-a-valid-traceparent"));
            r3 = c.read();
            assertEquals(404, r3.status());
            assertEquals("NR", r3.flags());
            len4 = c2.send("GET /ok HTTP/1.1\r\nHost: test\r\nthis line has no colon\r\n\r\n");
            r4 = c2.read();
            assertEquals(400, r4.status());
            assertEquals("DPE", r4.flags());
        }
        List<Map<String, Object>> lines = awaitLines(4);
        Instant after = Instant.now();
        for (Map<String, Object> line : lines) {
            assertEquals(FIELDS, line.keySet(), "the fields of " + line);
            assertEquals(L, line.get("listener"));
            Instant t = Instant.parse((String) line.get("start_time"));
            assertTrue(!t.isBefore(before.minusSeconds(1)) && !t.isAfter(after), "start_time " + t);
            double ms = ((Number) line.get("duration_ms")).doubleValue();
            assertTrue(ms >= 0 && ms < 5000, "duration_ms " + ms);
            assertTrue(HEX32.matcher((String) line.get("trace_id")).matches(), "trace_id of " + line);
        }

        // a success, with the client's request id and trace context
        Map<String, Object> l1 = lines.get(0);
        assertEquals("GET", l1.get("method"));
        assertEquals("test", l1.get("authority"));
        assertEquals("/ok?x=1", l1.get("path"));
        assertEquals(200L, l1.get("status"));
        assertNull(l1.get("response_flags"));
        assertNull(r1.flags());
        assertEquals(ok.address(), l1.get("upstream_host"));
        assertEquals(1L, l1.get("attempts"));
        assertEquals(len1, l1.get("bytes_received"));
        assertEquals(r1.wireBytes(), l1.get("bytes_sent"));
        assertEquals("client-id-1", l1.get("request_id"));
        assertEquals(TracePropagationTest.PARENT.substring(3, 35), l1.get("trace_id"));
        assertEquals("127.0.0.1:" + port1, l1.get("downstream_address"));
        assertEquals("client-id-1", ok.requests().get(0).headers().get("x-request-id"));

        // a retry refused: URX, both attempts, the ids Remora made up are the ones the upstream saw
        Map<String, Object> l2 = lines.get(1);
        assertEquals("/urx", l2.get("path"));
        assertEquals(503L, l2.get("status"));
        assertEquals(r2.flags(), l2.get("response_flags"));
        assertEquals(unwell.address(), l2.get("upstream_host"));
        assertEquals(2L, l2.get("attempts"));
        assertEquals(len2, l2.get("bytes_received"));
        assertEquals(r2.wireBytes(), l2.get("bytes_sent"));
        assertEquals(2, unwell.requests().size());
        for (FullHttpRequest up : unwell.requests()) {
            assertEquals(l2.get("request_id"), up.headers().get("x-request-id"), "the same id on every attempt");
            assertEquals(l2.get("trace_id"), up.headers().get("traceparent").substring(3, 35),
                    "the trace the upstream was told of is the one logged");
        }
        assertTrue(UUID.matcher((String) l2.get("request_id")).matches(), "a v4 UUID: " + l2.get("request_id"));
        assertEquals("127.0.0.1:" + port1, l2.get("downstream_address"));

        // no route: no upstream, no attempt; an invalid traceparent gives a new trace
        Map<String, Object> l3 = lines.get(2);
        assertEquals("/nowhere", l3.get("path"));
        assertEquals(404L, l3.get("status"));
        assertEquals(r3.flags(), l3.get("response_flags"));
        assertNull(l3.get("upstream_host"));
        assertEquals(0L, l3.get("attempts"));
        assertEquals(len3, l3.get("bytes_received"));
        assertEquals(r3.wireBytes(), l3.get("bytes_sent"));
        assertTrue(UUID.matcher((String) l3.get("request_id")).matches(), "a v4 UUID: " + l3.get("request_id"));
        assertNotEquals(l2.get("trace_id"), l3.get("trace_id"), "a trace per request");
        assertNotEquals(l2.get("request_id"), l3.get("request_id"), "a request id per request");

        // a malformed request is a request too: one line, DPE, the bytes each way
        Map<String, Object> l4 = lines.get(3);
        assertEquals(400L, l4.get("status"));
        assertEquals(r4.flags(), l4.get("response_flags"));
        assertNull(l4.get("upstream_host"));
        assertEquals(0L, l4.get("attempts"));
        assertEquals(len4, l4.get("bytes_received"));
        assertEquals(r4.wireBytes(), l4.get("bytes_sent"));
        assertEquals("127.0.0.1:" + port2, l4.get("downstream_address"));
    }

    @Test
    void aClientThatLeavesBeforeTheResponseIsLoggedWithDC() throws Exception {
        long len;
        try (WireClient c = new WireClient(proxy.port(L))) {
            len = c.send(WireClient.get("/held", "x-request-id: dc-1"));
            Await.until("the upstream to have the request", () -> held.requests().size() == 1);
            c.reset();
        }
        Map<String, Object> line = awaitLines(1).get(0);
        assertEquals("dc-1", line.get("request_id"));
        assertEquals("/held", line.get("path"));
        assertEquals(0L, line.get("status"), "no response was sent");
        assertEquals("DC", line.get("response_flags"));
        assertEquals(held.address(), line.get("upstream_host"));
        assertEquals(1L, line.get("attempts"));
        assertEquals(len, line.get("bytes_received"));
        assertEquals(0L, line.get("bytes_sent"));
        Exposition e = AdminScrape.prometheus(proxy);
        assertEquals(1, e.value("remora_downstream_response_flags_total", "listener", L, "flag", "DC"));
        Await.until("the upstream connection to be closed too", () -> held.openConnections() == 0);
    }

    @Test
    void aClientThatLeavesMidResponseIsLoggedWithItsStatusAndDC() throws Exception {
        WireClient.Response head;
        try (WireClient c = new WireClient(proxy.port(L))) {
            c.send(WireClient.get("/partial", "x-request-id: dc-2"));
            head = c.readHead();
            assertEquals(200, head.status());
            assertNull(head.flags(), "the upstream's own response");
            c.reset();
        }
        Map<String, Object> line = awaitLines(1).get(0);
        assertEquals("dc-2", line.get("request_id"));
        assertEquals(200L, line.get("status"), "the status the client was sent");
        assertEquals("DC", line.get("response_flags"));
        assertEquals(partial.address(), line.get("upstream_host"));
        assertTrue((Long) line.get("bytes_sent") >= head.wireBytes(), "at least the head went out: " + line);
        Exposition e = AdminScrape.prometheus(proxy);
        assertEquals(1, e.value("remora_downstream_response_flags_total", "listener", L, "flag", "DC"));
        assertEquals(1, e.value("remora_downstream_requests_total", "listener", L, "code_class", "2xx"));
    }

    /** Waits for {@code n} complete lines, then parses every line strictly as one JSON object. */
    private List<Map<String, Object>> awaitLines(int n) {
        Await.until(n + " access-log lines", Duration.ofSeconds(5), () -> text().chars().filter(c -> c == '\n')
                .count() >= n);
        String text = text();
        assertTrue(text.endsWith("\n"), "whole lines only");
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            try {
                out.add(JsonReader.parseObject(line));
            } catch (IllegalArgumentException e) {
                throw new AssertionError("not a JSON object: " + line, e);
            }
        }
        assertEquals(n, out.size(), "exactly one line per request:\n" + text);
        return out;
    }

    private String text() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
