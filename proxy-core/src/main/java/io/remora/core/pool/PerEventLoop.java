package io.remora.core.pool;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One instance of {@code T} per event loop of a group, built eagerly, so a handler finds its loop's instance
 * with an identity lookup and never shares it with another thread. The map is never mutated after
 * construction, which makes the unsynchronised reads safe once it has been published.
 */
public final class PerEventLoop<T> {
    private final Map<EventExecutor, T> instances = new IdentityHashMap<>();

    public PerEventLoop(EventLoopGroup group, Function<EventExecutor, T> factory) {
        for (EventExecutor loop : group) {
            instances.put(loop, factory.apply(loop));
        }
    }

    /** The instance of {@code loop}; the loop must belong to the group. */
    public T get(EventExecutor loop) {
        T t = instances.get(loop);
        if (t == null) {
            throw new IllegalStateException("not an event loop of this proxy: " + loop);
        }
        return t;
    }

    public Collection<T> all() {
        return instances.values();
    }
}
