package io.remora.core.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.Defaults;
import io.remora.config.model.DnsFamily;
import io.remora.config.model.EndpointConfig;
import io.remora.config.model.LbPolicy;
import io.remora.core.discovery.Resolver;
import io.remora.core.testing.Configs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterManager#refresh} with a scripted resolver: called directly, so no discovery thread, no timer and
 * no DNS are involved.
 */
class ClusterManagerRefreshTest {
    /** Answers per host name; a missing or null answer is a failed lookup. */
    private final Map<String, List<InetAddress>> answers = new HashMap<>();
    private final List<String> lookups = new ArrayList<>();
    private final List<DnsFamily> families = new ArrayList<>();
    private final Resolver resolver = (host, family) -> {
        lookups.add(host);
        families.add(family);
        List<InetAddress> a = answers.get(host);
        if (a == null) {
            throw new UnknownHostException(host + ": scripted failure");
        }
        return a;
    };
    private final List<Host> removed = new ArrayList<>();
    private ClusterManager manager;

    @AfterEach
    void close() {
        if (manager != null) {
            manager.close();
        }
    }

    private Cluster cluster(ClusterConfig config) {
        manager = new ClusterManager(List.of(config), resolver, new SplittableRandom(11), removed::add);
        return manager.cluster(config.name());
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal is parsed, never looked up
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static List<InetSocketAddress> addresses(Cluster c) {
        return c.hostSet().hosts().stream().map(Host::address).toList();
    }

    private static InetSocketAddress at(String literal, int port) {
        return new InetSocketAddress(ip(literal), port);
    }

    @Test
    void severalAddressesBecomeSeveralHosts() {
        answers.put("svc.local", List.of(ip("10.1.0.1"), ip("10.1.0.2"), ip("10.1.0.3")));
        Cluster c = cluster(new ClusterConfig("c", List.of(new EndpointConfig(Configs.hp("svc.local:8080"), 4)),
                Defaults.DNS_REFRESH, DnsFamily.V4, LbPolicy.ROUND_ROBIN, Defaults.CONNECT_TIMEOUT,
                Defaults.CLUSTER_IDLE_TIMEOUT, Defaults.MAX_REQUESTS_PER_CONNECTION));

        manager.refresh(c);

        assertEquals(List.of(at("10.1.0.1", 8080), at("10.1.0.2", 8080), at("10.1.0.3", 8080)), addresses(c));
        for (Host h : c.hostSet().hosts()) {
            assertEquals("svc.local:8080", h.endpoint());
            assertEquals(4, h.weight());
            assertEquals("c", h.cluster());
        }
        assertEquals(List.of("svc.local"), lookups);
        assertEquals(List.of(DnsFamily.V4), families, "the cluster's dns_family is passed on");
    }

    @Test
    void aFailedLookupKeepsThePreviousAddresses() {
        answers.put("svc.local", List.of(ip("10.1.0.1"), ip("10.1.0.2")));
        Cluster c = cluster(Configs.cluster("c", LbPolicy.ROUND_ROBIN, "svc.local:80"));
        manager.refresh(c);
        HostSet good = c.hostSet();

        answers.remove("svc.local");
        manager.refresh(c);
        manager.refresh(c);

        assertEquals(3, lookups.size(), "every refresh asks again");
        assertSame(good, c.hostSet(), "same hosts, same balancer");
        assertTrue(removed.isEmpty());

        answers.put("svc.local", List.of(ip("10.1.0.2"), ip("10.1.0.3")));
        manager.refresh(c);
        assertEquals(List.of(at("10.1.0.2", 80), at("10.1.0.3", 80)), addresses(c));
        assertSame(good.hosts().get(1), c.hostSet().hosts().get(0), "10.1.0.2 stayed, so it is the same host");
        assertEquals(List.of(good.hosts().get(0)), removed);
    }

    @Test
    void aLookupThatNeverSucceededLeavesTheClusterEmpty() {
        Cluster c = cluster(Configs.cluster("c", LbPolicy.ROUND_ROBIN, "nowhere.local:80"));
        manager.refresh(c);
        assertTrue(c.hostSet().hosts().isEmpty());
        assertNull(c.choose());
    }

    @Test
    void oneFailingNameDoesNotAffectTheOthers() {
        answers.put("a.local", List.of(ip("10.1.0.1")));
        answers.put("b.local", List.of(ip("10.2.0.1")));
        Cluster c = cluster(Configs.cluster("c", LbPolicy.ROUND_ROBIN, "a.local:80", "b.local:81"));
        manager.refresh(c);
        Host a = c.hostSet().hosts().get(0);

        answers.remove("b.local");
        answers.put("a.local", List.of(ip("10.1.0.1"), ip("10.1.0.9")));
        manager.refresh(c);

        assertEquals(List.of(at("10.1.0.1", 80), at("10.1.0.9", 80), at("10.2.0.1", 81)), addresses(c));
        assertSame(a, c.hostSet().hosts().get(0));
        assertTrue(removed.isEmpty());
    }

    @Test
    void ipLiteralsAreNotResolved() {
        Resolver refusing = (host, family) -> fail("resolver asked for literal " + host);
        manager = new ClusterManager(List.of(Configs.cluster("c", LbPolicy.ROUND_ROBIN, "10.3.0.1:80", "::1:81")),
                refusing, new SplittableRandom(1), removed::add);
        Cluster c = manager.cluster("c");
        manager.refresh(c);
        assertEquals(List.of(at("10.3.0.1", 80), at("::1", 81)), addresses(c));
        assertEquals("[::1]:81", c.hostSet().hosts().get(1).endpoint());
    }

    @Test
    void aResolverThatThrowsUncheckedKeepsTheMembership() {
        answers.put("svc.local", List.of(ip("10.1.0.1")));
        Cluster c = cluster(Configs.cluster("c", LbPolicy.ROUND_ROBIN, "svc.local:80"));
        manager.refresh(c);
        HostSet good = c.hostSet();

        ClusterManager broken = new ClusterManager(List.of(c.config()), (host, family) -> {
            throw new IllegalStateException("resolver bug");
        }, new SplittableRandom(1), removed::add);
        try {
            broken.refresh(c); // logged, not thrown: the discovery task must survive
        } finally {
            broken.close();
        }
        assertSame(good, c.hostSet());
    }

    @Test
    void constructingDoesNotResolve() {
        cluster(Configs.cluster("c", LbPolicy.ROUND_ROBIN, "svc.local:80"));
        assertTrue(lookups.isEmpty());
        assertTrue(manager.cluster("c").hostSet().hosts().isEmpty());
    }
}
