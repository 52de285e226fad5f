package io.remora.core.tls;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.remora.config.model.LbPolicy;
import io.remora.config.model.TlsConfig.TlsMode;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standard TLS client against an mTLS listener: {@code openssl s_client} offering only TLS 1.1 is refused
 * (counted as {@code reason="protocol"}, so it was Remora that refused, not the client that gave up), and with
 * the right client certificate it completes the handshake, verifies Remora's certificate and gets a response.
 * Skipped when the machine has no {@code openssl}.
 */
@Timeout(30)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpensslClientTest {
    private static final String L = "inbound";

    @TempDir
    static Path dir;

    private Path ca;
    private Path frontend;
    private FakeUpstream backend;
    private ProxyHarness p;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Openssl.available(), "openssl is not on PATH");
        ca = Mtls.ca(dir.resolve("ca"));
        frontend = Mtls.workload(ca, dir.resolve("frontend"), Mtls.FRONTEND);
        Path api = Mtls.workload(ca, dir.resolve("api"), Mtls.API);
        backend = new FakeUpstream("backend");
        p = ProxyHarness.start(List.of(Mtls.withTls(httpListener(L, List.of(route("/", "backend"))),
                        Mtls.serverTls(api, true, TlsMode.STRICT, Mtls.FRONTEND))),
                List.of(cluster("backend", LbPolicy.ROUND_ROBIN, backend.address())));
    }

    @AfterAll
    void stop() {
        if (p != null) {
            p.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void tls11IsRefused() throws Exception {
        double before = Mtls.handshakeFailures(p, L, TlsRefusal.Reason.PROTOCOL);
        // @SECLEVEL=0: OpenSSL 3 (and Debian's openssl.cnf) would otherwise refuse to offer TLS 1.1 itself
        Result r = sClient(null, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
        assertNotEquals(0, r.exit(), r.output());
        assertTrue(!r.output().contains("HTTP/1.1"), r.output());
        Await.until("Remora counted the refusal as protocol",
                () -> Mtls.handshakeFailures(p, L, TlsRefusal.Reason.PROTOCOL) == before + 1);
    }

    @Test
    void nonAeadCipherSuitesAreRefused() throws Exception {
        Path cert = frontend.resolve(CertificateAuthority.CERT_FILE);
        Path key = frontend.resolve(CertificateAuthority.KEY_FILE);
        double before = Mtls.handshakeFailures(p, L, TlsRefusal.Reason.PROTOCOL)
                + Mtls.handshakeFailures(p, L, TlsRefusal.Reason.OTHER);
        // TLS 1.2 with CBC suites only (the workload key is EC): no suite in common
        Result r = sClient(List.of("-cert", cert.toString(), "-key", key.toString()), "-tls1_2", "-cipher",
                "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA256");
        assertNotEquals(0, r.exit(), r.output());
        assertTrue(!r.output().contains("HTTP/1.1"), r.output());
        Await.until("Remora counted the refusal", () -> Mtls.handshakeFailures(p, L, TlsRefusal.Reason.PROTOCOL)
                + Mtls.handshakeFailures(p, L, TlsRefusal.Reason.OTHER) == before + 1);
    }

    @Test
    void theRightClientCertificateCompletesTheHandshake() throws Exception {
        Path cert = frontend.resolve(CertificateAuthority.CERT_FILE);
        Path key = frontend.resolve(CertificateAuthority.KEY_FILE);
        for (String version : List.of("-tls1_2", "-tls1_3")) {
            Result r = sClient(List.of("-cert", cert.toString(), "-key", key.toString()), version);
            assertEquals(0, r.exit(), version + ":\n" + r.output());
            assertTrue(r.output().contains("Verify return code: 0 (ok)"), version + ":\n" + r.output());
            assertTrue(r.output().contains("HTTP/1.1 200"), version + ":\n" + r.output());
            assertTrue(r.output().contains("hello from backend"), version + ":\n" + r.output());
        }
        // without a certificate: no response
        Result none = sClient(null, "-tls1_3");
        assertTrue(!none.output().contains("HTTP/1.1 200"), none.output());
    }

    private record Result(int exit, String output) {
    }

    /**
     * {@code openssl s_client} against the listener, verifying it with the CA, with a request on stdin and
     * {@code -ign_eof} (so it waits for the response, which ends with the connection: {@code Connection: close});
     * bounded by a 10 s deadline.
     */
    private Result sClient(List<String> clientCert, String... extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + p.port(L),
                "-servername", "api.shop.svc", "-CAfile", ca.resolve(CertificateAuthority.CA_CERT_FILE).toString(),
                "-verify_return_error", "-ign_eof"));
        if (clientCert != null) {
            cmd.addAll(clientCert);
        }
        cmd.addAll(List.of(extra));
        Path request = Files.createTempFile(dir, "request", ".txt");
        Files.writeString(request, "GET /openssl HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n");
        Path out = Files.createTempFile(dir, "s_client", ".out");
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(request.toFile())
                .redirectOutput(out.toFile()).start();
        if (!proc.waitFor(10, TimeUnit.SECONDS)) {
            proc.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError(String.join(" ", cmd) + " did not finish:\n"
                    + Files.readString(out, StandardCharsets.UTF_8));
        }
        return new Result(proc.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }
}
