package io.remora.core.pool;

import io.remora.core.upstream.Host;
import java.util.HashMap;
import java.util.Map;

/** The pools of one event loop, one per host, created on first use and dropped when the host leaves. */
public final class PoolRegistry<C extends PooledConnection> {
    private final Map<Host, HostPool<C>> pools = new HashMap<>();

    public HostPool<C> pool(Host host) {
        HostPool<C> p = pools.get(host);
        if (p == null) {
            p = new HostPool<>();
            if (host.isRemoved()) {
                p.close();
            } else {
                pools.put(host, p);
            }
        }
        return p;
    }

    /** Closes the host's idle connections; busy ones close when their request ends (the host is removed). */
    public void drop(Host host) {
        HostPool<C> p = pools.remove(host);
        if (p != null) {
            p.close();
        }
    }

    /** Idle connections across all hosts of this loop. */
    public int idleCount() {
        int n = 0;
        for (HostPool<C> p : pools.values()) {
            n += p.idleCount();
        }
        return n;
    }

    public void closeAll() {
        for (HostPool<C> p : pools.values()) {
            p.close();
        }
        pools.clear();
    }
}
