package io.remora.core.upstream;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.CircuitBreakersConfig;
import io.remora.config.model.RetryBudgetConfig;
import io.remora.core.breaker.CircuitBreaker;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.SlowStartConfig;
import io.remora.core.lb.LoadBalancer;
import io.remora.core.lb.SlowStart;
import io.remora.core.outlier.OutlierDetector;
import io.remora.core.outlier.Outcome;
import io.remora.core.retry.RetryBudget;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * A running cluster: its config, its membership, and the cluster-wide limits every event loop shares (circuit
 * breaker, retry budget, outlier detector).
 *
 * <p>Membership and availability are published together as one immutable {@link HostSet}: all members, and a
 * balancer over the hosts that may take traffic — the available ones (healthy, not ejected), or every member
 * when fewer than {@code panic_threshold}% are available (panic mode: spreading load over all hosts beats
 * crushing the few good ones). Event loops only read the snapshot; a membership refresh or an availability
 * change builds a new one and swaps it in with a compare-and-set, so concurrent updates never lose each other.
 * Rebuilds after availability changes run on the control executor, never on the event loop that noticed them.
 *
 * <p>Hosts with an endpoint {@code priority} above 0 form further levels, each with its own balancer: the
 * snapshot splits requests across levels by {@link PriorityLoad} (Envoy's overprovisioning factor 1.4), so a
 * backup level takes traffic only in proportion to what the levels before it lost, and none once they recover.
 *
 * <p>With {@code slow_start}, the snapshot also carries ramped weights ({@link SlowStart}): a host that joins the
 * running cluster, or becomes available again after an ejection or failed health checks, starts ramping when the
 * first snapshot that sees it available is published. The hosts of a cluster's first membership, and their first
 * health verdicts, start at full weight. Since a snapshot's weights are fixed, {@link #refreshSlowStart} rebuilds
 * it every {@link SlowStart#stepNanos} while a host ramps (the cluster manager schedules it on the control loop).
 */
public final class Cluster {
    /** The reason a host with active health checks carries until its first probe. */
    public static final String PENDING_FIRST_CHECK = "pending first health check";

    private final ClusterConfig config;
    private final RandomGenerator random;
    private final LongSupplier nanoClock;
    private final Consumer<Host> onHostRemoved;
    private final Executor control;
    private final AtomicReference<HostSet> hostSet = new AtomicReference<>();
    private final AtomicBoolean rebuildPending = new AtomicBoolean();
    private final CircuitBreaker breaker;
    private final RetryBudget retryBudget;
    private final OutlierDetector outlier;
    /** TLS to the upstreams, or null for plaintext; set once, before the cluster serves. */
    private io.remora.core.tls.TlsContext tls;

    /** Set once a membership was published: hosts that join from then on join a running cluster. */
    private volatile boolean started;

    /** Hosts a reload's {@link #stageMembership} left out, retired on commit. */
    private volatile List<Host> staged = List.of();

    /** A cluster whose rebuilds run on the caller's thread (tests and tools). */
    public Cluster(ClusterConfig config, RandomGenerator random, Consumer<Host> onHostRemoved) {
        this(config, random, System::nanoTime, onHostRemoved, Runnable::run);
    }

    /**
     * @param nanoClock     the clock of ejections, budgets and latency estimates
     * @param onHostRemoved called for every host that leaves, so pools can drain it
     * @param control       where balancer rebuilds run after availability changes (one thread)
     */
    public Cluster(ClusterConfig config, RandomGenerator random, LongSupplier nanoClock, Consumer<Host> onHostRemoved,
            Executor control) {
        this.config = config;
        this.random = random;
        this.nanoClock = nanoClock;
        this.onHostRemoved = onHostRemoved;
        this.control = control;
        CircuitBreakersConfig cb = config.circuitBreakers();
        this.breaker = new CircuitBreaker(cb.maxConnections(), cb.maxPendingRequests(), cb.maxRequests(),
                cb.maxRetries());
        RetryBudgetConfig rb = config.retryBudget();
        this.retryBudget = new RetryBudget(rb.retryRatio(), rb.minRetriesPerSecond(), rb.ttl(), nanoClock);
        this.outlier = config.outlierDetection() == null ? null
                : new OutlierDetector(config.name(), config.outlierDetection(), () -> hostSet.get().hosts(),
                        nanoClock, this::requestRebuild);
        this.hostSet.set(build(List.of(), Set.of()).hostSet());
    }

    public String name() {
        return config.name();
    }

    public ClusterConfig config() {
        return config;
    }

    public HostSet hostSet() {
        return hostSet.get();
    }

    /** The client TLS context for this cluster's upstreams, or null. */
    public io.remora.core.tls.TlsContext tls() {
        return tls;
    }

    void tls(io.remora.core.tls.TlsContext context) {
        this.tls = context;
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    public RetryBudget retryBudget() {
        return retryBudget;
    }

    /** The outlier detector, or null when the cluster has no {@code outlier_detection}. */
    public OutlierDetector outlierDetector() {
        return outlier;
    }

    public long nanoTime() {
        return nanoClock.getAsLong();
    }

    /** The host for the next request, or {@code null} if the cluster has none. */
    public Host choose() {
        return choose(0, 0);
    }

    /**
     * The host for a request with key hash {@code hash} ({@code ring_hash}) on its {@code attempt}-th try. A
     * host that became unavailable since the snapshot was built (ejected a moment ago) is passed over.
     */
    public Host choose(long hash, int attempt) {
        HostSet s = hostSet.get();
        Host h = s.balancer().choose(hash, attempt);
        for (int i = 1; h != null && !s.panic() && !h.isAvailable() && i <= 3; i++) {
            h = s.balancer().choose(hash, attempt + i);
        }
        return h;
    }

    /**
     * A host that may take traffic now (available, or any member in panic mode) and is not in {@code exclude},
     * drawn at random; {@code null} if there is none. For a retry whose balancer kept choosing hosts already
     * tried: with few hosts a random draw repeats one often (two hosts: half the time), and {@code peak_ewma}
     * even favours a host that fails fast, since a fast 503 looks like a fast host.
     */
    public Host chooseExcluding(List<Host> exclude) {
        HostSet s = hostSet.get();
        List<Host> members = s.levels().isEmpty() ? s.hosts() : s.eligible();
        int n = members.size();
        int start = n == 0 ? 0 : random.nextInt(n);
        for (int i = 0; i < n; i++) {
            Host h = members.get((start + i) % n);
            if (!exclude.contains(h) && (s.panic() || h.isAvailable())) {
                return h;
            }
        }
        return null;
    }

    /** Feeds one attempt's result to outlier detection and the host's latency estimate. */
    public void recordOutcome(Host host, Outcome outcome, long rttNanos) {
        host.countAttempt(outcome == Outcome.SUCCESS);
        long now = nanoClock.getAsLong();
        if (outcome == Outcome.SUCCESS || outcome == Outcome.SERVER_ERROR || outcome == Outcome.GATEWAY_ERROR) {
            host.ewma().observe(rttNanos, now);
        } else if (rttNanos >= host.ewma().estimateNanos(now)) {
            // a local failure that took at least the estimate (a per-try or route timeout, a reset after a long
            // wait) is a latency sample too, as in Linkerd, where an attempt's latency is recorded however it
            // ends: without it a host that never answers keeps its old (or initial) estimate and keeps winning
            // peak_ewma's comparisons. A faster failure (connect refused) is not counted: it would make a dead
            // host look like the fastest one.
            host.ewma().observe(rttNanos, now);
        }
        if (outlier != null) {
            outlier.record(host, outcome);
        }
    }

    /**
     * Publishes a new membership. Hosts present before (same address, endpoint, weight and priority) keep their
     * identity and state; the others are new; hosts that are gone are marked removed and reported.
     */
    public void updateMembership(List<Member> members) {
        retire(publishMembership(members));
    }

    /**
     * For a cluster being prepared by a reload: publishes the membership but keeps the hosts that are gone in
     * the running cluster alive until {@link #retireStaged()}, so a reload rejected later changes nothing.
     */
    public void stageMembership(List<Member> members) {
        staged = publishMembership(members);
    }

    /** Retires the hosts {@link #stageMembership} left out: the reload was committed. */
    public void retireStaged() {
        List<Host> gone = staged;
        staged = List.of();
        retire(gone);
    }

    /** Publishes a membership and returns the hosts that left it (not yet retired). */
    private List<Host> publishMembership(List<Member> members) {
        while (true) {
            HostSet old = hostSet.get();
            // a queue per member, not one host: a member listed twice is two hosts, and neither may be lost
            Map<Member, ArrayDeque<Host>> existing = new HashMap<>();
            for (Host h : old.hosts()) {
                existing.computeIfAbsent(new Member(h.address(), h.endpoint(), h.weight(), h.priority()),
                        k -> new ArrayDeque<>()).add(h);
            }
            List<Host> next = new ArrayList<>(members.size());
            for (Member m : members) {
                ArrayDeque<Host> same = existing.get(m);
                Host h = same == null ? null : same.poll();
                next.add(h != null ? h : newHost(m));
            }
            List<Host> gone = new ArrayList<>();
            existing.values().forEach(gone::addAll);
            if (gone.isEmpty() && next.equals(old.hosts())) {
                started = true;
                return List.of();
            }
            Build b = build(next, old.availableHosts());
            if (hostSet.compareAndSet(old, b.hostSet())) {
                b.publish();
                started = true;
                return gone;
            }
        }
    }

    private void retire(List<Host> gone) {
        for (Host h : gone) {
            h.markRemoved();
            if (outlier != null) {
                outlier.onHostRemoved(h);
            }
            onHostRemoved.accept(h);
        }
    }

    private Host newHost(Member m) {
        Host h = new Host(config.name(), m.address(), m.endpoint(), m.weight(), m.priority(), nanoClock.getAsLong());
        if (started) {
            h.rampOnReturn(true); // joins a running cluster: it ramps up once available
        }
        if (config.healthCheck() != null) {
            h.setHealthy(false, PENDING_FIRST_CHECK);
        }
        return h;
    }

    /**
     * Starts this (new, not yet running) cluster with the hosts of the cluster it replaces, so that the next
     * {@link #updateMembership} keeps those that stay: their health, ejections, latency estimate and pools.
     */
    public void adopt(List<Host> previous) {
        // the hosts available now were available before too: adopting them is no return, so nothing starts a ramp
        Set<Host> availableNow = new java.util.HashSet<>();
        for (Host h : previous) {
            if (h.isAvailable()) {
                availableNow.add(h);
            }
        }
        Build b = build(previous, availableNow);
        hostSet.set(b.hostSet());
        b.publish();
        started = true;
        if (outlier != null) {
            outlier.recount();
        }
    }

    /** The cluster left the config: its hosts are removed, so pools drain and in-flight requests finish. */
    public void retire() {
        retire(hostSet.get().hosts());
    }

    /** Asks for a new snapshot because a host's availability changed; coalesced, run on the control executor. */
    public void requestRebuild() {
        if (rebuildPending.compareAndSet(false, true)) {
            control.execute(() -> {
                rebuildPending.set(false);
                rebuild();
            });
        }
    }

    /** Rebuilds the balancer from the members' current availability. */
    public void rebuild() {
        while (true) {
            HostSet old = hostSet.get();
            Build b = build(old.hosts(), old.availableHosts());
            if (hostSet.compareAndSet(old, b.hostSet())) {
                b.publish();
                return;
            }
        }
    }

    /**
     * Rebuilds the snapshot if a host is slow-starting, so that its weight follows the ramp (or reaches full weight
     * at the end of the window). Cheap when none is: call it every {@link SlowStart#stepNanos}.
     */
    public void refreshSlowStart() {
        for (Host h : hostSet.get().hosts()) {
            if (h.rampStart() != Host.NOT_RAMPING) {
                rebuild();
                return;
            }
        }
    }

    /**
     * A snapshot built but not yet published, with the slow-start changes it assumed; {@link #publish} applies
     * those to the hosts once the snapshot won its compare-and-set, so that a build that lost the race (and was
     * redone against the newer snapshot) changes nothing.
     */
    private record Build(HostSet hostSet, long now, List<Host> rampStarts, List<Host> rampEnds) {
        void publish() {
            for (Host h : rampStarts) {
                h.rampStart(now);
            }
            for (Host h : rampEnds) {
                h.rampStart(Host.NOT_RAMPING);
            }
            for (Host h : hostSet.availableHosts()) {
                h.rampOnReturn(true); // seen available: from now on, coming back means ramping up
            }
        }
    }

    /**
     * Builds the snapshot of {@code members}: their priority levels, each level's load and panic state, and each
     * level's balancer over its eligible hosts with their (ramped) weights.
     *
     * @param previouslyAvailable the members the current snapshot saw available: a host available now and not
     *                            then has come back (or joined), and starts a slow-start ramp
     */
    private Build build(List<Host> members, Set<Host> previouslyAvailable) {
        long now = nanoClock.getAsLong();
        SlowStartConfig slowStart = config.slowStart();
        List<Host> rampStarts = new ArrayList<>();
        List<Host> rampEnds = new ArrayList<>();
        Map<Host, Double> factors = new HashMap<>();
        TreeMap<Integer, List<Host>> byPriority = new TreeMap<>();
        Set<Host> availableHosts = new java.util.HashSet<>();
        for (Host h : members) {
            byPriority.computeIfAbsent(h.priority(), p -> new ArrayList<>()).add(h);
            boolean available = h.isAvailable();
            if (available) {
                availableHosts.add(h);
            }
            long start = h.rampStart();
            if (slowStart != null && available && !previouslyAvailable.contains(h) && h.rampOnReturn()) {
                start = now;
                rampStarts.add(h);
            } else if (start != Host.NOT_RAMPING && (slowStart == null || now - start >= slowStart.window().toNanos())) {
                start = Host.NOT_RAMPING;
                rampEnds.add(h);
            }
            if (start != Host.NOT_RAMPING) {
                factors.put(h, SlowStart.factor(now - start, slowStart));
            }
        }
        int n = byPriority.size();
        int[] total = new int[n];
        int[] available = new int[n];
        int i = 0;
        for (List<Host> level : byPriority.values()) {
            total[i] = level.size();
            for (Host h : level) {
                available[i] += availableHosts.contains(h) ? 1 : 0;
            }
            i++;
        }
        PriorityLoad load = PriorityLoad.compute(total, available, config.panicThreshold());
        List<HostSet.Level> levels = new ArrayList<>(n);
        List<HostSet.Level> loaded = new ArrayList<>(n);
        boolean panic = false;
        i = 0;
        for (Map.Entry<Integer, List<Host>> e : byPriority.entrySet()) {
            List<Host> hosts = e.getValue();
            List<Host> eligible = new ArrayList<>(hosts.size());
            for (Host h : hosts) {
                if (load.panic(i) || availableHosts.contains(h)) {
                    eligible.add(h);
                }
            }
            int[] weights = weights(eligible, factors);
            List<Integer> weightList = new ArrayList<>(weights.length);
            for (int w : weights) {
                weightList.add(w);
            }
            LoadBalancer balancer = load.load(i) == 0 ? () -> null
                    : LoadBalancer.create(config.lbPolicy(), eligible, weights, random, nanoClock);
            HostSet.Level level = new HostSet.Level(e.getKey(), hosts, available[i], load.load(i), load.panic(i),
                    eligible, weightList, balancer);
            levels.add(level);
            if (level.loadPercent() > 0) {
                loaded.add(level);
                panic |= level.panic();
            }
            i++;
        }
        LoadBalancer balancer = loaded.isEmpty() ? () -> null
                : loaded.size() == 1 ? loaded.get(0).balancer()
                : new PriorityBalancer(loaded, random, config.lbPolicy() == LbPolicy.RING_HASH);
        HostSet set = new HostSet(members, balancer, panic, availableHosts.size(), levels, availableHosts);
        return new Build(set, now, rampStarts, rampEnds);
    }

    /**
     * The weights to balance {@code hosts} with: their own, or, while one of them slow-starts, every weight scaled
     * by {@link SlowStart#SCALE} and the ramping ones by their factor.
     */
    private static int[] weights(List<Host> hosts, Map<Host, Double> factors) {
        int[] w = new int[hosts.size()];
        boolean ramping = false;
        for (Host h : hosts) {
            ramping |= factors.containsKey(h);
        }
        for (int k = 0; k < w.length; k++) {
            Host h = hosts.get(k);
            w[k] = !ramping ? h.weight() : SlowStart.scaledWeight(h.weight(), factors.getOrDefault(h, 1.0));
        }
        return w;
    }

    /** One resolved member: what identifies a host across refreshes. */
    public record Member(InetSocketAddress address, String endpoint, int weight, int priority) {

        /** A member of priority 0. */
        public Member(InetSocketAddress address, String endpoint, int weight) {
            this(address, endpoint, weight, 0);
        }
    }
}
