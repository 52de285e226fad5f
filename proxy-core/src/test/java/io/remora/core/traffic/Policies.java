package io.remora.core.traffic;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.Defaults;
import io.remora.config.model.DirectResponseConfig;
import io.remora.config.model.EndpointConfig;
import io.remora.config.model.FallbackConfig;
import io.remora.config.model.FaultConfig;
import io.remora.config.model.HeaderValue;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.RateLimitConfig;
import io.remora.config.model.RedirectConfig;
import io.remora.config.model.RetryPolicyConfig;
import io.remora.config.model.RouteConfig;
import io.remora.config.model.RouteMatch;
import io.remora.config.model.WeightedCluster;
import io.remora.core.testing.Configs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Config records with the traffic policy of issue 9, for the tests of this package. */
final class Policies {
    private Policies() {
    }

    /** A route under construction: every key of a route, each settable, the rest at its default. */
    static final class Route {
        private RouteMatch match = new RouteMatch("/", null, null, Map.of());
        private String cluster;
        private Duration timeout = Defaults.ROUTE_TIMEOUT;
        private RetryPolicyConfig retry;
        private List<WeightedCluster> split = List.of();
        private RateLimitConfig rateLimit;
        private FaultConfig fault;
        private FallbackConfig fallback;
        private final List<HeaderValue> requestAdd = new ArrayList<>();
        private final List<String> requestRemove = new ArrayList<>();
        private final List<HeaderValue> responseAdd = new ArrayList<>();
        private String prefixRewrite;
        private DirectResponseConfig direct;
        private RedirectConfig redirect;

        Route prefix(String prefix) {
            match = new RouteMatch(prefix, null, null, Map.of());
            return this;
        }

        Route cluster(String name) {
            cluster = name;
            return this;
        }

        Route timeout(Duration d) {
            timeout = d;
            return this;
        }

        Route retry(RetryPolicyConfig r) {
            retry = r;
            return this;
        }

        Route split(WeightedCluster... clusters) {
            split = List.of(clusters);
            return this;
        }

        Route rateLimit(double rps, int burst, String keyHeader) {
            rateLimit = new RateLimitConfig(rps, burst, keyHeader);
            return this;
        }

        Route abort(int status, double percent) {
            fault = new FaultConfig(fault == null ? null : fault.delay(), new FaultConfig.Abort(status, percent),
                    fault == null ? null : fault.onlyWithHeader());
            return this;
        }

        Route delay(Duration fixed, double percent) {
            fault = new FaultConfig(new FaultConfig.Delay(fixed, percent), fault == null ? null : fault.abort(),
                    fault == null ? null : fault.onlyWithHeader());
            return this;
        }

        Route onlyWithHeader(String header) {
            fault = new FaultConfig(fault.delay(), fault.abort(), header);
            return this;
        }

        Route fallback(int status, String contentType, String body) {
            fallback = new FallbackConfig(status, contentType, body);
            return this;
        }

        Route addRequestHeader(String name, String value) {
            requestAdd.add(new HeaderValue(name, value));
            return this;
        }

        Route removeRequestHeader(String name) {
            requestRemove.add(name);
            return this;
        }

        Route addResponseHeader(String name, String value) {
            responseAdd.add(new HeaderValue(name, value));
            return this;
        }

        Route prefixRewrite(String rewrite) {
            prefixRewrite = rewrite;
            return this;
        }

        Route direct(int status, String body) {
            direct = new DirectResponseConfig(status, body);
            return this;
        }

        Route redirect(boolean https, String host, String path, int status) {
            redirect = new RedirectConfig(https, host, path, status);
            return this;
        }

        RouteConfig build() {
            return new RouteConfig(match, cluster, timeout, retry, split, rateLimit, fault, fallback, requestAdd,
                    requestRemove, responseAdd, prefixRewrite, direct, redirect);
        }
    }

    static Route route(String prefix) {
        return new Route().prefix(prefix);
    }

    /** An http listener on an ephemeral port with the given routes. */
    static ListenerConfig listener(String name, RouteConfig... routes) {
        return Configs.httpListener(name, List.of(routes));
    }

    /** {@code l} with a listener-wide {@code rate_limit}. */
    static ListenerConfig withRateLimit(ListenerConfig l, double rps, int burst) {
        return new ListenerConfig(l.name(), l.address(), l.protocol(), l.cluster(), l.routes(), l.idleTimeout(),
                l.streamIdleTimeout(), l.requestHeadersTimeout(), l.maxRequestHeadersKb(), l.accessLog(), l.tls(),
                l.maxHeadersCount(), l.headersWithUnderscores(), l.maxConnections(), l.normalizePath(),
                l.mergeSlashes(), new RateLimitConfig(rps, burst, null));
    }

    /** A cluster whose endpoints have the given priorities ({@code address, priority, address, priority, ...}). */
    static ClusterConfig withPriorities(ClusterConfig c, Object... addressesAndPriorities) {
        List<EndpointConfig> eps = new ArrayList<>();
        for (int i = 0; i < addressesAndPriorities.length; i += 2) {
            eps.add(new EndpointConfig(Configs.hp((String) addressesAndPriorities[i]), 1,
                    (Integer) addressesAndPriorities[i + 1]));
        }
        return new ClusterConfig(c.name(), eps, c.dnsRefresh(), c.dnsFamily(), c.lbPolicy(), c.connectTimeout(),
                c.idleTimeout(), c.maxRequestsPerConnection(), c.panicThreshold(), c.hashOn(), c.healthCheck(),
                c.outlierDetection(), c.circuitBreakers(), c.retryBudget(), c.tls(), c.slowStart());
    }
}
