package io.remora.core.resilience;

import static io.remora.core.resilience.Resilience.appRequests;
import static io.remora.core.resilience.Resilience.attempts;
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
import io.remora.core.server.ProxyServer;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scenario (c): when every host fails, the retry budget keeps retries to {@code retry_ratio} of the requests plus
 * the {@code min_retries_per_second} reserve, cluster-wide across event loops: a total outage is not made worse
 * by tripling the load on it.
 */
@Timeout(30)
class RetryStormTest {
    private static final double RATIO = 0.2;
    private static final int MIN_PER_SECOND = 10;
    private static final Duration TTL = Duration.ofSeconds(1);

    @Test
    void everyHostFailingStaysWithinTheRetryBudget() throws Exception {
        try (FakeUpstream x = new FakeUpstream("x").handler(req -> Resilience.status(503));
                FakeUpstream y = new FakeUpstream("y").handler(req -> Resilience.status(503))) {
            // max_retries out of the way, so the budget alone limits retries
            ClusterConfig c = withCircuitBreakers(withRetryBudget(
                    cluster("c", LbPolicy.ROUND_ROBIN, x.address(), y.address()),
                    new RetryBudgetConfig(RATIO, MIN_PER_SECOND, TTL)), breakers(1024, 1024, 1024, 1024));
            RouteConfig r = withRetry(route("/", "c"), withBackoff(retry(2, RetryOn.FIVE_XX),
                    Duration.ofMillis(1), Duration.ofMillis(5)));
            try (ProxyHarness p = ProxyHarness.start(List.of(httpListener("in", List.of(r))), List.of(c),
                    ProxyServer.Options.defaults().withWorkerThreads(2))) {
                Traffic t = Traffic.run(p.port("in"), 4, 150, Duration.ofSeconds(20), Traffic.get("/"));
                int originals = t.total();
                assertEquals(600, originals, t.toString());
                assertEquals(originals, t.count("503 URX"),
                        "every request gets the upstream's 503, marked URX (budget or attempts spent): " + t);

                long attempts = appRequests(x) + appRequests(y);
                double seconds = t.seconds();
                // Finagle accounting: within any ttl, retries <= ratio x originals of that ttl + the reserve
                // (min_retries_per_second x ttl); over the run that is ratio x originals + min x (duration + ttl).
                // The slack covers the window being ten ttl/10 slots, so a run spans one slot more than it lasts.
                double bound = originals * (1 + RATIO) + MIN_PER_SECOND * (seconds + TTL.toSeconds()) + 5;
                Map<String, Integer> byAttempt = attempts(List.of(x, y));
                String detail = attempts + " upstream attempts for " + originals + " requests in "
                        + String.format("%.2f", seconds) + " s (bound " + (long) bound + "): " + byAttempt;
                assertTrue(attempts <= bound, "retry storm: " + detail);
                assertEquals(originals, (int) byAttempt.getOrDefault("1", 0), "one first attempt each: " + detail);
                int retries = byAttempt.getOrDefault("2", 0) + byAttempt.getOrDefault("3", 0);
                assertTrue(retries >= originals * RATIO * 0.5, "the budget does allow retries: " + detail);
                Resilience.assertNothingHeld(p, "c");
            }
        }
    }
}
