package io.remora.config.load;

import io.remora.config.model.Defaults;
import io.remora.config.model.DirectResponseConfig;
import io.remora.config.model.FallbackConfig;
import io.remora.config.model.FaultConfig;
import io.remora.config.model.HeaderValue;
import io.remora.config.model.RateLimitConfig;
import io.remora.config.model.RedirectConfig;
import io.remora.config.model.RetryPolicyConfig;
import io.remora.config.model.RouteConfig;
import io.remora.config.model.RouteMatch;
import io.remora.config.model.WeightedCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one element of an http listener's {@code routes}: what it matches, where it goes (one cluster, a weighted
 * split, or an answer of its own), how long it may take, how it retries, and its traffic policy.
 */
final class RouteReader {

    private static final RouteConfig UNREADABLE = new RouteConfig(new RouteMatch(null, null, null, null), null, null);

    /** The keys that say what a route does with a request; exactly one is given. */
    private static final List<String> ACTIONS = List.of("cluster", "weighted_clusters", "direct_response",
            "redirect");
    /** Keys that only mean something when the request is forwarded. */
    private static final List<String> FORWARDING_ONLY = List.of("timeout", "retry", "prefix_rewrite",
            "request_headers_to_add", "request_headers_to_remove");

    private RouteReader() {
    }

    static RouteConfig read(Object value, String path, ErrorList errors) {
        MapReader m = MapReader.openElement(value, path, ConfigKeys.ROUTE,
                "a map such as { match: { prefix: / }, cluster: api }", errors);
        if (m == null) {
            return UNREADABLE;
        }
        RouteMatch match = MatchReader.read(m.section("match", ConfigKeys.MATCH, "a map such as { prefix: /api/ }"),
                errors);
        List<String> actions = new ArrayList<>();
        for (String a : ACTIONS) {
            if (m.has(a)) {
                actions.add(a);
            }
        }
        String cluster = null;
        if (actions.isEmpty() || m.has("cluster")) {
            // no action at all is reported as the missing cluster: forwarding is what nearly every route does
            cluster = m.requiredString("cluster", "the name of a cluster");
        }
        if (actions.size() > 1) {
            errors.add(path, "give only one of cluster, weighted_clusters, direct_response or redirect (given: "
                    + String.join(", ", actions) + ")");
        }
        boolean answersItself = m.has("direct_response") || m.has("redirect");
        if (answersItself) {
            String action = m.has("direct_response") ? "direct_response" : "redirect";
            for (String k : FORWARDING_ONLY) {
                if (m.has(k)) {
                    errors.add(m.path(k), "a route with " + action + " answers itself and forwards nothing, so "
                            + k + " would never apply");
                }
            }
        }
        Duration timeout = m.duration("timeout", Defaults.ROUTE_TIMEOUT);
        RetryPolicyConfig retry = RetryPolicyReader.read(m);
        List<WeightedCluster> weighted = TrafficPolicyReader.weightedClusters(m);
        RateLimitConfig rateLimit = TrafficPolicyReader.rateLimit(m);
        FaultConfig fault = TrafficPolicyReader.fault(m);
        FallbackConfig fallback = TrafficPolicyReader.fallback(m);
        List<HeaderValue> requestHeadersToAdd = TrafficPolicyReader.headersToAdd(m, "request_headers_to_add");
        List<String> requestHeadersToRemove = TrafficPolicyReader.headersToRemove(m);
        List<HeaderValue> responseHeadersToAdd = TrafficPolicyReader.headersToAdd(m, "response_headers_to_add");
        String prefixRewrite = m.has("prefix_rewrite") ? TrafficPolicyReader.path(m, "prefix_rewrite") : null;
        DirectResponseConfig directResponse = TrafficPolicyReader.directResponse(m);
        RedirectConfig redirect = TrafficPolicyReader.redirect(m);
        return new RouteConfig(match, cluster, timeout, retry, weighted, rateLimit, fault, fallback,
                requestHeadersToAdd, requestHeadersToRemove, responseHeadersToAdd, prefixRewrite, directResponse,
                redirect);
    }
}
