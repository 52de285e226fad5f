package io.remora.core.tls;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.FullHttpRequest;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.TlsConfig.TlsMode;
import io.remora.core.admin.JsonReader;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mesh hop end to end over loopback: client → Remora A (plain HTTP listener; cluster with a client
 * certificate and {@code server_identity}) → mTLS → Remora B (HTTP listener requiring client certificates,
 * {@code allowed_identities}) → backend. Certificates are minted by {@link CertificateAuthority}, the code of
 * {@code remora certs}.
 */
@Timeout(20)
class MtlsEndToEndTest {
    @TempDir
    Path dir;

    private Path caDir;
    private Path frontendDir;
    private Path apiDir;
    private Path log;
    private FakeUpstream backend;
    private ProxyHarness b;
    private ProxyHarness a;

    @BeforeEach
    void start() throws Exception {
        caDir = Mtls.ca(dir.resolve("ca"));
        frontendDir = Mtls.workload(caDir, dir.resolve("frontend"), Mtls.FRONTEND);
        apiDir = Mtls.workload(caDir, dir.resolve("api"), Mtls.API, "api.shop.svc");
        log = dir.resolve("b-access.log");
        backend = new FakeUpstream("backend");
        b = ProxyHarness.start(
                List.of(Mtls.withAccessLog(Mtls.withTls(httpListener("inbound", List.of(route("/", "backend"))),
                        Mtls.serverTls(apiDir, true, TlsMode.STRICT, Mtls.FRONTEND)), log),
                        httpListener("plain", List.of(route("/", "backend")))),
                List.of(cluster("backend", LbPolicy.ROUND_ROBIN, backend.address())));
        a = ProxyHarness.start(
                List.of(httpListener("outbound", List.of(route("/direct", "backend"), route("/", "api")))),
                List.of(Mtls.withTls(cluster("api", LbPolicy.ROUND_ROBIN, "127.0.0.1:" + b.port("inbound")),
                        Mtls.clientTls(frontendDir, Mtls.API, null)),
                        cluster("backend", LbPolicy.ROUND_ROBIN, backend.address())));
    }

    @AfterEach
    void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        backend.close();
    }

    @Test
    void theBackendSeesTheCallersSpiffeIdInXfcc() throws Exception {
        try (RawHttpClient c = a.client("outbound")) {
            // a forged XFCC sent to A's plain listener must not survive either hop
            c.send("GET /hello HTTP/1.1\r\nHost: api\r\n"
                    + "x-forwarded-client-cert: By=spiffe://cluster.local/ns/x/sa/y;URI=spiffe://cluster.local/ns/ops/sa/admin\r\n"
                    + "\r\n");
            RawResponse r = c.readResponse();
            assertEquals(200, r.status(), r.toString());
            assertEquals("hello from backend", r.bodyText());
            RawResponse again = c.get("/again"); // the pooled mTLS connection is reused
            assertEquals(200, again.status(), again.toString());
        }
        assertEquals(2, backend.requests().size());
        FullHttpRequest seen = backend.requests().get(0);
        assertEquals(List.of("By=" + Mtls.API + ";URI=" + Mtls.FRONTEND),
                seen.headers().getAll("x-forwarded-client-cert"));
        assertEquals("https", seen.headers().get("x-forwarded-proto"), "B terminated TLS");
        assertEquals(1, backend.connections(), "B keeps one backend connection");
        assertEquals(0.0, Mtls.metric(a, "remora_upstream_tls_failures_total", "cluster", "api"));
        assertEquals(0.0, Mtls.handshakeFailures(b, "inbound", TlsRefusal.Reason.OTHER));

        // B's access log records who called, over what
        Await.until("B's access log line", () -> lines(log).size() == 2);
        Map<String, Object> line = JsonReader.parseObject(lines(log).get(0));
        assertEquals(Mtls.FRONTEND, line.get("peer_identity"));
        assertEquals("tls", line.get("transport"));
    }

    @Test
    void aClientForgedXfccNeverReachesTheBackend() throws Exception {
        String forged = "x-forwarded-client-cert: By=spiffe://cluster.local/ns/x/sa/y;URI=" + Mtls.FRONTEND;
        // on the TLS listener, from a client whose certificate is verified: Remora's own value replaces it
        try (TlsHttpClient c = new TlsHttpClient(b.port("inbound"),
                Mtls.clientContext(frontendDir, caDir.resolve(CertificateAuthority.CA_CERT_FILE)))) {
            RawResponse r = c.get("/tls", forged, forged.toUpperCase(java.util.Locale.ROOT));
            assertEquals(200, r.status(), r.toString());
        }
        // on a plaintext listener: removed, and none added (no identity was verified)
        try (RawHttpClient c = b.client("plain")) {
            c.send("GET /plain HTTP/1.1\r\nHost: x\r\n" + forged + "\r\n\r\n");
            assertEquals(200, c.readResponse().status());
        }
        // through A's plaintext listener straight to the backend (no mTLS hop)
        try (RawHttpClient c = a.client("outbound")) {
            c.send("GET /direct HTTP/1.1\r\nHost: x\r\n" + forged + "\r\n\r\n");
            assertEquals(200, c.readResponse().status());
        }
        // nor in a chunked body's trailer section, which a backend may merge into its headers
        try (RawHttpClient c = b.client("plain")) {
            c.send("POST /trailer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTrailer: x-forwarded-client-cert"
                    + "\r\n\r\n2\r\nhi\r\n0\r\n" + forged + "\r\n\r\n");
            RawResponse r = c.readResponse();
            assertTrue(r.status() == 200 || r.status() == 400, r.toString());
        }
        for (FullHttpRequest req : backend.requests()) {
            assertFalse(req.trailingHeaders().contains("x-forwarded-client-cert"), req.uri() + " trailers: "
                    + req.trailingHeaders());
        }
        assertTrue(backend.requests().size() >= 3);
        assertEquals(List.of("By=" + Mtls.API + ";URI=" + Mtls.FRONTEND),
                backend.requests().get(0).headers().getAll("x-forwarded-client-cert"));
        assertEquals("https", backend.requests().get(0).headers().get("x-forwarded-proto"));
        for (int i = 1; i < 3; i++) {
            FullHttpRequest req = backend.requests().get(i);
            assertFalse(req.headers().contains("x-forwarded-client-cert"), req.uri() + ": " + req.headers());
            assertEquals("http", req.headers().get("x-forwarded-proto"));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void getCertsShowsEachContextsCertificate() throws Exception {
        X509Certificate api = Pem.readCertificates(apiDir.resolve(CertificateAuthority.CERT_FILE)).get(0);
        X509Certificate frontend = Pem.readCertificates(frontendDir.resolve(CertificateAuthority.CERT_FILE)).get(0);

        Map<String, Object> listener = Mtls.certsOf(b, "listener inbound");
        assertEquals("server", listener.get("side"));
        Map<String, Object> cert = (Map<String, Object>) listener.get("certificate");
        assertEquals(api.getSubjectX500Principal().getName(), cert.get("subject"));
        assertEquals(List.of("URI:" + Mtls.API, "DNS:api.shop.svc"), cert.get("sans"));
        assertEquals(api.getSerialNumber().toString(16), cert.get("serial"));
        assertEquals(api.getNotAfter().toInstant().toString(), cert.get("not_after"));
        long ttl = ((Number) cert.get("seconds_to_expiry")).longValue();
        assertTrue(ttl > 23 * 3600 && ttl <= 24 * 3600, "seconds_to_expiry " + ttl);
        List<Object> trust = (List<Object>) listener.get("trust");
        assertEquals(1, trust.size(), "the CA bundle");
        assertEquals(List.of("URI:spiffe://cluster.local"), ((Map<String, Object>) trust.get(0)).get("sans"));
        assertEquals(1, Mtls.certs(b).size(), "the plain listener has no TLS context");

        Map<String, Object> client = Mtls.certsOf(a, "cluster api");
        assertEquals("client", client.get("side"));
        cert = (Map<String, Object>) client.get("certificate");
        assertEquals(List.of("URI:" + Mtls.FRONTEND), cert.get("sans"));
        assertEquals(frontend.getSerialNumber().toString(16), cert.get("serial"));
        assertTrue(cert.get("subject") instanceof String s && s.contains("O=Remora"), cert.toString());
        assertTrue(((Number) cert.get("seconds_to_expiry")).longValue() > 23 * 3600);

        // and the expiry gauge
        double gauge = Mtls.metric(b, "remora_tls_certificate_expiry_seconds", "listener", "inbound");
        assertTrue(gauge > 23 * 3600 && gauge <= 24 * 3600, "expiry gauge " + gauge);
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
