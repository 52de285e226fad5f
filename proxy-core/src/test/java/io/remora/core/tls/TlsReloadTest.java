package io.remora.core.tls;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.TlsConfig.TlsMode;
import io.remora.core.server.ProxyServer;
import io.remora.core.testing.Await;
import io.remora.core.testing.Configs;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawResponse;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A config reload that changes a listener's {@code tls} block ({@code allowed_identities} here): the new policy
 * applies to new connections, the new context's files are the ones watched from then on, and {@code GET /certs}
 * lists the context in use.
 */
@Timeout(20)
class TlsReloadTest {
    private static final String L = "inbound";

    @TempDir
    Path dir;

    @Test
    void aReloadedAllowListAppliesAndItsFilesAreWatched() throws Exception {
        Path ca = Mtls.ca(dir.resolve("ca"));
        Path stranger = Mtls.workload(ca, dir.resolve("stranger"), Mtls.STRANGER);
        Path api = Mtls.workload(ca, dir.resolve("api"), Mtls.API);
        SSLContext client = Mtls.clientContext(stranger, ca.resolve(CertificateAuthority.CA_CERT_FILE));
        try (FakeUpstream backend = new FakeUpstream("backend")) {
            List<ClusterConfig> clusters = List.of(cluster("backend", LbPolicy.ROUND_ROBIN, backend.address()));
            ListenerConfig before = Mtls.withTls(httpListener(L, List.of(route("/", "backend"))),
                    Mtls.serverTls(api, true, TlsMode.STRICT, Mtls.FRONTEND));
            try (ProxyHarness p = ProxyHarness.start(List.of(before), clusters)) {
                TlsHttpClient.refused(p.port(L), client);
                Await.until("refused as identity_not_allowed",
                        () -> Mtls.handshakeFailures(p, L, TlsRefusal.Reason.IDENTITY_NOT_ALLOWED) == 1.0);

                ListenerConfig after = Mtls.withTls(before,
                        Mtls.serverTls(api, true, TlsMode.STRICT, Mtls.FRONTEND, Mtls.STRANGER));
                ProxyServer.ReloadResult r = p.server().reload(Configs.config(List.of(after), clusters));
                assertTrue(r.applied(), r.toString());
                try (TlsHttpClient c = new TlsHttpClient(p.port(L), client)) {
                    RawResponse resp = c.get("/now-allowed");
                    assertEquals(200, resp.status(), resp.toString());
                }
                assertEquals(1, Mtls.certs(p).size(), "one context in use: " + Mtls.admin(p, "/certs"));

                // the new context watches the files: a rotation reaches it
                BigInteger next = CertificateAuthority.issue(ca, Mtls.API, List.of(), Duration.ofHours(24), api,
                        Clock.systemUTC()).getSerialNumber();
                Await.until("the reloaded listener presents the rotated certificate", Duration.ofSeconds(5), () -> {
                    try (TlsHttpClient c = new TlsHttpClient(p.port(L), client)) {
                        return c.serverCertificate().getSerialNumber().equals(next);
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                });
                assertEquals(next.toString(16), Mtls.servedSerial(p, "listener " + L));
            }
        }
    }
}
