package io.remora.perf;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.remora.config.model.Defaults;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.OutlierDetectionConfig;
import io.remora.config.model.RouteConfig;
import io.remora.config.model.RouteMatch;
import io.remora.core.lb.LoadBalancer;
import io.remora.core.outlier.OutlierDetector;
import io.remora.core.outlier.Outcome;
import io.remora.core.retry.RetryBudget;
import io.remora.core.route.Router;
import io.remora.core.upstream.Host;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request work outside the codecs: a balancer pick per policy, outlier and EWMA accounting, a retry-budget
 * deposit and withdrawal, a route match. Run with {@code -prof gc} to see {@code gc.alloc.rate.norm}: the pick and
 * the accounting must allocate nothing.
 *
 * <pre>
 * mvn -q -B -Pperf -DskipTests package
 * java -jar perf/jmh/target/remora-jmh.jar -prof gc -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HotPathBenchmarks {

    @Param({"ROUND_ROBIN", "LEAST_REQUEST", "RANDOM", "RING_HASH", "PEAK_EWMA"})
    public LbPolicy policy;

    private LoadBalancer balancer;
    private List<Host> hosts;
    private OutlierDetector detector;
    private RetryBudget budget;
    private Router router;
    private HttpRequest request;
    private long now;
    private long hash;

    @Setup
    public void setUp() {
        hosts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            hosts.add(new Host("c", new InetSocketAddress("127.0.0." + (i + 1), 8080), "10.0.0." + i + ":8080",
                    1 + i % 3, 0));
        }
        balancer = LoadBalancer.create(policy, hosts, LoadBalancer.threadLocalRandom(), () -> now);
        detector = new OutlierDetector("c", new OutlierDetectionConfig(5, 5, Duration.ofSeconds(10),
                Duration.ofSeconds(30), Duration.ofSeconds(300), 10, null, null), () -> hosts, () -> now, () -> { });
        budget = new RetryBudget(0.2, 10, Duration.ofSeconds(10), () -> now);
        List<RouteConfig> routes = List.of(
                new RouteConfig(new RouteMatch("/api/", null, null, Map.of("x-canary", "1")), "c",
                        Defaults.ROUTE_TIMEOUT),
                new RouteConfig(new RouteMatch("/static/", null, "*.example.com", Map.of()), "c",
                        Defaults.ROUTE_TIMEOUT),
                new RouteConfig(new RouteMatch("/", null, null, Map.of()), "c", Defaults.ROUTE_TIMEOUT));
        router = new Router(routes, name -> null, new io.remora.core.metrics.MetricsRegistry());
        request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/v1/users?page=2");
        request.headers().set("host", "shop.example.com").set("x-canary", "0").set("user-agent", "bench");
    }

    @Benchmark
    public Host pick() {
        now += 1000;
        return balancer.choose(hash++, 0);
    }

    @Benchmark
    public Host pickAndAccount() {
        now += 1000;
        Host h = balancer.choose(hash++, 0);
        h.requestStarted();
        h.ewma().observe(250_000, now);
        detector.record(h, Outcome.SUCCESS);
        h.countAttempt(true);
        h.requestFinished();
        return h;
    }

    @Benchmark
    public boolean retryBudget() {
        now += 1000;
        budget.deposit();
        return budget.tryWithdraw();
    }

    @Benchmark
    public Object routeMatch() {
        return router.route(request);
    }
}
