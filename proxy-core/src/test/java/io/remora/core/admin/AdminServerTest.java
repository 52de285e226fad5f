package io.remora.core.admin;

import static io.remora.core.admin.Admin.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.AccessLogConfig;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.ListenerConfig;
import io.remora.core.accesslog.AccessLogEntry;
import io.remora.core.metrics.Exposition;
import io.remora.core.server.ListenerBindException;
import io.remora.core.server.ProxyServer;
import io.remora.core.testing.Await;
import io.remora.core.testing.Configs;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.RawHttpClient;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every admin endpoint of a running proxy, over loopback. */
@Timeout(30)
class AdminServerTest {
    @TempDir
    Path dir;

    private FakeUpstream upstream;
    private ProxyServer server;
    private Admin admin;
    private Path accessLog;

    @BeforeEach
    void start() throws ListenerBindException {
        upstream = new FakeUpstream("app");
        accessLog = dir.resolve("access.log");
        ListenerConfig plain = Configs.httpListener("ingress", List.of(Configs.route("/", "app")));
        ListenerConfig logged = withAccessLog(Configs.httpListener("logged", List.of(Configs.route("/", "app"))),
                new AccessLogConfig(accessLog.toString(), "json"));
        server = ProxyServer.start(Configs.config(List.of(plain, logged),
                        List.of(Configs.cluster("app", LbPolicy.ROUND_ROBIN, upstream.address()))),
                ProxyServer.Options.defaults().withWorkerThreads(1)
                        .withAdminAddress(new InetSocketAddress("127.0.0.1", 0)));
        admin = new Admin(server.adminAddress());
    }

    static ListenerConfig withAccessLog(ListenerConfig l, AccessLogConfig a) {
        return new ListenerConfig(l.name(), l.address(), l.protocol(), l.cluster(), l.routes(), l.idleTimeout(),
                l.streamIdleTimeout(), l.requestHeadersTimeout(), l.maxRequestHeadersKb(), a);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        upstream.close();
    }

    @Test
    void healthzAndReady() {
        HttpResponse<String> h = admin.get("/healthz");
        assertEquals(200, h.statusCode());
        assertEquals("ok\n", h.body());
        HttpResponse<String> r = admin.get("/ready");
        assertEquals(200, r.statusCode());
        assertEquals("ready\n", r.body());
        assertEquals(Readiness.READY, server.readiness());
    }

    @Test
    void headAnswersWithoutABody() {
        HttpResponse<String> r = admin.send("HEAD", "/healthz");
        assertEquals(200, r.statusCode());
        assertEquals("", r.body());
    }

    @Test
    void prometheusScrapeIsWellFormedAndCountsConnections() throws IOException {
        try (RawHttpClient c = new RawHttpClient(server.listenerAddress("ingress").getPort())) {
            assertNotNull(c);
            Await.until("the connection counted", () -> scrape().value("remora_downstream_connections_active",
                    "listener", "ingress") == 1);
        }
        Await.until("the close counted", () -> scrape().value("remora_downstream_connections_active",
                "listener", "ingress") == 0);
        HttpResponse<String> r = admin.get("/stats/prometheus");
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("content-type").orElse(""));
        Exposition e = Exposition.parse(r.body());
        assertEquals(1, e.value("remora_downstream_connections_total", "listener", "ingress"));
        assertEquals(0, e.value("remora_downstream_connections_total", "listener", "logged"));
        assertEquals(1, e.value("remora_upstream_hosts", "cluster", "app"));
        assertEquals(1, e.value("remora_event_loops"));
    }

    private Exposition scrape() {
        return Exposition.parse(admin.get("/stats/prometheus").body());
    }

    @Test
    void statsJson() {
        server.metrics().cluster("app").upstreamResponse(200, 3_000_000);
        Map<String, Object> s = admin.json("/stats");
        assertEquals("ingress", at(s, "listeners", 0, "name"));
        assertEquals("logged", at(s, "listeners", 1, "name"));
        assertEquals("app", at(s, "clusters", 0, "name"));
        assertEquals(1L, at(s, "clusters", 0, "responses", "2xx"));
        assertEquals(3.0, ((Number) at(s, "clusters", 0, "attempt_duration", "p50_ms")).doubleValue(), 0.05);
        assertEquals(1L, at(s, "process", "event_loops"));
    }

    @Test
    void clustersShowEveryHost() {
        Map<String, Object> c = admin.json("/clusters");
        assertEquals("app", at(c, "clusters", 0, "name"));
        assertEquals("round_robin", at(c, "clusters", 0, "lb_policy"));
        Map<String, Object> host = Admin.object(c, "clusters", 0, "hosts", 0);
        assertEquals(upstream.address(), host.get("address"));
        assertEquals(1L, host.get("weight"));
        assertEquals("unchecked", host.get("health"));
        assertEquals(false, host.get("ejected"));
        assertNull(host.get("ejected_until"));
        assertNull(host.get("ejection_reason"));
        assertEquals(0L, host.get("active_requests"));
        assertEquals(30.0, ((Number) host.get("ewma_latency_ms")).doubleValue()); // the prior, before any sample
        assertEquals(0L, host.get("successes"));
        assertNull(host.get("success_rate_percent"));
        assertTrue(host.containsKey("recent_success_rate_percent"));
    }

    @Test
    void anEjectedHostShowsUntilWhenAndWhy() {
        var cluster = server.clusters().cluster("app");
        var host = cluster.hostSet().hosts().get(0);
        long before = System.currentTimeMillis();
        host.outlier().tryEject(cluster.nanoTime() + 30_000_000_000L, "5 consecutive 5xx");
        host.countAttempt(true);
        host.countAttempt(false);
        Map<String, Object> h = Admin.object(admin.json("/clusters"), "clusters", 0, "hosts", 0);
        assertEquals(true, h.get("ejected"));
        assertEquals("5 consecutive 5xx", h.get("ejection_reason"));
        long until = Instant.parse((String) h.get("ejected_until")).toEpochMilli();
        assertTrue(until >= before + 29_000 && until <= System.currentTimeMillis() + 30_000, "until " + until);
        assertEquals(50.0, ((Number) h.get("success_rate_percent")).doubleValue());
    }

    @Test
    void configWithDefaultsHashAndReloadError() {
        Map<String, Object> c = admin.json("/config");
        assertTrue(((String) c.get("hash")).matches("sha256:[0-9a-f]{64}"), (String) c.get("hash"));
        assertNotNull(Instant.parse((String) c.get("loaded_at")));
        assertNull(c.get("last_reload_error"));
        assertEquals("ingress", at(c, "config", "listeners", 0, "name"));
        assertEquals("1m", at(c, "config", "listeners", 0, "idle_timeout")); // a default, filled in
        assertEquals("127.0.0.1:0", at(c, "config", "listeners", 0, "address"));
        assertEquals("http", at(c, "config", "listeners", 0, "protocol"));
        assertEquals(accessLog.toString(), at(c, "config", "listeners", 1, "access_log", "path"));
        assertEquals("round_robin", at(c, "config", "clusters", 0, "lb_policy"));
        assertEquals(1024L, at(c, "config", "clusters", 0, "circuit_breakers", "max_requests"));
        assertEquals("15s", at(c, "config", "drain_timeout"));
        assertEquals(c.get("hash"), admin.json("/config").get("hash"), "the hash is stable");

        server.reloadFailed("listeners[0].address: \"x\": expected host:port");
        Map<String, Object> after = admin.json("/config");
        assertEquals("listeners[0].address: \"x\": expected host:port", after.get("last_reload_error"));
        assertNotNull(after.get("last_reload_error_at"));
        assertEquals(1, scrape().value("remora_config_reloads_total", "result", "failure"));
    }

    @Test
    void listenersWithTheirBoundPorts() {
        Map<String, Object> l = admin.json("/listeners");
        assertEquals("127.0.0.1:" + server.adminAddress().getPort(), l.get("admin_address"));
        assertEquals("ingress", at(l, "listeners", 0, "name"));
        assertEquals("http", at(l, "listeners", 0, "protocol"));
        assertEquals((long) server.listenerAddress("ingress").getPort(), at(l, "listeners", 0, "bound_port"));
        assertNull(at(l, "listeners", 0, "access_log"));
        assertEquals(accessLog.toString(), at(l, "listeners", 1, "access_log"));
    }

    @Test
    void unknownPathsListTheEndpoints() {
        HttpResponse<String> r = admin.get("/nope");
        assertEquals(404, r.statusCode());
        assertTrue(r.body().startsWith("no admin endpoint /nope; the endpoints are:\n"), r.body());
        for (AdminHandler.Endpoint e : AdminHandler.ENDPOINTS) {
            assertTrue(r.body().contains(e.method().name() + " ") && r.body().contains(" " + e.path() + " "),
                    e.path() + " missing from:\n" + r.body());
        }
    }

    @Test
    void theIndexLinksEveryGetEndpoint() {
        HttpResponse<String> r = admin.get("/");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/html"));
        for (String p : List.of("/ready", "/healthz", "/stats", "/stats/prometheus", "/clusters", "/config",
                "/listeners")) {
            assertTrue(r.body().contains("<a href=\"" + p + "\">"), p);
        }
        assertTrue(r.body().contains("POST /drain"));
    }

    @Test
    void wrongMethodsAre405WithAllow() {
        HttpResponse<String> r = admin.get("/drain");
        assertEquals(405, r.statusCode());
        assertEquals("POST", r.headers().firstValue("allow").orElse(""));
        HttpResponse<String> p = admin.send("POST", "/stats");
        assertEquals(405, p.statusCode());
        assertEquals("GET, HEAD", p.headers().firstValue("allow").orElse(""));
        assertEquals(Readiness.READY, server.readiness(), "a GET does not drain");
    }

    @Test
    void postDrainFailsReadyAndStopsAccepting() {
        int port = server.listenerAddress("ingress").getPort();
        HttpResponse<String> d = admin.send("POST", "/drain");
        assertEquals(202, d.statusCode());
        assertEquals(true, at(JsonReader.parse(d.body()), "draining"));
        Await.until("/ready says draining", () -> admin.get("/ready").statusCode() == 503);
        assertEquals("draining\n", admin.get("/ready").body());
        Await.until("the listener closed", () -> refuses(port));
        assertEquals(200, admin.get("/healthz").statusCode(), "the admin server keeps serving");
        HttpResponse<String> again = admin.send("POST", "/drain");
        assertEquals(202, again.statusCode());
        assertEquals(true, at(JsonReader.parse(again.body()), "already_draining"));
    }

    private static boolean refuses(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return !s.isConnected();
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void accessLoggersAreOpenPerListener() throws IOException {
        assertNull(server.accessLogger("ingress"));
        assertNotNull(server.accessLogger("logged"));
        assertEquals(accessLog.toString(), server.accessLogger("logged").path());
        server.accessLogger("logged").log(new AccessLogEntry().method("GET").path("/x").status(200));
        Await.until("the line written", () -> Files.exists(accessLog) && lineCount() == 1);
        assertTrue(Files.readString(accessLog).contains("\"listener\":\"logged\""));
    }

    private long lineCount() {
        try {
            return Files.readAllLines(accessLog).size();
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void aNonLoopbackAdminAddressIsRefusedWithoutAllowRemote() {
        ListenerBindException e = assertThrows(ListenerBindException.class, () -> ProxyServer.start(
                Configs.config(List.of(Configs.httpListener("other", List.of(Configs.route("/", "app")))),
                        List.of(Configs.cluster("app", LbPolicy.ROUND_ROBIN, upstream.address()))),
                ProxyServer.Options.defaults().withWorkerThreads(1)
                        .withAdminAddress(new InetSocketAddress("0.0.0.0", 0))));
        assertEquals("cannot start the admin server on 0.0.0.0:0: not a loopback address, and admin.allow_remote"
                + " is not set (the admin API can drain the proxy)", e.getMessage());
    }

    @Test
    void anAdminPortInUseIsOneSentenceAndBindsNothing() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            ListenerBindException e = assertThrows(ListenerBindException.class, () -> ProxyServer.start(
                    Configs.config(List.of(Configs.httpListener("other", List.of(Configs.route("/", "app")))),
                            List.of(Configs.cluster("app", LbPolicy.ROUND_ROBIN, upstream.address()))),
                    ProxyServer.Options.defaults().withWorkerThreads(1)
                            .withAdminAddress(new InetSocketAddress("127.0.0.1", taken.getLocalPort()))));
            assertEquals("cannot start the admin server on 127.0.0.1:" + taken.getLocalPort()
                    + ": address already in use", e.getMessage());
        }
    }
}
