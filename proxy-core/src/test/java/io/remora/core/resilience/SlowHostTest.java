package io.remora.core.resilience;

import static io.remora.core.resilience.Resilience.appRequests;
import static io.remora.core.resilience.Resilience.attempts;
import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.retry;
import static io.remora.core.testing.Configs.route;
import static io.remora.core.testing.Configs.withPerTryTimeout;
import static io.remora.core.testing.Configs.withRetry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.LbPolicy;
import io.remora.config.model.RetryOn;
import io.remora.config.model.RetryPolicyConfig;
import io.remora.config.model.RouteConfig;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Scenario (d): per-try timeouts move a request off a slow host; the route timeout bounds everything. */
@Timeout(30)
class SlowHostTest {
    private static final Duration SLOW = Duration.ofSeconds(1);
    private static final RetryPolicyConfig PER_TRY_200MS = withPerTryTimeout(retry(2, RetryOn.FIVE_XX),
            Duration.ofMillis(200));

    private static ProxyHarness proxy(Duration routeTimeout, RetryPolicyConfig retry, String... addresses)
            throws Exception {
        RouteConfig r = withRetry(route("/", "c", routeTimeout), retry);
        return ProxyHarness.start(List.of(httpListener("in", List.of(r))),
                List.of(cluster("c", LbPolicy.ROUND_ROBIN, addresses)));
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void perTryTimeoutRetriesTheSlowHostsRequestOnAnotherHostQuickly() throws Exception {
        try (FakeUpstream slow = new FakeUpstream("slow").delayResponses(SLOW);
                FakeUpstream fast = new FakeUpstream("fast");
                ProxyHarness p = proxy(Duration.ofSeconds(2), PER_TRY_200MS, slow.address(), fast.address());
                RawHttpClient c = p.client("in")) {
            long slowest = 0;
            for (int i = 0; i < 4; i++) {
                long start = System.nanoTime();
                RawResponse r = c.get("/");
                long took = millisSince(start);
                slowest = Math.max(slowest, took);
                assertEquals(200, r.status(), r.toString());
                assertEquals("hello from fast", r.bodyText());
                assertTrue(took < 800, "answered after the 200 ms per-try timeout, not the 1 s backend: " + took);
            }
            assertTrue(appRequests(slow) >= 1, "round robin sent requests to the slow host");
            assertTrue(slowest >= 190, "a request that met the slow host waited its per-try timeout: " + slowest);
            assertEquals(appRequests(slow), (long) attempts(fast).getOrDefault("2", 0),
                    "each timed-out attempt was retried once, on the fast host: " + attempts(fast));
            Resilience.assertNothingHeld(p, "c");
        }
    }

    @Test
    void routeTimeoutBoundsTheRetriesAndAnswers504Ut() throws Exception {
        try (FakeUpstream s1 = new FakeUpstream("s1").delayResponses(SLOW);
                FakeUpstream s2 = new FakeUpstream("s2").delayResponses(SLOW);
                ProxyHarness p = proxy(Duration.ofMillis(300), PER_TRY_200MS, s1.address(), s2.address());
                RawHttpClient c = p.client("in")) {
            long start = System.nanoTime();
            RawResponse r = c.get("/");
            long took = millisSince(start);
            assertEquals(504, r.status(), r.toString());
            assertEquals("UT", r.flags());
            assertTrue(took >= 290 && took < 900, "504 at the 300 ms route timeout, took " + took + " ms");
            // the first attempt timed out at 200 ms, a second one started and the route timeout cut it short
            Await.until("both attempts to reach a backend", () -> appRequests(s1) + appRequests(s2) == 2);
            assertEquals(List.of("1", "2"), List.copyOf(attempts(List.of(s1, s2)).keySet()));
            Resilience.assertNothingHeld(p, "c");
        }
    }

    @Test
    void withoutPerTryTimeoutATimedOutAttemptIsNotRetried() throws Exception {
        try (FakeUpstream s1 = new FakeUpstream("s1").delayResponses(SLOW);
                FakeUpstream s2 = new FakeUpstream("s2").delayResponses(SLOW);
                ProxyHarness p = proxy(Duration.ofMillis(300), retry(2, RetryOn.FIVE_XX), s1.address(),
                        s2.address());
                RawHttpClient c = p.client("in")) {
            long start = System.nanoTime();
            RawResponse r = c.get("/");
            long took = millisSince(start);
            assertEquals(504, r.status(), r.toString());
            assertEquals("UT", r.flags());
            assertTrue(took >= 290 && took < 900, "504 at the route timeout, took " + took + " ms");
            assertEquals(1, appRequests(s1) + appRequests(s2), "the route timeout is final: no retry");
            Resilience.assertNothingHeld(p, "c");
        }
    }
}
