package io.remora.core.tls;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.LbPolicy;
import io.remora.config.model.TlsConfig.TlsMode;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inbound: every client an mTLS listener must refuse is refused during the handshake, never reaches the backend,
 * and is counted under its own reason in {@code remora_tls_handshake_failures_total{listener, reason}}.
 * Outbound: an upstream that cannot prove the expected identity is a connect failure ({@code 503 UF}) counted
 * in {@code remora_upstream_tls_failures_total}; with only {@code sni}, the DNS SAN is what is checked.
 */
@Timeout(30)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MtlsRefusalTest {
    private static final String L = "inbound";

    @TempDir
    static Path dir;

    private Path caDir;
    private Path otherCaDir;
    private Path frontend;
    private FakeUpstream backend;
    private ProxyHarness b;

    @BeforeAll
    void start() throws Exception {
        caDir = Mtls.ca(dir.resolve("ca"));
        otherCaDir = Mtls.ca(dir.resolve("other-ca"));
        frontend = Mtls.workload(caDir, dir.resolve("frontend"), Mtls.FRONTEND);
        Path api = Mtls.workload(caDir, dir.resolve("api"), Mtls.API);
        backend = new FakeUpstream("backend");
        b = ProxyHarness.start(
                List.of(Mtls.withTls(httpListener(L, List.of(route("/", "backend"))),
                        Mtls.serverTls(api, true, TlsMode.STRICT, Mtls.FRONTEND, "spiffe://cluster.local/ns/ops/*"))),
                List.of(cluster("backend", LbPolicy.ROUND_ROBIN, backend.address())));
    }

    @AfterAll
    void stop() {
        if (b != null) {
            b.close();
        }
        backend.close();
    }

    private SSLContext client(Path certDir) {
        return Mtls.clientContext(certDir, caDir.resolve(CertificateAuthority.CA_CERT_FILE));
    }

    private Path issue(String name, Path ca, String id, Clock clock) throws Exception {
        Path out = dir.resolve(name);
        CertificateAuthority.issue(ca, id, List.of(), Duration.ofHours(24), out, clock);
        return out;
    }

    /** Refuses {@code context}'s handshake, counted once under {@code reason} and under no other reason. */
    private void assertRefused(SSLContext context, TlsRefusal.Reason reason) {
        double[] before = new double[TlsRefusal.Reason.values().length];
        for (TlsRefusal.Reason r : TlsRefusal.Reason.values()) {
            before[r.ordinal()] = Mtls.handshakeFailures(b, L, r);
        }
        int requests = backend.requests().size();
        Exception why = TlsHttpClient.refused(b.port(L), context);
        Await.until(reason.label() + " counted (client saw: " + why + ")",
                () -> Mtls.handshakeFailures(b, L, reason) == before[reason.ordinal()] + 1);
        for (TlsRefusal.Reason r : TlsRefusal.Reason.values()) {
            if (r != reason) {
                assertEquals(before[r.ordinal()], Mtls.handshakeFailures(b, L, r),
                        "refused as " + reason.label() + ", also counted as " + r.label());
            }
        }
        assertEquals(requests, backend.requests().size(), "nothing reached the backend");
    }

    @Test
    void allowedClientsGetThrough() throws Exception {
        Path ops = issue("ops", caDir, "spiffe://cluster.local/ns/ops/sa/deploy", Clock.systemUTC());
        for (Path cert : List.of(frontend, ops)) {
            try (TlsHttpClient c = new TlsHttpClient(b.port(L), client(cert))) {
                RawResponse r = c.get("/ok");
                assertEquals(200, r.status(), r.toString());
            }
        }
    }

    @Test
    void noClientCertificate() {
        assertRefused(client(null), TlsRefusal.Reason.NO_CERTIFICATE);
    }

    @Test
    void certificateFromAnotherCa() throws Exception {
        // same SPIFFE ID as an allowed caller, but signed by a CA this listener does not trust
        assertRefused(client(issue("foreign", otherCaDir, Mtls.FRONTEND, Clock.systemUTC())),
                TlsRefusal.Reason.UNKNOWN_CA);
    }

    @Test
    void expiredCertificate() throws Exception {
        Clock twoDaysAgo = Clock.offset(Clock.systemUTC(), Duration.ofHours(-48)); // valid until a day ago
        assertRefused(client(issue("expired", caDir, Mtls.FRONTEND, twoDaysAgo)), TlsRefusal.Reason.EXPIRED);
    }

    @Test
    void notYetValidCertificate() throws Exception {
        Clock inTwoDays = Clock.offset(Clock.systemUTC(), Duration.ofHours(48));
        assertRefused(client(issue("future", caDir, Mtls.FRONTEND, inTwoDays)), TlsRefusal.Reason.NOT_YET_VALID);
    }

    @Test
    void identityOutsideAllowedIdentities() throws Exception {
        assertRefused(client(issue("stranger", caDir, Mtls.STRANGER, Clock.systemUTC())),
                TlsRefusal.Reason.IDENTITY_NOT_ALLOWED);
        // "ns/ops/*" covers what is below ns/ops, not a sibling whose name starts the same
        assertRefused(client(issue("ops-admin", caDir, "spiffe://cluster.local/ns/ops-admin/sa/x",
                Clock.systemUTC())), TlsRefusal.Reason.IDENTITY_NOT_ALLOWED);
    }

    @Test
    void aConnectionClosedBeforeAnyHandshakeIsNotARefusal() throws Exception {
        double before = 0;
        for (TlsRefusal.Reason r : TlsRefusal.Reason.values()) {
            before += Mtls.handshakeFailures(b, L, r);
        }
        for (int i = 0; i < 3; i++) { // a TCP health check: connect, close
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", b.port(L)), 5_000);
            }
        }
        Await.until("the probes' connections closed", () -> b.server().activeConnections() == 0);
        // a real refusal after them, counted once it is done: the probes (same event loop, earlier) are done too
        assertRefused(client(null), TlsRefusal.Reason.NO_CERTIFICATE);
        double after = 0;
        for (TlsRefusal.Reason r : TlsRefusal.Reason.values()) {
            after += Mtls.handshakeFailures(b, L, r);
        }
        assertEquals(before + 1, after, "a client that sent nothing was not refused, only the one without a certificate");
    }

    /** Outbound checks, through a second Remora whose clusters point at TLS listeners presenting various certs. */
    @Test
    void upstreamsThatCannotProveTheExpectedIdentityAreConnectFailures() throws Exception {
        Path right = Mtls.workload(caDir, dir.resolve("u-right"), Mtls.API);
        Path wrongId = Mtls.workload(caDir, dir.resolve("u-wrong"), Mtls.STRANGER);
        Path otherCa = Mtls.workload(otherCaDir, dir.resolve("u-other-ca"), Mtls.API);
        Path withDns = Mtls.workload(caDir, dir.resolve("u-dns"), Mtls.API, "api.shop.svc");
        Path wildcard = Mtls.workload(caDir, dir.resolve("u-wild"), Mtls.API, "*.shop.svc");
        Path deeper = Mtls.workload(caDir, dir.resolve("u-deeper"), Mtls.API, "*.svc");
        List<String> names = List.of("right", "wrong-id", "other-ca", "sni-yes", "sni-no", "sni-wild", "sni-deep");
        List<Path> certs = List.of(right, wrongId, otherCa, withDns, right, wildcard, deeper);
        List<io.remora.config.model.ListenerConfig> ls = new java.util.ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            ls.add(Mtls.withTls(httpListener(names.get(i), List.of(route("/", "backend"))),
                    Mtls.serverTls(certs.get(i), false, TlsMode.STRICT)));
        }
        try (ProxyHarness upstreams = ProxyHarness.start(ls,
                List.of(cluster("backend", LbPolicy.ROUND_ROBIN, backend.address())))) {
            List<io.remora.config.model.RouteConfig> routes = new java.util.ArrayList<>();
            List<io.remora.config.model.ClusterConfig> clusters = new java.util.ArrayList<>();
            for (String n : names) {
                routes.add(route("/" + n + "/", n));
                boolean sniOnly = n.startsWith("sni");
                clusters.add(Mtls.withTls(
                        cluster(n, LbPolicy.ROUND_ROBIN, "127.0.0.1:" + upstreams.port(n)),
                        Mtls.clientTls(frontend, sniOnly ? null : Mtls.API, sniOnly ? "api.shop.svc" : null)));
            }
            try (ProxyHarness a = ProxyHarness.start(List.of(httpListener("out", routes)), clusters);
                    io.remora.core.testing.RawHttpClient c = a.client("out")) {
                int before = backend.requests().size();
                for (String n : names) {
                    RawResponse r = c.get("/" + n + "/x");
                    // a wildcard covers one label: *.shop.svc names api.shop.svc, *.svc does not
                    boolean ok = n.equals("right") || n.equals("sni-yes") || n.equals("sni-wild");
                    assertEquals(ok ? 200 : 503, r.status(), n + ": " + r);
                    if (!ok) {
                        assertEquals("UF", r.flags(), n + ": " + r);
                        assertTrue(r.bodyText().contains("TLS"), n + ": " + r.bodyText());
                    }
                    assertEquals(ok ? 0.0 : 1.0, Mtls.metric(a, "remora_upstream_tls_failures_total", "cluster", n),
                            n);
                }
                assertEquals(before + 3, backend.requests().size(), "only the three good upstreams were reached");
            }
        }
    }
}
