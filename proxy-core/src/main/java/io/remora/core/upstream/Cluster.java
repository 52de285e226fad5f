package io.remora.core.upstream;

import io.remora.config.model.ClusterConfig;
import io.remora.core.lb.LoadBalancer;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * A running cluster: its config and its current membership. Membership is an immutable {@link HostSet}
 * published through a volatile field; event loops read it per pick, the discovery thread replaces it.
 * Replacing it never touches requests in flight: they hold their {@link Host} until they finish.
 */
public final class Cluster {
    private final ClusterConfig config;
    private final RandomGenerator random;
    private final Consumer<Host> onHostRemoved;
    private volatile HostSet hostSet;

    /**
     * @param onHostRemoved called (on the discovery thread) for every host that leaves, so pools can drain it
     */
    public Cluster(ClusterConfig config, RandomGenerator random, Consumer<Host> onHostRemoved) {
        this.config = config;
        this.random = random;
        this.onHostRemoved = onHostRemoved;
        this.hostSet = new HostSet(List.of(), LoadBalancer.create(config.lbPolicy(), List.of(), random));
    }

    public String name() {
        return config.name();
    }

    public ClusterConfig config() {
        return config;
    }

    public HostSet hostSet() {
        return hostSet;
    }

    /** The host for the next request, or {@code null} if the cluster has none. */
    public Host choose() {
        return hostSet.balancer().choose();
    }

    /**
     * Publishes a new membership. Hosts present before (same address, endpoint and weight) keep their identity;
     * the others are new; hosts that are gone are marked removed and reported.
     */
    public void updateMembership(List<Member> members) {
        HostSet old = hostSet;
        // a queue per member, not one host: a member listed twice is two hosts, and neither may be lost
        Map<Member, ArrayDeque<Host>> existing = new HashMap<>();
        for (Host h : old.hosts()) {
            existing.computeIfAbsent(new Member(h.address(), h.endpoint(), h.weight()), k -> new ArrayDeque<>())
                    .add(h);
        }
        List<Host> next = new ArrayList<>(members.size());
        for (Member m : members) {
            ArrayDeque<Host> same = existing.get(m);
            Host h = same == null ? null : same.poll();
            next.add(h != null ? h : new Host(config.name(), m.address(), m.endpoint(), m.weight()));
        }
        List<Host> gone = new ArrayList<>();
        existing.values().forEach(gone::addAll);
        if (gone.isEmpty() && next.equals(old.hosts())) {
            return;
        }
        hostSet = new HostSet(next, LoadBalancer.create(config.lbPolicy(), next, random));
        for (Host h : gone) {
            h.markRemoved();
            onHostRemoved.accept(h);
        }
    }

    /** One resolved member: what identifies a host across refreshes. */
    public record Member(InetSocketAddress address, String endpoint, int weight) {
    }
}
