package io.remora.core.resilience;

import static io.remora.core.testing.Configs.breakers;
import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static io.remora.core.testing.Configs.withCircuitBreakers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.CircuitBreakersConfig;
import io.remora.config.model.LbPolicy;
import io.remora.core.breaker.CircuitBreaker;
import io.remora.core.server.ProxyServer;
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

/**
 * Scenario (e): a request over a circuit-breaker limit is answered 503 {@code UO} at once, however many event
 * loops share the cluster, and the limit frees up as requests finish.
 */
@Timeout(30)
class CircuitBreakerOverflowTest {
    private static final Duration ROUTE_TIMEOUT = Duration.ofSeconds(5);

    private static ProxyHarness proxy(FakeUpstream up, CircuitBreakersConfig limits) throws Exception {
        return ProxyHarness.start(List.of(httpListener("in", List.of(route("/", "c", ROUTE_TIMEOUT)))),
                List.of(withCircuitBreakers(cluster("c", LbPolicy.ROUND_ROBIN, up.address()), limits)),
                ProxyServer.Options.defaults().withWorkerThreads(2));
    }

    private static final String GET = "GET / HTTP/1.1\r\nHost: test\r\n\r\n";

    @Test
    void requestOverMaxRequestsIsAnswered503UoAtOnce() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a");
                ProxyHarness p = proxy(up, breakers(1024, 1024, 2, 3));
                RawHttpClient c1 = p.client("in"); RawHttpClient c2 = p.client("in");
                RawHttpClient c3 = p.client("in")) {
            CircuitBreaker breaker = Resilience.cluster(p, "c").breaker();
            up.holdResponses();
            c1.send(GET);
            c2.send(GET); // two connections, spread over the two event loops: the limit is cluster-wide
            Await.until("two requests to be held by the backend", () -> up.requests().size() == 2);
            assertEquals(2, breaker.current(CircuitBreaker.Kind.REQUESTS));

            long start = System.nanoTime();
            RawResponse r = c3.get("/");
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(503, r.status(), r.toString());
            assertEquals("UO", r.flags());
            assertTrue(r.bodyText().contains("max_requests"), r.bodyText());
            assertTrue(took < 1000, "at once, not at the " + ROUTE_TIMEOUT.toMillis() + " ms route timeout: " + took);
            assertEquals(2, up.requests().size(), "the overflowing request never reached the backend");
            assertTrue(breaker.overflows(CircuitBreaker.Kind.REQUESTS) >= 1);

            up.releaseHeld();
            assertEquals(200, c1.readResponse().status());
            assertEquals(200, c2.readResponse().status());
            Await.until("the request slots to be given back",
                    () -> breaker.current(CircuitBreaker.Kind.REQUESTS) == 0);
            assertEquals(200, c3.get("/").status(), "the limit frees up as requests finish");
            Resilience.assertNothingHeld(p, "c");
        }
    }

    @Test
    void newConnectionOverMaxConnectionsIsAnswered503Uo() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a");
                ProxyHarness p = proxy(up, breakers(1, 1024, 1024, 3));
                RawHttpClient c1 = p.client("in"); RawHttpClient c2 = p.client("in")) {
            CircuitBreaker breaker = Resilience.cluster(p, "c").breaker();
            up.holdResponses();
            c1.send(GET); // holds the one upstream connection allowed
            Await.until("the first request to be held", () -> up.requests().size() == 1);
            long start = System.nanoTime();
            RawResponse r = c2.get("/");
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(503, r.status(), r.toString());
            assertEquals("UO", r.flags());
            assertTrue(r.bodyText().contains("max_connections"), r.bodyText());
            assertTrue(took < 1000, "at once: " + took + " ms");
            assertEquals(1, up.connections());

            up.releaseHeld();
            assertEquals(200, c1.readResponse().status());
            // the connection went back to a pool: a request on the same event loop reuses it, one on the other
            // loop cannot open a second one while it lives; either way the count never passes 1
            assertTrue(breaker.current(CircuitBreaker.Kind.CONNECTIONS) <= 1);
            assertEquals(200, c1.get("/").status(), "the pooled connection serves its loop again");
            Resilience.assertNothingHeld(p, "c");
        }
    }
}
