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

    /** The running clusters; replaced whole by a reload (read by event loops through routes, not this map). */
    private volatile Map<String, Cluster> clusters = new LinkedHashMap<>();
    /** Per cluster name: its periodic tasks and health checker, stopped when the cluster is replaced. */
    private final Map<String, List<java.util.concurrent.Future<?>>> tasks = new ConcurrentHashMap<>();
    private final Map<String, HealthChecker> checkers = new ConcurrentHashMap<>();
    private final Consumer<Host> onHostRemoved;
    private final LongSupplier nanoClock;
    private final Resolver resolver;
    private final ScheduledExecutorService discovery;
    private final EventLoop control;
    private final Class<? extends SocketChannel> channelClass;
    private final RandomGenerator random;
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
        this.onHostRemoved = onHostRemoved;
        this.nanoClock = nanoClock;
        this.discovery = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "remora-dns");
            t.setDaemon(true);
            return t;
        });
        Map<String, Cluster> initial = new LinkedHashMap<>();
        for (ClusterConfig c : configs) {
            initial.put(c.name(), newCluster(c));
        }
        this.clusters = initial;
    }

    private Cluster newCluster(ClusterConfig c) {
        Cluster cluster = new Cluster(c, random, nanoClock, onHostRemoved, control != null ? control : Runnable::run);
        if (c.tls() != null) {
            try {
                cluster.tls(io.remora.core.tls.TlsContext.forCluster("cluster " + c.name(), c.tls(),
                        io.remora.core.tls.TlsContext.alpnFor(c.protocol())));
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cluster " + c.name() + ": cannot load its TLS files: "
                        + e.getMessage(), e);
            }
        }
        return cluster;
    }

    /**
     * Resolves every cluster once (blocking the caller), then schedules DNS refreshes, health checks and
     * outlier sweeps, and waits for the first round of health checks (cluster warming, see {@code warm}).
     */
    public void start() {
        List<HealthChecker> started = new ArrayList<>();
        for (Cluster c : clusters.values()) {
            refresh(c);
            HealthChecker hc = startTasks(c);
            if (hc != null) {
                started.add(hc);
            }
        }
        warm(started);
    }

    /** Schedules a cluster's DNS refresh and outlier sweep and starts its health checker (returned, or null). */
    private HealthChecker startTasks(Cluster c) {
        List<java.util.concurrent.Future<?>> mine = new ArrayList<>();
        if (hasNames(c.config())) {
            long every = c.config().dnsRefresh().toNanos();
            mine.add(discovery.scheduleWithFixedDelay(() -> refresh(c), every, every, TimeUnit.NANOSECONDS));
        }
        OutlierDetector od = c.outlierDetector();
        if (od != null && control != null) {
            long every = od.config().interval().toNanos();
            mine.add(control.scheduleAtFixedRate(() -> sweep(c, od), every, every, TimeUnit.NANOSECONDS));
        }
        if (c.config().slowStart() != null && control != null) {
            // snapshots are immutable: while a host ramps, rebuild in steps so its weight follows the ramp
            long step = io.remora.core.lb.SlowStart.stepNanos(c.config().slowStart());
            mine.add(control.scheduleAtFixedRate(() -> refreshSlowStart(c), step, step, TimeUnit.NANOSECONDS));
        }
        tasks.put(c.name(), mine);
        if (c.config().healthCheck() == null) {
            return null;
        }
        if (control == null) {
            throw new IllegalStateException("health checks need a control event loop");
        }
        HealthChecker hc = new HealthChecker(c.name(), c.config().healthCheck(), () -> c.hostSet().hosts(),
                control, channelClass, random, h -> c.requestRebuild());
        checkers.put(c.name(), hc);
        hc.start();
        return hc;
    }

    private void stopTasks(String cluster) {
        List<java.util.concurrent.Future<?>> mine = tasks.remove(cluster);
        if (mine != null) {
            mine.forEach(f -> f.cancel(false));
        }
        HealthChecker hc = checkers.remove(cluster);
        if (hc != null) {
            hc.close();
        }
    }

    /**
     * The clusters a new config asks for, built but not yet running: unchanged clusters are the running objects;
     * a changed one is a new object that adopts the running one's hosts (same address, endpoint and weight: their
     * health, ejection state, latency estimate and pooled connections carry over); an added one is new. Nothing
     * running is touched until {@link #commit}, so a reload that fails later leaves everything as it was.
     */
    public Map<String, Cluster> prepare(List<ClusterConfig> next) {
        Map<String, Cluster> running = clusters;
        Map<String, Cluster> out = new LinkedHashMap<>();
        for (ClusterConfig c : next) {
            Cluster old = running.get(c.name());
            if (old != null && old.config().equals(c)) {
                out.put(c.name(), old);
                continue;
            }
            Cluster fresh = newCluster(c);
            if (old != null) {
                fresh.adopt(old.hostSet().hosts());
            }
            fresh.stageMembership(members(fresh, false));
            out.put(c.name(), fresh);
        }
        return out;
    }

    /**
     * Makes prepared clusters the running ones: starts the tasks of new objects, stops those of replaced and
     * removed ones, and retires the hosts of removed clusters (their pools drain). Requests in flight keep the
     * cluster objects they started with until they finish.
     */
    public void commit(Map<String, Cluster> next) {
        Map<String, Cluster> old = clusters;
        List<HealthChecker> started = new ArrayList<>();
        for (Map.Entry<String, Cluster> e : next.entrySet()) {
            Cluster before = old.get(e.getKey());
            if (before == e.getValue()) {
                continue;
            }
            if (before != null) {
                stopTasks(before.name());
            }
            e.getValue().retireStaged();
            HealthChecker hc = startTasks(e.getValue());
            if (hc != null) {
                started.add(hc);
            }
        }
        for (Map.Entry<String, Cluster> e : old.entrySet()) {
            if (!next.containsKey(e.getKey())) {
                stopTasks(e.getKey());
                e.getValue().retire();
            }
        }
        clusters = next;
        for (Cluster c : next.values()) {
            if (!old.containsValue(c) && hasNames(c.config())) {
                discovery.execute(() -> refresh(c)); // resolve names off the reloading thread
            }
        }
        for (HealthChecker hc : started) {
            hc.firstRound().whenComplete((v, e) -> {
                Cluster c = clusters.get(hc.cluster());
                if (c != null) {
                    c.requestRebuild();
                }
            });
        }
    }

    /**
     * Cluster warming, as Envoy does it: waits (blocking the caller, which then opens the listeners) for the first
     * round of health checks, then rebuilds the snapshots. Without it every host is still "pending first health
     * check" when traffic starts, so the cluster is in panic mode and balances over all hosts, including those
     * that have already failed their first check. Bounded: each probe ends within the check's {@code timeout}.
     */
    private void warm(List<HealthChecker> started) {
        for (HealthChecker hc : started) {
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

    private static void refreshSlowStart(Cluster c) {
        try {
            c.refreshSlowStart();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cluster " + c.name() + ": slow-start rebuild failed", e);
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
            cluster.updateMembership(members(cluster, true));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cluster " + cluster.name() + ": refresh failed", e);
        }
    }

    /**
     * The cluster's members now; {@code resolve} false uses the last resolved addresses of names (no DNS, except
     * for a name never resolved before).
     */
    private List<Cluster.Member> members(Cluster cluster, boolean resolve) {
        List<Cluster.Member> members = new ArrayList<>();
        for (EndpointConfig e : cluster.config().endpoints()) {
            HostPort hp = e.address();
            for (InetAddress a : addresses(cluster, hp, resolve)) {
                members.add(new Cluster.Member(new InetSocketAddress(a, hp.port()), hp.toString(), e.weight(),
                        e.priority()));
            }
        }
        return members;
    }

    private List<InetAddress> addresses(Cluster cluster, HostPort hp, boolean resolve) {
        String key = cluster.name() + "|" + hp.host();
        // Fix: a name never resolved yet (a cluster or endpoint a reload adds) is resolved now, on the reloading
        // thread, before routes can reach it; it used to have no hosts until the discovery thread got to it, so
        // requests routed to a new cluster right after the reload failed with 503 UH.
        if (!resolve && !hp.isIpLiteral() && lastResolved.containsKey(key)) {
            return lastResolved.get(key);
        }
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
        checkers.values().forEach(HealthChecker::close);
        tasks.values().forEach(l -> l.forEach(f -> f.cancel(false)));
        discovery.shutdownNow();
    }
}
