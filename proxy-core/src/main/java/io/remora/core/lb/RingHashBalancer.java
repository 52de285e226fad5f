package io.remora.core.lb;

import io.remora.core.upstream.Host;
import java.util.List;

/**
 * {@code ring_hash}: consistent hashing on a Ketama ring. Each host owns {@link #POINTS_PER_WEIGHT} points per
 * unit of weight; a request's key hash is served by the first point at or after it. When one of N hosts leaves,
 * only the keys on its points move, about 1/N of them, and they move to the host a retry of them reached before.
 *
 * <p>Points are placed by hashing the host's address, not its position in the list, and how many points a host
 * has depends on its own weight only, never on the other hosts: so a host keeps its points, and its keys, whatever
 * else joins, leaves or is ejected. (Sizing the ring by the total or the smallest weight, as Envoy does, changes
 * every host's point count when one leaves and moves keys between hosts that stayed.) Only a ring that would
 * exceed {@link #MAX_RING_SIZE} is thinned, in power-of-two steps, so it stays stable within a step.
 */
final class RingHashBalancer implements LoadBalancer {
    /** Points per unit of weight: about 3% spread (1/sqrt) between equal hosts' shares of the keys. */
    static final int POINTS_PER_WEIGHT = 1024;
    /** Bounds the memory (12 bytes a point) and the rebuild, which follows every ejection and return. */
    static final int MAX_RING_SIZE = 1 << 17;
    private final long[] points;
    private final Host[] owners;
    private final int distinctHosts;

    RingHashBalancer(List<Host> hosts) {
        long totalWeight = 0;
        for (Host h : hosts) {
            totalWeight += h.weight();
        }
        long perWeight = POINTS_PER_WEIGHT;
        while (perWeight > 1 && totalWeight * perWeight > MAX_RING_SIZE) {
            perWeight >>= 1;
        }
        java.util.ArrayList<Point> ring = new java.util.ArrayList<>();
        for (Host h : hosts) {
            long count = totalWeight * perWeight <= MAX_RING_SIZE
                    ? h.weight() * perWeight
                    : Math.max(1, Math.round((double) MAX_RING_SIZE * h.weight() / totalWeight));
            long prefix = HashFunction.fnvState(h.addressString() + "_");
            for (int p = 0; p < count; p++) {
                ring.add(new Point(HashFunction.fmix64(HashFunction.fnvDecimal(prefix, p)), h)); // hash("ip:port_p")
            }
        }
        ring.sort((a, b) -> Long.compareUnsigned(a.hash(), b.hash()));
        this.points = new long[ring.size()];
        this.owners = new Host[ring.size()];
        for (int i = 0; i < ring.size(); i++) {
            points[i] = ring.get(i).hash();
            owners[i] = ring.get(i).owner();
        }
        this.distinctHosts = hosts.size();
    }

    private record Point(long hash, Host owner) {
    }

    @Override
    public Host choose() {
        return choose(java.util.concurrent.ThreadLocalRandom.current().nextLong(), 0);
    }

    /**
     * The host for {@code hash}; {@code attempt} > 0 walks on to the attempt-th distinct host after it, so a
     * retry of the same key goes elsewhere, deterministically, and never back to a host an earlier attempt had.
     */
    @Override
    public Host choose(long hash, int attempt) {
        int i = firstAtOrAfter(hash);
        Host h = owners[i];
        int skip = Math.min(attempt, distinctHosts - 1);
        if (skip <= 0) {
            return h;
        }
        Host[] seen = new Host[skip + 1]; // a retry only; the first attempt allocates nothing
        seen[0] = h;
        int found = 1;
        for (int step = 0; found <= skip && step < owners.length; step++) {
            i = (i + 1) % owners.length;
            if (!contains(seen, found, owners[i])) {
                seen[found++] = owners[i];
            }
        }
        return seen[found - 1];
    }

    private static boolean contains(Host[] hosts, int n, Host h) {
        for (int k = 0; k < n; k++) {
            if (hosts[k] == h) {
                return true;
            }
        }
        return false;
    }

    private int firstAtOrAfter(long hash) {
        int lo = 0;
        int hi = points.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(points[mid], hash) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo == points.length ? 0 : lo;
    }
}
