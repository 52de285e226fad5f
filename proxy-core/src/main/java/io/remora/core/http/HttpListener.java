package io.remora.core.http;

import io.remora.config.model.ListenerConfig;
import io.remora.core.route.Router;

/**
 * The running state of one HTTP listener that its connections read per request: the listener's config and
 * its compiled routes, published together as one immutable {@link State} so a reload can swap both at once
 * while requests in flight keep the state they started with.
 */
public final class HttpListener {
    private volatile State state;
    private final io.remora.core.metrics.ListenerStats stats;

    public HttpListener(ListenerConfig config, Router router, io.remora.core.metrics.ListenerStats stats,
            io.remora.core.accesslog.AccessLogger accessLog) {
        this.state = new State(config, router, accessLog);
        this.stats = stats;
    }

    /** Where this listener's requests are counted; the same across reloads. */
    public io.remora.core.metrics.ListenerStats stats() {
        return stats;
    }

    public State state() {
        return state;
    }

    public void update(ListenerConfig config, Router router, io.remora.core.accesslog.AccessLogger accessLog) {
        this.state = new State(config, router, accessLog);
    }

    public String name() {
        return state.config().name();
    }

    /** One snapshot: the config, the routes built from it, and the access log (null when none). */
    public record State(ListenerConfig config, Router router, io.remora.core.accesslog.AccessLogger accessLog) {
    }
}
