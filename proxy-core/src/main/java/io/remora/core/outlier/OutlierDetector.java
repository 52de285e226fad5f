package io.remora.core.outlier;

import io.remora.config.model.OutlierDetectionConfig;
import io.remora.core.upstream.Host;
import io.remora.core.upstream.HostOutlierState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One cluster's outlier detector. {@link #record} runs on the event loop that served the request and ejects
 * inline when a consecutive-failure threshold is reached; {@link #sweep} runs every {@code interval} on the
 * control thread: it returns hosts whose ejection ended, lets well-behaved hosts' multipliers decay, and runs
 * the success-rate and failure-percentage detectors over the interval's counts.
 *
 * <p>The ejected count is one atomic per cluster, taken by compare-and-set before a host is ejected, so
 * {@code max_ejection_percent} holds exactly however many event loops eject at once. At least one host may
 * always be ejected, so a three-host cluster with the default 10% still sheds a failing host.
 */
public final class OutlierDetector {
    private static final System.Logger LOG = System.getLogger(OutlierDetector.class.getName());

    /** Why a host was ejected, as metrics label it: one name per detector, a bounded set. */
    public static final String CONSECUTIVE_5XX = "consecutive_5xx";
    public static final String CONSECUTIVE_GATEWAY_FAILURE = "consecutive_gateway_failure";
    public static final String SUCCESS_RATE = "success_rate";
    public static final String FAILURE_PERCENTAGE = "failure_percentage";

    private final String cluster;
    private final OutlierDetectionConfig config;
    private final Supplier<List<Host>> hosts;
    private final LongSupplier nanoClock;
    private final Runnable onAvailabilityChange;
    private final AtomicInteger ejected = new AtomicInteger();
    /** Told the detector's name of every ejection that happened (metrics); never null. */
    private volatile Consumer<String> ejectionListener = reason -> { };

    /**
     * @param hosts                the cluster's current members
     * @param onAvailabilityChange called after every ejection and return, so the cluster rebuilds its balancer
     */
    public OutlierDetector(String cluster, OutlierDetectionConfig config, Supplier<List<Host>> hosts,
            LongSupplier nanoClock, Runnable onAvailabilityChange) {
        this.cluster = cluster;
        this.config = config;
        this.hosts = hosts;
        this.nanoClock = nanoClock;
        this.onAvailabilityChange = onAvailabilityChange;
    }

    public OutlierDetectionConfig config() {
        return config;
    }

    /**
     * Calls {@code listener} with {@link #CONSECUTIVE_5XX}, {@link #CONSECUTIVE_GATEWAY_FAILURE},
     * {@link #SUCCESS_RATE} or {@link #FAILURE_PERCENTAGE} after each ejection, on the thread that ejected (an
     * event loop for the consecutive detectors): it must be quick and must not block. Replaces any earlier one.
     */
    public void onEjection(Consumer<String> listener) {
        this.ejectionListener = listener == null ? reason -> { } : listener;
    }

    /** Counts the hosts already ejected: a reload's new detector adopts hosts with their ejections. */
    public void recount() {
        int n = 0;
        for (Host h : hosts.get()) {
            if (h.outlier().isEjected()) {
                n++;
            }
        }
        ejected.set(n);
    }

    /** Hosts ejected right now. */
    public int ejectedCount() {
        return ejected.get();
    }

    /** Counts one attempt's outcome; ejects inline when a consecutive threshold is reached. */
    public void record(Host host, Outcome outcome) {
        HostOutlierState s = host.outlier();
        if (outcome == Outcome.SUCCESS) {
            s.recordSuccess();
            return;
        }
        boolean gateway = outcome != Outcome.SERVER_ERROR;
        int c5xx = s.record5xx(gateway);
        int cGateway = s.consecutiveGatewayFailures();
        if (config.consecutive5xx() > 0 && c5xx >= config.consecutive5xx()) {
            eject(host, CONSECUTIVE_5XX, c5xx + " consecutive 5xx");
        } else if (gateway && config.consecutiveGatewayFailure() > 0
                && cGateway >= config.consecutiveGatewayFailure()) {
            eject(host, CONSECUTIVE_GATEWAY_FAILURE, cGateway + " consecutive gateway failures");
        }
    }

    /**
     * Ejects {@code host} if the cap allows; returns whether it did.
     *
     * @param detector which detector asks ({@link #CONSECUTIVE_5XX}, ...), for metrics
     * @param reason   what it saw, for the log and the admin page
     */
    boolean eject(Host host, String detector, String reason) {
        HostOutlierState s = host.outlier();
        if (s.isEjected()) {
            // e.g. still failing under panic-mode traffic: don't take (even briefly) a slot of the cap, which could
            // refuse another host's ejection racing on another event loop
            return false;
        }
        int members = hosts.get().size();
        int cap = Math.max(1, members * config.maxEjectionPercent() / 100);
        int n;
        do {
            n = ejected.get();
            if (n >= cap) {
                LOG.log(System.Logger.Level.DEBUG, "cluster " + cluster + ": not ejecting " + host.addressString()
                        + " (" + reason + "): " + n + " of " + members + " hosts already ejected, max_ejection_percent "
                        + config.maxEjectionPercent());
                return false;
            }
        } while (!ejected.compareAndSet(n, n + 1));
        long base = config.baseEjectionTime().toNanos();
        long max = Math.max(base, config.maxEjectionTime().toNanos());
        // the multiplier stops at the first value that reaches max_ejection_time (Envoy caps it too): counting
        // on would only make a recovered host wait longer for its multiplier to decay
        int maxMultiplier = (int) Math.min(Integer.MAX_VALUE, max / base + (max % base == 0 ? 0 : 1));
        int times = Math.min(s.ejections() + 1, maxMultiplier);
        long duration = times > max / base ? max : Math.min(max, base * times);
        long until = nanoClock.getAsLong() + duration;
        if (!s.tryEject(until, reason)) {
            ejected.decrementAndGet(); // another loop ejected it first
            return false;
        }
        s.incrementEjections(maxMultiplier);
        LOG.log(System.Logger.Level.WARNING, "cluster " + cluster + ": ejecting " + host.addressString() + " for "
                + duration / 1_000_000 + " ms: " + reason + " (ejection #" + times + ")");
        ejectionListener.accept(detector);
        onAvailabilityChange.run();
        return true;
    }

    /** The periodic pass; call every {@code interval} from one thread. */
    public void sweep() {
        long now = nanoClock.getAsLong();
        List<Host> members = hosts.get();
        boolean changed = false;
        List<Host> candidates = new ArrayList<>(members.size());
        List<long[]> counts = new ArrayList<>(members.size());
        for (Host h : members) {
            HostOutlierState s = h.outlier();
            long[] c = s.drainInterval();
            if (s.isEjected()) {
                if (now - s.ejectedUntil() >= 0 && s.uneject()) {
                    ejected.decrementAndGet();
                    changed = true;
                    LOG.log(System.Logger.Level.INFO, "cluster " + cluster + ": returning " + h.addressString()
                            + " to service (ejection ended)");
                }
                continue;
            }
            s.decayEjections();
            long total = c[0] + c[1];
            s.lastSuccessRate(total == 0 ? -1 : 100.0 * c[0] / total);
            candidates.add(h);
            counts.add(c);
        }
        if (changed) {
            onAvailabilityChange.run();
        }
        if (config.successRate() != null) {
            for (Host h : SuccessRateMath.outliers(candidates, counts, config.successRate())) {
                eject(h, SUCCESS_RATE, String.format("success rate %.1f%% below the cluster's outlier threshold",
                        h.outlier().lastSuccessRate()));
            }
        }
        if (config.failurePercentage() != null) {
            OutlierDetectionConfig.FailurePercentage fp = config.failurePercentage();
            List<Integer> eligible = new ArrayList<>();
            for (int i = 0; i < candidates.size(); i++) {
                long[] c = counts.get(i);
                if (c[0] + c[1] >= fp.requestVolume()) {
                    eligible.add(i);
                }
            }
            if (eligible.size() >= fp.minimumHosts()) {
                for (int i : eligible) {
                    long[] c = counts.get(i);
                    double failurePct = 100.0 * c[1] / (c[0] + c[1]);
                    Host h = candidates.get(i);
                    if (failurePct >= fp.threshold() && !h.outlier().isEjected()) {
                        eject(h, FAILURE_PERCENTAGE, String.format("failure percentage %.1f%% >= %d%%", failurePct,
                                fp.threshold()));
                    }
                }
            }
        }
    }

    /** A host left the cluster: if it was ejected, it no longer counts against the cap. */
    public void onHostRemoved(Host host) {
        if (host.outlier().uneject()) {
            ejected.decrementAndGet();
        }
    }
}
