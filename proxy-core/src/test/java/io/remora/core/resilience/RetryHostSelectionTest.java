package io.remora.core.resilience;

import static io.remora.core.resilience.Resilience.appRequests;
import static io.remora.core.resilience.Resilience.attempts;
import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.retry;
import static io.remora.core.testing.Configs.route;
import static io.remora.core.testing.Configs.withBackoff;
import static io.remora.core.testing.Configs.withHashOnHeader;
import static io.remora.core.testing.Configs.withRetry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.RetryOn;
import io.remora.config.model.RouteConfig;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * "A retry goes to a different host than the ones already tried when one exists", whatever the balancer: with
 * one of two hosts failing every request, a retry that went back to it would be a client-visible failure.
 * Randomised balancers are the hard case (two hosts: a random pick repeats the failed host half the time), and
 * {@code peak_ewma} the hardest: a host that fails fast looks fast, so power-of-two-choices keeps choosing it.
 */
@Timeout(30)
class RetryHostSelectionTest {

    @ParameterizedTest
    @EnumSource(LbPolicy.class)
    void retryNeverGoesBackToTheHostThatFailedWhenAnotherExists(LbPolicy policy) throws Exception {
        try (FakeUpstream bad = new FakeUpstream("bad").handler(req -> Resilience.status(503));
                FakeUpstream good = new FakeUpstream("good").delayResponses(Duration.ofMillis(2))) {
            ClusterConfig c = cluster("c", policy, bad.address(), good.address());
            if (policy == LbPolicy.RING_HASH) {
                c = withHashOnHeader(c, "x-user-id"); // absent from the requests: a random key each
            }
            RouteConfig r = withRetry(route("/", "c"), withBackoff(retry(2, RetryOn.FIVE_XX), Duration.ofMillis(1),
                    Duration.ofMillis(2)));
            try (ProxyHarness p = ProxyHarness.start(List.of(httpListener("in", List.of(r))), List.of(c))) {
                Traffic t = Traffic.run(p.port("in"), 2, 60, Duration.ofSeconds(15), Traffic.get("/"));
                assertEquals(120, t.total(), t.toString());
                Map<String, Integer> onBad = attempts(bad);
                assertEquals(Map.of("1", (int) appRequests(bad)), onBad,
                        policy + ": a retry went back to the failed host: " + onBad + "; client saw " + t);
                assertEquals(120, t.status(200), policy + ": " + t);
                assertTrue(appRequests(bad) > 0, policy + " sent first attempts to the failing host too");
                Resilience.assertNothingHeld(p, "c");
            }
        }
    }
}
