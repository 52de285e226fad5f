package io.remora.config.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One route of an HTTP listener.
 *
 * <p>What a route does with a request it takes is one of: forward it to {@code cluster}, split it across
 * {@code weightedClusters}, answer it with {@code directResponse}, or answer it with {@code redirect}; exactly
 * one is given. The traffic policy ({@code rateLimit}, {@code fault}, {@code fallback}) and the header and path
 * actions apply on the way.
 *
 * @param cluster                the upstream cluster; {@code null} with {@code weightedClusters},
 *                               {@code directResponse} or {@code redirect}
 * @param timeout                from the end of the request to the end of the response, retries included;
 *                               {@link Duration#ZERO} means none
 * @param retry                  the retry policy; {@code null} = no retries (beyond resending a request that met a
 *                               stale pooled connection)
 * @param weightedClusters       a traffic split; empty when the route has one {@code cluster} or none
 * @param rateLimit              the route's own local rate limit, or {@code null}
 * @param fault                  fault injection, or {@code null}
 * @param fallback               the static response that replaces Remora's own failure replies, or {@code null}
 * @param requestHeadersToAdd    set on the request before it is forwarded (replacing values of the same name)
 * @param requestHeadersToRemove lower-case names removed from the request before it is forwarded
 * @param responseHeadersToAdd   set on every response of the route (replacing values of the same name)
 * @param prefixRewrite          replaces the matched {@code prefix} (or the whole {@code path}) of the forwarded
 *                               request's path, or {@code null}
 * @param directResponse         answer without an upstream, or {@code null}
 * @param redirect               answer with a redirect, or {@code null}
 */
public record RouteConfig(
        RouteMatch match,
        String cluster,
        Duration timeout,
        RetryPolicyConfig retry,
        List<WeightedCluster> weightedClusters,
        RateLimitConfig rateLimit,
        FaultConfig fault,
        FallbackConfig fallback,
        List<HeaderValue> requestHeadersToAdd,
        List<String> requestHeadersToRemove,
        List<HeaderValue> responseHeadersToAdd,
        String prefixRewrite,
        DirectResponseConfig directResponse,
        RedirectConfig redirect) {

    /** {@code null} lists stand for empty ones. */
    public RouteConfig {
        weightedClusters = weightedClusters == null ? List.of() : List.copyOf(weightedClusters);
        requestHeadersToAdd = requestHeadersToAdd == null ? List.of() : List.copyOf(requestHeadersToAdd);
        requestHeadersToRemove = requestHeadersToRemove == null ? List.of() : List.copyOf(requestHeadersToRemove);
        responseHeadersToAdd = responseHeadersToAdd == null ? List.of() : List.copyOf(responseHeadersToAdd);
    }

    /** A route without the traffic policy and route actions (code written before they existed). */
    public RouteConfig(RouteMatch match, String cluster, Duration timeout, RetryPolicyConfig retry) {
        this(match, cluster, timeout, retry, List.of(), null, null, null, List.of(), List.of(), List.of(), null, null,
                null);
    }

    /** A route without a retry policy: it never retries. */
    public RouteConfig(RouteMatch match, String cluster, Duration timeout) {
        this(match, cluster, timeout, null);
    }

    /** Every cluster the route may send to: its {@code cluster}, or those of its split; empty if it answers itself. */
    public List<String> clusters() {
        if (cluster != null) {
            return List.of(cluster);
        }
        List<String> names = new ArrayList<>(weightedClusters.size());
        for (WeightedCluster w : weightedClusters) {
            if (w.cluster() != null) {
                names.add(w.cluster());
            }
        }
        return names;
    }

    /** Whether the route answers every request itself ({@code directResponse} or {@code redirect}). */
    public boolean answersItself() {
        return directResponse != null || redirect != null;
    }
}
