package io.remora.core.tls;

import static io.remora.core.testing.Configs.breakers;
import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.retry;
import static io.remora.core.testing.Configs.route;
import static io.remora.core.testing.Configs.withCircuitBreakers;
import static io.remora.core.testing.Configs.withRetry;
import static io.remora.core.testing.Configs.withTimeouts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.RetryOn;
import io.remora.config.model.TlsConfig.TlsMode;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawBackend;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream TLS failures are connect failures in every respect: bounded by {@code connect_timeout} (an upstream
 * that accepts but never completes the handshake), giving back their connection slot (circuit breaker), and
 * retried on another host under {@code retry_on: connect-failure}.
 */
@Timeout(30)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamTlsTest {
    @TempDir
    static Path dir;

    private Path frontend;
    private FakeUpstream backend;
    private ProxyHarness upstreams;

    @BeforeAll
    void start() throws Exception {
        Path ca = Mtls.ca(dir.resolve("ca"));
        frontend = Mtls.workload(ca, dir.resolve("frontend"), Mtls.FRONTEND);
        Path api = Mtls.workload(ca, dir.resolve("api"), Mtls.API);
        Path stranger = Mtls.workload(ca, dir.resolve("stranger"), Mtls.STRANGER);
        backend = new FakeUpstream("backend");
        upstreams = ProxyHarness.start(List.of(
                Mtls.withTls(httpListener("api", List.of(route("/", "backend"))),
                        Mtls.serverTls(api, true, TlsMode.STRICT, Mtls.FRONTEND)),
                Mtls.withTls(httpListener("impostor", List.of(route("/", "backend"))),
                        Mtls.serverTls(stranger, true, TlsMode.STRICT))),
                List.of(cluster("backend", LbPolicy.ROUND_ROBIN, backend.address())));
    }

    @AfterAll
    void stop() {
        if (upstreams != null) {
            upstreams.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private ClusterConfig tlsCluster(String name, String... addresses) {
        return tls(cluster(name, LbPolicy.ROUND_ROBIN, addresses));
    }

    /** Last: the Configs.with* helpers build through the constructor of code written before TLS (no tls). */
    private ClusterConfig tls(ClusterConfig c) {
        return Mtls.withTls(c, Mtls.clientTls(frontend, Mtls.API, null));
    }

    private String at(String listener) {
        return "127.0.0.1:" + upstreams.port(listener);
    }

    @Test
    void aStalledHandshakeIsBoundedByConnectTimeout() throws Exception {
        try (RawBackend silent = new RawBackend(conn -> conn.awaitEof()); // accepts, never says a word
                ProxyHarness a = ProxyHarness.start(List.of(httpListener("out", List.of(route("/", "silent")))),
                        List.of(tls(withTimeouts(cluster("silent", LbPolicy.ROUND_ROBIN, silent.address()),
                                Duration.ofMillis(300), Duration.ofSeconds(60)))));
                RawHttpClient c = a.client("out")) {
            long t0 = System.nanoTime();
            RawResponse r = c.get("/x");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(503, r.status(), r.toString());
            assertEquals("UF", r.flags(), r.toString());
            assertTrue(ms < 3_000, "failed after " + ms + " ms; connect_timeout is 300 ms");
            assertEquals(1.0, Mtls.metric(a, "remora_upstream_tls_failures_total", "cluster", "silent"));
        }
    }

    @Test
    void aPlaintextUpstreamIsAConnectFailure() throws Exception {
        try (ProxyHarness a = ProxyHarness.start(List.of(httpListener("out", List.of(route("/", "plain")))),
                List.of(tlsCluster("plain", backend.address())));
                RawHttpClient c = a.client("out")) {
            RawResponse r = c.get("/x");
            assertEquals(503, r.status(), r.toString());
            assertEquals("UF", r.flags(), r.toString());
        }
    }

    @Test
    void failedHandshakesGiveBackTheirConnectionSlot() throws Exception {
        try (ProxyHarness a = ProxyHarness.start(List.of(httpListener("out", List.of(route("/", "impostor")))),
                List.of(tls(withCircuitBreakers(cluster("impostor", LbPolicy.ROUND_ROBIN, at("impostor")),
                        breakers(1, 10, 10, 3)))));
                RawHttpClient c = a.client("out")) {
            for (int i = 0; i < 5; i++) {
                RawResponse r = c.get("/x" + i);
                assertEquals(503, r.status(), "attempt " + i + ": " + r);
                assertEquals("UF", r.flags(), "attempt " + i + " (max_connections 1): " + r);
            }
            assertEquals(5.0, Mtls.metric(a, "remora_upstream_tls_failures_total", "cluster", "impostor"));
        }
    }

    @Test
    void aRetryOnConnectFailureReachesTheRightHost() throws Exception {
        try (ProxyHarness a = ProxyHarness.start(
                List.of(httpListener("out", List.of(withRetry(route("/", "mixed"), retry(1, RetryOn.CONNECT_FAILURE))))),
                List.of(tlsCluster("mixed", at("impostor"), at("api"))));
                RawHttpClient c = a.client("out")) {
            for (int i = 0; i < 4; i++) {
                RawResponse r = c.get("/x" + i);
                assertEquals(200, r.status(), "request " + i + ": " + r);
            }
            assertTrue(Mtls.metric(a, "remora_upstream_tls_failures_total", "cluster", "mixed") >= 1.0);
        }
    }
}
