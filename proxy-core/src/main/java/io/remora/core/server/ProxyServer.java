package io.remora.core.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.remora.config.model.AccessLogConfig;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.Protocol;
import io.remora.config.model.RemoraConfig;
import io.remora.core.accesslog.AccessLogger;
import io.remora.core.admin.AdminBackend;
import io.remora.core.admin.AdminServer;
import io.remora.core.admin.ConfigStatus;
import io.remora.core.admin.ListenerInfo;
import io.remora.core.admin.Readiness;
import io.remora.core.discovery.Resolver;
import io.remora.core.http.DrainEvent;
import io.remora.core.http.HttpListener;
import io.remora.core.http.HttpListenerInitializer;
import io.remora.core.http.HttpWorker;
import io.remora.core.lb.LoadBalancer;
import io.remora.core.metrics.ListenerStats;
import io.remora.core.metrics.MetricsRegistry;
import io.remora.core.pool.PerEventLoop;
import io.remora.core.route.Router;
import io.remora.core.tcp.TcpProxyHandler;
import io.remora.core.upstream.Cluster;
import io.remora.core.upstream.ClusterManager;
import io.remora.core.upstream.Host;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;

/**
 * A running proxy: the event loops, the clusters, and one bound socket per listener. {@link #start} binds every
 * listener or none (a failed bind closes what was opened and says which listener and address failed);
 * {@link #drain} stops accepting and lets in-flight requests finish; {@link #close} stops at once.
 *
 * <p>Around the data plane: the {@link MetricsRegistry} (every listener's and cluster's stats, created at start),
 * one {@link AccessLogger} per listener that has an {@code access_log}, and the admin server on
 * {@code admin.address}, on an event loop of its own, started first so that {@code /healthz} answers and
 * {@code /ready} says 503 while clusters resolve and listeners bind.
 */
public final class ProxyServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ProxyServer.class.getName());

    private final RemoraConfig config;
    private final Transport transport;
    private final EventLoopGroup group;
    /** One loop for work off the request path: health checks, outlier sweeps, balancer rebuilds. */
    private final EventLoopGroup controlGroup;
    private final ClusterManager clusters;
    private final PerEventLoop<HttpWorker> workers;
    private final ChannelGroup connections = new DefaultChannelGroup("remora-downstream", GlobalEventExecutor.INSTANCE);
    private final Map<String, Channel> boundListeners = new LinkedHashMap<>();
    private final Options options;
    private final MetricsRegistry metrics = new MetricsRegistry();
    /** Per listener with an {@code access_log}; filled at start, read-only after. */
    private final Map<String, AccessLogger> accessLoggers = new LinkedHashMap<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile Readiness readiness = Readiness.STARTING;
    private volatile ConfigStatus configStatus;
    private AdminServer admin;

    /**
     * How the proxy is run, apart from its config.
     *
     * @param adminAddress where the admin server binds instead of the config's {@code admin.address} (which a file
     *                     cannot set to port 0); null to use the config's. {@link #defaults()} takes it from the
     *                     system property {@value #ADMIN_ADDRESS_PROPERTY} ({@code host:port}) when that is set: the
     *                     test suite sets {@code 127.0.0.1:0} so that no test needs the fixed port 9901
     */
    public record Options(int workerThreads, Resolver resolver, RandomGenerator random,
            InetSocketAddress adminAddress) {
        public static final String ADMIN_ADDRESS_PROPERTY = "remora.admin.address";

        public Options(int workerThreads, Resolver resolver, RandomGenerator random) {
            this(workerThreads, resolver, random, null);
        }

        public static Options defaults() {
            return new Options(Runtime.getRuntime().availableProcessors(), Resolver.system(),
                    LoadBalancer.threadLocalRandom(), adminAddressProperty());
        }

        public Options withWorkerThreads(int n) {
            return new Options(n, resolver, random, adminAddress);
        }

        public Options withResolver(Resolver r) {
            return new Options(workerThreads, r, random, adminAddress);
        }

        /** Binds the admin server to {@code address} (port 0: any free port, see {@link #adminAddress()}). */
        public Options withAdminAddress(InetSocketAddress address) {
            return new Options(workerThreads, resolver, random, address);
        }

        private static InetSocketAddress adminAddressProperty() {
            String v = System.getProperty(ADMIN_ADDRESS_PROPERTY);
            if (v == null || v.isBlank()) {
                return null;
            }
            int colon = v.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("-D" + ADMIN_ADDRESS_PROPERTY + "=" + v + ": expected host:port");
            }
            String host = v.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new InetSocketAddress(host, Integer.parseInt(v.substring(colon + 1)));
        }
    }

    private ProxyServer(RemoraConfig config, Options options) {
        this.config = config;
        this.options = options;
        this.configStatus = ConfigStatus.loaded(config, Instant.now());
        this.transport = Transport.choose();
        this.group = transport.newGroup(Math.max(1, options.workerThreads()), new DefaultThreadFactory("remora-worker"));
        Class<? extends SocketChannel> clientChannel = transport.clientChannel();
        this.workers = new PerEventLoop<>(group, loop -> new HttpWorker((io.netty.channel.EventLoop) loop,
                clientChannel));
        this.controlGroup = transport.newGroup(1, new DefaultThreadFactory("remora-control", true));
        this.clusters = new ClusterManager(config.clusters(), options.resolver(), options.random(), this::dropHost,
                controlGroup.next(), clientChannel, System::nanoTime);
        metrics.eventLoops(Math.max(1, options.workerThreads()));
        for (ListenerConfig l : config.listeners()) {
            metrics.listener(l.name());
        }
        for (Cluster c : clusters.clusters().values()) {
            metrics.cluster(c.name()).bind(c);
        }
    }

    /** Starts the proxy: resolves clusters and binds every listener, or throws having bound none. */
    public static ProxyServer start(RemoraConfig config, Options options) throws ListenerBindException {
        ProxyServer server = new ProxyServer(config, options);
        try {
            server.startAdmin();
            server.clusters.start();
            server.openAccessLogs();
            for (ListenerConfig l : config.listeners()) {
                server.bind(l);
            }
        } catch (ListenerBindException | RuntimeException e) {
            server.close();
            throw e;
        }
        server.readiness = Readiness.READY;
        LOG.log(System.Logger.Level.INFO, "transport {0}{1}, {2} worker event loop(s), {3} listener(s), {4}"
                + " cluster(s)", server.transport, server.transport == Transport.NIO ? " (epoll unavailable: "
                + Transport.epollUnavailableReason() + ")" : "", options.workerThreads(),
                config.listeners().size(), config.clusters().size());
        return server;
    }

    private void startAdmin() throws ListenerBindException {
        InetSocketAddress address = options.adminAddress() != null ? options.adminAddress()
                : new InetSocketAddress(config.admin().address().host(), config.admin().address().port());
        String shown = options.adminAddress() != null ? address.getHostString() + ":" + address.getPort()
                : config.admin().address().toString();
        try {
            admin = AdminServer.start(address, config.admin().allowRemote(), new Backend(),
                    transport.newGroup(1, new DefaultThreadFactory("remora-admin", true)), transport.serverChannel());
        } catch (IOException e) {
            throw ListenerBindException.admin(shown, e);
        }
    }

    private void openAccessLogs() {
        for (ListenerConfig l : config.listeners()) {
            AccessLogConfig a = l.accessLog();
            if (a == null) {
                continue;
            }
            ListenerStats stats = metrics.listener(l.name());
            try {
                accessLoggers.put(l.name(), AccessLogger.open(l.name(), a, stats::accessLogDropped));
            } catch (IOException e) {
                throw new IllegalStateException("listener " + l.name() + ": " + e.getMessage(), e);
            }
        }
    }

    private void bind(ListenerConfig l) throws ListenerBindException {
        ChannelHandler init = l.protocol() == Protocol.HTTP ? httpInitializer(l) : tcpInitializer(l);
        ListenerStats stats = metrics.listener(l.name());
        // one listener object per listener, not one per connection
        ChannelFutureListener closed = f -> stats.connectionClosed();
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        stats.connectionOpened();
                        ch.closeFuture().addListener(closed);
                        ch.pipeline().addLast(init);
                    }
                });
        InetSocketAddress address = new InetSocketAddress(l.address().host(), l.address().port());
        ChannelFuture f = b.bind(address).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new ListenerBindException(l.name(), l.address().toString(), f.cause());
        }
        boundListeners.put(l.name(), f.channel());
        InetSocketAddress bound = (InetSocketAddress) f.channel().localAddress();
        LOG.log(System.Logger.Level.INFO, "listener " + l.name() + " (" + l.protocol().configName() + ") on "
                + bound.getHostString() + ":" + bound.getPort());
    }

    private ChannelHandler httpInitializer(ListenerConfig l) {
        HttpListener listener = new HttpListener(l, new Router(l.routes(), clusters, metrics),
                metrics.listener(l.name()), accessLoggers.get(l.name()));
        return new HttpListenerInitializer(listener, workers);
    }

    private ChannelHandler tcpInitializer(ListenerConfig l) {
        Cluster cluster = clusters.cluster(l.cluster());
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("tcp", new TcpProxyHandler(l, cluster, workers.get(ch.eventLoop()).connector()));
            }
        };
    }

    /** A host left its cluster: every event loop drops its idle connections to it. */
    private void dropHost(Host host) {
        for (HttpWorker w : workers.all()) {
            w.loop().execute(() -> w.pools().drop(host));
        }
    }

    /** The address a listener is bound to (the real port when the config said 0). */
    public InetSocketAddress listenerAddress(String name) {
        Channel ch = boundListeners.get(name);
        if (ch == null) {
            throw new IllegalArgumentException("no listener named " + name);
        }
        return (InetSocketAddress) ch.localAddress();
    }

    public RemoraConfig config() {
        return config;
    }

    /** Every listener's and cluster's stats; the request path records into them. */
    public MetricsRegistry metrics() {
        return metrics;
    }

    /** The access logger of HTTP listener {@code listener}, or null if it has no {@code access_log}. */
    public AccessLogger accessLogger(String listener) {
        return accessLoggers.get(listener);
    }

    /** The access loggers by listener name (only listeners with an {@code access_log}). */
    public Map<String, AccessLogger> accessLoggers() {
        return Collections.unmodifiableMap(accessLoggers);
    }

    /** The address the admin server is bound to (the real port when 0 was asked for). */
    public InetSocketAddress adminAddress() {
        if (admin == null) {
            throw new IllegalStateException("the admin server is not running");
        }
        return admin.address();
    }

    /** {@code STARTING} until every listener is bound, then {@code READY}, and {@code DRAINING} once drain began. */
    public Readiness readiness() {
        return readiness;
    }

    public boolean isDraining() {
        return draining.get();
    }

    /** The running config with its hash, load time and the last reload error (shown by {@code GET /config}). */
    public ConfigStatus configStatus() {
        return configStatus;
    }

    /**
     * Records a reload that failed (the running config stays): {@code GET /config} shows {@code error} and
     * {@code remora_config_reloads_total{result="failure"}} counts it. For the hot reload to come.
     */
    public void reloadFailed(String error) {
        configStatus = configStatus.withReloadError(error, Instant.now());
        metrics.configReload(false);
    }

    /**
     * Starts {@link #drain} with the config's {@code drain_timeout} on a thread of its own and returns at once;
     * false if a drain was already under way (this one or another).
     */
    public boolean drainAsync() {
        if (draining.get()) {
            return false;
        }
        Thread t = new Thread(() -> {
            LOG.log(System.Logger.Level.INFO, "drain requested through the admin API (up to {0} ms)",
                    config.drainTimeout().toMillis());
            boolean clean = drain(config.drainTimeout());
            LOG.log(System.Logger.Level.INFO, clean ? "drained: every request in flight finished"
                    : "drain timed out; the connections still open were closed");
        }, "remora-drain");
        t.setDaemon(true);
        t.start();
        return true;
    }

    public ClusterManager clusters() {
        return clusters;
    }

    public Transport transport() {
        return transport;
    }

    /** Open downstream connections (HTTP and TCP). */
    public int activeConnections() {
        return connections.size();
    }

    /** Idle pooled upstream connections across all event loops (for tests and the admin page). */
    public int idleUpstreamConnections() {
        // each loop counts its own pools; a read-out for tests and the admin page, never on the request path
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        List<io.netty.util.concurrent.Future<?>> counts = new ArrayList<>();
        for (HttpWorker w : workers.all()) {
            counts.add(w.loop().submit(() -> n.addAndGet(w.pools().idleCount())));
        }
        counts.forEach(io.netty.util.concurrent.Future::syncUninterruptibly);
        return n.get();
    }

    /**
     * Stops accepting, asks every connection to finish its request in flight and close, and waits up to
     * {@code timeout} for them; returns true if all finished in time. Connections still open are then closed.
     */
    public boolean drain(Duration timeout) {
        draining.set(true);
        readiness = Readiness.DRAINING;
        for (Channel ch : boundListeners.values()) {
            ch.close().awaitUninterruptibly();
        }
        for (Channel ch : connections) {
            ch.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        boolean clean = connections.isEmpty();
        if (!clean) {
            LOG.log(System.Logger.Level.WARNING, "drain timeout ({0} ms): closing {1} connection(s) still open",
                    timeout.toMillis(), connections.size());
        }
        connections.close().awaitUninterruptibly();
        return clean;
    }

    @Override
    public void close() {
        readiness = Readiness.DRAINING;
        for (Channel ch : boundListeners.values()) {
            ch.close();
        }
        connections.close().awaitUninterruptibly();
        clusters.close();
        if (admin != null) {
            admin.close();
        }
        // after the connections: the last requests' lines are queued by now, and close() writes them out
        accessLoggers.values().forEach(AccessLogger::close);
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
        controlGroup.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** What the admin server sees of this proxy. */
    private final class Backend implements AdminBackend {
        @Override
        public Readiness readiness() {
            return readiness;
        }

        @Override
        public MetricsRegistry metrics() {
            return metrics;
        }

        @Override
        public Collection<Cluster> clusters() {
            return clusters.clusters().values();
        }

        @Override
        public ConfigStatus configStatus() {
            return configStatus;
        }

        @Override
        public List<ListenerInfo> listeners() {
            List<ListenerInfo> out = new ArrayList<>();
            for (ListenerConfig l : config.listeners()) {
                Channel ch = boundListeners.get(l.name());
                int port = ch != null && ch.localAddress() instanceof InetSocketAddress isa ? isa.getPort() : 0;
                out.add(new ListenerInfo(l.name(), l.address().toString(), l.protocol().configName(), port,
                        l.accessLog() == null ? null : l.accessLog().path()));
            }
            return out;
        }

        @Override
        public boolean drainAsync() {
            return ProxyServer.this.drainAsync();
        }
    }
}
