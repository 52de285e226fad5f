package io.remora.core.tls;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.LbPolicy;
import io.remora.config.model.TlsConfig.TlsMode;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawResponse;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotation of a listener's certificate and key files, watched by the running proxy: new handshakes present the
 * new certificate within a few seconds while established keep-alive connections carry on; files that cannot be
 * used (a key that is not the certificate's, garbage) are refused, logged and counted, and the loaded material
 * keeps serving, as {@code GET /certs} shows.
 */
@Timeout(30)
class CertificateRotationTest {
    private static final String L = "inbound";
    private static final String OWNER = "listener " + L;

    @TempDir
    Path dir;

    @Test
    void newHandshakesUseRotatedFilesAndBadFilesAreRefused() throws Exception {
        Path ca = Mtls.ca(dir.resolve("ca"));
        Path frontend = Mtls.workload(ca, dir.resolve("frontend"), Mtls.FRONTEND);
        Path api = Mtls.workload(ca, dir.resolve("api"), Mtls.API);
        BigInteger first = leaf(api).getSerialNumber();
        SSLContext client = Mtls.clientContext(frontend, ca.resolve(CertificateAuthority.CA_CERT_FILE));
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger(TlsContext.class.getName());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    warnings.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        try (FakeUpstream backend = new FakeUpstream("backend");
                ProxyHarness p = ProxyHarness.start(
                        List.of(Mtls.withTls(httpListener(L, List.of(route("/", "backend"))),
                                Mtls.serverTls(api, true, TlsMode.STRICT, Mtls.FRONTEND))),
                        List.of(cluster("backend", LbPolicy.ROUND_ROBIN, backend.address())));
                TlsHttpClient old = new TlsHttpClient(p.port(L), client)) {
            assertEquals(first, old.serverCertificate().getSerialNumber());
            assertEquals(200, old.get("/before").status());
            assertEquals(first.toString(16), Mtls.servedSerial(p, OWNER));

            // 1. a new certificate and key (CertificateAuthority.issue writes each file atomically, key first)
            BigInteger second = CertificateAuthority.issue(ca, Mtls.API, List.of(), Duration.ofHours(24), api,
                    Clock.systemUTC()).getSerialNumber();
            assertNotEquals(first, second);
            long t0 = System.nanoTime();
            Await.until("a new handshake presents serial " + second.toString(16), Duration.ofSeconds(5),
                    () -> presented(p, client).equals(second));
            long rotatedMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(rotatedMs < 5_000, "rotation took " + rotatedMs + " ms");
            RawResponse r = old.get("/old-connection-after-rotation");
            assertEquals(200, r.status(), "the established connection carries on: " + r);
            assertEquals(first, old.serverCertificate().getSerialNumber(), "and keeps its session");
            assertEquals(second.toString(16), Mtls.servedSerial(p, OWNER));
            long failures = rotationFailures(p);

            // 2. a key that is not the certificate's: refused, the loaded pair keeps serving
            Path other = Mtls.workload(ca, dir.resolve("other"), Mtls.API);
            Files.copy(other.resolve(CertificateAuthority.KEY_FILE), api.resolve(CertificateAuthority.KEY_FILE),
                    StandardCopyOption.REPLACE_EXISTING);
            Await.until("the mismatched key counted", () -> rotationFailures(p) > failures);
            assertEquals(second, presented(p, client));

            // 3. garbage in both files
            long failures2 = rotationFailures(p);
            Files.writeString(api.resolve(CertificateAuthority.CERT_FILE), "-----BEGIN CERTIFICATE-----\ngarbage\n");
            Files.writeString(api.resolve(CertificateAuthority.KEY_FILE), "not a key at all");
            Await.until("the garbage counted", () -> rotationFailures(p) > failures2);
            assertEquals(second, presented(p, client), "new handshakes still get the last good certificate");
            assertEquals(200, old.get("/old-connection-after-garbage").status());
            assertEquals(second.toString(16), Mtls.servedSerial(p, OWNER), "GET /certs: still served");
            assertTrue(warnings.stream().anyMatch(w -> w.getMessage().contains("refused")
                    && w.getMessage().contains(OWNER)), "logged: " + warnings.stream().map(LogRecord::getMessage)
                    .toList());

            // 4. good files again: picked up as usual
            BigInteger third = CertificateAuthority.issue(ca, Mtls.API, List.of(), Duration.ofHours(24), api,
                    Clock.systemUTC()).getSerialNumber();
            Await.until("a new handshake presents serial " + third.toString(16), Duration.ofSeconds(5),
                    () -> presented(p, client).equals(third));
        } finally {
            log.removeHandler(capture);
        }
    }

    private static X509Certificate leaf(Path workload) throws IOException {
        return Pem.readCertificates(workload.resolve(CertificateAuthority.CERT_FILE)).get(0);
    }

    /** The serial of the certificate a new connection is shown, after a request on it succeeded. */
    private static BigInteger presented(ProxyHarness p, SSLContext client) {
        try (TlsHttpClient c = new TlsHttpClient(p.port(L), client)) {
            RawResponse r = c.get("/new-connection");
            if (r.status() != 200) {
                throw new AssertionError("new connection: " + r);
            }
            return c.serverCertificate().getSerialNumber();
        } catch (IOException e) {
            throw new AssertionError("new connection failed", e);
        }
    }

    private static long rotationFailures(ProxyHarness p) {
        return ((Number) Mtls.certsOf(p, OWNER).get("rotation_failures")).longValue();
    }
}
