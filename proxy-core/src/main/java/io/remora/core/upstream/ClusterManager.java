package io.remora.core.upstream;

import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.remora.config.model.ClusterConfig;
import io.remora.config.model.EndpointConfig;
import io.remora.config.model.HostPort;
import io.remora.core.discovery.Resolver;
import io.remora.core.health.HealthChecker;
import io.remora.core.outlier.OutlierDetector;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Owns the running clusters and keeps their membership and health current. Endpoints given as IP literals become
 * hosts at once; host names are resolved at start and then every {@code dns_refresh} on one daemon thread (the
 * system resolver blocks, so never on an event loop). A failed lookup keeps the hosts the name had before: a DNS
 * blip must not empty a cluster.
 *
 * <p>The control event loop runs everything else that is periodic or that rebuilds snapshots: active health
 * checks, outlier-detection sweeps, and balancer rebuilds after a host's availability changed.
 */
public final class ClusterManager implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ClusterManager.class.getName());

    private final Map<String, Cluster> clusters = new LinkedHashMap<>();
    private final Resolver resolver;
    private final ScheduledExecutorService discovery;
    private final EventLoop control;
    private final Class<? extends SocketChannel> channelClass;
    private final RandomGenerator random;
    private final List<HealthChecker> healthCheckers = new ArrayList<>();
    /** Last good addresses per cluster and endpoint name, so a failed lookup keeps them. */
    private final Map<String, List<InetAddress>> lastResolved = new ConcurrentHashMap<>();

    /** Clusters without a control loop: no health checks, rebuilds on the caller (tests, validation tools). */
    public ClusterManager(List<ClusterConfig> configs, Resolver resolver, RandomGenerator random,
            Consumer<Host> onHostRemoved) {
        this(configs, resolver, random, onHostRemoved, null, null, System::nanoTime);
    }

    /**
     * @param control      the control event loop (health checks, sweeps, rebuilds); null runs rebuilds inline
     *                     and allows no health checks
     * @param channelClass socket channel class for health-check probes
     * @param nanoClock    the clock of ejections, budgets and latency estimates
     */
    public ClusterManager(List<ClusterConfig> configs, Resolver resolver, RandomGenerator random,
            Consumer<Host> onHostRemoved, EventLoop control, Class<? extends SocketChannel> channelClass,
            LongSupplier nanoClock) {
        this.resolver = resolver;
        this.control = control;
        this.channelClass = channelClass;
        this.random = random;
        this.discovery = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "remora-dns");
            t.setDaemon(true);
            return t;
        });
        for (ClusterConfig c : configs) {
            clusters.put(c.name(), new Cluster(c, random, nanoClock, onHostRemoved,
                    control != null ? control : Runnable::run));
        }
    }

    /**
     * Resolves every cluster once (blocking the caller), then schedules DNS refreshes, health checks and
     * outlier sweeps, and waits for the first round of health checks (cluster warming, see {@code warm}).
     */
    public void start() {
        for (Cluster c : clusters.values()) {
            refresh(c);
            if (hasNames(c.config())) {
                long every = c.config().dnsRefresh().toNanos();
                discovery.scheduleWithFixedDelay(() -> refresh(c), every, every, TimeUnit.NANOSECONDS);
            }
            OutlierDetector od = c.outlierDetector();
            if (od != null && control != null) {
                long every = od.config().interval().toNanos();
                control.scheduleAtFixedRate(() -> sweep(c, od), every, every, TimeUnit.NANOSECONDS);
            }
            if (c.config().healthCheck() != null) {
                if (control == null) {
                    throw new IllegalStateException("health checks need a control event loop");
                }
                HealthChecker hc = new HealthChecker(c.name(), c.config().healthCheck(), () -> c.hostSet().hosts(),
                        control, channelClass, random, h -> c.requestRebuild());
                healthCheckers.add(hc);
                hc.start();
            }
        }
        warm();
    }

    /**
     * Cluster warming, as Envoy does it: waits (blocking the caller, which then opens the listeners) for the first
     * round of health checks, then rebuilds the snapshots. Without it every host is still "pending first health
     * check" when traffic starts, so the cluster is in panic mode and balances over all hosts, including those
     * that have already failed their first check. Bounded: each probe ends within the check's {@code timeout}.
     */
    private void warm() {
        for (HealthChecker hc : healthCheckers) {
            Cluster c = clusters.get(hc.cluster());
            long waitMillis = c.config().healthCheck().timeout().toMillis() + 1000;
            try {
                hc.firstRound().get(waitMillis, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                LOG.log(System.Logger.Level.WARNING, "cluster " + c.name()
                        + ": first health checks still running after " + waitMillis + " ms; starting anyway");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("cluster " + c.name() + ": first health checks failed", e);
            }
            c.rebuild(); // the verdicts' rebuilds are queued on the control loop; the snapshot must show them now
        }
    }

    private static void sweep(Cluster c, OutlierDetector od) {
        try {
            od.sweep();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cluster " + c.name() + ": outlier sweep failed", e);
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
        healthCheckers.forEach(HealthChecker::close);
        discovery.shutdownNow();
    }
}
