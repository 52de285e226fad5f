package io.remora.core.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.LbPolicy;
import io.remora.core.testing.Configs;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Priority failover in the cluster snapshot: as priority-0 hosts fail one by one, traffic shifts to priority 1
 * in Envoy's proportions (overprovisioning 1.4), and flows back as they recover.
 */
class PriorityFailoverTest {
    private static final int PICKS = 10_000;

    private static Cluster.Member member(String ip, int priority) {
        return new Cluster.Member(new InetSocketAddress(ip, 80), ip + ":80", 1, priority);
    }

    private static Cluster cluster(LbPolicy policy, int panicThreshold) {
        ClusterConfig c = Configs.withPanicThreshold(Configs.cluster("c", policy, "10.0.0.1:80"), panicThreshold);
        Cluster cluster = new Cluster(c, new SplittableRandom(0x9e1L), h -> { });
        List<Cluster.Member> members = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            members.add(member("10.0.0." + i, 0));
        }
        members.add(member("10.1.0.1", 1));
        members.add(member("10.1.0.2", 1));
        cluster.updateMembership(members);
        return cluster;
    }

    private static List<Host> level(Cluster c, int priority) {
        return c.hostSet().hosts().stream().filter(h -> h.priority() == priority).toList();
    }

    /** The share of {@link #PICKS} picks that went to priority 1, checking no unavailable host was picked. */
    private static double backupShare(Cluster c) {
        int backup = 0;
        for (int i = 0; i < PICKS; i++) {
            Host h = c.choose();
            assertTrue(h.isAvailable(), "picked " + h + ", which is down");
            backup += h.priority() == 1 ? 1 : 0;
        }
        return backup / (double) PICKS;
    }

    private static void setHealthy(Cluster c, Host h, boolean healthy) {
        h.setHealthy(healthy, healthy ? null : "test");
        c.rebuild();
    }

    @Test
    void trafficSpillsOverInProportionAsPriorityZeroFailsAndFlowsBack() {
        Cluster c = cluster(LbPolicy.ROUND_ROBIN, 50);
        List<Host> primary = level(c, 0);
        double[] expectedDown = {0, 0, 0.30, 0.65, 1.0}; // 4, 3, 2, 1, 0 of 4 primaries available
        assertEquals(0, backupShare(c), 0.0);
        for (int down = 1; down <= 4; down++) {
            setHealthy(c, primary.get(down - 1), false);
            assertEquals(expectedDown[down], backupShare(c), 0.02, down + " of 4 primaries down");
            assertEquals(Math.round(100 - expectedDown[down] * 100), c.hostSet().levels().get(0).loadPercent());
        }
        for (int down = 3; down >= 0; down--) {
            setHealthy(c, primary.get(down), true);
            assertEquals(expectedDown[down], backupShare(c), 0.02, down + " of 4 primaries down, recovering");
        }
        assertFalse(c.hostSet().panic());
    }

    @Test
    void theLevelsOfASnapshotAreVisible() {
        Cluster c = cluster(LbPolicy.ROUND_ROBIN, 50);
        setHealthy(c, level(c, 0).get(0), false);
        setHealthy(c, level(c, 0).get(1), false);
        HostSet s = c.hostSet();
        assertEquals(2, s.levels().size());
        assertEquals(0, s.levels().get(0).priority());
        assertEquals(4, s.levels().get(0).hosts().size());
        assertEquals(2, s.levels().get(0).available());
        assertEquals(70, s.levels().get(0).loadPercent());
        assertEquals(30, s.levels().get(1).loadPercent());
        assertEquals(4, s.eligible().size(), "two primaries and two backups");
        assertEquals(4, s.available());
    }

    @Test
    void everythingDownPanicsAcrossAllLevelsByHostCount() {
        Cluster c = cluster(LbPolicy.ROUND_ROBIN, 50);
        for (Host h : c.hostSet().hosts()) {
            h.setHealthy(false, "test");
        }
        c.rebuild();
        assertTrue(c.hostSet().panic());
        int backup = 0;
        for (int i = 0; i < PICKS; i++) {
            backup += c.choose().priority() == 1 ? 1 : 0;
        }
        assertEquals(2 / 6.0, backup / (double) PICKS, 0.02, "by host count: 2 of 6 hosts are backups");
    }

    @Test
    void everythingDownWithoutPanicPicksNothing() {
        Cluster c = cluster(LbPolicy.ROUND_ROBIN, 0);
        for (Host h : c.hostSet().hosts()) {
            h.setHealthy(false, "test");
        }
        c.rebuild();
        assertNull(c.choose());
    }

    @Test
    void aRetryLooksForAnotherHostOnlyAmongTheLevelsThatTakeTraffic() {
        Cluster c = cluster(LbPolicy.ROUND_ROBIN, 50);
        List<Host> primaries = level(c, 0);
        for (int i = 0; i < 20; i++) {
            Host other = c.chooseExcluding(List.of(primaries.get(0)));
            assertEquals(0, other.priority(), "backups take no traffic while every primary is up");
        }
    }

    /** ring_hash draws the level from the key: a key keeps its host as long as the loads stay. */
    @Test
    void ringHashKeepsEachKeyOnOneLevelAndHost() {
        Cluster c = cluster(LbPolicy.RING_HASH, 50);
        setHealthy(c, level(c, 0).get(0), false);
        setHealthy(c, level(c, 0).get(1), false); // 70/30
        Map<Long, Host> first = new HashMap<>();
        int backup = 0;
        for (long key = 0; key < PICKS; key++) {
            long hash = io.remora.core.lb.HashFunction.hash("user-" + key);
            Host h = c.choose(hash, 0);
            first.put(key, h);
            backup += h.priority() == 1 ? 1 : 0;
        }
        for (long key = 0; key < PICKS; key++) {
            assertSame(first.get(key), c.choose(io.remora.core.lb.HashFunction.hash("user-" + key), 0));
        }
        assertEquals(0.30, backup / (double) PICKS, 0.02);
    }

    @Test
    void membersWithAnotherPriorityAreOtherHosts() {
        Cluster c = cluster(LbPolicy.ROUND_ROBIN, 50);
        Map<String, Host> before = new HashMap<>();
        for (Host h : c.hostSet().hosts()) {
            before.put(h.addressString(), h);
        }
        List<Cluster.Member> members = new ArrayList<>();
        for (Host h : c.hostSet().hosts()) {
            // 10.0.0.4 moves to priority 1
            int p = h.addressString().equals("10.0.0.4:80") ? 1 : h.priority();
            members.add(member(h.address().getHostString(), p));
        }
        c.updateMembership(members);
        Map<Host, Boolean> same = new IdentityHashMap<>();
        for (Host h : c.hostSet().hosts()) {
            same.put(h, before.get(h.addressString()) == h);
        }
        assertEquals(5, same.values().stream().filter(b -> b).count());
        assertEquals(3, level(c, 1).size());
    }
}
