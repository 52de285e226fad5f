package io.remora.core.admin;

import io.remora.core.metrics.MetricsRegistry;
import io.remora.core.upstream.Cluster;
import java.util.Collection;
import java.util.List;

/** What the admin server reads from, and asks of, the running proxy. Called on the admin event loop. */
public interface AdminBackend {

    Readiness readiness();

    MetricsRegistry metrics();

    /** The running clusters, in config order. */
    Collection<Cluster> clusters();

    ConfigStatus configStatus();

    List<ListenerInfo> listeners();

    /**
     * Starts draining in the background (stop accepting, fail {@code /ready}, let requests in flight finish up to
     * {@code drain_timeout}) and returns at once; false if a drain was already under way.
     */
    boolean drainAsync();

    /** The TLS contexts in use (listeners' and clusters'), for {@code GET /certs}. */
    default List<io.remora.core.tls.TlsContext> tlsContexts() {
        return List.of();
    }
}
