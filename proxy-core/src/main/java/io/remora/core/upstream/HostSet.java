package io.remora.core.upstream;

import io.remora.core.lb.LoadBalancer;
import java.util.List;

/**
 * One immutable snapshot of a cluster: every member, and the balancer built over the hosts that may take
 * traffic now (the available ones, or all members in panic mode).
 *
 * @param panic     fewer than {@code panic_threshold}% of members are available, so the balancer spans all
 * @param available members that are healthy and not ejected
 */
public record HostSet(List<Host> hosts, LoadBalancer balancer, boolean panic, int available) {

    public HostSet {
        hosts = List.copyOf(hosts);
    }
}
