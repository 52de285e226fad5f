package io.remora.core.upstream;

import io.remora.core.lb.LoadBalancer;
import java.util.List;

/** One immutable membership snapshot of a cluster together with the balancer built for it. */
public record HostSet(List<Host> hosts, LoadBalancer balancer) {

    public HostSet {
        hosts = List.copyOf(hosts);
    }
}
