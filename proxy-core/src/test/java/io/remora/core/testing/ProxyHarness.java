package io.remora.core.testing;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.ListenerConfig;
import io.remora.core.discovery.Resolver;
import io.remora.core.server.ListenerBindException;
import io.remora.core.server.ProxyServer;
import java.io.IOException;
import java.util.List;

/**
 * A {@link ProxyServer} started in the test JVM from config records, on one worker event loop unless told
 * otherwise (so "one upstream connection" assertions do not depend on which loop accepted a connection).
 */
public final class ProxyHarness implements AutoCloseable {
    private final ProxyServer server;

    private ProxyHarness(ProxyServer server) {
        this.server = server;
    }

    public static ProxyHarness start(List<ListenerConfig> listeners, List<ClusterConfig> clusters)
            throws ListenerBindException {
        return start(listeners, clusters, ProxyServer.Options.defaults().withWorkerThreads(1));
    }

    public static ProxyHarness start(List<ListenerConfig> listeners, List<ClusterConfig> clusters, Resolver resolver)
            throws ListenerBindException {
        return start(listeners, clusters, ProxyServer.Options.defaults().withWorkerThreads(1).withResolver(resolver));
    }

    public static ProxyHarness start(List<ListenerConfig> listeners, List<ClusterConfig> clusters,
            ProxyServer.Options options) throws ListenerBindException {
        return new ProxyHarness(ProxyServer.start(Configs.config(listeners, clusters), options));
    }

    public ProxyServer server() {
        return server;
    }

    public int port(String listener) {
        return server.listenerAddress(listener).getPort();
    }

    /** A new raw client connected to {@code listener}. */
    public RawHttpClient client(String listener) throws IOException {
        return new RawHttpClient(port(listener));
    }

    @Override
    public void close() {
        server.close();
    }
}
