package io.remora.core.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Promise;
import io.remora.config.model.HealthCheckConfig;
import io.remora.core.upstream.Host;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Probes one cluster's hosts every {@code interval} (plus up to 10% random jitter, so the checks of many
 * sidecars do not arrive together). A host that fails {@code unhealthy_threshold} probes in a row leaves the
 * balancer; one that passes {@code healthy_threshold} in a row returns. A new host starts unhealthy and is
 * probed at once; its first success makes it healthy (Envoy's start-up rule), so a dead host never gets
 * traffic and a live one waits only one round trip.
 *
 * <p>Everything runs on one control event loop: probes are non-blocking Netty connections, the per-host
 * counters are plain fields of that loop.
 */
public final class HealthChecker implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HealthChecker.class.getName());

    private final String cluster;
    private final HealthCheckConfig config;
    private final Supplier<List<Host>> hosts;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final RandomGenerator random;
    private final Consumer<Host> onChange;
    private final Map<Host, Counters> counters = new IdentityHashMap<>();
    /** Completes once every host of the first round has its first probe answered (or the checker closed). */
    private final CompletableFuture<Void> firstRound = new CompletableFuture<>();
    private boolean firstRoundStarted;
    private volatile boolean closed;

    private static final class Counters {
        int successes;
        int failures;
        boolean probing;
    }

    /**
     * @param onChange called on the control loop whenever a host's health flips
     */
    public HealthChecker(String cluster, HealthCheckConfig config, Supplier<List<Host>> hosts, EventLoop loop,
            Class<? extends SocketChannel> channelClass, RandomGenerator random, Consumer<Host> onChange) {
        this.cluster = cluster;
        this.config = config;
        this.hosts = hosts;
        this.loop = loop;
        this.random = random;
        this.onChange = onChange;
        int timeoutMillis = (int) Math.max(1, config.timeout().toMillis());
        this.bootstrap = new Bootstrap().group(loop).channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true);
    }

    /** The name of the cluster whose hosts this checker probes. */
    public String cluster() {
        return cluster;
    }

    /** Probes every host now, then every interval. */
    public void start() {
        loop.execute(this::round);
    }

    /**
     * Completes when the first round has an answer for every host (each probe ends within {@code timeout}), so
     * the proxy can wait for it before taking traffic, as Envoy warms a cluster: until then every host is
     * pending, the cluster is in panic mode, and a request could go to a host that has already failed its check.
     */
    public CompletableFuture<Void> firstRound() {
        return firstRound;
    }

    private void round() {
        if (closed) {
            return;
        }
        List<Host> current = hosts.get();
        counters.keySet().retainAll(new java.util.HashSet<>(current));
        boolean first = !firstRoundStarted;
        firstRoundStarted = true;
        // probes left in the first round, plus one for this loop so that a probe answered at once cannot
        // complete the round before the others are sent; confined to this event loop like the counters
        int[] firstLeft = {1};
        for (Host h : current) {
            Counters c = counters.computeIfAbsent(h, k -> new Counters());
            if (!c.probing) {
                c.probing = true;
                firstLeft[0]++;
                probe(h).addListener(f -> {
                    c.probing = false;
                    String failure = f.isSuccess() ? (String) f.getNow() : "probe failed: " + f.cause();
                    onResult(h, c, failure);
                    if (first && --firstLeft[0] == 0) {
                        firstRound.complete(null);
                    }
                });
            }
        }
        if (first && --firstLeft[0] == 0) {
            firstRound.complete(null);
        }
        long interval = config.interval().toNanos();
        long jitter = interval / 10 == 0 ? 0 : random.nextLong(interval / 10);
        loop.schedule(this::round, interval + jitter, TimeUnit.NANOSECONDS);
    }

    /** Completes with {@code null} on success or a reason on failure; never fails the promise itself. */
    private Promise<Object> probe(Host host) {
        Promise<Object> result = loop.newPromise();
        long timeoutNanos = config.timeout().toNanos();
        var timer = loop.schedule(() -> result.trySuccess("timed out after " + config.timeout().toMillis() + " ms"),
                timeoutNanos, TimeUnit.NANOSECONDS);
        result.addListener(f -> timer.cancel(false));
        ChannelFuture cf = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (config.isHttp()) {
                    ch.pipeline().addLast(new HttpClientCodec()).addLast(new HttpProbeHandler(host, result));
                }
            }
        }).connect(host.address());
        cf.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                result.trySuccess("connect failed: " + (f.cause() == null ? "unknown" : f.cause().getMessage()));
                return;
            }
            if (!config.isHttp()) {
                result.trySuccess(null);
            }
            result.addListener(done -> f.channel().close());
        });
        return result;
    }

    private final class HttpProbeHandler extends SimpleChannelInboundHandler<HttpObject> {
        private final Host host;
        private final Promise<Object> result;

        HttpProbeHandler(Host host, Promise<Object> result) {
            this.host = host;
            this.result = result;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, config.httpPath(),
                    Unpooled.EMPTY_BUFFER);
            String authority = host.endpoint();
            req.headers().set(HttpHeaderNames.HOST, authority)
                    .set(HttpHeaderNames.USER_AGENT, "remora-health-check")
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(req);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse r) {
                int code = r.status().code();
                result.trySuccess(config.expectedStatuses().contains(code) ? null
                        : "HTTP " + code + " from " + config.httpPath() + " (expected " + config.expectedStatuses()
                                + ")");
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.trySuccess("connection closed before a response");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.trySuccess("error: " + cause.getMessage());
            ctx.close();
        }
    }

    private void onResult(Host h, Counters c, String failure) {
        if (closed || h.isRemoved()) {
            return;
        }
        if (failure == null) {
            c.failures = 0;
            c.successes++;
            boolean firstCheck = io.remora.core.upstream.Cluster.PENDING_FIRST_CHECK.equals(h.unhealthyReason());
            if (!h.isHealthy() && (firstCheck || c.successes >= config.healthyThreshold())) {
                h.setHealthy(true, null);
                LOG.log(System.Logger.Level.INFO, "cluster " + cluster + ": " + h.addressString()
                        + " is healthy (" + (firstCheck ? "first check passed" : c.successes + " checks passed") + ")");
                onChange.accept(h);
            }
        } else {
            c.successes = 0;
            c.failures++;
            boolean firstCheck = io.remora.core.upstream.Cluster.PENDING_FIRST_CHECK.equals(h.unhealthyReason());
            if (firstCheck) {
                h.setHealthy(false, failure);
                LOG.log(System.Logger.Level.WARNING, "cluster " + cluster + ": " + h.addressString()
                        + " failed its first health check: " + failure);
            } else if (h.isHealthy() && c.failures >= config.unhealthyThreshold()) {
                h.setHealthy(false, failure);
                LOG.log(System.Logger.Level.WARNING, "cluster " + cluster + ": " + h.addressString()
                        + " is unhealthy after " + c.failures + " failed checks: " + failure);
                onChange.accept(h);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        firstRound.complete(null); // nobody waits for a round that will not come
    }
}
