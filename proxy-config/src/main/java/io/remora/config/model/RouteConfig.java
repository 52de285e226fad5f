package io.remora.config.model;

import java.time.Duration;

/**
 * One route of an HTTP listener.
 *
 * @param timeout from the end of the request to the end of the response, retries included;
 *                {@link Duration#ZERO} means none
 * @param retry   the retry policy; {@code null} = no retries (beyond resending a request that met a stale pooled
 *                connection)
 */
public record RouteConfig(RouteMatch match, String cluster, Duration timeout, RetryPolicyConfig retry) {

    /** A route without a retry policy: it never retries. */
    public RouteConfig(RouteMatch match, String cluster, Duration timeout) {
        this(match, cluster, timeout, null);
    }
}
