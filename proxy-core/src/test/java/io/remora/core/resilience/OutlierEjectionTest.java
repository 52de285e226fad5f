package io.remora.core.resilience;

import static io.remora.core.resilience.Resilience.appRequests;
import static io.remora.core.resilience.Resilience.attempts;
import static io.remora.core.resilience.Resilience.host;
import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.consecutiveFailures;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.retry;
import static io.remora.core.testing.Configs.route;
import static io.remora.core.testing.Configs.withOutlierDetection;
import static io.remora.core.testing.Configs.withRetry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.remora.config.model.ClusterConfig;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.OutlierDetectionConfig;
import io.remora.config.model.RetryOn;
import io.remora.config.model.RouteConfig;
import io.remora.core.server.ProxyServer;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawBackend;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import io.remora.core.upstream.Cluster;
import io.remora.core.upstream.Host;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Passive health over loopback: a backend that fails every request leaves the balancer the moment its
 * {@code consecutive_5xx}-th failure is counted, and with a retry policy the client never sees it fail.
 */
@Timeout(30)
class OutlierEjectionTest {
    private static final int CONSECUTIVE_5XX = 3;

    private static ProxyHarness proxy(Duration baseEjection, String... addresses) throws Exception {
        ClusterConfig c = withOutlierDetection(cluster("c", LbPolicy.ROUND_ROBIN, addresses),
                consecutiveFailures(CONSECUTIVE_5XX, 0, Duration.ofMillis(100), baseEjection));
        RouteConfig r = withRetry(route("/", "c"), retry(2, RetryOn.FIVE_XX));
        return ProxyHarness.start(List.of(httpListener("in", List.of(r))), List.of(c),
                ProxyServer.Options.defaults().withWorkerThreads(2));
    }

    /** Scenario (a). */
    @Test
    void hostThatAlwaysAnswers503IsEjectedAndRetriesKeepTheClientSuccessRateAbove999() throws Exception {
        try (FakeUpstream a = new FakeUpstream("a"); FakeUpstream b = new FakeUpstream("b");
                FakeUpstream bad = new FakeUpstream("bad").handler(req -> Resilience.status(503));
                ProxyHarness p = proxy(Duration.ofSeconds(1), a.address(), b.address(), bad.address())) {
            Cluster cluster = Resilience.cluster(p, "c");
            Host badHost = host(p, "c", bad);

            // one request at a time until the bad host has failed consecutive_5xx times: it is ejected inline,
            // before the retry of that last failure is even sent, so it is ejected when the client has its answer
            try (RawHttpClient c = p.client("in")) {
                for (int i = 0; i < 20 && appRequests(bad) < CONSECUTIVE_5XX; i++) {
                    RawResponse r = c.get("/");
                    assertEquals(200, r.status(), "the retry hides the 503: " + r);
                }
            }
            assertEquals(CONSECUTIVE_5XX, appRequests(bad));
            assertTrue(badHost.outlier().isEjected(), "ejected at the " + CONSECUTIVE_5XX + "rd consecutive 503");
            assertTrue(badHost.outlier().ejectionReason().contains(CONSECUTIVE_5XX + " consecutive 5xx"),
                    badHost.outlier().ejectionReason());
            assertEquals(1, cluster.outlierDetector().ejectedCount());
            assertFalse(badHost.isAvailable());
            Await.until("the balancer to be rebuilt without the ejected host",
                    () -> cluster.hostSet().available() == 2);

            long badBefore = appRequests(bad);
            Traffic t = Traffic.run(p.port("in"), 4, 250, Duration.ofSeconds(20), Traffic.get("/"));
            assertEquals(1000, t.total(), t.toString());
            assertTrue(t.status(200) >= 999, "success rate >= 99.9%: " + t);
            long badDuring = appRequests(bad) - badBefore;
            // the ejection (1 s) may end during the run: each return costs consecutive_5xx failures,
            // a few more when several clients race onto it, but never a share of the traffic
            assertTrue(badDuring <= 20, "the ejected host got " + badDuring + " of 1000 requests");

            // every failure on the bad host was retried once, on a good host; nothing else was retried
            Map<String, Integer> bad1 = attempts(bad);
            assertEquals(Map.of("1", (int) appRequests(bad)), bad1, "a retry never goes back to the bad host");
            Map<String, Integer> good = attempts(List.of(a, b));
            long clientFailures = t.total() - t.status(200);
            assertEquals(appRequests(bad) - clientFailures, (long) good.getOrDefault("2", 0),
                    "one retry (x-remora-attempt: 2) per 503: " + good);
            assertFalse(good.containsKey("3"), "no request needed a third attempt: " + good);
            Resilience.assertNothingHeld(p, "c");
        }
    }

    @Test
    void ejectedHostReturnsAfterBaseEjectionTimeAndTakesTrafficOnceItRecovered() throws Exception {
        Duration base = Duration.ofMillis(300);
        AtomicBoolean failing = new AtomicBoolean(true);
        try (FakeUpstream a = new FakeUpstream("a");
                FakeUpstream flaky = new FakeUpstream("flaky");
                ProxyHarness p = proxy(base, a.address(), flaky.address());
                RawHttpClient c = p.client("in")) {
            flaky.handler(req -> failing.get() ? Resilience.status(503)
                    : FakeUpstream.text(HttpResponseStatus.OK, "hello from flaky"));
            Host flakyHost = host(p, "c", flaky);
            for (int i = 0; i < 20 && !flakyHost.outlier().isEjected(); i++) {
                assertEquals(200, c.get("/").status());
            }
            long ejectedAt = System.nanoTime();
            assertTrue(flakyHost.outlier().isEjected());
            failing.set(false); // it recovers while ejected; only the ejection's end brings it back
            long before = appRequests(flaky);
            for (int i = 0; i < 10; i++) {
                assertEquals("hello from a", c.get("/").bodyText(), "an ejected host gets no traffic");
            }
            assertEquals(before, appRequests(flaky));
            Await.until("the ejection to end", Duration.ofSeconds(3), () -> !flakyHost.outlier().isEjected());
            long ejectedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ejectedAt);
            assertTrue(ejectedMs >= base.toMillis() - 20, "ejected for base_ejection_time, was " + ejectedMs + " ms");
            Await.until("the returned host to take traffic again", () -> {
                try {
                    return c.get("/").bodyText().equals("hello from flaky");
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    /**
     * A host failing every other request never reaches a consecutive threshold; the interval detectors see it.
     * Failure percentage: at least {@code threshold}% failures over {@code request_volume} requests in one
     * interval, with {@code minimum_hosts} hosts that had that volume.
     */
    @Test
    void failurePercentageEjectsAHostThatFailsEveryOtherRequest() throws Exception {
        AtomicInteger n = new AtomicInteger();
        try (FakeUpstream a = new FakeUpstream("a"); FakeUpstream b = new FakeUpstream("b");
                FakeUpstream half = new FakeUpstream("half").handler(req -> n.getAndIncrement() % 2 == 0
                        ? Resilience.status(503)
                        : FakeUpstream.text(HttpResponseStatus.OK, "ok"))) {
            ClusterConfig c = withOutlierDetection(
                    cluster("c", LbPolicy.ROUND_ROBIN, a.address(), b.address(), half.address()),
                    new OutlierDetectionConfig(0, 0, Duration.ofMillis(200),
                            Duration.ofSeconds(5), Duration.ofSeconds(50), 50, null,
                            new OutlierDetectionConfig.FailurePercentage(40, 3, 10)));
            try (ProxyHarness p = ProxyHarness.start(List.of(httpListener("in", List.of(route("/", "c")))),
                    List.of(c)); RawHttpClient client = p.client("in")) {
                Host halfHost = host(p, "c", half);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!halfHost.outlier().isEjected() && System.nanoTime() - deadline < 0) {
                    client.get("/");
                }
                assertTrue(halfHost.outlier().isEjected(), "ejected by the failure-percentage detector");
                assertTrue(halfHost.outlier().ejectionReason().startsWith("failure percentage"),
                        halfHost.outlier().ejectionReason());
                assertFalse(host(p, "c", a).outlier().isEjected());
                assertFalse(host(p, "c", b).outlier().isEjected());
            }
        }
    }

    /** Success rate: below mean - stdev_factor x stdev of the hosts with enough volume in the interval. */
    @Test
    void successRateEjectsTheOutlierAmongFiveHosts() throws Exception {
        AtomicInteger n = new AtomicInteger();
        List<FakeUpstream> ups = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                ups.add(new FakeUpstream("ok" + i));
            }
            FakeUpstream half = new FakeUpstream("half").handler(req -> n.getAndIncrement() % 2 == 0
                    ? Resilience.status(503)
                    : FakeUpstream.text(HttpResponseStatus.OK, "ok"));
            ups.add(half);
            ClusterConfig c = withOutlierDetection(
                    cluster("c", LbPolicy.ROUND_ROBIN, ups.stream().map(FakeUpstream::address).toArray(String[]::new)),
                    new OutlierDetectionConfig(0, 0, Duration.ofMillis(300),
                            Duration.ofSeconds(5), Duration.ofSeconds(50), 50,
                            new OutlierDetectionConfig.SuccessRate(5, 10, 1.9), null));
            try (ProxyHarness p = ProxyHarness.start(List.of(httpListener("in", List.of(route("/", "c")))),
                    List.of(c)); RawHttpClient client = p.client("in")) {
                Host halfHost = host(p, "c", half);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!halfHost.outlier().isEjected() && System.nanoTime() - deadline < 0) {
                    client.get("/");
                }
                assertTrue(halfHost.outlier().isEjected(), "ejected by the success-rate detector");
                assertTrue(halfHost.outlier().ejectionReason().startsWith("success rate"),
                        halfHost.outlier().ejectionReason());
                assertEquals(1, Resilience.cluster(p, "c").outlierDetector().ejectedCount());
            }
        } finally {
            ups.forEach(FakeUpstream::close);
        }
    }

    /**
     * Timeouts are gateway failures (Envoy records a route timeout as one too): a host that accepts requests and
     * never answers must be ejected after {@code consecutive_gateway_failure} route timeouts, even on a route
     * without retries (no per-try timeout), or every request sent to it keeps costing the client a 504.
     */
    @Test
    void hostThatNeverAnswersIsEjectedAfterConsecutiveRouteTimeouts() throws Exception {
        try (RawBackend hung = new RawBackend(conn -> {
                    conn.readHead();
                    conn.awaitEof();
                });
                FakeUpstream good = new FakeUpstream("good")) {
            ClusterConfig c = withOutlierDetection(cluster("c", LbPolicy.ROUND_ROBIN, hung.address(), good.address()),
                    consecutiveFailures(0, 3, Duration.ofMillis(100), Duration.ofSeconds(5)));
            try (ProxyHarness p = ProxyHarness.start(List.of(httpListener("in",
                    List.of(route("/", "c", Duration.ofMillis(150))))), List.of(c));
                    RawHttpClient client = p.client("in")) {
                Cluster cluster = Resilience.cluster(p, "c");
                Host hungHost = cluster.hostSet().hosts().stream()
                        .filter(h -> h.address().getPort() == hung.port()).findFirst().orElseThrow();
                for (int i = 0; i < 12 && hung.requests().size() < 3; i++) {
                    RawResponse r = client.get("/");
                    assertTrue(r.status() == 200 || (r.status() == 504 && "UT".equals(r.flags())), r.toString());
                }
                assertEquals(3, hung.requests().size());
                assertTrue(hungHost.outlier().isEjected(), "three route timeouts in a row eject the host");
                assertTrue(hungHost.outlier().ejectionReason().contains("gateway"),
                        hungHost.outlier().ejectionReason());
                for (int i = 0; i < 10; i++) {
                    assertEquals(200, client.get("/").status(), "the hung host gets no more requests");
                }
                assertEquals(3, hung.requests().size());
                Resilience.assertNothingHeld(p, "c");
            }
        }
    }
}
