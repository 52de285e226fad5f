package io.remora.core.pool;

import java.util.ArrayDeque;

/**
 * Idle connections to one host, owned by one event loop. Last in, first out: the most recently used
 * connection is the one least likely to have been closed by the upstream's own idle timeout, and the ones at
 * the bottom age out through the cluster's {@code idle_timeout}.
 */
public final class HostPool<C extends PooledConnection> {
    private final ArrayDeque<C> idle = new ArrayDeque<>();
    private boolean closed;

    /** The most recently pooled connection that is still open, or {@code null}. */
    public C poll() {
        C c;
        while ((c = idle.pollLast()) != null) {
            if (c.channel().isActive()) {
                return c;
            }
        }
        return null;
    }

    /** Keeps {@code c} for reuse; returns false (and keeps nothing) once the pool is closed. */
    public boolean offer(C c) {
        if (closed) {
            return false;
        }
        idle.addLast(c);
        return true;
    }

    public void remove(C c) {
        idle.remove(c);
    }

    public int idleCount() {
        return idle.size();
    }

    /** Closes every idle connection and refuses new ones: the host left its cluster. */
    public void close() {
        closed = true;
        C c;
        while ((c = idle.pollLast()) != null) {
            c.channel().close();
        }
    }
}
