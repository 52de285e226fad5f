package io.remora.core.resilience;

import static io.remora.core.resilience.Resilience.appRequests;
import static io.remora.core.resilience.Resilience.attempts;
import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.retry;
import static io.remora.core.testing.Configs.route;
import static io.remora.core.testing.Configs.withPerTryTimeout;
import static io.remora.core.testing.Configs.withRetry;
import static io.remora.core.testing.Configs.withRetryNonIdempotent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.RetryOn;
import io.remora.config.model.RetryPolicyConfig;
import io.remora.config.model.RouteConfig;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawBackend;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scenario (f): a POST that reached an upstream is never sent twice (the upstream may have acted on it) unless
 * the route says {@code retry_non_idempotent: true}; a POST that provably never reached one (connect failure) is
 * retried like any request.
 */
@Timeout(30)
class NonIdempotentRetryTest {
    private static final String BODY = "{\"order\":42}";
    private static final RetryPolicyConfig RETRY = retry(2, RetryOn.FIVE_XX, RetryOn.RESET,
            RetryOn.CONNECT_FAILURE);

    private static ProxyHarness proxy(RetryPolicyConfig retry, String... addresses) throws Exception {
        RouteConfig r = withRetry(route("/", "c", Duration.ofSeconds(5)), retry);
        return ProxyHarness.start(List.of(httpListener("in", List.of(r))),
                List.of(cluster("c", LbPolicy.ROUND_ROBIN, addresses)));
    }

    private static RawResponse post(RawHttpClient c) throws IOException {
        c.send("POST /orders HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: "
                + BODY.length() + "\r\n\r\n" + BODY);
        return c.readResponse();
    }

    private static String body(FullHttpRequest r) {
        return r.content().toString(StandardCharsets.UTF_8);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void postAnswered503IsNotRetried() throws Exception {
        try (FakeUpstream x = new FakeUpstream("x").handler(req -> Resilience.status(503));
                FakeUpstream y = new FakeUpstream("y").handler(req -> Resilience.status(503));
                ProxyHarness p = proxy(RETRY, x.address(), y.address()); RawHttpClient c = p.client("in")) {
            RawResponse r = post(c);
            assertEquals(503, r.status(), r.toString());
            assertNull(r.flags(), "the upstream's own 503, returned as it was");
            assertEquals(1, appRequests(x) + appRequests(y), "the backends saw exactly one POST");
            // a GET on the same route is retried, so the policy itself is live
            assertEquals(503, c.get("/").status());
            assertEquals(4, appRequests(x) + appRequests(y), "GET: 1 + num_retries 2");
            Resilience.assertNothingHeld(p, "c");
        }
    }

    @Test
    void postWhoseConnectionClosedAfterTheBodyWasSentIsNotRetried() throws Exception {
        RawBackend.Script closeAfterReading = conn -> conn.readRequest(); // then closes: no response
        try (RawBackend x = new RawBackend(closeAfterReading); RawBackend y = new RawBackend(closeAfterReading);
                ProxyHarness p = proxy(RETRY, x.address(), y.address()); RawHttpClient c = p.client("in")) {
            RawResponse r = post(c);
            assertEquals(502, r.status(), r.toString());
            assertEquals("UR", r.flags());
            assertEquals(1, x.requests().size() + y.requests().size(), "the backends saw exactly one POST");
            assertEquals(BODY, (x.requests().isEmpty() ? y : x).requests().get(0).bodyText());
            Resilience.assertNothingHeld(p, "c");
        }
    }

    @Test
    void postThatTimedOutPerTryIsNotRetried() throws Exception {
        try (FakeUpstream x = new FakeUpstream("x").delayResponses(Duration.ofSeconds(1));
                FakeUpstream y = new FakeUpstream("y").delayResponses(Duration.ofSeconds(1));
                ProxyHarness p = proxy(withPerTryTimeout(RETRY, Duration.ofMillis(150)), x.address(), y.address());
                RawHttpClient c = p.client("in")) {
            RawResponse r = post(c);
            assertEquals(504, r.status(), r.toString());
            assertEquals("UT", r.flags());
            assertEquals(1, appRequests(x) + appRequests(y), "the backends saw exactly one POST");
            Resilience.assertNothingHeld(p, "c");
        }
    }

    @Test
    void postIsRetriedWhenTheRouteAllowsNonIdempotentRetries() throws Exception {
        try (FakeUpstream bad = new FakeUpstream("bad").handler(req -> Resilience.status(503));
                FakeUpstream good = new FakeUpstream("good").handler(req -> FakeUpstream.text(HttpResponseStatus.OK,
                        "stored " + body(req)));
                ProxyHarness p = proxy(withRetryNonIdempotent(RETRY, true), bad.address(), good.address());
                RawHttpClient c = p.client("in")) {
            for (int i = 0; i < 4; i++) {
                RawResponse r = post(c);
                assertEquals(200, r.status(), r.toString());
                assertEquals("stored " + BODY, r.bodyText(), "the retry resent the whole body");
            }
            assertTrue(appRequests(bad) >= 1, "round robin sent POSTs to the failing host");
            assertEquals(4, appRequests(good));
            assertEquals(appRequests(bad), (long) attempts(good).getOrDefault("2", 0), attempts(good).toString());
            for (FullHttpRequest req : bad.requests()) {
                assertEquals(BODY, body(req));
            }
            Resilience.assertNothingHeld(p, "c");
        }
    }

    @Test
    void postWhoseConnectFailedIsRetried() throws Exception {
        int dead = closedPort();
        try (FakeUpstream good = new FakeUpstream("good").handler(req -> FakeUpstream.text(HttpResponseStatus.OK,
                        "stored " + body(req)));
                ProxyHarness p = proxy(retry(1, RetryOn.CONNECT_FAILURE), "127.0.0.1:" + dead, good.address());
                RawHttpClient c = p.client("in")) {
            for (int i = 0; i < 4; i++) {
                RawResponse r = post(c);
                assertEquals(200, r.status(), "nothing reached the dead host, so the POST was retried: " + r);
                assertEquals("stored " + BODY, r.bodyText());
            }
            assertEquals(4, appRequests(good), "each POST reached the backend exactly once");
            Await.until("x-remora-attempt: 2 on the POSTs first sent to the dead host",
                    () -> attempts(good).getOrDefault("2", 0) >= 1);
            Resilience.assertNothingHeld(p, "c");
        }
    }

    /** A body past {@code max_buffered_body} was streamed, not held: the request cannot be sent again. */
    @Test
    void requestBodyLargerThanMaxBufferedBodyIsNotRetried() throws Exception {
        try (FakeUpstream x = new FakeUpstream("x").handler(req -> Resilience.status(503));
                FakeUpstream y = new FakeUpstream("y").handler(req -> Resilience.status(503));
                ProxyHarness p = proxy(RETRY, x.address(), y.address()); RawHttpClient c = p.client("in")) {
            String big = "x".repeat(100 * 1024); // over the 64 KiB default
            c.send("PUT /blob HTTP/1.1\r\nHost: test\r\nContent-Length: " + big.length() + "\r\n\r\n" + big);
            RawResponse r = c.readResponse();
            assertEquals(503, r.status(), r.toString());
            assertEquals("URX", r.flags(), "the retry the policy wanted was refused");
            assertEquals(1, appRequests(x) + appRequests(y), "sent once");

            String small = "y".repeat(1024);
            c.send("PUT /blob HTTP/1.1\r\nHost: test\r\nContent-Length: " + small.length() + "\r\n\r\n" + small);
            assertEquals(503, c.readResponse().status());
            assertEquals(4, appRequests(x) + appRequests(y), "a small PUT is retried twice");
            for (FakeUpstream u : List.of(x, y)) {
                for (FullHttpRequest req : u.requests()) {
                    assertTrue(body(req).equals(big) || body(req).equals(small), "every attempt had the whole body");
                }
            }
            Resilience.assertNothingHeld(p, "c");
        }
    }
}
