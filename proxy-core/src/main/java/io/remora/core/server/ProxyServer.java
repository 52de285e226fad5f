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

    private volatile RemoraConfig config;
    private final Transport transport;
    private final EventLoopGroup group;
    /** One loop for work off the request path: health checks, outlier sweeps, balancer rebuilds. */
    private final EventLoopGroup controlGroup;
    private final ClusterManager clusters;
    private final PerEventLoop<HttpWorker> workers;
    private final ChannelGroup connections = new DefaultChannelGroup("remora-downstream", GlobalEventExecutor.INSTANCE);
    /** The listeners running now, by name; replaced by reloads (under the reload lock), read by the admin page. */
    private volatile Map<String, ListenerRuntime> listeners = new LinkedHashMap<>();

    /** One running listener: its socket, its connections, and the state its connections read per request. */
    private static final class ListenerRuntime {
        /** Replaced by a reload that keeps the socket; read by the TCP initializer per connection. */
        volatile ListenerConfig config;
        final ChannelGroup connections = new DefaultChannelGroup("remora-listener", GlobalEventExecutor.INSTANCE);
        /** Connections of this socket open now, counted exactly across event loops for {@code max_connections}. */
        final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
        final HttpListener http;
        final java.util.concurrent.atomic.AtomicReference<Cluster> tcpCluster;
        /** TLS termination, or null; a change of {@code tls} re-binds the listener, so this never changes. */
        final io.remora.core.tls.TlsContext tls;
        Channel server;

        ListenerRuntime(ListenerConfig config, HttpListener http, Cluster tcpCluster, io.remora.core.tls.TlsContext tls) {
            this.config = config;
            this.http = http;
            this.tcpCluster = new java.util.concurrent.atomic.AtomicReference<>(tcpCluster);
            this.tls = tls;
        }
    }
    private final Options options;
    private final MetricsRegistry metrics = new MetricsRegistry();
    /** Per listener with an {@code access_log}; filled at start, read-only after. */
    private final Map<String, AccessLogger> accessLoggers = new LinkedHashMap<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Watches certificate, key and CA files: a rotation reaches new handshakes within a second. */
    private final io.remora.config.watch.FileWatcher certWatcher = io.remora.config.watch.FileWatcher.withDefaults();
    private final java.util.concurrent.locks.ReentrantLock reloadLock = new java.util.concurrent.locks.ReentrantLock();
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
            Map<String, ListenerRuntime> bound = new LinkedHashMap<>();
            server.listeners = bound;
            for (ListenerConfig l : config.listeners()) {
                ListenerRuntime rt = server.newRuntime(l, server.clusters::cluster);
                server.bind(rt);
                bound.put(l.name(), rt);
            }
        } catch (ListenerBindException | RuntimeException e) {
            server.close();
            throw e;
        }
        List<io.remora.core.tls.TlsContext> tls = server.tlsContexts();
        tls.forEach(t -> t.watch(server.certWatcher));
        server.certWatcher.start();
        server.metrics.tlsContexts(server::tlsContexts);
        if (!tls.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "TLS provider: " + io.remora.core.tls.TlsContext.provider() + "; "
                    + tls.size() + " TLS context(s)");
            server.warnAboutExpiry();
            server.controlGroup.next().scheduleAtFixedRate(server::warnAboutExpiry, 1, 1,
                    java.util.concurrent.TimeUnit.HOURS);
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

    private ListenerRuntime newRuntime(ListenerConfig l, java.util.function.Function<String, Cluster> clusterOf) {
        io.remora.core.tls.TlsContext tls = null;
        if (l.tls() != null) {
            try {
                // an HTTP listener offers h2 too (chosen per connection); a tcp listener's bytes are opaque
                tls = io.remora.core.tls.TlsContext.forListener("listener " + l.name(), l.tls(),
                        l.protocol() == Protocol.HTTP ? io.remora.core.tls.TlsContext.ALPN_H2_AND_HTTP1
                                : io.remora.core.tls.TlsContext.ALPN_HTTP1);
            } catch (IOException e) {
                throw new IllegalStateException("listener " + l.name() + ": cannot load its TLS files: "
                        + e.getMessage(), e);
            }
        }
        if (l.protocol() == Protocol.HTTP) {
            Router router = new Router(l.routes(), clusterOf, metrics, options.random(), System::nanoTime);
            HttpListener http = new HttpListener(l, router, metrics.listener(l.name()), accessLoggers.get(l.name()));
            return new ListenerRuntime(l, http, null, tls);
        }
        return new ListenerRuntime(l, null, clusterOf.apply(l.cluster()), tls);
    }

    private void bind(ListenerRuntime rt) throws ListenerBindException {
        ListenerConfig l = rt.config;
        ChannelHandler init = rt.http != null ? new HttpListenerInitializer(rt.http, workers, rt.tls)
                : tcpInitializer(rt);
        ListenerStats stats = metrics.listener(l.name());
        ChannelGroup mine = rt.connections;
        // one listener object per listener, not one per connection
        java.util.concurrent.atomic.AtomicInteger open = rt.open;
        ChannelFutureListener closed = f -> {
            open.decrementAndGet();
            stats.connectionClosed();
        };
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
                        // max_connections as of this accept (a reload may change it); nothing of a refused
                        // connection is read, and it is counted apart from the connections served
                        int max = rt.config.maxConnections();
                        if (open.incrementAndGet() > max && max > 0) {
                            open.decrementAndGet();
                            stats.connectionRefused();
                            ch.close();
                            return;
                        }
                        connections.add(ch);
                        mine.add(ch);
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
        rt.server = f.channel();
        InetSocketAddress bound = (InetSocketAddress) f.channel().localAddress();
        LOG.log(System.Logger.Level.INFO, "listener " + l.name() + " (" + l.protocol().configName() + ") on "
                + bound.getHostString() + ":" + bound.getPort());
    }

    private ChannelHandler tcpInitializer(ListenerRuntime rt) {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                // the cluster as of this connection: a reload that replaces it affects new connections only
                if (rt.tls != null) {
                    HttpListenerInitializer.addTls(ch, rt.tls, rt.config.name(), metrics.listener(rt.config.name()));
                    // (fix) the upstream is dialled once the client is authenticated, not for refused clients
                    io.remora.core.tls.TlsHandshakeHandler.holdActiveUntilAuthenticated(ch);
                }
                ch.pipeline().addLast("tcp", new TcpProxyHandler(rt.config, rt.tcpCluster.get(),
                        workers.get(ch.eventLoop()).connector()));
            }
        };
    }

    /** A host left its cluster: every event loop drops its idle connections to it. */
    private void dropHost(Host host) {
        for (HttpWorker w : workers.all()) {
            w.loop().execute(() -> {
                w.pools().drop(host);
                w.http2().drop(host);
            });
        }
    }

    /** The address a listener is bound to (the real port when the config said 0). */
    public InetSocketAddress listenerAddress(String name) {
        ListenerRuntime rt = listeners.get(name);
        if (rt == null || rt.server == null) {
            throw new IllegalArgumentException("no listener named " + name);
        }
        return (InetSocketAddress) rt.server.localAddress();
    }

    /** The listener-wide rate limiter of an http listener, or null when it has no {@code rate_limit}. */
    public io.remora.core.ratelimit.RateLimiter listenerRateLimiter(String name) {
        ListenerRuntime rt = listeners.get(name);
        if (rt == null || rt.http == null) {
            throw new IllegalArgumentException("no http listener named " + name);
        }
        return rt.http.rateLimiter();
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

    /** How a reload ended. */
    public record ReloadResult(boolean applied, String summary, String error) {
    }

    /**
     * Applies a new, already validated config without dropping a request. Listeners whose address or protocol
     * changed, and new ones, bind first: if any bind fails the reload is rejected and nothing changes. Then the
     * clusters switch (hosts that stay keep their health, ejections, latency estimates and pools), every HTTP
     * listener gets routes built on them (requests in flight keep the snapshot they started with), and removed
     * or re-bound listeners stop accepting and drain for {@code drain_timeout}.
     */
    public ReloadResult reload(RemoraConfig next) {
        reloadLock.lock(); // reloads are rare and never on an event loop; one at a time keeps the steps simple
        try {
            return reloadLocked(next);
        } finally {
            reloadLock.unlock();
        }
    }

    private ReloadResult reloadLocked(RemoraConfig next) {
        if (draining.get()) {
            return new ReloadResult(false, null, "the proxy is draining");
        }
        RemoraConfig current = config;
        ConfigDiff diff = ConfigDiff.between(current, next);
        String hash = ConfigStatus.hash(next);
        if (hash.equals(configStatus.hash())) {
            // Fix: the file is back to the running config (reverted after a failed edit, or deleted and created
            // again): nothing to apply, and the last failure no longer describes it. It stayed on /config forever.
            ConfigStatus s = configStatus;
            if (s.lastReloadError() != null) {
                configStatus = new ConfigStatus(s.config(), s.hash(), s.loadedAt(), null, null);
            }
            return new ReloadResult(false, "no changes", null);
        }
        Map<String, Cluster> prepared;
        try {
            prepared = clusters.prepare(next.clusters()); // may fail: a cluster's TLS files cannot be loaded
        } catch (RuntimeException e) {
            reloadFailed(e.getMessage());
            LOG.log(System.Logger.Level.WARNING, "config reload rejected, the running config keeps serving: "
                    + e.getMessage());
            return new ReloadResult(false, diff.summary(), e.getMessage());
        }
        Map<String, ListenerRuntime> running = listeners;
        Map<String, ListenerRuntime> fresh = new LinkedHashMap<>();
        List<String> toBind = new ArrayList<>(diff.listenersAdded());
        toBind.addAll(diff.listenersRebound());
        Map<String, AccessLogger> newLoggers = new LinkedHashMap<>();
        // Fix: a listener taking over the address of one this reload retires (renamed, or its protocol changed on
        // the same address) cannot bind beside the old socket, so such a reload was always rejected with "address
        // already in use". It now binds last, once the old socket has stopped accepting (its connections keep
        // being served and drain as usual); if a bind fails, the old sockets are bound again.
        List<ListenerRuntime> deferred = new ArrayList<>();
        List<ListenerRuntime> handedOver = new ArrayList<>();
        try {
            for (ListenerConfig l : next.listeners()) {
                ListenerRuntime old = running.get(l.name());
                boolean logChanged = old == null || !java.util.Objects.equals(old.config.accessLog(), l.accessLog());
                if (logChanged && l.accessLog() != null) {
                    newLoggers.put(l.name(), AccessLogger.open(l.name(), l.accessLog(),
                            metrics.listener(l.name())::accessLogDropped));
                }
            }
            for (String name : toBind) {
                ListenerConfig l = next.listener(name).orElseThrow();
                metrics.listener(name);
                ListenerRuntime rt = newRuntime(l, prepared::get);
                if (rt.http != null && newLoggers.containsKey(name)) {
                    rt.http.update(l, rt.http.state().router(), newLoggers.get(name));
                }
                if (retiringAt(running, diff, l) != null) {
                    deferred.add(rt);
                    continue;
                }
                bind(rt);
                fresh.put(name, rt);
            }
            for (ListenerRuntime rt : deferred) {
                ListenerRuntime old = retiringAt(running, diff, rt.config);
                old.server.close().awaitUninterruptibly();
                handedOver.add(old);
            }
            for (ListenerRuntime rt : deferred) {
                bind(rt);
                fresh.put(rt.config.name(), rt);
            }
        } catch (ListenerBindException | IOException | RuntimeException e) {
            fresh.values().forEach(rt -> {
                if (rt.server != null) {
                    rt.server.close().awaitUninterruptibly(); // (fix) before an old socket binds its address again
                }
            });
            for (ListenerRuntime old : handedOver) {
                try {
                    bind(old);
                } catch (ListenerBindException again) {
                    LOG.log(System.Logger.Level.ERROR, "listener " + old.config.name() + " lost its socket: "
                            + again.getMessage());
                }
            }
            newLoggers.values().forEach(AccessLogger::close);
            String error = e instanceof IOException ? "cannot open access log: " + e.getMessage() : e.getMessage();
            reloadFailed(error);
            LOG.log(System.Logger.Level.WARNING, "config reload rejected, the running config keeps serving: " + error);
            return new ReloadResult(false, diff.summary(), error);
        }
        // committed from here on
        List<io.remora.core.tls.TlsContext> tlsBefore = tlsContexts();
        clusters.commit(prepared);
        prepared.forEach((name, c) -> metrics.cluster(name).bind(c));
        Map<String, ListenerRuntime> nextRuntimes = new LinkedHashMap<>();
        List<ListenerRuntime> retiring = new ArrayList<>();
        List<AccessLogger> oldLoggers = new ArrayList<>();
        for (ListenerConfig l : next.listeners()) {
            ListenerRuntime rt = fresh.get(l.name());
            if (rt != null) {
                ListenerRuntime old = running.get(l.name());
                if (old != null) {
                    retiring.add(old);
                }
            } else {
                // same socket: new routes, timeouts and limits apply to the connections' next requests
                rt = running.get(l.name());
                rt.config = l;
                if (rt.http != null) {
                    AccessLogger log = newLoggers.containsKey(l.name()) ? newLoggers.get(l.name())
                            : l.accessLog() == null ? null : accessLoggers.get(l.name());
                    rt.http.update(l, new Router(l.routes(), prepared::get, metrics, options.random(),
                            System::nanoTime), log);
                } else {
                    rt.tcpCluster.set(prepared.get(l.cluster()));
                }
            }
            nextRuntimes.put(l.name(), rt);
        }
        for (String name : diff.listenersRemoved()) {
            retiring.add(running.get(name));
        }
        for (Map.Entry<String, AccessLogger> e : newLoggers.entrySet()) {
            AccessLogger old = accessLoggers.put(e.getKey(), e.getValue());
            if (old != null) {
                oldLoggers.add(old);
            }
        }
        for (ListenerConfig l : current.listeners()) {
            boolean gone = next.listener(l.name()).map(n -> n.accessLog() == null).orElse(true);
            if (gone && l.accessLog() != null && !newLoggers.containsKey(l.name())) {
                AccessLogger old = accessLoggers.remove(l.name());
                if (old != null) {
                    oldLoggers.add(old);
                }
            }
        }
        listeners = nextRuntimes;
        List<io.remora.core.tls.TlsContext> tlsAfter = tlsContexts();
        for (io.remora.core.tls.TlsContext t : tlsAfter) {
            if (!tlsBefore.contains(t)) {
                t.watch(certWatcher);
            }
        }
        for (io.remora.core.tls.TlsContext t : tlsBefore) {
            if (!tlsAfter.contains(t)) {
                t.unwatch(certWatcher);
            }
        }
        config = next;
        configStatus = ConfigStatus.loaded(next, Instant.now());
        metrics.configReload(true);
        for (ListenerRuntime rt : retiring) {
            drainListener(rt, next.drainTimeout());
        }
        long closeLogsAfter = next.drainTimeout().toNanos();
        if (!oldLoggers.isEmpty()) {
            controlGroup.next().schedule(() -> oldLoggers.forEach(AccessLogger::close), closeLogsAfter,
                    java.util.concurrent.TimeUnit.NANOSECONDS);
        }
        LOG.log(System.Logger.Level.INFO, "config reloaded (" + configStatus.hash() + "): " + diff.summary());
        return new ReloadResult(true, diff.summary(), null);
    }

    /**
     * The running listener that this reload retires (removes, or re-binds elsewhere or with another protocol) and
     * whose configured address {@code l} takes over, or null. Port 0 is never taken over: it is a new port.
     */
    private static ListenerRuntime retiringAt(Map<String, ListenerRuntime> running, ConfigDiff diff,
            ListenerConfig l) {
        if (l.address().port() == 0) {
            return null;
        }
        for (ListenerRuntime old : running.values()) {
            String name = old.config.name();
            boolean retires = diff.listenersRemoved().contains(name) || diff.listenersRebound().contains(name);
            if (retires && old.server != null && old.config.address().equals(l.address())) {
                return old;
            }
        }
        return null;
    }

    /** Every TLS context in use: listeners' (server side) then clusters' (client side). */
    public List<io.remora.core.tls.TlsContext> tlsContexts() {
        List<io.remora.core.tls.TlsContext> out = new ArrayList<>();
        for (ListenerRuntime rt : listeners.values()) {
            if (rt.tls != null) {
                out.add(rt.tls);
            }
        }
        for (Cluster c : clusters.clusters().values()) {
            if (c.tls() != null) {
                out.add(c.tls());
            }
        }
        return out;
    }

    /** Logs a warning for every certificate in use that expires within 24 hours. */
    private void warnAboutExpiry() {
        for (io.remora.core.tls.TlsContext t : tlsContexts()) {
            long s = t.secondsToExpiry();
            if (s != Long.MAX_VALUE && s < 24 * 3600) {
                LOG.log(System.Logger.Level.WARNING, t.owner() + ": certificate "
                        + (s < 0 ? "EXPIRED " + (-s / 3600) + " h ago" : "expires in " + (s / 60) + " min")
                        + " (" + t.config().certFile() + ")");
            }
        }
    }

    /**
     * Stops a listener that a reload removed or moved: no new connections, its connections finish their request
     * in flight and close, and whatever is still open after {@code timeout} is closed.
     */
    private void drainListener(ListenerRuntime rt, Duration timeout) {
        if (rt.server != null) {
            rt.server.close();
        }
        for (Channel ch : rt.connections) {
            ch.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
        }
        controlGroup.next().schedule(() -> {
            if (!rt.connections.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "listener " + rt.config.name() + ": drain timeout, closing "
                        + rt.connections.size() + " connection(s)");
                rt.connections.close();
            }
        }, timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        LOG.log(System.Logger.Level.INFO, "listener " + rt.config.name() + " on " + rt.config.address()
                + " stopped accepting; draining " + rt.connections.size() + " connection(s)");
    }

    /**
     * Starts {@link #drain} with the config's {@code drain_timeout} on a thread of its own and returns at once;
     * false if a drain was already under way (this one or another).
     */
    public boolean drainAsync() {
        if (draining.get()) {
            return false;
        }
        // /ready fails from the moment the drain is asked for, not when its thread gets to run
        readiness = Readiness.DRAINING;
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
        // Fix: under the reload lock, so a reload under way finishes first and the next one sees the drain; a
        // reload racing a drain could publish (and leave accepting) a listener this loop never saw.
        reloadLock.lock();
        try {
            draining.set(true);
            readiness = Readiness.DRAINING;
            for (ListenerRuntime rt : listeners.values()) {
                rt.server.close().awaitUninterruptibly();
            }
        } finally {
            reloadLock.unlock();
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
        for (ListenerRuntime rt : listeners.values()) {
            if (rt.server != null) {
                rt.server.close();
            }
        }
        connections.close().awaitUninterruptibly();
        clusters.close();
        if (admin != null) {
            admin.close();
        }
        // after the connections: the last requests' lines are queued by now, and close() writes them out
        accessLoggers.values().forEach(AccessLogger::close);
        certWatcher.close();
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
                ListenerRuntime rt = listeners.get(l.name());
                Channel ch = rt == null ? null : rt.server;
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

        @Override
        public List<io.remora.core.tls.TlsContext> tlsContexts() {
            return ProxyServer.this.tlsContexts();
        }
    }
}
