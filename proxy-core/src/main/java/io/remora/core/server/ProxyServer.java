package io.remora.core.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.Protocol;
import io.remora.config.model.RemoraConfig;
import io.remora.core.discovery.Resolver;
import io.remora.core.http.DrainEvent;
import io.remora.core.http.HttpListener;
import io.remora.core.http.HttpListenerInitializer;
import io.remora.core.http.HttpWorker;
import io.remora.core.lb.LoadBalancer;
import io.remora.core.pool.PerEventLoop;
import io.remora.core.route.Router;
import io.remora.core.tcp.TcpProxyHandler;
import io.remora.core.upstream.Cluster;
import io.remora.core.upstream.ClusterManager;
import io.remora.core.upstream.Host;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A running proxy: the event loops, the clusters, and one bound socket per listener. {@link #start} binds every
 * listener or none (a failed bind closes what was opened and says which listener and address failed);
 * {@link #drain} stops accepting and lets in-flight requests finish; {@link #close} stops at once.
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

    /** How the proxy is run, apart from its config. */
    public record Options(int workerThreads, Resolver resolver, RandomGenerator random) {
        public static Options defaults() {
            return new Options(Runtime.getRuntime().availableProcessors(), Resolver.system(),
                    LoadBalancer.threadLocalRandom());
        }

        public Options withWorkerThreads(int n) {
            return new Options(n, resolver, random);
        }

        public Options withResolver(Resolver r) {
            return new Options(workerThreads, r, random);
        }
    }

    private ProxyServer(RemoraConfig config, Options options) {
        this.config = config;
        this.transport = Transport.choose();
        this.group = transport.newGroup(Math.max(1, options.workerThreads()), new DefaultThreadFactory("remora-worker"));
        Class<? extends SocketChannel> clientChannel = transport.clientChannel();
        this.workers = new PerEventLoop<>(group, loop -> new HttpWorker((io.netty.channel.EventLoop) loop,
                clientChannel));
        this.controlGroup = transport.newGroup(1, new DefaultThreadFactory("remora-control", true));
        this.clusters = new ClusterManager(config.clusters(), options.resolver(), options.random(), this::dropHost,
                controlGroup.next(), clientChannel, System::nanoTime);
    }

    /** Starts the proxy: resolves clusters and binds every listener, or throws having bound none. */
    public static ProxyServer start(RemoraConfig config, Options options) throws ListenerBindException {
        ProxyServer server = new ProxyServer(config, options);
        try {
            server.clusters.start();
            for (ListenerConfig l : config.listeners()) {
                server.bind(l);
            }
        } catch (ListenerBindException | RuntimeException e) {
            server.close();
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, "transport {0}{1}, {2} worker event loop(s), {3} listener(s), {4}"
                + " cluster(s)", server.transport, server.transport == Transport.NIO ? " (epoll unavailable: "
                + Transport.epollUnavailableReason() + ")" : "", options.workerThreads(),
                config.listeners().size(), config.clusters().size());
        return server;
    }

    private void bind(ListenerConfig l) throws ListenerBindException {
        ChannelHandler init = l.protocol() == Protocol.HTTP ? httpInitializer(l) : tcpInitializer(l);
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
        HttpListener listener = new HttpListener(l, new Router(l.routes(), clusters));
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
        for (Channel ch : boundListeners.values()) {
            ch.close();
        }
        connections.close().awaitUninterruptibly();
        clusters.close();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
        controlGroup.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
