package io.remora.core.resilience;

import static io.remora.core.resilience.Resilience.appRequests;
import static io.remora.core.resilience.Resilience.host;
import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.consecutiveFailures;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.retry;
import static io.remora.core.testing.Configs.route;
import static io.remora.core.testing.Configs.withBackoff;
import static io.remora.core.testing.Configs.withOutlierDetection;
import static io.remora.core.testing.Configs.withRetry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.RetryOn;
import io.remora.config.model.RetryPolicyConfig;
import io.remora.config.model.RouteConfig;
import io.remora.core.server.ProxyServer;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawBackend;
import io.remora.core.upstream.Host;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Scenario (b): a backend that dies, or resets every request, under load; GETs never fail for the client. */
@Timeout(30)
class HostFailureTest {
    private static final RetryPolicyConfig RETRY = withBackoff(
            retry(2, RetryOn.CONNECT_FAILURE, RetryOn.RESET, RetryOn.FIVE_XX), Duration.ofMillis(1),
            Duration.ofMillis(10));

    private static ProxyHarness proxy(ClusterConfig c) throws Exception {
        RouteConfig r = withRetry(route("/", "c"), RETRY);
        return ProxyHarness.start(List.of(httpListener("in", List.of(r))), List.of(c),
                ProxyServer.Options.defaults().withWorkerThreads(2));
    }

    @Test
    void hostKilledMidRunCausesNoClientVisibleError() throws Exception {
        try (FakeUpstream a = new FakeUpstream("a"); FakeUpstream b = new FakeUpstream("b");
                FakeUpstream victim = new FakeUpstream("victim");
                ProxyHarness p = proxy(withOutlierDetection(
                        cluster("c", LbPolicy.ROUND_ROBIN, a.address(), b.address(), victim.address()),
                        consecutiveFailures(5, 3, Duration.ofMillis(100), Duration.ofMillis(500))))) {
            Host victimHost = host(p, "c", victim);
            try (Traffic t = Traffic.start(p.port("in"), 4, 300, Duration.ofSeconds(20), Traffic.get("/"))) {
                Await.until("traffic to reach every host, pooled connections included",
                        () -> t.completed() >= 200 && appRequests(victim) >= 20);
                victim.kill(); // its pooled connections close (FIN), new ones are refused
                int atKill = t.completed();
                t.await();
                assertEquals(1200, t.total(), t.toString());
                assertTrue(t.total() - atKill >= 300, "enough traffic after the kill: " + (t.total() - atKill));
                assertEquals(List.of(), t.failures());
                assertEquals(t.total(), t.status(200), "no client-visible error: " + t);
            }
            Resilience.assertNothingHeld(p, "c");
            assertTrue(victimHost.outlier().ejections() > 0 || victimHost.outlier().isEjected(),
                    "connect failures to the dead host eject it (consecutive_gateway_failure)");
        }
    }

    @Test
    void hostThatResetsEveryRequestIsRetriedElsewhere() throws Exception {
        try (FakeUpstream a = new FakeUpstream("a"); FakeUpstream b = new FakeUpstream("b");
                RawBackend resetter = new RawBackend(conn -> {
                    if (conn.readRequest() != null) {
                        conn.reset(); // RST after reading the whole request, before any response byte
                    }
                });
                ProxyHarness p = proxy(cluster("c", LbPolicy.ROUND_ROBIN, a.address(), b.address(),
                        resetter.address()))) {
            // no outlier detection: every third request meets the reset; 200 originals need ~67 retries, within
            // the default budget's reserve (10/s over a 10 s ttl)
            Traffic t = Traffic.run(p.port("in"), 2, 100, Duration.ofSeconds(20), Traffic.get("/"));
            assertEquals(200, t.total(), t.toString());
            assertEquals(200, t.status(200), "resets are retried on another host: " + t);
            assertTrue(resetter.requests().size() >= 40, "the resetting host did take its share: "
                    + resetter.requests().size());
            assertEquals(200, appRequests(a) + appRequests(b), "each request answered once, by a good host");
            Resilience.assertNothingHeld(p, "c");
        }
    }
}
