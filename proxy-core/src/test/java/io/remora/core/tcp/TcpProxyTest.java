package io.remora.core.tcp;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.tcpListener;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.LbPolicy;
import io.remora.config.model.ListenerConfig;
import io.remora.core.testing.Await;
import io.remora.core.testing.Configs;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawBackend;
import io.remora.core.testing.TcpEchoServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code protocol: tcp} listeners: opaque bytes both ways, half-close, connect fail-over, idle sessions. */
@Timeout(30)
class TcpProxyTest {

    private static Socket connect(ProxyHarness p) throws IOException {
        Socket s = new Socket();
        s.setSoTimeout(10_000);
        s.connect(new InetSocketAddress("127.0.0.1", p.port("tcp")), 5_000);
        return s;
    }

    private static String closedPortAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    private static void echoRoundTrip(Socket s) throws Exception {
        s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
        assertEquals("hello", new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII));
    }

    @Test
    void echoesBytesAndPropagatesHalfClose() throws Exception {
        try (TcpEchoServer echo = new TcpEchoServer();
                ProxyHarness p = ProxyHarness.start(List.of(tcpListener("tcp", "c")),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, echo.address())));
                Socket s = connect(p)) {
            echoRoundTrip(s);
            byte[] blob = new byte[1024 * 1024];
            ThreadLocalRandom.current().nextBytes(blob);
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(blob);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            writer.start();
            assertArrayEquals(blob, s.getInputStream().readNBytes(blob.length));
            writer.join();
            s.shutdownOutput(); // half-close: the echo server must see EOF, yet still be able to answer
            InputStream in = s.getInputStream();
            assertEquals(TcpEchoServer.FAREWELL, new String(in.readAllBytes(), StandardCharsets.US_ASCII),
                    "bytes after the half-close arrive, then EOF");
            assertEquals(1, echo.eofs());
            assertEquals(5 + blob.length, echo.echoed());
            Await.until("the session to be closed on the proxy", () -> p.server().activeConnections() == 0);
        }
    }

    @Test
    void upstreamHalfCloseReachesTheClientAndTheClientCanStillSend() throws Exception {
        try (RawBackend up = new RawBackend(conn -> {
                    conn.write("greeting");
                    conn.shutdownOutput(); // done talking, still listening
                    byte[] rest = conn.in().readAllBytes();
                    if (!new String(rest, StandardCharsets.US_ASCII).equals("client's last words")) {
                        throw new AssertionError("got: " + new String(rest, StandardCharsets.US_ASCII));
                    }
                });
                ProxyHarness p = ProxyHarness.start(List.of(tcpListener("tcp", "c")),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())));
                Socket s = connect(p)) {
            assertEquals("greeting", new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            s.getOutputStream().write("client's last words".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            Await.until("the backend to read everything", () -> up.openConnections() == 0);
            assertTrue(up.failures().isEmpty(), up.failures().toString());
        }
    }

    @Test
    void failsOverToTheNextEndpointWhenTheFirstRefuses() throws Exception {
        try (TcpEchoServer echo = new TcpEchoServer();
                ProxyHarness p = ProxyHarness.start(List.of(tcpListener("tcp", "c")),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, closedPortAddress(), echo.address())))) {
            for (int i = 0; i < 6; i++) {
                try (Socket s = connect(p)) {
                    echoRoundTrip(s); // round robin picks the refusing endpoint first for half of these
                }
            }
            assertEquals(6, echo.connections());
        }
    }

    @Test
    void closesTheClientWhenNoEndpointAccepts() throws Exception {
        try (ProxyHarness p = ProxyHarness.start(List.of(tcpListener("tcp", "c")),
                List.of(cluster("c", LbPolicy.ROUND_ROBIN, closedPortAddress(), closedPortAddress())));
                Socket s = connect(p)) {
            assertEquals(-1, s.getInputStream().read(), "closed without a byte");
        }
    }

    /** config-schema: for tcp, {@code stream_idle_timeout} ends a session with no bytes either way. */
    @Test
    void idleSessionIsClosedAfterTheStreamIdleTimeout() throws Exception {
        ListenerConfig l = Configs.withTimeouts(tcpListener("tcp", "c"), Duration.ofMinutes(5),
                Duration.ofMillis(300), Duration.ofSeconds(10));
        try (TcpEchoServer echo = new TcpEchoServer();
                ProxyHarness p = ProxyHarness.start(List.of(l),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, echo.address())));
                Socket s = connect(p)) {
            echoRoundTrip(s);
            long start = System.nanoTime();
            assertEquals(-1, s.getInputStream().read());
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(took >= 250 && took < 3000, "closed ~300 ms after the last byte, took " + took + " ms");
        }
    }
}
