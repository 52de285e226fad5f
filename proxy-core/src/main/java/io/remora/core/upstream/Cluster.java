package io.remora.core.upstream;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.CircuitBreakersConfig;
import io.remora.config.model.RetryBudgetConfig;
import io.remora.core.breaker.CircuitBreaker;
import io.remora.core.lb.LoadBalancer;
import io.remora.core.outlier.OutlierDetector;
import io.remora.core.outlier.Outcome;
import io.remora.core.retry.RetryBudget;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
        this.hostSet.set(build(List.of()));
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
        List<Host> members = s.hosts();
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
     * Publishes a new membership. Hosts present before (same address, endpoint and weight) keep their identity
     * and state; the others are new; hosts that are gone are marked removed and reported.
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
                existing.computeIfAbsent(new Member(h.address(), h.endpoint(), h.weight()), k -> new ArrayDeque<>())
                        .add(h);
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
                return List.of();
            }
            if (hostSet.compareAndSet(old, build(next))) {
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
        Host h = new Host(config.name(), m.address(), m.endpoint(), m.weight(), nanoClock.getAsLong());
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
        hostSet.set(build(previous));
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
            if (hostSet.compareAndSet(old, build(old.hosts()))) {
                return;
            }
        }
    }

    private HostSet build(List<Host> members) {
        List<Host> available = new ArrayList<>(members.size());
        for (Host h : members) {
            if (h.isAvailable()) {
                available.add(h);
            }
        }
        boolean panic = !members.isEmpty() && config.panicThreshold() > 0
                && available.size() * 100 < config.panicThreshold() * members.size();
        List<Host> eligible = panic ? members : available;
        return new HostSet(members, LoadBalancer.create(config.lbPolicy(), eligible, random, nanoClock), panic,
                available.size());
    }

    /** One resolved member: what identifies a host across refreshes. */
    public record Member(InetSocketAddress address, String endpoint, int weight) {
    }
}
