package io.remora.core.resilience;

import static io.remora.core.testing.Configs.breakers;
import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.retry;
import static io.remora.core.testing.Configs.route;
import static io.remora.core.testing.Configs.withBackoff;
import static io.remora.core.testing.Configs.withCircuitBreakers;
import static io.remora.core.testing.Configs.withRetry;
import static io.remora.core.testing.Configs.withRetryBudget;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.RetryBudgetConfig;
import io.remora.config.model.RetryOn;
import io.remora.config.model.RouteConfig;
import io.remora.core.breaker.CircuitBreaker;
import io.remora.core.server.ProxyServer;
import io.remora.core.testing.Await;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawBackend;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawRequest;
import io.remora.core.testing.RawResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code max_retries} circuit breaker (concurrent retries, cluster-wide) and how it meets the retry budget:
 * a retry the breaker refuses never happened, so it must not cost budget.
 */
@Timeout(30)
class RetryLimitsTest {
    private static final String GET = "GET / HTTP/1.1\r\nHost: test\r\n\r\n";

    /**
     * One backend: a first attempt gets 503 at once, a retry (x-remora-attempt 2) waits for {@code gate}, then
     * gets 200. So a retry can be held in flight while other requests want one.
     */
    private static RawBackend backend(CountDownLatch gate) throws IOException {
        return new RawBackend(conn -> {
            RawRequest req;
            while ((req = conn.readRequest()) != null) {
                if ("1".equals(req.header("x-remora-attempt"))) {
                    conn.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
                } else {
                    gate.await(10, TimeUnit.SECONDS); // the backend holding the retry, not the test waiting
                    conn.respond("ok");
                }
            }
        });
    }

    private static ProxyHarness proxy(RawBackend up, RetryBudgetConfig budget) throws Exception {
        ClusterConfig c = withRetryBudget(withCircuitBreakers(cluster("c", LbPolicy.ROUND_ROBIN, up.address()),
                breakers(1024, 1024, 1024, 1)), budget);
        RouteConfig r = withRetry(route("/", "c", Duration.ofSeconds(5)), withBackoff(retry(1, RetryOn.FIVE_XX),
                Duration.ofMillis(1), Duration.ofMillis(2)));
        return ProxyHarness.start(List.of(httpListener("in", List.of(r))), List.of(c),
                ProxyServer.Options.defaults().withWorkerThreads(2));
    }

    private static long retriesSeen(RawBackend up) {
        return up.requests().stream().filter(r -> "2".equals(r.header("x-remora-attempt"))).count();
    }

    @Test
    void retryOverMaxRetriesIsRefusedAtOnceAndDoesNotSpendTheBudget() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        // retry_ratio 0: only the reserve, min_retries_per_second 2 x ttl 1 s = 2 retries per second
        try (RawBackend up = backend(gate);
                ProxyHarness p = proxy(up, new RetryBudgetConfig(0, 2, Duration.ofSeconds(1)));
                RawHttpClient c1 = p.client("in"); RawHttpClient c2 = p.client("in");
                RawHttpClient c3 = p.client("in")) {
            CircuitBreaker breaker = Resilience.cluster(p, "c").breaker();
            c1.send(GET); // 503, then its retry is held: the one max_retries slot is taken (budget: 1 left)
            Await.until("the first request's retry to be in flight", () -> retriesSeen(up) == 1);
            assertEquals(1, breaker.current(CircuitBreaker.Kind.RETRIES));

            long start = System.nanoTime();
            RawResponse r2 = c2.get("/"); // wants a retry: max_retries refuses it
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(503, r2.status(), r2.toString());
            assertEquals("URX", r2.flags());
            assertTrue(took < 1000, "refused at once: " + took + " ms");
            assertEquals(1, retriesSeen(up));

            gate.countDown();
            assertEquals(200, c1.readResponse().status());
            Await.until("the retry slot to be given back", () -> breaker.current(CircuitBreaker.Kind.RETRIES) == 0);

            // the budget had 2 retries: one was used, the refused one never happened, so one is left
            RawResponse r3 = c3.get("/");
            assertEquals(200, r3.status(), "the refused retry must not have spent the budget: " + r3);
            assertEquals(2, retriesSeen(up));
            Resilience.assertNothingHeld(p, "c");
        }
    }
}
