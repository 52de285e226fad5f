package io.remora.core.upstream;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.EndpointConfig;
import io.remora.config.model.HostPort;
import io.remora.core.discovery.Resolver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Owns the running clusters and keeps their membership current: endpoints given as IP literals become hosts at
 * once; host names are resolved at start and then every {@code dns_refresh} on one daemon thread. A failed
 * lookup keeps the hosts the name had before (a DNS blip must not empty a cluster) and is logged.
 */
public final class ClusterManager implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ClusterManager.class.getName());

    private final Map<String, Cluster> clusters = new LinkedHashMap<>();
    private final Resolver resolver;
    private final ScheduledExecutorService discovery;
    /** Last good addresses per cluster and endpoint name, so a failed lookup keeps them. */
    private final Map<String, List<InetAddress>> lastResolved = new java.util.concurrent.ConcurrentHashMap<>();

    public ClusterManager(List<ClusterConfig> configs, Resolver resolver, RandomGenerator random,
            Consumer<Host> onHostRemoved) {
        this.resolver = resolver;
        this.discovery = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "remora-discovery");
            t.setDaemon(true);
            return t;
        });
        for (ClusterConfig c : configs) {
            clusters.put(c.name(), new Cluster(c, random, onHostRemoved));
        }
    }

    /** Resolves every cluster once (blocking the caller) and schedules the periodic refreshes. */
    public void start() {
        for (Cluster c : clusters.values()) {
            refresh(c);
            if (hasNames(c.config())) {
                long every = c.config().dnsRefresh().toNanos();
                discovery.scheduleWithFixedDelay(() -> refresh(c), every, every, TimeUnit.NANOSECONDS);
            }
        }
    }

    public Cluster cluster(String name) {
        return clusters.get(name);
    }

    public Map<String, Cluster> clusters() {
        return clusters;
    }

    /** Resolves the cluster's endpoints and publishes the result. Runs on the discovery thread (or at start). */
    void refresh(Cluster cluster) {
        try {
            List<Cluster.Member> members = new ArrayList<>();
            for (EndpointConfig e : cluster.config().endpoints()) {
                HostPort hp = e.address();
                for (InetAddress a : addresses(cluster, hp)) {
                    members.add(new Cluster.Member(new InetSocketAddress(a, hp.port()), hp.toString(), e.weight()));
                }
            }
            cluster.updateMembership(members);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cluster " + cluster.name() + ": refresh failed", e);
        }
    }

    private List<InetAddress> addresses(Cluster cluster, HostPort hp) {
        String key = cluster.name() + "|" + hp.host();
        try {
            List<InetAddress> found = hp.isIpLiteral()
                    ? List.of(InetAddress.getByName(hp.host()))
                    : resolver.resolve(hp.host(), cluster.config().dnsFamily());
            lastResolved.put(key, found);
            return found;
        } catch (UnknownHostException e) {
            List<InetAddress> previous = lastResolved.getOrDefault(key, List.of());
            LOG.log(System.Logger.Level.WARNING, "cluster " + cluster.name() + ": cannot resolve " + hp.host()
                    + " (" + e.getMessage() + "); keeping " + previous.size() + " known address(es)");
            return previous;
        }
    }

    private static boolean hasNames(ClusterConfig c) {
        return c.endpoints().stream().anyMatch(e -> !e.address().isIpLiteral());
    }

    @Override
    public void close() {
        discovery.shutdownNow();
    }
}
