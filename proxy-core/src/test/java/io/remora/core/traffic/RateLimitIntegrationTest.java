package io.remora.core.traffic;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.traffic.Policies.listener;
import static io.remora.core.traffic.Policies.route;
import static io.remora.core.traffic.Policies.withRateLimit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.LbPolicy;
import io.remora.core.ratelimit.RateLimiter;
import io.remora.core.server.ProxyServer;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Local rate limits over loopback: listener-wide across event loops, and per key on a route. */
@Timeout(30)
class RateLimitIntegrationTest {

    private static RawResponse get(RawHttpClient c, String path, String apiKey) throws Exception {
        c.send("GET " + path + " HTTP/1.1\r\nHost: test\r\n" + (apiKey == null ? "" : "x-api-key: " + apiKey + "\r\n")
                + "\r\n");
        return c.readResponse();
    }

    /**
     * The accuracy test, for real: six clients on their own connections (spread over four event loops)
     * offer three times the listener's rate for a bounded period; what passes is rate × duration + burst within
     * 2%, and never more.
     */
    @Test
    void aListenerLimitHoldsAtThreeTimesItsRateAcrossEventLoops() throws Exception {
        double rate = 100;
        // a burst of a quarter second: a stall of the test machine shorter than that costs no admissions
        int burst = 25;
        int clients = 6;
        long periodNanos = 2_000_000_000L;
        long gapNanos = (long) (1e9 * clients / (3 * rate)); // each client's share of 3× the rate
        try (FakeUpstream up = new FakeUpstream("up");
                ProxyHarness p = ProxyHarness.start(
                        List.of(withRateLimit(listener("in", route("/").cluster("c").build()), rate, burst)),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())),
                        ProxyServer.Options.defaults().withWorkerThreads(4))) {
            // connect and warm up first, so that neither is part of the measured period; then let the bucket
            // fill up again, so the period starts with exactly the burst
            List<RawHttpClient> conns = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                RawHttpClient c = p.client("in");
                conns.add(c);
                for (int k = 0; k < 3; k++) {
                    get(c, "/", null);
                }
            }
            RateLimiter limiter = p.server().listenerRateLimiter("in");
            Await.until("the listener's bucket to be full again", () -> limiter.available(null) == burst);
            int warmUp = up.requests().size();
            long limitedBefore = limitedCount(p);
            LongAdder ok = new LongAdder();
            LongAdder limited = new LongAdder();
            LongAdder other = new LongAdder();
            AtomicLong firstSend = new AtomicLong(Long.MAX_VALUE);
            AtomicLong lastSend = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            long start = System.nanoTime() + 50_000_000L;
            List<Future<?>> runs = new ArrayList<>();
            for (RawHttpClient c : conns) {
                runs.add(pool.submit(() -> {
                    for (long at = start; at - start < periodNanos; at += gapNanos) {
                        long wait = at - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait); // pacing the offered load, not waiting for the proxy
                        }
                        long sent = System.nanoTime();
                        firstSend.accumulateAndGet(sent, Math::min);
                        lastSend.accumulateAndGet(sent, Math::max);
                        RawResponse r = get(c, "/", null);
                        if (r.status() == 200) {
                            ok.increment();
                        } else if (r.status() == 429) {
                            limited.increment();
                            assertEquals("RL", r.flags());
                            assertTrue(Long.parseLong(r.header("retry-after")) >= 1);
                        } else {
                            other.increment();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get();
            }
            pool.shutdown();
            for (RawHttpClient c : conns) {
                c.close();
            }
            double seconds = (lastSend.get() - firstSend.get()) / 1e9;
            double expected = rate * seconds + burst;
            long admitted = ok.sum();
            assertEquals(0, other.sum());
            assertTrue(ok.sum() + limited.sum() >= 1.5 * rate * seconds, "offered well over the rate: "
                    + (ok.sum() + limited.sum()) + " in " + seconds + " s");
            assertTrue(admitted <= expected + 1 + 0.005 * rate, "at most rate × T + burst: " + admitted + " > "
                    + expected);
            assertTrue(Math.abs(admitted - expected) <= 0.02 * expected, "admitted " + admitted + " in " + seconds
                    + " s, expected " + expected + " within 2%");
            assertEquals(admitted, up.requests().size() - warmUp, "a limited request never reaches the upstream");
            assertEquals(limited.sum(), limitedCount(p) - limitedBefore, "every 429 is counted");
        }
    }

    private static long limitedCount(ProxyHarness p) {
        String prefix = "remora_rate_limited_requests_total{listener=\"in\",limit=\"listener\"} ";
        return p.server().metrics().prometheus().lines().filter(l -> l.startsWith(prefix))
                .mapToLong(l -> Long.parseLong(l.substring(prefix.length()))).findFirst().orElseThrow();
    }

    @Test
    void aRouteLimitKeyedOnAHeaderKeepsEachKeyToItsOwnBucket() throws Exception {
        try (FakeUpstream up = new FakeUpstream("up");
                ProxyHarness p = ProxyHarness.start(
                        List.of(listener("in", route("/search").cluster("c").rateLimit(0.5, 3, "x-api-key").build(),
                                route("/").cluster("c").build())),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())));
                RawHttpClient c = p.client("in")) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, get(c, "/search?q=" + i, "alice").status());
            }
            RawResponse limited = get(c, "/search", "alice");
            assertEquals(429, limited.status());
            assertEquals("RL", limited.flags());
            assertEquals("2", limited.header("retry-after"), "one token every 2 s");
            for (int i = 0; i < 3; i++) {
                assertEquals(200, get(c, "/search", "bob").status(), "alice's bucket is not bob's");
            }
            assertEquals(429, get(c, "/search", "bob").status());
            for (int i = 0; i < 3; i++) {
                assertEquals(200, get(c, "/search", null).status(), "no key: a bucket of its own");
            }
            assertEquals(429, get(c, "/search", null).status());
            RawResponse other = get(c, "/other", "alice");
            assertEquals(200, other.status(), "other routes are not limited");
            assertNull(other.flags());
            assertEquals(10, up.requests().size());
            assertTrue(p.server().metrics().prometheus().contains(
                    "remora_rate_limited_requests_total{listener=\"in\",limit=\"route\"} 3"));
        }
    }
}
