package io.remora.core.route;

import io.netty.handler.codec.http.HttpHeaders;
import io.remora.config.model.HeaderValue;
import io.remora.config.model.RouteConfig;
import io.remora.config.model.RouteMatch;
import io.remora.core.fault.FaultInjector;
import io.remora.core.lb.LoadBalancer;
import io.remora.core.lb.SmoothSchedule;
import io.remora.core.metrics.ClusterStats;
import io.remora.core.ratelimit.RateLimiter;
import io.remora.core.upstream.Cluster;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * One compiled route: its match conditions, its config, the running clusters it sends to, and its traffic policy
 * (rate limiter, fault injector) and request and response actions.
 *
 * <p>A {@code weighted_clusters} split follows a smooth weighted round-robin schedule ({@link SmoothSchedule})
 * walked by one shared counter, rather than a random draw per request: the split is exact over every
 * {@code sum of weights} consecutive requests of the route (across event loops), so a 90/10 canary gets exactly 9
 * in 10, not 9 in 10 on average. A request's retries stay on the cluster its first attempt chose.
 */
public final class Route {
    private final RouteConfig config;
    private final Cluster cluster;
    /** Where the route sends requests: one target, or a split; empty when the route answers itself. */
    private final Target[] targets;
    /** Target index per slot of the split; {@code null} for one target or equal weights (plain rotation). */
    private final int[] schedule;
    private final AtomicLong nextTarget = new AtomicLong();
    /**
     * The route's rate limiter, or null. Not final: a reload that keeps the route and its limit hands the running
     * limiter to the new route ({@link Router#inherit}) before the route is published, so that a reload is no way
     * to get a fresh burst.
     */
    private RateLimiter rateLimiter;
    private final FaultInjector fault;
    private final String[] requestHeadersToRemove;
    private final HeaderValue[] requestHeadersToAdd;
    private final HeaderValue[] responseHeadersToAdd;
    private final String prefix;
    private final String path;
    /** Exact host, or the suffix (with its leading dot) of a {@code *.} wildcard. */
    private final String host;
    private final boolean wildcardHost;
    private final String[] headerNames;
    private final String[] headerValues;
    private final long timeoutNanos;
    private final io.remora.core.retry.RetryPolicy retryPolicy;

    private final io.remora.core.metrics.ClusterStats clusterStats;

    /**
     * Where a route sends a request: a cluster by name, the running cluster ({@code null} if it is not running) and
     * its stats.
     */
    public record Target(String name, Cluster cluster, ClusterStats stats) {
    }

    /** A route to one cluster, with the thread-local random for faults and the system clock for rate limits. */
    public Route(RouteConfig config, Cluster cluster, io.remora.core.metrics.ClusterStats clusterStats) {
        this(config, config.cluster() == null && cluster == null ? List.of()
                : List.of(new Target(config.cluster(), cluster, clusterStats)), LoadBalancer.threadLocalRandom(),
                System::nanoTime);
    }

    /**
     * @param targets one per cluster of {@link RouteConfig#clusters()}, in the same order
     * @param random  the fault injector's draws
     * @param clock   the rate limiter's clock (monotonic nanoseconds)
     */
    public Route(RouteConfig config, List<Target> targets, RandomGenerator random, LongSupplier clock) {
        this.config = config;
        this.targets = targets.toArray(new Target[0]);
        this.cluster = this.targets.length == 0 ? null : this.targets[0].cluster();
        this.clusterStats = this.targets.length == 0 ? null : this.targets[0].stats();
        if (this.targets.length > 1) {
            long[] weights = new long[this.targets.length];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = config.weightedClusters().get(i).weight();
            }
            this.schedule = SmoothSchedule.build(weights);
        } else {
            this.schedule = null;
        }
        this.rateLimiter = config.rateLimit() == null ? null : new RateLimiter(config.rateLimit(), clock);
        this.fault = config.fault() == null ? null : new FaultInjector(config.fault(), random);
        this.requestHeadersToRemove = config.requestHeadersToRemove().toArray(new String[0]);
        this.requestHeadersToAdd = config.requestHeadersToAdd().toArray(new HeaderValue[0]);
        this.responseHeadersToAdd = config.responseHeadersToAdd().toArray(new HeaderValue[0]);
        RouteMatch m = config.match();
        this.path = m.path();
        this.prefix = m.path() == null && m.prefix() == null ? "/" : m.prefix();
        String h = m.host() == null ? null : m.host().toLowerCase(java.util.Locale.ROOT);
        this.wildcardHost = h != null && h.startsWith("*.");
        this.host = wildcardHost ? h.substring(1) : h;
        this.headerNames = new String[m.headers().size()];
        this.headerValues = new String[m.headers().size()];
        int i = 0;
        for (Map.Entry<String, String> e : m.headers().entrySet()) {
            headerNames[i] = e.getKey();
            headerValues[i++] = e.getValue();
        }
        this.timeoutNanos = config.timeout().toNanos();
        this.retryPolicy = config.retry() == null ? null : new io.remora.core.retry.RetryPolicy(config.retry());
    }

    /**
     * The target of the next request: the route's one cluster, or the next slot of its weighted split; {@code null}
     * if the route answers itself ({@code direct_response}, {@code redirect}).
     */
    public Target pickTarget() {
        if (targets.length <= 1) {
            return targets.length == 0 ? null : targets[0];
        }
        long n = nextTarget.getAndIncrement();
        return schedule == null ? targets[(int) Long.remainderUnsigned(n, targets.length)]
                : targets[schedule[(int) Long.remainderUnsigned(n, schedule.length)]];
    }

    /** Every target, in the order of {@link RouteConfig#clusters()}. */
    public List<Target> targets() {
        return List.of(targets);
    }

    /** The route's own rate limiter, or {@code null}. */
    public RateLimiter rateLimiter() {
        return rateLimiter;
    }

    /** Takes over {@code running}'s limiter (a reload that kept this route and its limit); see {@link Router#inherit}. */
    void rateLimiter(RateLimiter running) {
        this.rateLimiter = running;
    }

    /** The route's fault injector, or {@code null}. */
    public FaultInjector fault() {
        return fault;
    }

    /** Applies {@code request_headers_to_remove}, then {@code request_headers_to_add}, to a request to forward. */
    public void applyRequestHeaders(HttpHeaders headers) {
        for (String name : requestHeadersToRemove) {
            headers.remove(name);
        }
        for (HeaderValue h : requestHeadersToAdd) {
            headers.set(h.name(), h.value());
        }
    }

    /** Applies {@code response_headers_to_add} to a response of this route (upstream's or Remora's own). */
    public void applyResponseHeaders(HttpHeaders headers) {
        for (HeaderValue h : responseHeadersToAdd) {
            headers.set(h.name(), h.value());
        }
    }

    /**
     * The request target to forward, after {@code prefix_rewrite}: the matched prefix (or exact path) of an
     * origin-form target replaced, the rest of the path and the query kept. As in Envoy, the rewrite is literal:
     * prefix {@code /search} rewritten to {@code /} turns {@code /search/x} into {@code //x}, so pair a prefix with
     * a trailing slash with a rewrite with one. Returns {@code uri} itself when there is nothing to rewrite.
     */
    public String rewrite(String uri) {
        String rewrite = config.prefixRewrite();
        if (rewrite == null || !uri.startsWith("/")) {
            return uri;
        }
        int end = uri.length();
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        String matched = path != null ? path : prefix;
        if (matched == null || !uri.regionMatches(0, matched, 0, matched.length()) || matched.length() > end) {
            return uri;
        }
        return rewrite + uri.substring(matched.length());
    }

    /** Where this route's upstream attempts are counted. */
    public io.remora.core.metrics.ClusterStats clusterStats() {
        return clusterStats;
    }

    /** The route's retry policy, or {@code null}: no retries. */
    public io.remora.core.retry.RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    public RouteConfig config() {
        return config;
    }

    public Cluster cluster() {
        return cluster;
    }

    /** Route timeout in nanoseconds; 0 = none. */
    public long timeoutNanos() {
        return timeoutNanos;
    }

    /**
     * @param path      request path without the query string
     * @param authority lower-case host without port, or {@code null} if the request had none
     */
    boolean matches(String path, String authority, HttpHeaders headers) {
        if (this.path != null && !this.path.equals(path)) {
            return false;
        }
        if (prefix != null && !path.startsWith(prefix)) {
            return false;
        }
        if (host != null) {
            if (authority == null) {
                return false;
            }
            if (wildcardHost ? !(authority.endsWith(host) && authority.length() > host.length())
                    : !host.equals(authority)) {
                return false;
            }
        }
        for (int i = 0; i < headerNames.length; i++) {
            if (!headers.contains(headerNames[i], headerValues[i], false)) {
                return false;
            }
        }
        return true;
    }
}
