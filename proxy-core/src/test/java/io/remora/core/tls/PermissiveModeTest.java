package io.remora.core.tls;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.handler.codec.http.FullHttpRequest;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.TlsConfig.TlsMode;
import io.remora.core.admin.JsonReader;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mode: permissive}: one port takes TLS clients (still mTLS: a certificate is required and verified) and
 * plaintext clients, told apart by the first bytes; plaintext connections are counted in
 * {@code remora_plaintext_connections_total} and their access-log lines say {@code "transport":"plaintext"}.
 */
@Timeout(20)
class PermissiveModeTest {
    private static final String L = "migrating";

    @TempDir
    Path dir;

    @Test
    void theSamePortTakesTlsAndPlaintextClients() throws Exception {
        Path ca = Mtls.ca(dir.resolve("ca"));
        Path frontend = Mtls.workload(ca, dir.resolve("frontend"), Mtls.FRONTEND);
        Path api = Mtls.workload(ca, dir.resolve("api"), Mtls.API);
        Path log = dir.resolve("access.log");
        try (FakeUpstream backend = new FakeUpstream("backend");
                ProxyHarness p = ProxyHarness.start(
                        List.of(Mtls.withAccessLog(Mtls.withTls(httpListener(L, List.of(route("/", "backend"))),
                                Mtls.serverTls(api, true, TlsMode.PERMISSIVE, Mtls.FRONTEND)), log)),
                        List.of(cluster("backend", LbPolicy.ROUND_ROBIN, backend.address())))) {
            try (TlsHttpClient tls = new TlsHttpClient(p.port(L),
                    Mtls.clientContext(frontend, ca.resolve(CertificateAuthority.CA_CERT_FILE)))) {
                RawResponse r = tls.get("/over-tls");
                assertEquals(200, r.status(), r.toString());
            }
            try (RawHttpClient plain = p.client(L)) {
                for (int i = 0; i < 2; i++) { // one connection, two requests: counted once
                    RawResponse r = plain.get("/in-plaintext");
                    assertEquals(200, r.status(), r.toString());
                }
            }
            assertEquals(1.0, Mtls.metric(p, "remora_plaintext_connections_total", "listener", L));

            // TLS clients are still held to mTLS on a permissive port
            TlsHttpClient.refused(p.port(L), Mtls.clientContext(null, ca.resolve(CertificateAuthority.CA_CERT_FILE)));
            Await.until("the certificate-less TLS client counted",
                    () -> Mtls.handshakeFailures(p, L, TlsRefusal.Reason.NO_CERTIFICATE) == 1.0);
            assertEquals(1.0, Mtls.metric(p, "remora_plaintext_connections_total", "listener", L),
                    "a refused TLS client is not a plaintext one");

            assertEquals(3, backend.requests().size());
            FullHttpRequest overTls = backend.requests().get(0);
            assertEquals("By=" + Mtls.API + ";URI=" + Mtls.FRONTEND, overTls.headers().get("x-forwarded-client-cert"));
            assertEquals("https", overTls.headers().get("x-forwarded-proto"));
            FullHttpRequest inPlaintext = backend.requests().get(1);
            assertFalse(inPlaintext.headers().contains("x-forwarded-client-cert"));
            assertEquals("http", inPlaintext.headers().get("x-forwarded-proto"));

            Await.until("three access-log lines", () -> lines(log).size() == 3);
            List<String> lines = lines(log);
            Map<String, Object> first = JsonReader.parseObject(lines.get(0));
            assertEquals("/over-tls", first.get("path"));
            assertEquals("tls", first.get("transport"));
            assertEquals(Mtls.FRONTEND, first.get("peer_identity"));
            for (String line : lines.subList(1, 3)) {
                Map<String, Object> m = JsonReader.parseObject(line);
                assertEquals("/in-plaintext", m.get("path"));
                assertEquals("plaintext", m.get("transport"), line);
                assertNull(m.get("peer_identity"), line);
            }
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
