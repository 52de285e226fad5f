package io.remora.core.observability;

import static io.remora.core.observability.AdminScrape.named;
import static io.remora.core.observability.AdminScrape.number;
import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.consecutiveFailures;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.retry;
import static io.remora.core.testing.Configs.route;
import static io.remora.core.testing.Configs.withOutlierDetection;
import static io.remora.core.testing.Configs.withRetry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.RetryOn;
import io.remora.core.http.ResponseFlag;
import io.remora.core.metrics.Exposition;
import io.remora.core.outlier.OutlierDetector;
import io.remora.core.testing.Await;
import io.remora.core.testing.Configs;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawBackend;
import io.remora.core.upstream.Host;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 4, "after a scripted sequence the counters equal what happened, exactly": a known mix of traffic over
 * loopback (successes, upstream 503s, a route timeout, connect failures, no route, a malformed request, a
 * denied retry and an outlier ejection with retries), then {@code /stats/prometheus} and {@code /stats} must
 * show exactly those counts, the byte counters exactly the bytes on the wire, and no connection left open.
 */
@Timeout(20)
class CountersMatchTrafficTest {
    private static final String L = "in";

    @Test
    void everyCounterEqualsTheScriptedTraffic() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort(); // nothing listens there once closed: connections are refused
        }
        try (FakeUpstream ok = new FakeUpstream("ok");
                FakeUpstream fail = new FakeUpstream("fail")
                        .handler(req -> FakeUpstream.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "busy"));
                RawBackend silent = new RawBackend(conn -> {
                    conn.readRequest();
                    conn.awaitEof(); // never answers: the route times out
                });
                FakeUpstream bad = new FakeUpstream("bad")
                        .handler(req -> FakeUpstream.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "bad"));
                FakeUpstream good = new FakeUpstream("good");
                FakeUpstream unwell = new FakeUpstream("unwell")
                        .handler(req -> FakeUpstream.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "unwell"));
                ProxyHarness p = ProxyHarness.start(
                        List.of(httpListener(L, List.of(
                                route("/ok", "ok"),
                                route("/fail", "fail"),
                                route("/slow", "slow", Duration.ofMillis(300)),
                                route("/down", "down"),
                                withRetry(route("/ej", "ej"), retry(1, RetryOn.FIVE_XX)),
                                withRetry(route("/urx", "urx"), retry(1, RetryOn.FIVE_XX))))),
                        List.of(cluster("ok", LbPolicy.ROUND_ROBIN, ok.address()),
                                cluster("fail", LbPolicy.ROUND_ROBIN, fail.address()),
                                cluster("slow", LbPolicy.ROUND_ROBIN, silent.address()),
                                cluster("down", LbPolicy.ROUND_ROBIN, "127.0.0.1:" + closedPort),
                                withOutlierDetection(cluster("ej", LbPolicy.ROUND_ROBIN, bad.address(),
                                        good.address()), consecutiveFailures(3, 0, Duration.ofSeconds(10),
                                        Duration.ofSeconds(30))),
                                cluster("urx", LbPolicy.ROUND_ROBIN, unwell.address())))) {
            int port = p.port(L);
            long bodyBytes = 0;
            int responses = 0;
            int ejRequests = 0;
            long sentByClients = 0;
            long readByClients = 0;
            try (WireClient c1 = new WireClient(port); WireClient c2 = new WireClient(port);
                    WireClient c3 = new WireClient(port)) {
                // 7 x 200
                for (int i = 0; i < 7; i++) {
                    WireClient.Response r = c1.request("/ok");
                    assertEquals(200, r.status(), r.toString());
                    bodyBytes += r.body().length();
                    responses++;
                }
                // 3 x the upstream's own 503 (no retry policy)
                for (int i = 0; i < 3; i++) {
                    WireClient.Response r = c1.request("/fail");
                    assertEquals(503, r.status());
                    assertNull(r.flags(), "an upstream's own 503 carries no flag");
                    responses++;
                }
                // 1 route timeout
                WireClient.Response slow = c1.request("/slow");
                assertEquals(504, slow.status());
                assertEquals("UT", slow.flags());
                responses++;
                // 2 connect failures
                for (int i = 0; i < 2; i++) {
                    WireClient.Response r = c1.request("/down");
                    assertEquals(503, r.status());
                    assertEquals("UF", r.flags());
                    responses++;
                }
                // 1 without a route
                WireClient.Response nr = c1.request("/nowhere");
                assertEquals(404, nr.status());
                assertEquals("NR", nr.flags());
                responses++;

                // an ejection: the bad host fails consecutive_5xx (3) times, each failure retried on the good host
                Host badHost = host(p, "ej", bad);
                while (!badHost.outlier().isEjected()) {
                    assertTrue(ejRequests < 20, "the bad host was never ejected");
                    WireClient.Response r = c2.request("/ej");
                    assertEquals(200, r.status(), "the retry hides the 503");
                    ejRequests++;
                    responses++;
                }
                assertEquals(3, bad.requests().size(), "ejected at its third consecutive 503");
                assertEquals(ejRequests, good.requests().size(), "every /ej request ended on the good host");

                // a retry refused: the only host fails both attempts, and num_retries is 1
                WireClient.Response urx = c2.request("/urx");
                assertEquals(503, urx.status());
                assertEquals("URX", urx.flags());
                responses++;
                assertEquals(2, unwell.requests().size());

                // 1 malformed request: 400, and the connection closes
                c3.send("GET /ok HTTP/1.1\r\nHost: test\r\nthis line has no colon\r\n\r\n");
                WireClient.Response malformed = c3.read();
                assertEquals(400, malformed.status());
                assertEquals("DPE", malformed.flags());
                c3.expectClose();
                responses++;

                for (WireClient c : List.of(c1, c2, c3)) {
                    sentByClients += c.sent();
                    readByClients += c.received();
                }
            }
            int total = responses;
            Await.until("every request counted and every connection closed", Duration.ofSeconds(5), () -> {
                Exposition e = AdminScrape.prometheus(p);
                double answered = 0;
                for (String cc : List.of("1xx", "2xx", "3xx", "4xx", "5xx")) {
                    answered += e.value("remora_downstream_requests_total", "listener", L, "code_class", cc);
                }
                return answered == total && e.value("remora_downstream_connections_active", "listener", L) == 0;
            });

            Exposition e = AdminScrape.prometheus(p);
            // ---- downstream
            Map<String, Long> byClass = Map.of("1xx", 0L, "2xx", 7L + ejRequests, "3xx", 0L,
                    "4xx", 2L /* 404 NR, 400 */, "5xx", 7L /* 3 upstream 503, 504 UT, 2 x 503 UF, 503 URX */);
            byClass.forEach((cc, n) -> assertEquals(n.doubleValue(), e.value("remora_downstream_requests_total",
                    "listener", L, "code_class", cc), "remora_downstream_requests_total{code_class=" + cc + "}"));
            Map<String, Long> rejected = Map.of("bad_request", 1L, "request_timeout", 0L, "uri_too_long", 0L,
                    "headers_too_large", 0L, "other", 0L);
            rejected.forEach((reason, n) -> assertEquals(n.doubleValue(),
                    e.value("remora_downstream_rejected_requests_total", "listener", L, "reason", reason),
                    "rejected{reason=" + reason + "}"));
            Map<String, Long> flags = new LinkedHashMap<>();
            for (ResponseFlag f : ResponseFlag.values()) {
                flags.put(f.name(), 0L);
            }
            flags.putAll(Map.of("UT", 1L, "UF", 2L, "NR", 1L, "URX", 1L, "DPE", 1L));
            flags.forEach((flag, n) -> assertEquals(n.doubleValue(),
                    e.value("remora_downstream_response_flags_total", "listener", L, "flag", flag),
                    "response_flags{flag=" + flag + "}"));
            assertEquals(3, e.value("remora_downstream_connections_total", "listener", L));
            assertEquals(0, e.value("remora_downstream_connections_active", "listener", L));
            assertEquals(total, e.value("remora_downstream_request_duration_seconds_count", "listener", L));
            assertTrue(e.value("remora_downstream_request_duration_seconds_sum", "listener", L) >= 0.3,
                    "the 504 alone took the 300 ms route timeout");
            assertTrue(e.value("remora_downstream_request_duration_seconds_bucket", "listener", L, "le", "0.25")
                    <= total - 1, "the timed-out request is not in the 250 ms bucket");
            // bytes: exactly what went over the client connections, each way
            assertEquals(sentByClients, e.value("remora_downstream_received_bytes_total", "listener", L),
                    "received bytes = every byte the clients sent");
            assertEquals(readByClients, e.value("remora_downstream_sent_bytes_total", "listener", L),
                    "sent bytes = every byte of every response the clients read");
            assertTrue(readByClients > bodyBytes + 17L * responses, "sanity: the responses had heads");

            // ---- upstream, per cluster: {2xx, 5xx, attempts, retries, denied, timeouts, connect failures}
            expectCluster(e, "ok", 7, 0, 7, 0, 0, 0, 0);
            expectCluster(e, "fail", 0, 3, 3, 0, 0, 0, 0);
            expectCluster(e, "slow", 0, 0, 1, 0, 0, 1, 0);
            expectCluster(e, "down", 0, 0, 2, 0, 0, 0, 2);
            expectCluster(e, "ej", ejRequests, 3, ejRequests + 3, 3, 0, 0, 0);
            expectCluster(e, "urx", 0, 2, 2, 1, 1, 0, 0);
            for (String cluster : List.of("ok", "fail", "slow", "down", "ej", "urx")) {
                double ejections = 0;
                for (String reason : List.of(OutlierDetector.CONSECUTIVE_5XX,
                        OutlierDetector.CONSECUTIVE_GATEWAY_FAILURE, OutlierDetector.SUCCESS_RATE,
                        OutlierDetector.FAILURE_PERCENTAGE)) {
                    double n = e.value("remora_upstream_ejections_total", "cluster", cluster, "reason", reason);
                    ejections += n;
                    if (cluster.equals("ej") && reason.equals(OutlierDetector.CONSECUTIVE_5XX)) {
                        assertEquals(1, n, "one consecutive_5xx ejection in ej");
                    }
                }
                assertEquals(cluster.equals("ej") ? 1 : 0, ejections, "ejections of " + cluster);
            }
            assertEquals(1, e.value("remora_upstream_ejected_hosts", "cluster", "ej"));
            assertEquals(1, e.value("remora_upstream_host_ejected", "cluster", "ej", "host", bad.address()));
            assertEquals(0, e.value("remora_upstream_host_ejected", "cluster", "ej", "host", good.address()));

            // ---- the same figures in /stats
            Map<String, Object> s = AdminScrape.stats(p);
            Map<String, Object> in = named(s, "listeners", L);
            assertEquals(3, number(in, "connections_total"));
            assertEquals(0, number(in, "connections_active"));
            byClass.forEach((cc, n) -> assertEquals(n.longValue(), number(in, "requests", cc), "requests." + cc));
            assertEquals(total, number(in, "requests", "total"));
            rejected.forEach((reason, n) -> assertEquals(n.longValue(), number(in, "rejected", reason), reason));
            flags.forEach((flag, n) -> assertEquals(n.longValue(), number(in, "response_flags", flag), flag));
            assertEquals(sentByClients, number(in, "received_bytes"));
            assertEquals(readByClients, number(in, "sent_bytes"));
            assertEquals(total, number(in, "request_duration", "count"));
            expectClusterJson(s, "ok", 7, 0, 7, 0, 0, 0, 0, 0);
            expectClusterJson(s, "fail", 0, 3, 3, 0, 0, 0, 0, 0);
            expectClusterJson(s, "slow", 0, 0, 1, 0, 0, 1, 0, 0);
            expectClusterJson(s, "down", 0, 0, 2, 0, 0, 0, 2, 0);
            expectClusterJson(s, "ej", ejRequests, 3, ejRequests + 3, 3, 0, 0, 0, 1);
            expectClusterJson(s, "urx", 0, 2, 2, 1, 1, 0, 0, 0);
            assertEquals(1, number(named(s, "clusters", "ej"), "hosts", "ejected"));
        }
    }

    /**
     * Pipelined requests arrive in one read: their bytes must still be counted once in total (a request's share
     * of a burst read before it started is not known, but no byte may be counted twice or lost).
     */
    @Test
    void pipelinedRequestsCountEveryByteOnce() throws Exception {
        try (FakeUpstream ok = new FakeUpstream("ok");
                ProxyHarness p = ProxyHarness.start(List.of(httpListener(L, List.of(route("/", "ok")))),
                        List.of(cluster("ok", LbPolicy.ROUND_ROBIN, ok.address())))) {
            long sent;
            long read;
            try (WireClient c = new WireClient(p.port(L))) {
                c.send(WireClient.get("/a") + WireClient.get("/b", "x-pad: " + "p".repeat(300))
                        + WireClient.get("/c"));
                for (int i = 0; i < 3; i++) {
                    assertEquals(200, c.read().status());
                }
                sent = c.sent();
                read = c.received();
            }
            Await.until("three requests counted", Duration.ofSeconds(5), () -> AdminScrape.prometheus(p)
                    .value("remora_downstream_requests_total", "listener", L, "code_class", "2xx") == 3);
            Exposition e = AdminScrape.prometheus(p);
            assertEquals(sent, e.value("remora_downstream_received_bytes_total", "listener", L));
            assertEquals(read, e.value("remora_downstream_sent_bytes_total", "listener", L));
            assertEquals(3, e.value("remora_downstream_request_duration_seconds_count", "listener", L));
            assertEquals(3, e.value("remora_upstream_attempts_total", "cluster", "ok"));
        }
    }

    /** Requests refused before routing: counted by reason, as 4xx with DPE, with their bytes each way. */
    @Test
    void rejectionsAreCountedByReasonWithTheirBytes() throws Exception {
        ListenerConfig l = Configs.withMaxRequestHeadersKb(Configs.withTimeouts(
                httpListener(L, List.of(route("/", "ok"))), Duration.ofSeconds(60), Duration.ofMinutes(5),
                Duration.ofMillis(200)), 1);
        try (FakeUpstream ok = new FakeUpstream("ok");
                ProxyHarness p = ProxyHarness.start(List.of(l),
                        List.of(cluster("ok", LbPolicy.ROUND_ROBIN, ok.address())))) {
            Map<String, Integer> expected = new LinkedHashMap<>();
            expected.put("GET / HTTP/1.1\r\nHost: test\r\nthis line has no colon\r\n\r\n", 400);
            expected.put("GET /" + "u".repeat(1200) + " HTTP/1.1\r\nHost: test\r\n\r\n", 414);
            expected.put("GET / HTTP/1.1\r\nHost: test\r\nx-big: " + "h".repeat(1200) + "\r\n\r\n", 431);
            expected.put("GET / HTTP/1.1\r\nHost: te", 408); // the rest of the head never comes
            expected.put("GET / HTTP/1.1\r\n\r\n", 400); // no Host
            long sent = 0;
            long read = 0;
            for (Map.Entry<String, Integer> req : expected.entrySet()) {
                try (WireClient c = new WireClient(p.port(L))) {
                    c.send(req.getKey());
                    WireClient.Response r = c.read();
                    assertEquals(req.getValue(), r.status(), req.getKey());
                    assertEquals("DPE", r.flags());
                    c.expectClose();
                    sent += c.sent();
                    read += c.received();
                }
            }
            Await.until("five rejections counted", Duration.ofSeconds(5), () -> AdminScrape.prometheus(p)
                    .value("remora_downstream_requests_total", "listener", L, "code_class", "4xx") == 5);
            Exposition e = AdminScrape.prometheus(p);
            Map<String, Integer> byReason = Map.of("bad_request", 2, "uri_too_long", 1, "headers_too_large", 1,
                    "request_timeout", 1, "other", 0);
            byReason.forEach((reason, n) -> assertEquals(n.doubleValue(), e.value("remora_downstream_rejected_requests_total",
                    "listener", L, "reason", reason), reason));
            assertEquals(5, e.value("remora_downstream_response_flags_total", "listener", L, "flag", "DPE"));
            assertEquals(5, e.value("remora_downstream_request_duration_seconds_count", "listener", L));
            assertTrue(e.value("remora_downstream_request_duration_seconds_sum", "listener", L) >= 0.2,
                    "the 408 took the 200 ms request_headers_timeout, counted from the head's first byte");
            assertEquals(sent, e.value("remora_downstream_received_bytes_total", "listener", L));
            assertEquals(read, e.value("remora_downstream_sent_bytes_total", "listener", L));
            assertEquals(0, e.value("remora_upstream_attempts_total", "cluster", "ok"));
            assertEquals(0, ok.connections());
        }
    }

    private static void expectCluster(Exposition e, String c, long ok2xx, long err5xx, long attempts, long retries,
            long denied, long timeouts, long connectFailures) {
        assertEquals(ok2xx, e.value("remora_upstream_requests_total", "cluster", c, "code_class", "2xx"),
                c + " upstream 2xx");
        assertEquals(err5xx, e.value("remora_upstream_requests_total", "cluster", c, "code_class", "5xx"),
                c + " upstream 5xx");
        for (String cc : List.of("1xx", "3xx", "4xx")) {
            assertEquals(0, e.value("remora_upstream_requests_total", "cluster", c, "code_class", cc),
                    c + " upstream " + cc);
        }
        assertEquals(attempts, e.value("remora_upstream_attempts_total", "cluster", c), c + " attempts");
        assertEquals(retries, e.value("remora_upstream_retries_total", "cluster", c), c + " retries");
        assertEquals(denied, e.value("remora_upstream_retries_denied_total", "cluster", c), c + " retries denied");
        assertEquals(timeouts, e.value("remora_upstream_timeouts_total", "cluster", c), c + " timeouts");
        assertEquals(connectFailures, e.value("remora_upstream_connect_failures_total", "cluster", c),
                c + " connect failures");
        assertEquals(ok2xx + err5xx, e.value("remora_upstream_request_duration_seconds_count", "cluster", c),
                c + ": one attempt duration per upstream response");
    }

    private static void expectClusterJson(Map<String, Object> s, String name, long ok2xx, long err5xx,
            long attempts, long retries, long denied, long timeouts, long connectFailures, long ejections) {
        Map<String, Object> c = named(s, "clusters", name);
        assertEquals(ok2xx, number(c, "responses", "2xx"), name + " responses.2xx");
        assertEquals(err5xx, number(c, "responses", "5xx"), name + " responses.5xx");
        assertEquals(ok2xx + err5xx, number(c, "responses", "total"), name + " responses.total");
        assertEquals(attempts, number(c, "attempts"), name + " attempts");
        assertEquals(retries, number(c, "retries"), name + " retries");
        assertEquals(denied, number(c, "retries_denied"), name + " retries_denied");
        assertEquals(timeouts, number(c, "timeouts"), name + " timeouts");
        assertEquals(connectFailures, number(c, "connect_failures"), name + " connect_failures");
        assertEquals(ejections, number(c, "ejections", OutlierDetector.CONSECUTIVE_5XX), name + " ejections");
        assertEquals(ok2xx + err5xx, number(c, "attempt_duration", "count"), name + " attempt_duration.count");
    }

    private static Host host(ProxyHarness p, String cluster, FakeUpstream up) {
        for (Host h : p.server().clusters().cluster(cluster).hostSet().hosts()) {
            if (h.address().getPort() == up.port()) {
                return h;
            }
        }
        throw new AssertionError("no host for " + up.address() + " in " + cluster);
    }
}
