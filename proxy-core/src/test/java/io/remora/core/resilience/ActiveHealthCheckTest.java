package io.remora.core.resilience;

import static io.remora.core.resilience.Resilience.appRequests;
import static io.remora.core.resilience.Resilience.host;
import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpHealthCheck;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static io.remora.core.testing.Configs.tcpHealthCheck;
import static io.remora.core.testing.Configs.withHealthCheck;
import static io.remora.core.testing.Configs.withPanicThreshold;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.remora.config.model.ClusterConfig;
import io.remora.config.model.HealthCheckConfig;
import io.remora.config.model.LbPolicy;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import io.remora.core.upstream.Cluster;
import io.remora.core.upstream.Host;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Active health checks over loopback: a host failing {@code /healthz} leaves the balancer within about
 * {@code unhealthy_threshold} intervals and returns after {@code healthy_threshold} passes; panic mode spreads
 * traffic over every host when too few are healthy.
 */
@Timeout(30)
class ActiveHealthCheckTest {
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final HealthCheckConfig HTTP_CHECK = httpHealthCheck(INTERVAL, Duration.ofMillis(500), 2, 2,
            "/healthz");

    /** A backend whose {@code /healthz} answers 200 while {@code healthy} holds, else 503. */
    private static FakeUpstream backend(String name, AtomicBoolean healthy) {
        return backend(name, healthy, new AtomicInteger(), new AtomicInteger());
    }

    /** As {@link #backend(String, AtomicBoolean)}, counting the probes it passed and failed. */
    private static FakeUpstream backend(String name, AtomicBoolean healthy, AtomicInteger passed,
            AtomicInteger failed) {
        return new FakeUpstream(name).handler(req -> {
            if (req.uri().startsWith("/healthz")) {
                boolean ok = healthy.get();
                (ok ? passed : failed).incrementAndGet();
                return Resilience.status(ok ? 200 : 503);
            }
            return FakeUpstream.text(HttpResponseStatus.OK, "hello from " + name);
        });
    }

    private static ProxyHarness proxy(ClusterConfig c) throws Exception {
        return ProxyHarness.start(List.of(httpListener("in", List.of(route("/", "c")))), List.of(c));
    }

    private static void send(RawHttpClient c, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            assertEquals(200, c.get("/").status());
        }
    }

    @Test
    void hostFailingItsHealthCheckLeavesTheBalancerAndReturnsAfterHealthyThreshold() throws Exception {
        AtomicBoolean cHealthy = new AtomicBoolean(true);
        AtomicBoolean yes = new AtomicBoolean(true);
        AtomicInteger cPassed = new AtomicInteger();
        AtomicInteger cFailed = new AtomicInteger();
        try (FakeUpstream a = backend("a", yes); FakeUpstream b = backend("b", yes);
                FakeUpstream c = backend("c", cHealthy, cPassed, cFailed);
                ProxyHarness p = proxy(withHealthCheck(
                        cluster("c", LbPolicy.ROUND_ROBIN, a.address(), b.address(), c.address()), HTTP_CHECK));
                RawHttpClient client = p.client("in")) {
            Cluster cluster = Resilience.cluster(p, "c");
            Host cHost = host(p, "c", c);
            Await.until("every host to pass its first check", () -> cluster.hostSet().available() == 3);
            send(client, 6);
            assertTrue(appRequests(c) >= 1, "the healthy host c takes traffic");

            cHealthy.set(false);
            long start = System.nanoTime();
            Await.until("c to leave the balancer", Duration.ofSeconds(3), () -> cluster.hostSet().available() == 2);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertFalse(cHost.isHealthy());
            assertTrue(cHost.unhealthyReason().contains("503"), cHost.unhealthyReason());
            // unhealthy_threshold 2 at a 100 ms interval (+10% jitter): two probes, ~200 ms; generous for CI
            assertTrue(tookMs < 1000, "left within ~2 intervals, took " + tookMs + " ms");
            assertTrue(cFailed.get() >= 2, "not before unhealthy_threshold (2) failed probes: " + cFailed);
            long before = appRequests(c);
            send(client, 20);
            assertEquals(before, appRequests(c), "an unhealthy host gets no traffic");

            int passedBefore = cPassed.get();
            cHealthy.set(true);
            start = System.nanoTime();
            Await.until("c to return", Duration.ofSeconds(3), () -> cluster.hostSet().available() == 3);
            tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(cHost.isHealthy());
            assertTrue(tookMs < 1000, "returned after healthy_threshold passes, took " + tookMs + " ms");
            assertTrue(cPassed.get() - passedBefore >= 2, "not before healthy_threshold (2) passed probes: "
                    + (cPassed.get() - passedBefore));
            send(client, 6);
            assertTrue(appRequests(c) > before, "c takes traffic again");
        }
    }

    @Test
    void tcpHealthCheckKeepsADeadHostOutOfTheBalancerFromTheStart() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        try (FakeUpstream a = new FakeUpstream("a"); FakeUpstream b = new FakeUpstream("b");
                ProxyHarness p = proxy(withHealthCheck(cluster("c", LbPolicy.ROUND_ROBIN, a.address(), b.address(),
                        "127.0.0.1:" + dead), tcpHealthCheck(INTERVAL, Duration.ofMillis(500), 2, 2)));
                RawHttpClient client = p.client("in")) {
            Cluster cluster = Resilience.cluster(p, "c");
            Await.until("the live hosts to pass their first check", () -> cluster.hostSet().available() == 2);
            // no retry policy: a request sent to the dead host would come back 503 UF
            send(client, 30);
            assertEquals(30, appRequests(a) + appRequests(b));
        }
    }

    @Test
    void panicModeSpreadsTrafficOverAllHostsWhenTooFewAreHealthy() throws Exception {
        AtomicBoolean yes = new AtomicBoolean(true);
        AtomicBoolean no = new AtomicBoolean(false);
        try (FakeUpstream a = backend("a", yes); FakeUpstream b = backend("b", no); FakeUpstream c = backend("c", no);
                ProxyHarness p = proxy(withPanicThreshold(withHealthCheck(
                        cluster("c", LbPolicy.ROUND_ROBIN, a.address(), b.address(), c.address()), HTTP_CHECK), 50));
                RawHttpClient client = p.client("in")) {
            Cluster cluster = Resilience.cluster(p, "c");
            awaitFirstChecks(p, List.of(a, b, c));
            Await.until("the snapshot to show 1 of 3 available", () -> cluster.hostSet().available() == 1);
            assertTrue(cluster.hostSet().panic(), "1 of 3 available is below the 50% panic threshold");
            send(client, 30);
            for (FakeUpstream u : List.of(a, b, c)) {
                assertTrue(appRequests(u) >= 5, "round robin over all three hosts, " + u.name() + " got "
                        + appRequests(u) + " of 30");
            }
        }
    }

    @Test
    void withPanicThresholdZeroOnlyTheHealthyHostGetsTraffic() throws Exception {
        AtomicBoolean yes = new AtomicBoolean(true);
        AtomicBoolean no = new AtomicBoolean(false);
        try (FakeUpstream a = backend("a", yes); FakeUpstream b = backend("b", no); FakeUpstream c = backend("c", no);
                ProxyHarness p = proxy(withPanicThreshold(withHealthCheck(
                        cluster("c", LbPolicy.ROUND_ROBIN, a.address(), b.address(), c.address()), HTTP_CHECK), 0));
                RawHttpClient client = p.client("in")) {
            Cluster cluster = Resilience.cluster(p, "c");
            awaitFirstChecks(p, List.of(a, b, c));
            Await.until("the snapshot to show 1 of 3 available", () -> cluster.hostSet().available() == 1);
            assertFalse(cluster.hostSet().panic());
            send(client, 30);
            assertEquals(30, appRequests(a));
            assertEquals(0, appRequests(b) + appRequests(c));
        }
    }

    private static void awaitFirstChecks(ProxyHarness p, List<FakeUpstream> ups) {
        Await.until("every host's first health check", () -> ups.stream()
                .map(u -> host(p, "c", u))
                .noneMatch(h -> Cluster.PENDING_FIRST_CHECK.equals(h.unhealthyReason())));
    }

    /**
     * Right after start every host is still waiting for its first check, and a cluster with none available
     * would be in panic mode, spreading requests over every host, the ones that have already failed their
     * first check included. Like Envoy's cluster warming, the proxy takes no traffic before the first round of
     * checks has an answer, so a host that failed it never sees a request.
     */
    @Test
    void hostThatFailedItsFirstCheckGetsNoTrafficEvenWhileOthersAreStillBeingChecked() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        // a live host whose probes (and answers) take 200 ms: the first round takes that long, while the dead
        // host has failed its first check at once
        try (FakeUpstream slow = new FakeUpstream("slow").delayResponses(Duration.ofMillis(200));
                ProxyHarness p = proxy(withHealthCheck(cluster("c", LbPolicy.ROUND_ROBIN, "127.0.0.1:" + dead,
                        slow.address()), httpHealthCheck(INTERVAL, Duration.ofSeconds(1), 2, 2, "/healthz")));
                RawHttpClient client = p.client("in")) {
            for (int i = 0; i < 3; i++) {
                RawResponse r = client.get("/");
                assertEquals(200, r.status(), "request " + i + " went to the dead host: " + r);
            }
        }
    }
}
