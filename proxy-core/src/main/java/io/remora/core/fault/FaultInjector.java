package io.remora.core.fault;

import io.remora.config.model.FaultConfig;
import java.util.random.RandomGenerator;

/**
 * Decides, per request, whether a route's {@code fault} applies: a delay with probability
 * {@code delay.percent / 100} and, independently, an abort with probability {@code abort.percent / 100}; with
 * {@code only_with_header}, a request without that header is never faulted (and draws nothing). Any caller that
 * can send that header can trigger the faults, so it belongs on routes that only internal callers reach.
 */
public final class FaultInjector {
    private final FaultConfig config;
    private final RandomGenerator random;
    private final long delayNanos;

    /** @param random the draws' source; shared by event loops, so thread-safe (or thread-local) */
    public FaultInjector(FaultConfig config, RandomGenerator random) {
        this.config = config;
        this.random = random;
        this.delayNanos = config.delay() == null ? 0 : config.delay().fixed().toNanos();
    }

    public FaultConfig config() {
        return config;
    }

    /** The header that gates the faults, lower case, or {@code null}. */
    public String onlyWithHeader() {
        return config.onlyWithHeader();
    }

    /**
     * The faults for one request.
     *
     * @param hasGateHeader whether the request carries {@link #onlyWithHeader()} (ignored without one)
     */
    public Decision decide(boolean hasGateHeader) {
        if (config.onlyWithHeader() != null && !hasGateHeader) {
            return Decision.NONE;
        }
        FaultConfig.Delay d = config.delay();
        FaultConfig.Abort a = config.abort();
        boolean delay = d != null && draw(d.percent());
        boolean abort = a != null && draw(a.percent());
        if (!delay && !abort) {
            return Decision.NONE;
        }
        return new Decision(delay ? delayNanos : 0, abort ? a.status() : 0);
    }

    /** True with probability {@code percent / 100}: never at 0, always at 100. */
    private boolean draw(double percent) {
        return percent >= 100 || (percent > 0 && random.nextDouble() * 100 < percent);
    }

    /**
     * What to do to one request.
     *
     * @param delayNanos  how long to hold the request before forwarding it (or aborting it); 0 = no delay
     * @param abortStatus the status to answer with instead of forwarding; 0 = forward
     */
    public record Decision(long delayNanos, int abortStatus) {
        public static final Decision NONE = new Decision(0, 0);

        public boolean delays() {
            return delayNanos > 0;
        }

        public boolean aborts() {
            return abortStatus > 0;
        }

        public boolean any() {
            return delays() || aborts();
        }
    }
}
