package io.remora.core.server;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.hp;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.AdminConfig;
import io.remora.config.model.ClusterConfig;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.RemoraConfig;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import io.remora.core.upstream.Cluster;
import io.remora.core.upstream.Host;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ProxyServer#reload} in the test JVM: a reload that cannot bind changes nothing; hosts that stay keep
 * their state and pooled connections; requests in flight finish on the snapshot they started with; a moved
 * listener drains. The file-watching path over a real process is {@code HotReloadIT} in proxy-cli.
 */
@Timeout(30)
class ProxyServerReloadTest {
    private final List<AutoCloseable> open = new ArrayList<>();
    private ProxyServer server;

    @AfterEach
    void tearDown() throws Exception {
        if (server != null) {
            server.close();
        }
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private FakeUpstream upstream(String name) {
        FakeUpstream u = new FakeUpstream(name);
        open.add(u);
        return u;
    }

    private RawHttpClient client(String listener) throws IOException {
        RawHttpClient c = new RawHttpClient(server.listenerAddress(listener).getPort());
        open.add(c);
        return c;
    }

    private static ListenerConfig at(ListenerConfig l, String address) {
        return new ListenerConfig(l.name(), hp(address), l.protocol(), l.cluster(), l.routes(), l.idleTimeout(),
                l.streamIdleTimeout(), l.requestHeadersTimeout(), l.maxRequestHeadersKb(), l.accessLog());
    }

    private static RemoraConfig config(List<ListenerConfig> listeners, List<ClusterConfig> clusters) {
        // a short drain_timeout: a listener a reload retires is closed within it even if a client lingers
        return new RemoraConfig(AdminConfig.DEFAULT, Duration.ofSeconds(5), listeners, clusters);
    }

    private void start(RemoraConfig config) throws ListenerBindException {
        server = ProxyServer.start(config, ProxyServer.Options.defaults().withWorkerThreads(1));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private long reloads(String result) {
        String line = server.metrics().prometheus().lines()
                .filter(l -> l.startsWith("remora_config_reloads_total{result=\"" + result + "\"}"))
                .findFirst().orElseThrow();
        return Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
    }

    @Test
    void aBindFailureRejectsTheWholeReloadAndTheOldListenerKeepsServing() throws Exception {
        FakeUpstream a = upstream("a");
        FakeUpstream b = upstream("b");
        int port = freePort();
        RemoraConfig initial = config(List.of(at(httpListener("ingress", List.of(route("/", "app"))),
                        "127.0.0.1:" + port)),
                List.of(cluster("app", LbPolicy.ROUND_ROBIN, a.address())));
        start(initial);
        RawHttpClient keepAlive = client("ingress");
        assertEquals("hello from a", keepAlive.get("/before").bodyText());
        Cluster app = server.clusters().cluster("app");
        String hash = server.configStatus().hash();

        int takenPort;
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            takenPort = taken.getLocalPort();
            // moves ingress onto the taken port, and also adds a listener (bound first) and a host: none of it
            // may survive the failed bind
            RemoraConfig next = config(List.of(
                            at(httpListener("ingress", List.of(route("/", "app"))),
                                    "127.0.0.1:" + taken.getLocalPort()),
                            at(httpListener("extra", List.of(route("/", "app"))), "127.0.0.1:0")),
                    List.of(cluster("app", LbPolicy.ROUND_ROBIN, a.address(), b.address())));
            ProxyServer.ReloadResult r = server.reload(next);
            assertFalse(r.applied());
            assertEquals("cannot bind listener ingress to 127.0.0.1:" + taken.getLocalPort()
                    + ": address already in use", r.error());
        }
        assertSame(initial, server.config());
        assertEquals(hash, server.configStatus().hash());
        assertEquals("cannot bind listener ingress to 127.0.0.1:" + takenPort + ": address already in use",
                server.configStatus().lastReloadError(), "what GET /config shows");
        assertNotNull(server.configStatus().lastReloadErrorAt());
        assertEquals(1, reloads("failure"));
        assertEquals(0, reloads("success"));
        assertSame(app, server.clusters().cluster("app"), "the cluster was replaced by a rejected reload");
        assertEquals(1, app.hostSet().hosts().size());
        assertFalse(app.hostSet().hosts().get(0).isRemoved());
        assertThrows(IllegalArgumentException.class, () -> server.listenerAddress("extra"));
        assertEquals(port, server.listenerAddress("ingress").getPort());
        // the old listener serves: on the connection it had, and on new ones
        assertEquals("hello from a", keepAlive.get("/after").bodyText());
        assertEquals("hello from a", client("ingress").get("/new").bodyText());
        assertEquals(0, b.requests().size());
    }

    @Test
    void hostsThatStayKeepTheirStateAndTheirPooledConnections() throws Exception {
        FakeUpstream a = upstream("a");
        FakeUpstream b = upstream("b");
        ListenerConfig ingress = httpListener("ingress", List.of(route("/", "app")));
        start(config(List.of(ingress), List.of(cluster("app", LbPolicy.ROUND_ROBIN, a.address()))));
        RawHttpClient c = client("ingress");
        for (int i = 0; i < 3; i++) {
            assertEquals(200, c.get("/x").status());
        }
        Cluster before = server.clusters().cluster("app");
        Host hostA = before.hostSet().hosts().get(0);
        assertEquals(3, hostA.successes());
        assertEquals(1, a.connections());

        ProxyServer.ReloadResult r = server.reload(config(List.of(ingress),
                List.of(cluster("app", LbPolicy.ROUND_ROBIN, a.address(), b.address()))));
        assertTrue(r.applied(), String.valueOf(r));
        assertEquals("listeners unchanged; clusters ~app", r.summary());
        Cluster after = server.clusters().cluster("app");
        assertFalse(before == after, "a changed cluster is a new object");
        assertSame(hostA, after.hostSet().hosts().get(0), "the host that stayed is the same host");
        assertFalse(hostA.isRemoved());
        assertEquals(2, after.hostSet().hosts().size());
        for (int i = 0; i < 4; i++) {
            assertEquals(200, c.get("/y").status(), "on the connection opened before the reload");
        }
        assertEquals(5, a.requests().size());
        assertEquals(2, b.requests().size());
        assertEquals(5, hostA.successes(), "its counters went on");
        assertEquals(1, a.connections(), "its pooled connection was reused, not reopened");
        assertEquals(1, reloads("success"));
        assertNull(server.configStatus().lastReloadError());
    }

    @Test
    void aRemovedHostFinishesItsRequestInFlightAndGetsNoMore() throws Exception {
        FakeUpstream a = upstream("a");
        FakeUpstream b = upstream("b");
        ListenerConfig ingress = httpListener("ingress", List.of(route("/", "app")));
        start(config(List.of(ingress), List.of(cluster("app", LbPolicy.ROUND_ROBIN, a.address(), b.address()))));
        b.holdResponses();
        // round robin: of two requests on two connections, one is held by b
        RawHttpClient c1 = client("ingress");
        RawHttpClient c2 = client("ingress");
        c1.send("GET /1 HTTP/1.1\r\nHost: t\r\n\r\n");
        c2.send("GET /2 HTTP/1.1\r\nHost: t\r\n\r\n");
        Await.until("one request held by b", () -> b.requests().size() == 1 && a.requests().size() == 1);
        Host hostB = server.clusters().cluster("app").hostSet().hosts().get(1);

        assertTrue(server.reload(config(List.of(ingress),
                List.of(cluster("app", LbPolicy.ROUND_ROBIN, a.address())))).applied());
        assertTrue(hostB.isRemoved());
        b.releaseHeld();
        assertEquals(200, c1.readResponse().status());
        assertEquals(200, c2.readResponse().status());
        for (int i = 0; i < 4; i++) {
            assertEquals("hello from a", c1.get("/after").bodyText());
        }
        assertEquals(1, b.requests().size());
        // b's connection is not pooled again: it closes once its request is done
        Await.until("b's connection closed", () -> b.openConnections() == 0);
    }

    @Test
    void aRequestInFlightFinishesOnTheRoutesItStartedWith() throws Exception {
        FakeUpstream a = upstream("a");
        FakeUpstream b = upstream("b");
        List<ClusterConfig> clusters = List.of(cluster("one", LbPolicy.ROUND_ROBIN, a.address()),
                cluster("two", LbPolicy.ROUND_ROBIN, b.address()));
        start(config(List.of(httpListener("ingress", List.of(route("/", "one")))), clusters));
        int port = server.listenerAddress("ingress").getPort();
        a.holdResponses();
        RawHttpClient c = client("ingress");
        c.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
        Await.until("the request reached a", () -> a.requests().size() == 1);

        ProxyServer.ReloadResult r = server.reload(config(List.of(at(httpListener("ingress",
                List.of(route("/", "two"))), "127.0.0.1:0")), clusters));
        assertTrue(r.applied());
        assertEquals("listeners ~ingress; clusters unchanged", r.summary());
        assertEquals(port, server.listenerAddress("ingress").getPort(), "a route change keeps the socket");
        a.releaseHeld();
        assertEquals("hello from a", c.readResponse().bodyText());
        assertEquals("hello from b", c.get("/next").bodyText(), "the next request on the same connection");
    }

    @Test
    void aMovedListenerDrainsItsConnectionsAndServesOnItsNewAddress() throws Exception {
        FakeUpstream a = upstream("a");
        List<ClusterConfig> clusters = List.of(cluster("app", LbPolicy.ROUND_ROBIN, a.address()));
        start(config(List.of(httpListener("ingress", List.of(route("/", "app")))), clusters));
        int oldPort = server.listenerAddress("ingress").getPort();
        RawHttpClient idle = client("ingress");
        assertEquals(200, idle.get("/warm").status());
        RawHttpClient busy = client("ingress");
        a.holdResponses();
        busy.send("GET /in-flight HTTP/1.1\r\nHost: t\r\n\r\n");
        Await.until("the request reached a", () -> a.requests().size() == 2);

        int newPort = freePort();
        ProxyServer.ReloadResult r = server.reload(config(List.of(at(httpListener("ingress",
                List.of(route("/", "app"))), "127.0.0.1:" + newPort)), clusters));
        assertTrue(r.applied(), String.valueOf(r));
        assertEquals("listeners ~ingress(rebind); clusters unchanged", r.summary());
        assertEquals(newPort, server.listenerAddress("ingress").getPort());
        assertThrows(ConnectException.class, () -> new RawHttpClient(oldPort).close(),
                "the old socket still accepts");
        // the idle connection is closed at once; the busy one finishes its request, told to close
        idle.readUntilClosed();
        a.releaseHeld();
        RawResponse last = busy.readResponse();
        assertEquals(200, last.status());
        assertEquals("close", last.header("connection"));
        busy.readUntilClosed();
        RawHttpClient fresh = new RawHttpClient(newPort);
        open.add(fresh);
        assertEquals("hello from a", fresh.get("/new").bodyText());
    }

    @Test
    void anUnchangedConfigIsNotAReload() throws Exception {
        FakeUpstream a = upstream("a");
        RemoraConfig c = config(List.of(httpListener("ingress", List.of(route("/", "app")))),
                List.of(cluster("app", LbPolicy.ROUND_ROBIN, a.address())));
        start(c);
        Cluster app = server.clusters().cluster("app");
        ProxyServer.ReloadResult r = server.reload(config(c.listeners(), c.clusters()));
        assertFalse(r.applied());
        assertEquals("no changes", r.summary());
        assertNull(r.error());
        assertSame(app, server.clusters().cluster("app"));
        assertEquals(0, reloads("success"));
        assertEquals(0, reloads("failure"));
    }

    @Test
    void aDrainingProxyTakesNoReload() throws Exception {
        FakeUpstream a = upstream("a");
        RemoraConfig c = config(List.of(httpListener("ingress", List.of(route("/", "app")))),
                List.of(cluster("app", LbPolicy.ROUND_ROBIN, a.address())));
        start(c);
        assertTrue(server.drain(Duration.ofSeconds(1)));
        ProxyServer.ReloadResult r = server.reload(config(List.of(httpListener("ingress",
                List.of(route("/v2/", "app")))), c.clusters()));
        assertFalse(r.applied());
        assertEquals("the proxy is draining", r.error());
        assertSame(c, server.config());
    }
    @Test
    void aRenamedListenerKeepsItsAddress() throws Exception {
        FakeUpstream a = upstream("a");
        List<ClusterConfig> clusters = List.of(cluster("app", LbPolicy.ROUND_ROBIN, a.address()));
        int port = freePort();
        start(config(List.of(at(httpListener("ingress", List.of(route("/", "app"))), "127.0.0.1:" + port)),
                clusters));
        ProxyServer.ReloadResult r = server.reload(config(List.of(at(httpListener("front",
                List.of(route("/", "app"))), "127.0.0.1:" + port)), clusters));
        assertTrue(r.applied(), String.valueOf(r));
        assertEquals(port, server.listenerAddress("front").getPort());
        assertEquals("hello from a", client("front").get("/x").bodyText());
    }

    @Test
    void aListenerThatChangesProtocolKeepsItsAddress() throws Exception {
        FakeUpstream a = upstream("a");
        List<ClusterConfig> clusters = List.of(cluster("app", LbPolicy.ROUND_ROBIN, a.address()));
        int port = freePort();
        start(config(List.of(at(httpListener("ingress", List.of(route("/", "app"))), "127.0.0.1:" + port)),
                clusters));
        ProxyServer.ReloadResult r = server.reload(config(List.of(at(io.remora.core.testing.Configs.tcpListener(
                "ingress", "app"), "127.0.0.1:" + port)), clusters));
        assertTrue(r.applied(), String.valueOf(r));
        assertEquals(port, server.listenerAddress("ingress").getPort());
        assertEquals("hello from a", client("ingress").get("/x").bodyText()); // HTTP bytes through the TCP proxy
    }
    @Test
    void twoListenersCanSwapAddresses() throws Exception {
        FakeUpstream a = upstream("a");
        FakeUpstream b = upstream("b");
        List<ClusterConfig> clusters = List.of(cluster("one", LbPolicy.ROUND_ROBIN, a.address()),
                cluster("two", LbPolicy.ROUND_ROBIN, b.address()));
        int p1 = freePort();
        int p2 = freePort();
        start(config(List.of(at(httpListener("x", List.of(route("/", "one"))), "127.0.0.1:" + p1),
                at(httpListener("y", List.of(route("/", "two"))), "127.0.0.1:" + p2)), clusters));
        RawHttpClient before = client("x");
        a.holdResponses();
        before.send("GET /in-flight HTTP/1.1\r\nHost: t\r\n\r\n");
        Await.until("the request reached a", () -> a.requests().size() == 1);
        ProxyServer.ReloadResult r = server.reload(config(List.of(
                at(httpListener("x", List.of(route("/", "one"))), "127.0.0.1:" + p2),
                at(httpListener("y", List.of(route("/", "two"))), "127.0.0.1:" + p1)), clusters));
        assertTrue(r.applied(), String.valueOf(r));
        assertEquals(p2, server.listenerAddress("x").getPort());
        assertEquals(p1, server.listenerAddress("y").getPort());
        a.releaseHeld();
        assertEquals("hello from a", before.readResponse().bodyText(), "the request in flight on the old x");
        assertEquals("hello from b", client("y").get("/").bodyText());
        assertEquals("hello from a", client("x").get("/").bodyText());
    }
    /**
     * A route moved to a cluster that the same reload adds, whose endpoint is a host name: the name must be
     * resolved before the route takes traffic, or requests in between find no host (503 UH).
     */
    @Test
    void aNewClusterGivenByHostNameHasHostsBeforeItsRoutesTakeTraffic() throws Exception {
        FakeUpstream a = upstream("a");
        FakeUpstream b = upstream("b");
        // the periodic lookups (on the discovery thread) are slow; a lookup the reload makes is not
        io.remora.core.discovery.Resolver slowOnDiscoveryThread = (host, family) -> {
            if (Thread.currentThread().getName().startsWith("remora-dns")) {
                java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofSeconds(2).toNanos());
            }
            return List.of(InetAddress.getLoopbackAddress());
        };
        List<ClusterConfig> before = List.of(cluster("one", LbPolicy.ROUND_ROBIN, a.address()));
        server = ProxyServer.start(config(List.of(httpListener("ingress", List.of(route("/", "one")))), before),
                ProxyServer.Options.defaults().withWorkerThreads(1).withResolver(slowOnDiscoveryThread));
        RawHttpClient c = client("ingress");
        assertEquals("hello from a", c.get("/").bodyText());
        ProxyServer.ReloadResult r = server.reload(config(List.of(httpListener("ingress",
                List.of(route("/", "two")))), List.of(before.get(0), cluster("two", LbPolicy.ROUND_ROBIN,
                "localhost:" + b.port()))));
        assertTrue(r.applied(), String.valueOf(r));
        assertEquals(1, server.clusters().cluster("two").hostSet().hosts().size());
        RawResponse resp = c.get("/right-after");
        assertEquals(200, resp.status(), resp.toString());
        assertEquals("hello from b", resp.bodyText());
    }

    /** A file put back to the running config after a failed reload: nothing to apply, and no error left shown. */
    @Test
    void goingBackToTheRunningConfigClearsTheReloadError() throws Exception {
        FakeUpstream a = upstream("a");
        RemoraConfig c = config(List.of(httpListener("ingress", List.of(route("/", "app")))),
                List.of(cluster("app", LbPolicy.ROUND_ROBIN, a.address())));
        start(c);
        java.time.Instant loadedAt = server.configStatus().loadedAt();
        server.reloadFailed("config file remora.yaml cannot be read (no such file)");
        assertNotNull(server.configStatus().lastReloadError());
        ProxyServer.ReloadResult r = server.reload(config(c.listeners(), c.clusters()));
        assertFalse(r.applied());
        assertNull(server.configStatus().lastReloadError(), "the running config is what the file says again");
        assertNull(server.configStatus().lastReloadErrorAt());
        assertEquals(loadedAt, server.configStatus().loadedAt());
        assertEquals(1, reloads("failure"));
        assertEquals(0, reloads("success"));
    }
}
