package io.remora.core.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.LbPolicy;
import io.remora.core.upstream.Host;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Consistent hashing: a key keeps its host, hosts get keys in proportion to weight, and a membership change moves
 * only the keys it must (about 1/N of them). Keys are {@code HashFunction.hash("user-" + i)}.
 */
class RingHashBalancerTest {
    private static final int KEYS = 100_000;
    private static final long[] KEY_HASHES = new long[KEYS];

    static {
        for (int i = 0; i < KEYS; i++) {
            KEY_HASHES[i] = HashFunction.hash("user-" + i);
        }
    }

    private static Host host(int i, int weight) {
        String ip = "10.2.0." + i;
        return new Host("c", new InetSocketAddress(ip, 8080), ip + ":8080", weight, 0);
    }

    private static List<Host> hosts(int... weights) {
        List<Host> hosts = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            hosts.add(host(i + 1, weights[i]));
        }
        return hosts;
    }

    private static LoadBalancer ring(List<Host> hosts) {
        return LoadBalancer.create(LbPolicy.RING_HASH, hosts, new SplittableRandom(1));
    }

    private static Host[] assign(LoadBalancer lb) {
        Host[] owner = new Host[KEYS];
        for (int i = 0; i < KEYS; i++) {
            owner[i] = lb.choose(KEY_HASHES[i], 0);
        }
        return owner;
    }

    private static Map<Host, Integer> counts(Host[] owners) {
        Map<Host, Integer> counts = new IdentityHashMap<>();
        for (Host h : owners) {
            counts.merge(h, 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void theSameKeyAlwaysReachesTheSameHostWhateverTheListOrder() {
        List<Host> hosts = hosts(1, 1, 1, 1);
        Host[] first = assign(ring(hosts));
        Host[] again = assign(ring(hosts));
        List<Host> reversed = new ArrayList<>(hosts);
        Collections.reverse(reversed);
        Host[] fromReversed = assign(ring(reversed));
        for (int i = 0; i < KEYS; i++) {
            assertSame(first[i], again[i], "key " + i);
            assertSame(first[i], fromReversed[i], "key " + i + " (hosts listed in reverse)");
        }
    }

    @Test
    void keysSpreadByWeight() {
        List<Host> hosts = hosts(1, 1, 2);
        Map<Host, Integer> counts = counts(assign(ring(hosts)));
        double[] expected = {0.25, 0.25, 0.5};
        for (int i = 0; i < 3; i++) {
            double share = counts.getOrDefault(hosts.get(i), 0) / (double) KEYS;
            assertEquals(expected[i], share, expected[i] * 0.10, hosts.get(i) + " share " + share);
        }
    }

    @Test
    void equalHostsGetEqualShares() {
        List<Host> hosts = hosts(1, 1, 1, 1, 1);
        Map<Host, Integer> counts = counts(assign(ring(hosts)));
        for (Host h : hosts) {
            double share = counts.getOrDefault(h, 0) / (double) KEYS;
            assertEquals(0.2, share, 0.2 * 0.10, h + " share " + share);
        }
    }

    @Test
    void removingAHostMovesOnlyItsKeys() {
        List<Host> five = hosts(1, 1, 1, 1, 1);
        LoadBalancer before = ring(five);
        Host[] owner = assign(before);
        for (Host gone : five) { // whichever host leaves
            List<Host> four = new ArrayList<>(five);
            four.remove(gone);
            Host[] after = assign(ring(four));
            int moved = 0;
            for (int i = 0; i < KEYS; i++) {
                if (owner[i] == gone) {
                    moved++;
                    assertNotSame(gone, after[i]);
                    // its keys go where a retry of them went before: the next host on the ring
                    assertSame(before.choose(KEY_HASHES[i], 1), after[i], "key " + i);
                } else {
                    assertSame(owner[i], after[i], "key " + i + " moved though its host " + owner[i] + " stayed");
                }
            }
            assertEquals(0.2, moved / (double) KEYS, 0.05, "moved when " + gone + " left");
        }
    }

    @Test
    void addingAHostMovesKeysOnlyToIt() {
        List<Host> five = hosts(1, 1, 1, 1, 1);
        Host[] owner = assign(ring(five));
        List<Host> six = new ArrayList<>(five);
        Host added = host(6, 1);
        six.add(added);
        Host[] after = assign(ring(six));
        int moved = 0;
        for (int i = 0; i < KEYS; i++) {
            if (after[i] != owner[i]) {
                moved++;
                assertSame(added, after[i], "key " + i + " moved between two old hosts");
            }
        }
        assertEquals(1.0 / 6, moved / (double) KEYS, 0.05);
    }

    @Test
    void changingAWeightMovesKeysOnlyToOrFromThatHost() {
        List<Host> before = hosts(1, 1, 1, 1);
        List<Host> after = new ArrayList<>(before);
        Host heavier = host(2, 2); // same address, weight 1 -> 2
        after.set(1, heavier);
        Host[] a = assign(ring(before));
        Host[] b = assign(ring(after));
        for (int i = 0; i < KEYS; i++) {
            boolean wasIt = a[i] == before.get(1);
            boolean isIt = b[i] == heavier;
            if (!wasIt && !isIt) {
                assertSame(a[i], b[i], "key " + i);
            }
            if (wasIt) {
                assertTrue(isIt, "key " + i + " left the host whose weight grew");
            }
        }
    }

    @Test
    void aRetryReachesADifferentHost() {
        List<Host> hosts = hosts(1, 1, 1, 1, 1);
        LoadBalancer lb = ring(hosts);
        for (int i = 0; i < KEYS; i += 10) {
            Set<Host> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            for (int attempt = 0; attempt < hosts.size(); attempt++) {
                Host h = lb.choose(KEY_HASHES[i], attempt);
                assertTrue(seen.add(h), "key " + i + " attempt " + attempt + " returned " + h + " again");
            }
            assertNotSame(lb.choose(KEY_HASHES[i], 0), lb.choose(KEY_HASHES[i], 1));
            assertSame(lb.choose(KEY_HASHES[i], 1), lb.choose(KEY_HASHES[i], 1), "deterministic");
            // attempts beyond the number of hosts still return a host
            assertTrue(hosts.contains(lb.choose(KEY_HASHES[i], 17)));
        }
    }

    @Test
    void retriesOfOneHostsKeysSpreadOverTheOthers() {
        List<Host> hosts = hosts(1, 1, 1, 1, 1);
        LoadBalancer lb = ring(hosts);
        Host first = hosts.get(0);
        Map<Host, Integer> retries = new IdentityHashMap<>();
        int keys = 0;
        for (int i = 0; i < KEYS; i++) {
            if (lb.choose(KEY_HASHES[i], 0) == first) {
                keys++;
                retries.merge(lb.choose(KEY_HASHES[i], 1), 1, Integer::sum);
            }
        }
        assertEquals(4, retries.size());
        for (Map.Entry<Host, Integer> e : retries.entrySet()) {
            assertEquals(0.25, e.getValue() / (double) keys, 0.05, e.getKey().toString());
        }
    }

    @Test
    void withOneHostEveryAttemptReachesIt() {
        List<Host> one = hosts(3);
        LoadBalancer lb = ring(one);
        for (int attempt = 0; attempt < 3; attempt++) {
            assertSame(one.get(0), lb.choose(KEY_HASHES[7], attempt));
        }
        assertSame(one.get(0), lb.choose());
    }

    @Test
    void extremeWeightsStillGiveTheLightestHostItsShare() {
        List<Host> hosts = hosts(1, 1000);
        Map<Host, Integer> counts = counts(assign(ring(hosts)));
        double light = counts.getOrDefault(hosts.get(0), 0) / (double) KEYS;
        assertTrue(light > 0.0005 && light < 0.002, "light share " + light);
    }

    // ---- the hash ----

    private static long fnv1aThenFmix(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return HashFunction.fmix64(h);
    }

    @Test
    void hashesTheUtf8BytesOfTheKey() {
        for (String s : new String[] {"", "user-1", "é", "Zoë", "日本語", "\uD83D\uDE00", "a\uD83D\uDE01b"}) {
            assertEquals(fnv1aThenFmix(s.getBytes(StandardCharsets.UTF_8)), HashFunction.hash(s), s);
        }
    }

    @Test
    void keysWithDifferentEmojiHashDifferently() {
        assertNotEquals(HashFunction.hash("user-\uD83D\uDE00"), HashFunction.hash("user-\uD83D\uDE01"));
    }

    @Test
    void aLoneSurrogateHashesLikeItsUtf8Replacement() {
        String lone = "x\uD83Dy";
        assertEquals(fnv1aThenFmix(lone.getBytes(StandardCharsets.UTF_8)), HashFunction.hash(lone));
    }

    @Test
    void nearbyKeysLandFarApart() {
        long a = HashFunction.hash("user-1");
        long b = HashFunction.hash("user-2");
        assertTrue(Long.bitCount(a ^ b) > 16, "only " + Long.bitCount(a ^ b) + " bits differ");
    }
}
