package io.remora.core.resilience;

import static io.remora.core.resilience.Resilience.appRequests;
import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.retry;
import static io.remora.core.testing.Configs.route;
import static io.remora.core.testing.Configs.withBackoff;
import static io.remora.core.testing.Configs.withCircuitBreakers;
import static io.remora.core.testing.Configs.withRetry;
import static io.remora.core.testing.Configs.withTimeouts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.CircuitBreakersConfig;
import io.remora.config.model.ClusterConfig;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.RetryOn;
import io.remora.config.model.RouteConfig;
import io.remora.core.breaker.CircuitBreaker;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A host whose connects hang (SYNs dropped, as behind a firewall or an overloaded accept queue): the pending
 * request limits and {@code pending_timeout} answer 503 {@code UO}, and {@code connect_timeout} with a retry
 * policy moves the request to a live host.
 *
 * <p>The black hole is a loopback listener that never accepts, with its accept queue filled: Linux then drops
 * further SYNs, so a connect neither succeeds nor is refused until its timeout.
 */
@Timeout(30)
class BlackholedHostTest {
    private ServerSocket hole;
    private final List<Socket> fillers = new ArrayList<>();

    @BeforeEach
    void openBlackHole() throws IOException {
        hole = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        for (int i = 0; i < 16; i++) {
            Socket s = new Socket();
            fillers.add(s);
            try {
                s.connect(hole.getLocalSocketAddress(), 200);
            } catch (SocketTimeoutException full) {
                return; // the accept queue is full: connects now hang
            }
        }
        throw new IllegalStateException("could not fill the accept queue of " + hole.getLocalSocketAddress());
    }

    @AfterEach
    void closeBlackHole() throws IOException {
        for (Socket s : fillers) {
            s.close();
        }
        hole.close();
    }

    private String holeAddress() {
        return "127.0.0.1:" + ((InetSocketAddress) hole.getLocalSocketAddress()).getPort();
    }

    private static ProxyHarness proxy(ClusterConfig c, RouteConfig r) throws Exception {
        return ProxyHarness.start(List.of(httpListener("in", List.of(r))), List.of(c));
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void requestWaitingForAConnectionLongerThanPendingTimeoutIs503Uo() throws Exception {
        ClusterConfig c = withCircuitBreakers(withTimeouts(cluster("c", LbPolicy.ROUND_ROBIN, holeAddress()),
                Duration.ofSeconds(5), Duration.ofSeconds(60)),
                new CircuitBreakersConfig(1024, 1024, 1024, 3, Duration.ofMillis(200)));
        try (ProxyHarness p = proxy(c, route("/", "c", Duration.ofSeconds(5))); RawHttpClient client = p.client("in")) {
            long start = System.nanoTime();
            RawResponse r = client.get("/");
            long took = millisSince(start);
            assertEquals(503, r.status(), r.toString());
            assertEquals("UO", r.flags());
            assertTrue(r.bodyText().contains("pending_timeout"), r.bodyText());
            assertTrue(took >= 180 && took < 1500, "at the 200 ms pending_timeout, took " + took + " ms");
            CircuitBreaker b = Resilience.cluster(p, "c").breaker();
            assertEquals(0, b.current(CircuitBreaker.Kind.PENDING_REQUESTS), "the pending slot was given back");
        }
    }

    @Test
    void requestOverMaxPendingRequestsIs503UoAtOnce() throws Exception {
        ClusterConfig c = withCircuitBreakers(withTimeouts(cluster("c", LbPolicy.ROUND_ROBIN, holeAddress()),
                Duration.ofSeconds(5), Duration.ofSeconds(60)),
                new CircuitBreakersConfig(1024, 1, 1024, 3, Duration.ofSeconds(5)));
        try (ProxyHarness p = proxy(c, route("/", "c", Duration.ofSeconds(5)));
                RawHttpClient c1 = p.client("in"); RawHttpClient c2 = p.client("in")) {
            CircuitBreaker b = Resilience.cluster(p, "c").breaker();
            c1.send("GET / HTTP/1.1\r\nHost: test\r\n\r\n");
            Await.until("the first request to wait for its connection",
                    () -> b.current(CircuitBreaker.Kind.PENDING_REQUESTS) == 1);
            long start = System.nanoTime();
            RawResponse r = c2.get("/");
            long took = millisSince(start);
            assertEquals(503, r.status(), r.toString());
            assertEquals("UO", r.flags());
            assertTrue(r.bodyText().contains("max_pending_requests"), r.bodyText());
            assertTrue(took < 1000, "at once: " + took + " ms");
        }
    }

    @Test
    void connectTimeoutIsRetriedOnAnotherHost() throws Exception {
        try (FakeUpstream good = new FakeUpstream("good")) {
            ClusterConfig c = withTimeouts(cluster("c", LbPolicy.ROUND_ROBIN, holeAddress(), good.address()),
                    Duration.ofMillis(150), Duration.ofSeconds(60));
            RouteConfig r = withRetry(route("/", "c", Duration.ofSeconds(5)), withBackoff(
                    retry(1, RetryOn.CONNECT_FAILURE), Duration.ofMillis(1), Duration.ofMillis(2)));
            try (ProxyHarness p = proxy(c, r); RawHttpClient client = p.client("in")) {
                long slowest = 0;
                for (int i = 0; i < 4; i++) {
                    long start = System.nanoTime();
                    RawResponse resp = client.get("/");
                    slowest = Math.max(slowest, millisSince(start));
                    assertEquals(200, resp.status(), resp.toString());
                }
                assertEquals(4, appRequests(good));
                assertTrue(slowest >= 140 && slowest < 2000, "a request met the 150 ms connect timeout: " + slowest);
                Resilience.assertNothingHeld(p, "c");
            }
        }
    }
}
