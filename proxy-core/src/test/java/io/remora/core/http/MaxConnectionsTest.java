package io.remora.core.http;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static io.remora.core.testing.Configs.tcpListener;
import static io.remora.core.testing.Configs.withMaxConnections;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.LbPolicy;
import io.remora.core.metrics.Exposition;
import io.remora.core.testing.Await;
import io.remora.core.testing.Configs;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.TcpEchoServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code max_connections} per listener: connections accepted beyond it are closed at once, before any byte is
 * read, and counted in {@code remora_downstream_connections_refused_total}; a slot freed by a close is taken by
 * the next connection; the limit is exact with several event loops, applies to tcp listeners too, and a reload
 * changes it for the connections accepted after it.
 */
@Timeout(60)
class MaxConnectionsTest {

    private static double refused(ProxyHarness p, String listener) {
        return Exposition.parse(p.server().metrics().prometheus())
                .value("remora_downstream_connections_refused_total", "listener", listener);
    }

    /** A connection the proxy accepted and serves: a request on it is answered. */
    private static RawHttpClient served(ProxyHarness p) throws Exception {
        RawHttpClient c = p.client("in");
        assertEquals(200, c.get("/").status());
        return c;
    }

    /** A connection the proxy closes at once: EOF (or a reset) before any byte, whatever was sent. */
    private static void refusedConnection(ProxyHarness p) throws Exception {
        try (RawHttpClient c = p.client("in")) {
            try {
                c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            } catch (java.io.IOException e) {
                // reset already: refused too
            }
            assertEquals(0, c.readUntilClosed().length, "no answer from a refused connection");
        }
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAtOnceAndCounted() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a");
                ProxyHarness p = ProxyHarness.start(List.of(withMaxConnections(httpListener("in",
                                List.of(route("/", "c"))), 2)),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())),
                        io.remora.core.server.ProxyServer.Options.defaults().withWorkerThreads(4))) {
            RawHttpClient a = served(p);
            RawHttpClient b = served(p);
            refusedConnection(p);
            refusedConnection(p);
            assertEquals(2.0, refused(p, "in"));
            assertEquals(2, p.server().activeConnections());
            String json = p.server().metrics().json();
            assertTrue(json.matches("(?s).*\"connections_refused\"\\s*:\\s*2\\b.*"), json);
            // the two served connections were not disturbed
            assertEquals(200, a.get("/again").status());
            assertEquals(200, b.get("/again").status());

            a.close();
            Await.until("the closed connection's slot to free", () -> p.server().activeConnections() == 1);
            RawHttpClient c = served(p);
            refusedConnection(p);
            assertEquals(3.0, refused(p, "in"));
            b.close();
            c.close();
        }
    }

    @Test
    void theLimitIsExactUnderABurstOnSeveralEventLoops() throws Exception {
        int limit = 5;
        try (FakeUpstream up = new FakeUpstream("a");
                ProxyHarness p = ProxyHarness.start(List.of(withMaxConnections(httpListener("in",
                                List.of(route("/", "c"))), limit)),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())),
                        io.remora.core.server.ProxyServer.Options.defaults().withWorkerThreads(4))) {
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 40; i++) {
                    Socket s = new Socket();
                    s.setSoTimeout(10_000);
                    s.connect(new InetSocketAddress("127.0.0.1", p.port("in")));
                    sockets.add(s);
                }
                Await.until("every connection accepted or refused",
                        () -> p.server().activeConnections() + refusedQuietly(p) == 40);
                assertEquals(limit, p.server().activeConnections());
                assertEquals(40.0 - limit, refused(p, "in"));
                int answered = 0;
                for (Socket s : sockets) {
                    if (answers(s)) {
                        answered++;
                    }
                }
                assertEquals(limit, answered, "exactly the accepted connections are served");
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    private static double refusedQuietly(ProxyHarness p) {
        return refused(p, "in");
    }

    /** Whether a GET on {@code s} gets a response (true) or the connection is closed (false). */
    private static boolean answers(Socket s) {
        try {
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            int first = in.read();
            return first == 'H';
        } catch (java.io.IOException e) {
            return false; // reset: refused
        }
    }

    @Test
    void tcpListenersHaveTheLimitToo() throws Exception {
        try (TcpEchoServer echo = new TcpEchoServer();
                ProxyHarness p = ProxyHarness.start(List.of(withMaxConnections(tcpListener("db", "echo"), 1)),
                        List.of(cluster("echo", LbPolicy.ROUND_ROBIN, echo.address())));
                Socket first = new Socket("127.0.0.1", p.port("db"));
                Socket second = new Socket("127.0.0.1", p.port("db"))) {
            first.setSoTimeout(10_000);
            second.setSoTimeout(10_000);
            first.getOutputStream().write('x');
            assertEquals('x', first.getInputStream().read(), "the first connection is tunnelled");
            int got;
            try {
                second.getOutputStream().write('y');
                got = second.getInputStream().read();
            } catch (java.io.IOException e) {
                got = -1;
            }
            assertEquals(-1, got, "the second is closed at once");
            assertEquals(1.0, refused(p, "db"));
            assertEquals(1, echo.connections(), "a refused connection never reaches the upstream");
        }
    }

    @Test
    void aReloadChangesTheLimitForNewConnections() throws Exception {
        try (FakeUpstream up = new FakeUpstream("a");
                ProxyHarness p = ProxyHarness.start(List.of(withMaxConnections(httpListener("in",
                                List.of(route("/", "c"))), 1)),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())))) {
            RawHttpClient a = served(p);
            refusedConnection(p);
            // the same name and address (port 0 here, so compared as configured): the socket stays, the limit
            // changes for the connections accepted from now on
            var next = Configs.config(List.of(withMaxConnections(p.server().config().listeners().get(0), 0)),
                    p.server().config().clusters());
            assertTrue(p.server().reload(next).applied());
            RawHttpClient b = served(p);
            RawHttpClient c = served(p);
            assertEquals(1.0, refused(p, "in"));
            a.close();
            b.close();
            c.close();
        }
    }
}
