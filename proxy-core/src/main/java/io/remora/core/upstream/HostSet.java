package io.remora.core.upstream;

import io.remora.core.lb.LoadBalancer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One immutable snapshot of a cluster: every member, and the balancer built over the hosts that may take
 * traffic now. With several priority levels the balancer first draws a level by the levels' loads
 * ({@link PriorityLoad}), then asks that level's own balancer.
 *
 * @param panic          some level that takes traffic has too few available hosts, so its balancer spans all of
 *                       its hosts (see {@link PriorityLoad})
 * @param available      members that are healthy and not ejected
 * @param levels         the priority levels, lowest (preferred) first; empty when there are no members
 * @param availableHosts the members that were available when the snapshot was built (slow start compares the
 *                       next snapshot with it to see which hosts came back)
 */
public record HostSet(List<Host> hosts, LoadBalancer balancer, boolean panic, int available, List<Level> levels,
        Set<Host> availableHosts) {

    public HostSet {
        hosts = List.copyOf(hosts);
        levels = List.copyOf(levels);
        availableHosts = Set.copyOf(availableHosts);
    }

    /** A snapshot of one level, without slow start. */
    public HostSet(List<Host> hosts, LoadBalancer balancer, boolean panic, int available) {
        this(hosts, balancer, panic, available, List.of(), Set.of());
    }

    /** The hosts some balancer of this snapshot may pick: those of every level that takes traffic. */
    public List<Host> eligible() {
        List<Host> out = new ArrayList<>();
        for (Level l : levels) {
            if (l.loadPercent() > 0) {
                out.addAll(l.eligible());
            }
        }
        return out;
    }

    /**
     * The weight {@code host} is balanced with now (ramped down while it slow-starts, in units of
     * {@code SlowStart.SCALE} then), or 0 if no balancer of this snapshot may pick it.
     */
    public int weightOf(Host host) {
        for (Level l : levels) {
            if (l.loadPercent() == 0) {
                continue;
            }
            int i = l.eligible().indexOf(host);
            if (i >= 0) {
                return l.weights().get(i);
            }
        }
        return 0;
    }

    /**
     * One priority level.
     *
     * @param hosts       every member of the level
     * @param available   members that are healthy and not ejected
     * @param loadPercent the share of requests the level takes, 0-100 (the levels' add up to 100, or all are 0)
     * @param panic       the level balances across all its hosts, not only the available ones
     * @param eligible    the hosts its balancer picks from
     * @param weights     their weights, in the same order (ramped by slow start)
     * @param balancer    picks among {@code eligible}
     */
    public record Level(int priority, List<Host> hosts, int available, int loadPercent, boolean panic,
            List<Host> eligible, List<Integer> weights, LoadBalancer balancer) {

        public Level {
            hosts = List.copyOf(hosts);
            eligible = List.copyOf(eligible);
            weights = List.copyOf(weights);
        }
    }
}
