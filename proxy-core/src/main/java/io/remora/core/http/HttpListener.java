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

    public HttpListener(ListenerConfig config, Router router) {
        this.state = new State(config, router);
    }

    public State state() {
        return state;
    }

    public void update(ListenerConfig config, Router router) {
        this.state = new State(config, router);
    }

    public String name() {
        return state.config().name();
    }

    /** One snapshot: the config and the routes built from it. */
    public record State(ListenerConfig config, Router router) {
    }
}
