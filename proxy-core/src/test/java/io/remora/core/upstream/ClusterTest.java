package io.remora.core.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.LbPolicy;
import io.remora.core.testing.Configs;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ClusterTest {
    private static final Cluster.Member A = member("10.0.0.1", 1);
    private static final Cluster.Member B = member("10.0.0.2", 1);
    private static final Cluster.Member C = member("10.0.0.3", 1);

    private final List<Host> removed = new ArrayList<>();
    private final Cluster cluster = new Cluster(Configs.cluster("c", LbPolicy.ROUND_ROBIN, "svc:80"),
            new SplittableRandom(7), removed::add);

    private static Cluster.Member member(String ip, int weight) {
        return new Cluster.Member(new InetSocketAddress(ip, 80), "svc:80", weight);
    }

    private Host hostAt(int i) {
        return cluster.hostSet().hosts().get(i);
    }

    /** Every host the balancer hands out in a few rounds. */
    private Set<Host> chosen() {
        Set<Host> out = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            out.add(cluster.choose());
        }
        return out;
    }

    @Test
    void startsEmpty() {
        assertTrue(cluster.hostSet().hosts().isEmpty());
        assertNull(cluster.choose());
        assertEquals("c", cluster.name());
    }

    @Test
    void membersBecomeHosts() {
        cluster.updateMembership(List.of(A, member("10.0.0.2", 3)));
        List<Host> hosts = cluster.hostSet().hosts();
        assertEquals(2, hosts.size());
        assertEquals(A.address(), hosts.get(0).address());
        assertEquals("svc:80", hosts.get(0).endpoint());
        assertEquals("c", hosts.get(0).cluster());
        assertEquals(3, hosts.get(1).weight());
        assertEquals(Set.copyOf(hosts), chosen());
    }

    @Test
    void unchangedMembersKeepTheirIdentityAndGoneOnesAreReported() {
        cluster.updateMembership(List.of(A, B));
        Host a = hostAt(0);
        Host b = hostAt(1);
        a.requestStarted(); // per-host state must survive the refresh
        HostSet before = cluster.hostSet();

        cluster.updateMembership(List.of(A, C));

        assertNotSame(before, cluster.hostSet());
        assertSame(a, hostAt(0));
        assertEquals(1, hostAt(0).activeRequests());
        Host c = hostAt(1);
        assertEquals(C.address(), c.address());
        assertFalse(a.isRemoved());
        assertFalse(c.isRemoved());
        assertTrue(b.isRemoved());
        assertEquals(List.of(b), removed);
        assertEquals(Set.of(a, c), chosen(), "the balancer is rebuilt over the new hosts");
    }

    @Test
    void sameMembershipChangesNothing() {
        cluster.updateMembership(List.of(A, B));
        HostSet before = cluster.hostSet();
        cluster.updateMembership(List.of(member("10.0.0.1", 1), member("10.0.0.2", 1))); // equal, not same
        assertSame(before, cluster.hostSet());
        assertTrue(removed.isEmpty());
    }

    @Test
    void reorderingKeepsHostsButPublishesTheNewOrder() {
        cluster.updateMembership(List.of(A, B));
        Host a = hostAt(0);
        Host b = hostAt(1);
        cluster.updateMembership(List.of(B, A));
        assertEquals(List.of(b, a), cluster.hostSet().hosts());
        assertTrue(removed.isEmpty());
    }

    @Test
    void aNewWeightIsANewHost() {
        cluster.updateMembership(List.of(A, B));
        Host b = hostAt(1);
        cluster.updateMembership(List.of(A, member("10.0.0.2", 5)));
        assertNotSame(b, hostAt(1));
        assertEquals(5, hostAt(1).weight());
        assertTrue(b.isRemoved());
        assertEquals(List.of(b), removed);
    }

    @Test
    void theSameAddressUnderAnotherEndpointIsAnotherHost() {
        cluster.updateMembership(List.of(A));
        Host a = hostAt(0);
        cluster.updateMembership(List.of(new Cluster.Member(A.address(), "other:80", 1)));
        assertNotSame(a, hostAt(0));
        assertEquals(List.of(a), removed);
    }

    @Test
    void emptyingTheClusterRemovesEveryHost() {
        cluster.updateMembership(List.of(A, B));
        List<Host> before = cluster.hostSet().hosts();
        cluster.updateMembership(List.of());
        assertTrue(cluster.hostSet().hosts().isEmpty());
        assertNull(cluster.choose());
        assertEquals(Set.copyOf(before), Set.copyOf(removed));
        assertTrue(before.stream().allMatch(Host::isRemoved));
    }

    @Test
    void duplicateMembersAreKeptAndNeverLost() {
        // the same endpoint listed twice (or a resolver that repeats an address) gives two hosts at one address
        cluster.updateMembership(List.of(A, A, B));
        List<Host> first = cluster.hostSet().hosts();
        assertEquals(3, first.size());
        assertNotSame(first.get(0), first.get(1));

        HostSet before = cluster.hostSet();
        cluster.updateMembership(List.of(A, A, B));
        assertSame(before, cluster.hostSet(), "nothing changed");
        assertTrue(removed.isEmpty());

        cluster.updateMembership(List.of(A, B));
        assertEquals(2, cluster.hostSet().hosts().size());
        assertEquals(1, removed.size(), "the dropped duplicate is reported, so its pool is drained");
        assertTrue(removed.get(0).isRemoved());
        assertTrue(first.containsAll(cluster.hostSet().hosts()));
    }

    @Test
    void leastRequestAndRandomClustersRebuildToo() {
        for (LbPolicy policy : List.of(LbPolicy.LEAST_REQUEST, LbPolicy.RANDOM)) {
            Cluster c = new Cluster(Configs.cluster("c", policy, "svc:80"), new SplittableRandom(3), h -> { });
            assertNull(c.choose());
            c.updateMembership(List.of(A));
            assertSame(c.hostSet().hosts().get(0), c.choose());
            c.updateMembership(List.of());
            assertNull(c.choose());
        }
    }
}
