package io.remora.core.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.core.upstream.Host;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Power of two choices: the busier of the two draws loses, so a host is chosen despite being the busier only when
 * both independent draws land on it.
 */
class P2cLeastRequestBalancerTest {

    private static void load(Host h, int active) {
        for (int i = 0; i < active; i++) {
            h.requestStarted();
        }
    }

    @Test
    void ofTwoHostsTheBusyOneWinsOnlyWhenDrawnTwice() {
        List<Host> hosts = Hosts.withWeights(1, 1);
        Host busy = hosts.get(0);
        load(busy, 10);
        LoadBalancer lb = new P2cLeastRequestBalancer(hosts, Hosts.seeded());
        Map<Host, Integer> counts = Hosts.count(lb, Hosts.PICKS);
        double busyShare = Hosts.share(counts, busy, Hosts.PICKS);
        // both draws on the busy host: 1/2 * 1/2
        assertTrue(busyShare >= 0.20 && busyShare <= 0.30, "busy share " + busyShare);
        assertEquals(0.25, busyShare, 0.01);
    }

    @Test
    void ofTenHostsTheLoadedOneIsChosenOncePerHundred() {
        List<Host> hosts = Hosts.withWeights(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        Host loaded = hosts.get(3);
        load(loaded, 5);
        LoadBalancer lb = new P2cLeastRequestBalancer(hosts, Hosts.seeded());
        Map<Host, Integer> counts = Hosts.count(lb, Hosts.PICKS);
        // both draws on the loaded host: 1/10 * 1/10
        assertEquals(0.01, Hosts.share(counts, loaded, Hosts.PICKS), 0.002);
        // the other nine share the rest evenly: 0.99 / 9 = 0.11 each
        for (Host h : hosts) {
            if (h != loaded) {
                assertEquals(0.11, Hosts.share(counts, h, Hosts.PICKS), 0.01, h.toString());
            }
        }
    }

    @Test
    void loadIsComparedPerUnitOfWeight() {
        // heavy: 2 active / weight 3 = 0.67 per unit; light: 1 active / weight 1 = 1 per unit, so heavy wins
        // whenever the two draws differ; light wins only when both draws are light: (1/4)^2.
        // (Comparing raw active counts would give light 1 - (3/4)^2 = 44%.)
        List<Host> hosts = Hosts.withWeights(3, 1);
        Host heavy = hosts.get(0);
        Host light = hosts.get(1);
        load(heavy, 2);
        load(light, 1);
        LoadBalancer lb = new P2cLeastRequestBalancer(hosts, Hosts.seeded());
        Map<Host, Integer> counts = Hosts.count(lb, Hosts.PICKS);
        assertEquals(1.0 / 16, Hosts.share(counts, light, Hosts.PICKS), 0.01);
        assertEquals(15.0 / 16, Hosts.share(counts, heavy, Hosts.PICKS), 0.01);
    }

    @Test
    void equalLoadPerWeightKeepsTheWeightShares() {
        // 4 active / weight 2 == 2 active / weight 1: every comparison ties, so picks follow the weights
        List<Host> hosts = Hosts.withWeights(2, 1);
        load(hosts.get(0), 4);
        load(hosts.get(1), 2);
        LoadBalancer lb = new P2cLeastRequestBalancer(hosts, Hosts.seeded());
        Map<Host, Integer> counts = Hosts.count(lb, Hosts.PICKS);
        assertEquals(2.0 / 3, Hosts.share(counts, hosts.get(0), Hosts.PICKS), 0.01);
    }

    @Test
    void finishedRequestsNoLongerCount() {
        List<Host> hosts = Hosts.withWeights(1, 1);
        Host busy = hosts.get(0);
        load(busy, 10);
        for (int i = 0; i < 10; i++) {
            busy.requestFinished();
        }
        assertEquals(0, busy.activeRequests());
        LoadBalancer lb = new P2cLeastRequestBalancer(hosts, Hosts.seeded());
        Map<Host, Integer> counts = Hosts.count(lb, Hosts.PICKS);
        assertEquals(0.5, Hosts.share(counts, busy, Hosts.PICKS), 0.01);
    }

    @Test
    void loadIsReadAtPickTimeNotWhenTheBalancerIsBuilt() {
        List<Host> hosts = Hosts.withWeights(1, 1);
        LoadBalancer lb = new P2cLeastRequestBalancer(hosts, Hosts.seeded());
        load(hosts.get(1), 3);
        Map<Host, Integer> counts = Hosts.count(lb, 10_000);
        assertEquals(0.25, Hosts.share(counts, hosts.get(1), 10_000), 0.03);
    }
}
