package io.remora.core.http;

import io.remora.config.model.ListenerConfig;
import io.remora.core.ratelimit.RateLimiter;
import io.remora.core.route.Router;

/**
 * The running state of one HTTP listener that its connections read per request: the listener's config and
 * its compiled routes, published together as one immutable {@link State} so a reload can swap both at once
 * while requests in flight keep the state they started with.
 *
 * <p>The listener's {@code rate_limit} is one {@link RateLimiter} for all its connections, on every event loop.
 * A reload that leaves the limit unchanged keeps the running limiter (and the routes keep theirs, see
 * {@link Router#inherit}): a reload must not hand every client a fresh burst.
 */
public final class HttpListener {
    private volatile State state;
    private final io.remora.core.metrics.ListenerStats stats;
    private final java.util.function.LongSupplier clock;
    private volatile RateLimiter rateLimiter;

    public HttpListener(ListenerConfig config, Router router, io.remora.core.metrics.ListenerStats stats,
            io.remora.core.accesslog.AccessLogger accessLog) {
        this(config, router, stats, accessLog, System::nanoTime);
    }

    /** @param clock the rate limit's clock, monotonic nanoseconds */
    public HttpListener(ListenerConfig config, Router router, io.remora.core.metrics.ListenerStats stats,
            io.remora.core.accesslog.AccessLogger accessLog, java.util.function.LongSupplier clock) {
        this.state = new State(config, router, accessLog);
        this.stats = stats;
        this.clock = clock;
        this.rateLimiter = config.rateLimit() == null ? null : new RateLimiter(config.rateLimit(), clock);
    }

    /** The listener-wide rate limiter, or {@code null}. */
    public RateLimiter rateLimiter() {
        return rateLimiter;
    }

    /** Where this listener's requests are counted; the same across reloads. */
    public io.remora.core.metrics.ListenerStats stats() {
        return stats;
    }

    public State state() {
        return state;
    }

    public void update(ListenerConfig config, Router router, io.remora.core.accesslog.AccessLogger accessLog) {
        router.inherit(state.router());
        RateLimiter running = rateLimiter;
        if (config.rateLimit() == null) {
            rateLimiter = null;
        } else if (running == null || !running.config().equals(config.rateLimit())) {
            rateLimiter = new RateLimiter(config.rateLimit(), clock);
        }
        this.state = new State(config, router, accessLog);
    }

    public String name() {
        return state.config().name();
    }

    /** One snapshot: the config, the routes built from it, and the access log (null when none). */
    public record State(ListenerConfig config, Router router, io.remora.core.accesslog.AccessLogger accessLog) {
    }
}
