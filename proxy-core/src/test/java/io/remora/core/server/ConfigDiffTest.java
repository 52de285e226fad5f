package io.remora.core.server;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.config;
import static io.remora.core.testing.Configs.hp;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static io.remora.core.testing.Configs.tcpListener;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.AccessLogConfig;
import io.remora.config.model.AdminConfig;
import io.remora.config.model.ClusterConfig;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.Protocol;
import io.remora.config.model.RemoraConfig;
import io.remora.core.testing.Configs;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a reload changes, from two snapshots: listeners kept (absent from every list), added, removed (drained),
 * re-bound (drained and bound again: address or protocol changed) or updated in place (routes, timeouts, limits,
 * access log: the socket stays); clusters kept, added, removed or changed.
 */
@Timeout(10)
class ConfigDiffTest {

    private static ListenerConfig at(ListenerConfig l, String address) {
        return new ListenerConfig(l.name(), hp(address), l.protocol(), l.cluster(), l.routes(), l.idleTimeout(),
                l.streamIdleTimeout(), l.requestHeadersTimeout(), l.maxRequestHeadersKb(), l.accessLog());
    }

    private static ListenerConfig http(String name, String address, String prefix, String cluster) {
        return at(httpListener(name, List.of(route(prefix, cluster))), address);
    }

    private static ListenerConfig tcp(String name, String address, String cluster) {
        return at(tcpListener(name, cluster), address);
    }

    private static ListenerConfig withAccessLog(ListenerConfig l, AccessLogConfig log) {
        return new ListenerConfig(l.name(), l.address(), l.protocol(), l.cluster(), l.routes(), l.idleTimeout(),
                l.streamIdleTimeout(), l.requestHeadersTimeout(), l.maxRequestHeadersKb(), log);
    }

    /** The running config of most cases: two HTTP listeners, one TCP listener, three clusters. */
    private static RemoraConfig base() {
        return config(List.of(
                        http("ingress", "127.0.0.1:15001", "/", "app"),
                        http("egress", "127.0.0.1:15002", "/", "ext"),
                        tcp("db", "127.0.0.1:15432", "pg")),
                List.of(cluster("app", LbPolicy.ROUND_ROBIN, "127.0.0.1:8081", "127.0.0.1:8082"),
                        cluster("ext", LbPolicy.ROUND_ROBIN, "127.0.0.1:9090"),
                        cluster("pg", LbPolicy.ROUND_ROBIN, "127.0.0.1:5432")));
    }

    private static RemoraConfig withListeners(RemoraConfig c, ListenerConfig... listeners) {
        return new RemoraConfig(c.admin(), c.drainTimeout(), List.of(listeners), c.clusters());
    }

    private static RemoraConfig withClusters(RemoraConfig c, ClusterConfig... clusters) {
        return new RemoraConfig(c.admin(), c.drainTimeout(), c.listeners(), List.of(clusters));
    }

    private static void assertKeptEverything(ConfigDiff d) {
        assertTrue(d.isEmpty(), d.toString());
        assertEquals("no changes", d.summary());
    }

    @Test
    void theSameConfigKeepsEverything() {
        assertKeptEverything(ConfigDiff.between(base(), base()));
    }

    @Test
    void orderOfListenersAndClustersDoesNotMatter() {
        RemoraConfig b = base();
        RemoraConfig shuffled = new RemoraConfig(b.admin(), b.drainTimeout(),
                List.of(b.listeners().get(2), b.listeners().get(0), b.listeners().get(1)),
                List.of(b.clusters().get(1), b.clusters().get(2), b.clusters().get(0)));
        assertKeptEverything(ConfigDiff.between(b, shuffled));
    }

    @Test
    void adminAddressAndDrainTimeoutAreNotListenerOrClusterChanges() {
        RemoraConfig b = base();
        RemoraConfig next = new RemoraConfig(new AdminConfig(hp("127.0.0.1:9902"), false), Duration.ofSeconds(3),
                b.listeners(), b.clusters());
        // nothing to bind, drain or rebuild (the new drain_timeout is simply read from the config when needed)
        assertKeptEverything(ConfigDiff.between(b, next));
    }

    @Test
    void aNewListenerIsAddedAndTheOthersAreKept() {
        RemoraConfig b = base();
        ListenerConfig api = http("api", "127.0.0.1:15003", "/", "app");
        ConfigDiff d = ConfigDiff.between(b, withListeners(b, b.listeners().get(0), b.listeners().get(1),
                b.listeners().get(2), api));
        assertEquals(List.of("api"), d.listenersAdded());
        assertEquals(List.of(), d.listenersRemoved());
        assertEquals(List.of(), d.listenersRebound());
        assertEquals(List.of(), d.listenersUpdated());
        assertEquals(List.of(), d.clustersAdded());
        assertEquals(List.of(), d.clustersChanged());
        assertEquals(List.of(), d.clustersRemoved());
        assertEquals("listeners +api; clusters unchanged", d.summary());
    }

    @Test
    void aListenerLeftOutIsRemovedAndDrained() {
        RemoraConfig b = base();
        ConfigDiff d = ConfigDiff.between(b, withListeners(b, b.listeners().get(0), b.listeners().get(2)));
        assertEquals(List.of("egress"), d.listenersRemoved());
        assertEquals(List.of(), d.listenersAdded());
        assertEquals(List.of(), d.listenersRebound());
        assertEquals(List.of(), d.listenersUpdated());
        assertEquals("listeners -egress; clusters unchanged", d.summary());
    }

    @Test
    void aRenamedListenerIsAnotherListener() {
        RemoraConfig b = base();
        ListenerConfig renamed = http("front", "127.0.0.1:15001", "/", "app"); // same address as "ingress"
        ConfigDiff d = ConfigDiff.between(b, withListeners(b, renamed, b.listeners().get(1), b.listeners().get(2)));
        assertEquals(List.of("front"), d.listenersAdded());
        assertEquals(List.of("ingress"), d.listenersRemoved());
        assertEquals(List.of(), d.listenersRebound());
    }

    @Test
    void aNewAddressIsARebindNotAnUpdate() {
        RemoraConfig b = base();
        ListenerConfig moved = at(b.listeners().get(0), "127.0.0.1:16001");
        ConfigDiff d = ConfigDiff.between(b, withListeners(b, moved, b.listeners().get(1), b.listeners().get(2)));
        assertEquals(List.of("ingress"), d.listenersRebound());
        assertEquals(List.of(), d.listenersUpdated());
        assertEquals(List.of(), d.listenersAdded());
        assertEquals(List.of(), d.listenersRemoved());
        assertEquals("listeners ~ingress(rebind); clusters unchanged", d.summary());
    }

    @Test
    void anotherHostOnTheSamePortIsARebind() {
        RemoraConfig b = base();
        ListenerConfig anyAddress = at(b.listeners().get(0), "0.0.0.0:15001");
        ConfigDiff d = ConfigDiff.between(b, withListeners(b, anyAddress, b.listeners().get(1),
                b.listeners().get(2)));
        assertEquals(List.of("ingress"), d.listenersRebound());
    }

    @Test
    void aNewProtocolIsARebindEvenOnTheSameAddress() {
        RemoraConfig b = base();
        ListenerConfig nowTcp = tcp("egress", "127.0.0.1:15002", "ext");
        assertEquals(Protocol.HTTP, b.listeners().get(1).protocol());
        ConfigDiff d = ConfigDiff.between(b, withListeners(b, b.listeners().get(0), nowTcp, b.listeners().get(2)));
        assertEquals(List.of("egress"), d.listenersRebound());
        assertEquals(List.of(), d.listenersUpdated());
    }

    @Test
    void routesTimeoutsLimitsAndAccessLogsAreUpdatedInPlace() {
        RemoraConfig b = base();
        ListenerConfig ingress = b.listeners().get(0);
        ListenerConfig egress = b.listeners().get(1);
        ListenerConfig db = b.listeners().get(2);
        ListenerConfig newRoutes = at(httpListener("ingress", List.of(route("/api/", "ext"), route("/", "app"))),
                "127.0.0.1:15001");
        ListenerConfig newTimeouts = Configs.withTimeouts(egress, Duration.ofSeconds(5), Duration.ofSeconds(6),
                Duration.ofSeconds(7));
        ListenerConfig newLimit = Configs.withMaxRequestHeadersKb(db, 8);
        ConfigDiff d = ConfigDiff.between(b, withListeners(b, newRoutes, newTimeouts, newLimit));
        assertEquals(List.of("db", "egress", "ingress"), d.listenersUpdated()); // sorted by name
        assertEquals(List.of(), d.listenersRebound());
        assertEquals(List.of(), d.listenersAdded());
        assertEquals(List.of(), d.listenersRemoved());
        assertEquals("listeners ~db ~egress ~ingress; clusters unchanged", d.summary());

        ConfigDiff log = ConfigDiff.between(b, withListeners(b,
                withAccessLog(ingress, new AccessLogConfig(AccessLogConfig.STDOUT, AccessLogConfig.JSON)), egress, db));
        assertEquals(List.of("ingress"), log.listenersUpdated());
    }

    @Test
    void aTcpListenerPointedAtAnotherClusterIsUpdatedInPlace() {
        RemoraConfig b = base();
        ConfigDiff d = ConfigDiff.between(b, withListeners(b, b.listeners().get(0), b.listeners().get(1),
                tcp("db", "127.0.0.1:15432", "app")));
        assertEquals(List.of("db"), d.listenersUpdated());
        assertEquals(List.of(), d.listenersRebound());
    }

    @Test
    void clustersAreKeptAddedRemovedOrChanged() {
        RemoraConfig b = base();
        ClusterConfig appLessOneHost = cluster("app", LbPolicy.ROUND_ROBIN, "127.0.0.1:8081");
        ClusterConfig extSame = b.clusters().get(1);
        ClusterConfig cache = cluster("cache", LbPolicy.RANDOM, "127.0.0.1:6379");
        // "pg" is gone, "cache" is new, "app" lost a host, "ext" is the very same
        RemoraConfig next = withClusters(b, appLessOneHost, extSame, cache);
        ConfigDiff d = ConfigDiff.between(b, next);
        assertEquals(List.of("cache"), d.clustersAdded());
        assertEquals(List.of("pg"), d.clustersRemoved());
        assertEquals(List.of("app"), d.clustersChanged());
        // the listeners' own configs did not change, even though a route's cluster did: no listener is touched
        assertEquals(List.of(), d.listenersUpdated());
        assertEquals(List.of(), d.listenersRebound());
        assertEquals("listeners unchanged; clusters +cache -pg ~app", d.summary());
    }

    @Test
    void anyClusterSettingIsAChange() {
        RemoraConfig b = base();
        ClusterConfig app = b.clusters().get(0);
        List<ClusterConfig> variants = List.of(
                cluster("app", LbPolicy.LEAST_REQUEST, "127.0.0.1:8081", "127.0.0.1:8082"),
                cluster("app", LbPolicy.ROUND_ROBIN, "127.0.0.1:8082", "127.0.0.1:8081"), // endpoint order
                cluster("app", LbPolicy.ROUND_ROBIN, "127.0.0.1:8081", "127.0.0.1:8082", "127.0.0.1:8083"),
                Configs.withTimeouts(app, Duration.ofMillis(250), app.idleTimeout()),
                Configs.withPanicThreshold(app, 0),
                Configs.withCircuitBreakers(app, Configs.breakers(1, 2, 3, 4)));
        for (ClusterConfig v : variants) {
            ConfigDiff d = ConfigDiff.between(b, withClusters(b, v, b.clusters().get(1), b.clusters().get(2)));
            assertEquals(List.of("app"), d.clustersChanged(), v.toString());
            assertEquals(List.of(), d.clustersAdded());
            assertEquals(List.of(), d.clustersRemoved());
        }
    }

    @Test
    void everythingAtOnce() {
        RemoraConfig b = base();
        RemoraConfig next = config(List.of(
                        http("ingress", "127.0.0.1:16001", "/", "app"),      // moved
                        http("egress", "127.0.0.1:15002", "/v2/", "ext"),    // new routes
                        http("admin-ui", "127.0.0.1:15005", "/", "ui")),     // new; "db" is gone
                List.of(cluster("app", LbPolicy.ROUND_ROBIN, "127.0.0.1:8081"), // lost a host
                        b.clusters().get(1),                                   // same
                        cluster("ui", LbPolicy.ROUND_ROBIN, "127.0.0.1:3000"))); // new; "pg" is gone
        ConfigDiff d = ConfigDiff.between(b, next);
        assertFalse(d.isEmpty());
        assertEquals(new ConfigDiff(List.of("admin-ui"), List.of("db"), List.of("ingress"), List.of("egress"),
                List.of("ui"), List.of("pg"), List.of("app")), d);
        assertEquals("listeners +admin-ui -db ~ingress(rebind) ~egress; clusters +ui -pg ~app", d.summary());
        // the reverse diff undoes it
        ConfigDiff back = ConfigDiff.between(next, b);
        assertEquals(new ConfigDiff(List.of("db"), List.of("admin-ui"), List.of("ingress"), List.of("egress"),
                List.of("pg"), List.of("ui"), List.of("app")), back);
    }
}
