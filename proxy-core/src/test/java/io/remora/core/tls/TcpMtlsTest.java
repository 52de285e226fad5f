package io.remora.core.tls;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.tcpListener;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.remora.config.model.LbPolicy;
import io.remora.config.model.TlsConfig.TlsMode;
import io.remora.core.testing.Await;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.TcpEchoServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tls} on a TCP listener: an authenticated client's bytes are tunnelled (including bytes it sends right
 * behind its handshake), and a refused client never causes a connection to the upstream.
 */
@Timeout(20)
class TcpMtlsTest {
    private static final String L = "tcp-in";

    @TempDir
    Path dir;

    @Test
    void onlyAuthenticatedClientsAreTunnelled() throws Exception {
        Path ca = Mtls.ca(dir.resolve("ca"));
        Path frontend = Mtls.workload(ca, dir.resolve("frontend"), Mtls.FRONTEND);
        Path stranger = Mtls.workload(ca, dir.resolve("stranger"), Mtls.STRANGER);
        Path api = Mtls.workload(ca, dir.resolve("api"), Mtls.API);
        Path caFile = ca.resolve(CertificateAuthority.CA_CERT_FILE);
        try (TcpEchoServer echo = new TcpEchoServer();
                ProxyHarness p = ProxyHarness.start(
                        List.of(Mtls.withTls(tcpListener(L, "echo"),
                                Mtls.serverTls(api, true, TlsMode.STRICT, Mtls.FRONTEND))),
                        List.of(cluster("echo", LbPolicy.ROUND_ROBIN, echo.address())))) {
            for (int round = 0; round < 3; round++) {
                byte[] ping = ("ping " + round).getBytes(StandardCharsets.US_ASCII);
                try (SSLSocket s = connect(p.port(L), Mtls.clientContext(frontend, caFile))) {
                    OutputStream out = s.getOutputStream();
                    out.write(ping); // right behind the handshake, before anything is read
                    out.flush();
                    InputStream in = s.getInputStream();
                    assertArrayEquals(ping, in.readNBytes(ping.length));
                }
            }
            assertEquals(3, echo.connections());

            refuse(p, Mtls.clientContext(null, caFile), TlsRefusal.Reason.NO_CERTIFICATE);
            refuse(p, Mtls.clientContext(stranger, caFile), TlsRefusal.Reason.IDENTITY_NOT_ALLOWED);
            assertEquals(3, echo.connections(), "a refused client made no upstream connection");
        }
    }

    @Test
    void aPermissiveTcpListenerTunnelsPlaintextToo() throws Exception {
        Path ca = Mtls.ca(dir.resolve("ca"));
        Path frontend = Mtls.workload(ca, dir.resolve("frontend"), Mtls.FRONTEND);
        Path api = Mtls.workload(ca, dir.resolve("api"), Mtls.API);
        try (TcpEchoServer echo = new TcpEchoServer();
                ProxyHarness p = ProxyHarness.start(
                        List.of(Mtls.withTls(tcpListener(L, "echo"),
                                Mtls.serverTls(api, true, TlsMode.PERMISSIVE, Mtls.FRONTEND))),
                        List.of(cluster("echo", LbPolicy.ROUND_ROBIN, echo.address())))) {
            byte[] ping = "plain ping".getBytes(StandardCharsets.US_ASCII);
            try (Socket plain = new Socket()) {
                plain.setSoTimeout(5_000);
                plain.connect(new InetSocketAddress("127.0.0.1", p.port(L)), 5_000);
                plain.getOutputStream().write(ping);
                assertArrayEquals(ping, plain.getInputStream().readNBytes(ping.length));
            }
            try (SSLSocket s = connect(p.port(L), Mtls.clientContext(frontend,
                    ca.resolve(CertificateAuthority.CA_CERT_FILE)))) {
                s.getOutputStream().write(ping);
                assertArrayEquals(ping, s.getInputStream().readNBytes(ping.length));
            }
            assertEquals(1.0, Mtls.metric(p, "remora_plaintext_connections_total", "listener", L));
            assertEquals(2, echo.connections());
        }
    }

    private static void refuse(ProxyHarness p, SSLContext context, TlsRefusal.Reason reason) throws Exception {
        double before = Mtls.handshakeFailures(p, L, reason);
        try (SSLSocket s = connect(p.port(L), context)) {
            s.getOutputStream().write("let me in".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            int b = s.getInputStream().read();
            throw new AssertionError("the refused client read " + b);
        } catch (java.io.IOException expected) {
            // refused: an alert or a close
        }
        Await.until(reason.label() + " counted", () -> Mtls.handshakeFailures(p, L, reason) == before + 1);
    }

    private static SSLSocket connect(int port, SSLContext context) throws java.io.IOException {
        Socket plain = new Socket();
        plain.setSoTimeout(5_000);
        plain.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
        s.setSoTimeout(5_000);
        s.startHandshake();
        return s;
    }
}
