package io.remora.core.resilience;

import static io.remora.core.resilience.Resilience.appRequests;
import static io.remora.core.resilience.Resilience.attempts;
import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.retry;
import static io.remora.core.testing.Configs.route;
import static io.remora.core.testing.Configs.withRetriableStatusCodes;
import static io.remora.core.testing.Configs.withRetry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.RetryOn;
import io.remora.config.model.RetryPolicyConfig;
import io.remora.config.model.RouteConfig;
import io.remora.core.breaker.CircuitBreaker;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code Retry-After} on a 503 or 429: the retry waits that long when it fits in the route timeout, and does
 * not happen when it does not (the client gets the upstream's answer, marked {@code URX}).
 */
@Timeout(30)
class RetryAfterTest {

    private static ProxyHarness proxy(Duration routeTimeout, RetryPolicyConfig retry, FakeUpstream up)
            throws Exception {
        RouteConfig r = withRetry(route("/", "c", routeTimeout), retry);
        return ProxyHarness.start(List.of(httpListener("in", List.of(r))),
                List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())));
    }

    /** Answers the first request {@code status} with {@code Retry-After: seconds}, then 200. */
    private static FakeUpstream firstRefusesWithRetryAfter(int status, int seconds) {
        AtomicInteger n = new AtomicInteger();
        return new FakeUpstream("a").handler(req -> {
            if (n.getAndIncrement() > 0) {
                return FakeUpstream.text(HttpResponseStatus.OK, "ok");
            }
            FullHttpResponse r = Resilience.status(status);
            r.headers().set("Retry-After", Integer.toString(seconds));
            return r;
        });
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void retryAfterOnA503DelaysTheRetry() throws Exception {
        try (FakeUpstream up = firstRefusesWithRetryAfter(503, 1);
                ProxyHarness p = proxy(Duration.ofSeconds(3), retry(1, RetryOn.FIVE_XX), up);
                RawHttpClient c = p.client("in")) {
            long start = System.nanoTime();
            RawResponse r = c.get("/");
            long took = millisSince(start);
            assertEquals(200, r.status(), r.toString());
            assertTrue(took >= 950 && took < 2500, "the retry waited Retry-After: 1, took " + took + " ms");
            assertEquals(Map.of("1", 1, "2", 1), attempts(up));
            Resilience.assertNothingHeld(p, "c");
        }
    }

    @Test
    void retryAfterOnA429WithRetriableStatusCodesDelaysTheRetry() throws Exception {
        try (FakeUpstream up = firstRefusesWithRetryAfter(429, 1);
                ProxyHarness p = proxy(Duration.ofSeconds(3), withRetriableStatusCodes(
                        retry(1, RetryOn.RETRIABLE_STATUS_CODES), 429), up);
                RawHttpClient c = p.client("in")) {
            long start = System.nanoTime();
            RawResponse r = c.get("/");
            long took = millisSince(start);
            assertEquals(200, r.status(), r.toString());
            assertTrue(took >= 950 && took < 2500, "the retry waited Retry-After: 1, took " + took + " ms");
        }
    }

    @Test
    void retryAfterBeyondTheRouteTimeoutIsNotRetried() throws Exception {
        try (FakeUpstream up = firstRefusesWithRetryAfter(503, 5);
                ProxyHarness p = proxy(Duration.ofSeconds(1), retry(2, RetryOn.FIVE_XX), up);
                RawHttpClient c = p.client("in")) {
            long start = System.nanoTime();
            RawResponse r = c.get("/");
            long took = millisSince(start);
            assertEquals(503, r.status(), r.toString());
            assertEquals("URX", r.flags(), "the retry the policy wanted was refused");
            assertEquals("5", r.header("retry-after"), "the upstream's answer, as it was");
            assertTrue(took < 500, "returned at once rather than waiting: " + took + " ms");
            assertEquals(1, appRequests(up));
            Resilience.assertNothingHeld(p, "c");
        }
    }

    @Test
    void clientLeavingWhileItsRetryWaitsGivesEverythingBack() throws Exception {
        try (FakeUpstream up = firstRefusesWithRetryAfter(503, 1);
                ProxyHarness p = proxy(Duration.ofSeconds(3), retry(1, RetryOn.FIVE_XX), up)) {
            RawHttpClient c = p.client("in");
            c.send("GET / HTTP/1.1\r\nHost: test\r\n\r\n");
            Await.until("the 503 to be answered and the retry to wait",
                    () -> appRequests(up) == 1 && Resilience.cluster(p, "c").breaker()
                            .current(CircuitBreaker.Kind.RETRIES) == 1);
            c.reset(); // the client is gone (RST) during the 1 s wait
            Resilience.assertNothingHeld(p, "c");
            Await.stable("requests to the backend", Duration.ofMillis(1300),
                    Duration.ofSeconds(5), () -> appRequests(up));
            assertEquals(1, appRequests(up), "no retry for a client that left");
        }
    }
}
